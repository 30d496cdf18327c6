#!/usr/bin/env bash
# Stops the Ollama server that scripts/ollama-up.sh started (and only that
# one: the pid in .cache/ollama.pid). Servers it merely reused are left alone.
exec "$(dirname "$0")/stop-started.sh" ollama 10
