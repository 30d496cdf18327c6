#!/usr/bin/env bash
# Stops the Weaviate server that scripts/weaviate-up.sh started (and only that
# one: the pid in .cache/weaviate.pid). Its data folder is kept.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
pidfile="$root/.cache/weaviate.pid"
pid=$(cat "$pidfile" 2>/dev/null || true)
if [ -z "$pid" ]; then
  echo "weaviate-down: no server was started by weaviate-up.sh" >&2
  exit 0
fi
if kill -0 "$pid" 2>/dev/null && grep -q weaviate "/proc/$pid/cmdline" 2>/dev/null; then
  kill "$pid"
  # Weaviate flushes its LSM segments on SIGTERM; give it time.
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "weaviate-down: pid $pid ignored SIGTERM for 30 s; sending SIGKILL" >&2
    kill -9 "$pid" 2>/dev/null || true
  fi
  echo "weaviate-down: stopped pid $pid" >&2
else
  echo "weaviate-down: pid $pid is not running" >&2
fi
rm -f "$pidfile"
