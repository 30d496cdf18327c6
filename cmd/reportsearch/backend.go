package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

// storeFlag is the global --store flag (see collection.ParseStore).
func storeFlag() cli.Flag {
	return &cli.StringFlag{Name: "store", EnvVars: []string{"REPORTSEARCH_STORE"},
		Usage: `vector store for dense search: "" or "chromem" (in memory, built from the snapshot at open) or "weaviate://host:port" (kept in a Weaviate server, synced by index)`}
}

// errNoBackend is returned by bench commands that need a Weaviate server.
var errNoBackend = errors.New("no Weaviate server given: pass --weaviate HOST:PORT (start one with `eval \"$(scripts/weaviate-up.sh)\"`)")
