#!/usr/bin/env bash
# Finds or starts a single-node Weaviate server for development, tests and
# `bench vectors`, and prints the environment to use it:
#
#   eval "$(scripts/weaviate-up.sh)"   # sets REPORTSEARCH_TEST_WEAVIATE
#
# The server runs on 127.0.0.1:${REPORTSEARCH_TEST_WEAVIATE_PORT:-8089} (REST),
# data in ${REPORTSEARCH_WEAVIATE_DATA:-.cache/weaviate-data}, log in
# .cache/weaviate.log, pid in .cache/weaviate.pid (scripts/weaviate-down.sh
# stops it). The binary is $WEAVIATE_BIN, else our own build
# (scripts/weaviate-build.sh). Idempotent: a second run reuses the server.
#
# Listeners, with REST on port P: gRPC P+1, memberlist gossip P+2, the
# internal cluster API P+3, Raft P+4 and its internal RPC P+5. REST,
# memberlist and Raft bind to 127.0.0.1 (--host, CLUSTER_BIND_ADDR). The
# Prometheus listener is off (its default) and the Go profiling listener
# (:6060 on all interfaces otherwise) is disabled. Weaviate 1.35 has no
# setting for two bind addresses, which listen on all interfaces:
#   - gRPC on P+1 (adapters/handlers/grpc/server.go, StartAndListen:
#     net.Listen(":port")), with the same anonymous access as REST;
#     reportsearch itself only uses REST. Firewall it on a shared network.
#   - the internal cluster API on P+3 (adapters/handlers/rest/clusterapi/
#     serve.go and grpc/server.go); it is given a random basic-auth password
#     per start (CLUSTER_BASIC_AUTH_*), so it answers nobody but the node.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cache="$root/.cache"
port=${REPORTSEARCH_TEST_WEAVIATE_PORT:-8089}
data=${REPORTSEARCH_WEAVIATE_DATA:-$cache/weaviate-data}
host=127.0.0.1:$port
pidfile="$cache/weaviate.pid"
logfile="$cache/weaviate.log"
mkdir -p "$cache" "$data"

log() { echo "weaviate-up: $*" >&2; }
ready() { curl -fsS -m 3 -o /dev/null "http://$host/v1/.well-known/ready" 2>/dev/null; }

pid=$(cat "$pidfile" 2>/dev/null || true)
if ready; then
  log "reusing the Weaviate server at $host"
else
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -q weaviate "/proc/$pid/cmdline" 2>/dev/null; then
    log "waiting for the Weaviate server starting as pid $pid"
  else
    bin=${WEAVIATE_BIN:-}
    if [ -z "$bin" ]; then
      "$root/scripts/weaviate-build.sh" >&2
      bin="$cache/bin/weaviate-server"
    fi
    log "starting $bin on $host (data: $data, log: $logfile)"
    secret=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
    # setsid: the server must outlive the shell (and process group) that
    # started it.
    PERSISTENCE_DATA_PATH="$data" \
      AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED=true \
      DEFAULT_VECTORIZER_MODULE=none \
      ENABLE_MODULES= \
      DISABLE_TELEMETRY=true \
      GO_PROFILING_DISABLE=true \
      PROMETHEUS_MONITORING_ENABLED=false \
      QUERY_DEFAULTS_LIMIT=25 \
      CLUSTER_HOSTNAME=node1 \
      CLUSTER_ADVERTISE_ADDR=127.0.0.1 \
      CLUSTER_BIND_ADDR=127.0.0.1 \
      CLUSTER_GOSSIP_BIND_PORT=$((port + 2)) \
      CLUSTER_DATA_BIND_PORT=$((port + 3)) \
      CLUSTER_BASIC_AUTH_USERNAME=node \
      CLUSTER_BASIC_AUTH_PASSWORD="$secret" \
      GRPC_PORT=$((port + 1)) \
      RAFT_PORT=$((port + 4)) \
      RAFT_INTERNAL_RPC_PORT=$((port + 5)) \
      RAFT_JOIN=node1:$((port + 5)) \
      RAFT_BOOTSTRAP_EXPECT=1 \
      setsid "$bin" --host 127.0.0.1 --port "$port" --scheme http >>"$logfile" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$pidfile"
  fi
  for _ in $(seq 1 240); do
    ready && break
    if ! kill -0 "$pid" 2>/dev/null; then
      log "the Weaviate server exited; last lines of $logfile:"
      tail -n 20 "$logfile" >&2
      exit 1
    fi
    sleep 0.5
  done
  if ! ready; then
    log "no answer from $host after 120 s; see $logfile"
    exit 1
  fi
fi

echo "export REPORTSEARCH_TEST_WEAVIATE=$host"
