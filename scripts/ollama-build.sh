#!/usr/bin/env bash
# Builds Ollama from the Go module proxy into .cache/bin (ignored by git), once.
# Why a build and not a download: the machines this project is developed and
# tested on reach only the Go module proxy, Debian's apt and npm.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
version=${OLLAMA_VERSION:-v0.17.4}
cache="$root/.cache"
bin="$cache/bin"
mkdir -p "$bin"
if [ -x "$bin/ollama" ] && [ "$(cat "$bin/ollama.version" 2>/dev/null)" = "$version" ]; then
  exit 0
fi
need=()
[ -f /usr/include/nlohmann/json.hpp ] || need+=(nlohmann-json3-dev)
[ -f /usr/include/stb/stb_image.h ] || [ -f /usr/include/stb_image.h ] || need+=(libstb-dev)
if [ ${#need[@]} -gt 0 ]; then
  echo "ollama-build: installing ${need[*]} with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq "${need[@]}" >&2
fi
# miniaudio.h comes from the malgo module that Ollama depends on; the cgo build
# expects it under a miniaudio/ include folder.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
( cd "$tmp" && go mod init probe >/dev/null 2>&1 && go mod download -json "github.com/ollama/ollama@$version" >mod.json )
ollamadir=$(sed -n 's/.*"Dir": "\(.*\)".*/\1/p' "$tmp/mod.json")
# Ollama's go.mod stopped listing malgo (v0.17.x), yet its llama.cpp still
# includes miniaudio.h and ships no vendor/ folder: fall back to a pinned malgo.
malgo=$(grep -E '^\s*github.com/gen2brain/malgo ' "$ollamadir/go.mod" | awk '{print $2}' || true)
malgo=${malgo:-v0.11.24}
( cd "$tmp" && go mod download -json "github.com/gen2brain/malgo@$malgo" >malgo.json )
malgodir=$(sed -n 's/.*"Dir": "\(.*\)".*/\1/p' "$tmp/malgo.json")
inc="$cache/inc"
mkdir -p "$inc/miniaudio"
cp "$malgodir/miniaudio.h" "$inc/miniaudio/miniaudio.h"
echo "ollama-build: building ollama $version (about 5 minutes, once)" >&2
# -march=native: without it the CPU kernels are plain SSE2 and embedding is ~7x slower.
CGO_CPPFLAGS="-I$inc" CGO_CFLAGS='-O3 -march=native' CGO_CXXFLAGS='-O3 -march=native' \
  GOBIN="$bin" go install "github.com/ollama/ollama@$version"
echo "$version" >"$bin/ollama.version"
