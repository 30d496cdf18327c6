#!/usr/bin/env bash
# Times the commands that choose or list collections with 1 and with 20
# collections: cold `search --mode hybrid` (--model auto), `status` and
# `collections --files`, each binary on data it wrote itself (one index of
# ../shared/corpus with the fixture model, then `cp -a` of the collection
# folder 20 times). Prints best and median of N runs, binaries interleaved.
#
#   scripts/bench-collections.sh now=.cache/bin/reportsearch old=/tmp/rs-old
#
# Needs Ollama with zh-charbag-256 at $OLLAMA_HOST (default 127.0.0.1:11500).
set -euo pipefail
N=${N:-7}
OLLAMA=${OLLAMA_HOST:-127.0.0.1:11500}
corpus=$(cd "$(dirname "$0")/.." && pwd)/../shared/corpus
W=$(mktemp -d -t reportsearch-bench-collections-XXXXXX)
trap 'rm -rf "$W"' EXIT
[ $# -gt 0 ] || { echo "usage: $0 LABEL=BINARY..." >&2; exit 2; }
for b in "$@"; do
  label=${b%%=*}; bin=${b#*=}
  d1=$W/$label-1; d20=$W/$label-20
  "$bin" --data-dir "$d1" --ollama-host "$OLLAMA" --model zh-charbag-256 index "$corpus" >/dev/null 2>&1
  mkdir -p "$d20"; c=$(ls "$d1" | grep -v '^\.' | head -1)
  for i in $(seq -w 1 20); do cp -a "$d1/$c" "$d20/c$i"; done
done
# t prints how long a command took, in microseconds.
t() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N); echo $(((e - s) / 1000)); }
for n in 1 20; do for cmd in status search collections-files; do
  for b in "$@"; do
    label=${b%%=*}; bin=${b#*=}; d=$W/$label-$n
    case $cmd in
      status) args=(status);;
      search) args=(search --mode hybrid "低空经济");;
      collections-files) args=(collections --files);;
    esac
    ts=()
    for _ in $(seq "$N"); do ts+=("$(t "$bin" --data-dir "$d" --ollama-host "$OLLAMA" "${args[@]}")"); done
    printf '%s\n' "${ts[@]}" | sort -n | awk -v l="$label" -v n="$n" -v c="$cmd" \
      '{a[NR]=$1} END{printf "%-18s %-3s %-10s best %.3f s  median %.3f s\n", c, n, l, a[1]/1e6, a[int((NR+1)/2)]/1e6}'
  done
done; done
