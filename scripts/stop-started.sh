#!/usr/bin/env bash
# Stops a server that one of our *-up.sh scripts started, and only that one:
# the pid in .cache/NAME.pid, if that process is still NAME. Servers the up
# scripts merely reused are left alone.
#
#   scripts/stop-started.sh NAME GRACE_SECONDS
#
# It sends SIGTERM, waits up to GRACE_SECONDS, then SIGKILL.
set -euo pipefail
name=$1
grace=$2
root=$(cd "$(dirname "$0")/.." && pwd)
pidfile="$root/.cache/$name.pid"
pid=$(cat "$pidfile" 2>/dev/null || true)
if [ -z "$pid" ]; then
  echo "$name-down: no server was started by $name-up.sh" >&2
  exit 0
fi
if kill -0 "$pid" 2>/dev/null && grep -q "$name" "/proc/$pid/cmdline" 2>/dev/null; then
  kill "$pid"
  for _ in $(seq 1 $((grace * 2))); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "$name-down: pid $pid ignored SIGTERM for $grace s; sending SIGKILL" >&2
    kill -9 "$pid" 2>/dev/null || true
  fi
  echo "$name-down: stopped pid $pid" >&2
else
  echo "$name-down: pid $pid is not running" >&2
fi
rm -f "$pidfile"
