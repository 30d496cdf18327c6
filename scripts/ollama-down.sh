#!/usr/bin/env bash
# Stops the Ollama server that scripts/ollama-up.sh started (and only that
# one: the pid in .cache/ollama.pid). Servers it merely reused are left alone.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
pidfile="$root/.cache/ollama.pid"
pid=$(cat "$pidfile" 2>/dev/null || true)
if [ -z "$pid" ]; then
  echo "ollama-down: no server was started by ollama-up.sh" >&2
  exit 0
fi
if kill -0 "$pid" 2>/dev/null && grep -q ollama "/proc/$pid/cmdline" 2>/dev/null; then
  kill "$pid"
  for _ in $(seq 1 20); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "ollama-down: pid $pid ignored SIGTERM for 10 s; sending SIGKILL" >&2
    kill -9 "$pid" 2>/dev/null || true
  fi
  echo "ollama-down: stopped pid $pid" >&2
else
  echo "ollama-down: pid $pid is not running" >&2
fi
rm -f "$pidfile"
