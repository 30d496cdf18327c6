#!/usr/bin/env bash
# Finds or starts an Ollama server for development and tests, makes sure the
# fixture embedding model zh-charbag-256 is installed on it, and prints the
# environment to use it:
#
#   eval "$(scripts/ollama-up.sh)"     # sets OLLAMA_HOST and REPORTSEARCH_TEST_OLLAMA
#
# Order: a reachable $OLLAMA_HOST is used as it is; otherwise a server on
# 127.0.0.1:${REPORTSEARCH_TEST_OLLAMA_PORT:-11500} is reused or started, with
# models kept in .cache/ollama-models, log in .cache/ollama.log and pid in
# .cache/ollama.pid (scripts/ollama-down.sh stops it). The binary is $OLLAMA_BIN,
# else `ollama` on PATH, else our own build (scripts/ollama-build.sh).
# Idempotent: a second run reuses the running server and the imported model.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache="$root/.cache"
port=${REPORTSEARCH_TEST_OLLAMA_PORT:-11500}
fixture=${REPORTSEARCH_FIXTURE_MODEL:-$root/../shared/models/zh-charbag-256}
model=zh-charbag-256
mkdir -p "$cache"

log() { echo "ollama-up: $*" >&2; }

# url HOST: OLLAMA_HOST syntax to a URL curl understands (no scheme means
# http and, without a port, Ollama's 11434 rather than curl's 80).
url() {
  local h=$1
  case "$h" in
    http://* | https://*) echo "$h" ;;
    *:*) echo "http://$h" ;;
    *) echo "http://$h:11434" ;;
  esac
}

reachable() { curl -fsS -m 3 "$(url "$1")/api/version" >/dev/null 2>&1; }

host=""
if [ -n "${OLLAMA_HOST:-}" ] && reachable "$OLLAMA_HOST"; then
  host=$OLLAMA_HOST
  log "using the Ollama server at $host (OLLAMA_HOST)"
else
  host=127.0.0.1:$port
  pidfile="$cache/ollama.pid"
  pid=$(cat "$pidfile" 2>/dev/null || true)
  if reachable "$host"; then
    log "reusing the Ollama server at $host"
  else
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      log "waiting for the Ollama server starting as pid $pid"
    else
      bin=${OLLAMA_BIN:-}
      if [ -z "$bin" ]; then
        if command -v ollama >/dev/null 2>&1; then
          bin=$(command -v ollama)
        else
          "$root/scripts/ollama-build.sh" >&2
          bin="$cache/bin/ollama"
        fi
      fi
      log "starting $bin serve on $host (log: $cache/ollama.log)"
      # setsid: the server must outlive the shell (and process group) that
      # started it. No OLLAMA_NUM_PARALLEL or thread tuning: on 2 cores a
      # second parallel request showed no consistent gain (BenchmarkOllamaEmbed).
      OLLAMA_HOST=$host OLLAMA_MODELS="$cache/ollama-models" \
        setsid "$bin" serve >>"$cache/ollama.log" 2>&1 </dev/null &
      pid=$!
      echo "$pid" >"$pidfile"
    fi
    for _ in $(seq 1 120); do
      reachable "$host" && break
      if ! kill -0 "$pid" 2>/dev/null; then
        log "the Ollama server exited; last lines of $cache/ollama.log:"
        tail -n 20 "$cache/ollama.log" >&2
        exit 1
      fi
      sleep 0.5
    done
    if ! reachable "$host"; then
      log "no answer from $host after 60 s; see $cache/ollama.log"
      exit 1
    fi
  fi
fi

if curl -fsS -m 5 "$(url "$host")/api/tags" 2>/dev/null | grep -q "\"name\":\"$model:latest\""; then
  : # already imported; skip compiling the importer
elif [ -d "$fixture" ]; then
  (cd "$root" && go run ./scripts/ollama-import -host "$host" -if-missing "$fixture" "$model") >&2
else
  log "fixture model folder $fixture not found; $model not imported"
fi

echo "export OLLAMA_HOST=$host"
echo "export REPORTSEARCH_TEST_OLLAMA=$host"
