#!/usr/bin/env bash
# Builds the Weaviate server from the Go module proxy into .cache/bin (ignored
# by git), once. Why a build and not a download: the machines this project is
# developed and tested on reach only the Go module proxy, Debian's apt and npm.
# The build is large (several minutes on 2 cores); it runs under nice so the
# rest of the machine stays usable.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
version=${WEAVIATE_VERSION:-v1.35.2}
bin="$root/.cache/bin"
mkdir -p "$bin"
if [ -x "$bin/weaviate-server" ] && [ "$(cat "$bin/weaviate-server.version" 2>/dev/null)" = "$version" ]; then
  exit 0
fi
echo "weaviate-build: building weaviate-server $version (several minutes, once)" >&2
start=$(date +%s)
# CGO_ENABLED=0: the server is pure Go; a static build needs no system headers.
CGO_ENABLED=0 GOBIN="$bin" nice -n 10 go install "github.com/weaviate/weaviate/cmd/weaviate-server@$version"
echo "$version" >"$bin/weaviate-server.version"
echo "weaviate-build: done in $(( $(date +%s) - start ))s" >&2
