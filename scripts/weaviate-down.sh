#!/usr/bin/env bash
# Stops the Weaviate server that scripts/weaviate-up.sh started (and only that
# one: the pid in .cache/weaviate.pid). Its data folder is kept. Weaviate
# flushes its LSM segments on SIGTERM, so it gets 30 s before SIGKILL.
exec "$(dirname "$0")/stop-started.sh" weaviate 30
