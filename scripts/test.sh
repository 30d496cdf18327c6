#!/usr/bin/env bash
# Runs every test of reportsearch on a fresh machine: installs and starts what
# the tests need (Ollama built from the Go module proxy, with the fixture model
# from ../shared; Weaviate likewise when its scripts are present), then vet,
# formatting, unit, integration and end-to-end tests, and bounded fuzzing.
# Builds are cached in .cache/ (ignored by git), so repeat runs are fast.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export GOFLAGS=${GOFLAGS:--buildvcs=false}

[ -d ../shared/corpus ] || { echo "test: ../shared (corpus, fixture model) must sit beside the repository" >&2; exit 2; }
command -v curl >/dev/null || { apt-get update -qq && apt-get install -y -qq curl; }
scripts/deps.sh && export REPORTSEARCH_REQUIRE_PDF=1 REPORTSEARCH_REQUIRE_BROWSER=1 # PDF/HTML reader tests must run, not skip

echo "== Ollama with the fixture model"
eval "$(scripts/ollama-up.sh)"
export REPORTSEARCH_TEST_OLLAMA=$OLLAMA_HOST REPORTSEARCH_REQUIRE_OLLAMA=1

stores=(chromem)
if [ -x scripts/weaviate-up.sh ] && [ "${REPORTSEARCH_SKIP_WEAVIATE:-}" = "" ]; then
  echo "== Weaviate"
  # A server this script starts keeps its data in a fresh temporary folder,
  # so no run sees another's classes.
  export REPORTSEARCH_WEAVIATE_DATA=${REPORTSEARCH_WEAVIATE_DATA:-$(mktemp -d -t reportsearch-weaviate-XXXXXX)}
  eval "$(scripts/weaviate-up.sh)"
  export REPORTSEARCH_REQUIRE_WEAVIATE=1
  stores+=(weaviate)
fi

echo "== gofmt, go vet"
bad=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './.cache/*'))
if [ -n "$bad" ]; then echo "gofmt would change: $bad" >&2; exit 1; fi
go vet ./...

echo "== go test"
# The end-to-end suite runs once per store backend; everything else once.
go test -count=1 -timeout 45m ./...
# The patched chromem-go is a module of its own (used through a replace
# directive): ./... does not reach its tests, which pin the patch.
(cd third_party/chromem-go && go test -count=1 -timeout 10m ./...)
for s in "${stores[@]:1}"; do
  echo "== end-to-end tests against the $s store"
  REPORTSEARCH_TEST_STORE=$s go test -count=1 -timeout 20m ./cmd/reportsearch/
done

if [ -x scripts/fuzz.sh ]; then
  echo "== fuzzing (bounded)"
  scripts/fuzz.sh "${REPORTSEARCH_FUZZ_SECONDS:-10}"
fi
