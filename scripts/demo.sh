#!/usr/bin/env bash
# The main job on a fresh machine: an Ollama server with an embedding model
# (yours at $OLLAMA_HOST if it answers, else one built and started here with the
# fixture model), the reportsearch command, the corpus indexed, a question asked.
#   scripts/demo.sh ["question"]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
question=${1:-北京市2026年经济增长的预期目标是多少}
command -v curl >/dev/null || { apt-get update -qq && apt-get install -y -qq curl; }
scripts/deps.sh pdf # pdftotext, for the PDF reports a user indexes
eval "$(scripts/ollama-up.sh)"
mkdir -p bin
go build -o bin/reportsearch ./cmd/reportsearch
# With network access, pull a real multilingual model; offline the pull fails
# at once and the fixture model (zh-charbag-256) serves instead.
if [ -z "${REPORTSEARCH_MODEL:-}" ] && timeout 1800 bin/reportsearch model pull bge-m3 >/dev/null 2>&1; then
  echo "demo: using bge-m3" >&2
fi
bin/reportsearch index ../shared/corpus
bin/reportsearch search "$question"
