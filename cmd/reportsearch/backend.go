package main

// The vector backend: where dense search looks for nearest neighbours.
// The collection's snapshot always holds the chunks, their vectors and the
// lexical index; with --store weaviate://host:port the vectors are also kept
// in a Weaviate class (synced after every index run) and dense queries go
// there instead of to an in-memory chromem-go collection built at open.

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/reportsearch/reportsearch/store"
	"github.com/reportsearch/reportsearch/store/weaviate"
)

// storeFlag is the global --store flag.
func storeFlag() cli.Flag {
	return &cli.StringFlag{Name: "store", EnvVars: []string{"REPORTSEARCH_STORE"},
		Usage: `vector store for dense search: "" or "chromem" (in memory, built from the snapshot at open) or "weaviate://host:port" (kept in a Weaviate server, synced by index)`}
}

// parseStore validates a --store value. It returns the Weaviate address, or
// "" for the in-memory store.
func parseStore(storeURL string) (string, error) {
	s := strings.TrimSpace(storeURL)
	switch {
	case s == "" || s == "chromem":
		return "", nil
	case strings.HasPrefix(s, "weaviate://"):
		if strings.TrimPrefix(s, "weaviate://") == "" {
			return "", fmt.Errorf("--store %q names no server (want weaviate://host:port)", storeURL)
		}
		return s, nil
	}
	return "", fmt.Errorf("unknown --store %q: use \"chromem\" (default) or \"weaviate://host:port\"", storeURL)
}

// backendCollection is what names a collection's Weaviate class: its folder's
// absolute path, so two data dirs holding a collection of the same name (as
// tests do) never share a class.
func backendCollection(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return dir
}

// syncBackend makes the vector backend hold the vectors of the collection in
// dir, after an index run. snap is the collection as just saved; nil loads it
// from dir. For the in-memory store it does nothing.
func syncBackend(ctx context.Context, storeURL, dir string, snap *store.Snapshot) error {
	addr, err := parseStore(storeURL)
	if err != nil || addr == "" {
		return err
	}
	if snap == nil {
		if snap, err = store.Load(dir); err != nil {
			return err
		}
	}
	ix, err := weaviate.Open(ctx, addr, backendCollection(dir))
	if err != nil {
		return err
	}
	added, deleted, err := ix.Sync(ctx, snap.Records)
	if err != nil {
		return fmt.Errorf("syncing vectors to Weaviate: %w (the snapshot is saved; run the same index command again to retry)", err)
	}
	if added+deleted > 0 {
		fmt.Fprintf(os.Stderr, "reportsearch: Weaviate class %s: %d vectors written, %d deleted, %d held\n", ix.Class(), added, deleted, ix.Len())
	}
	return nil
}

// vectorBackend opens the vector index of the collection in dir for search:
// nil for the in-memory store (retrieve then builds chromem-go from snap).
// When Weaviate cannot be reached it is nil too, with a notice: the snapshot
// holds every vector, so search goes on in memory, only slower to open.
// Hits for chunks the snapshot does not hold (a class not yet synced after a
// change) are dropped, and a notice says to run index again.
func vectorBackend(ctx context.Context, storeURL, dir string, snap *store.Snapshot) (store.VectorIndex, error) {
	addr, err := parseStore(storeURL)
	if err != nil || addr == "" {
		return nil, err
	}
	ix, err := weaviate.Open(ctx, addr, backendCollection(dir))
	if err != nil {
		notice(os.Stderr, fmt.Sprintf("%v; dense search uses the in-memory index built from the snapshot instead", err))
		return nil, nil
	}
	known := make(map[string]bool, len(snap.Records))
	embedded := 0
	for i := range snap.Records {
		if snap.Records[i].Vector != nil {
			known[snap.Records[i].ID] = true
			embedded++
		}
	}
	if ix.Len() != embedded {
		notice(os.Stderr, fmt.Sprintf("Weaviate class %s holds %d vectors, the collection %d embedded chunks: run `reportsearch --store %s index PATH...` to sync it", ix.Class(), ix.Len(), embedded, storeURL))
	}
	return &knownVectors{VectorIndex: ix, known: known}, nil
}

// knownVectors drops hits whose chunk is not in the snapshot, so a stale
// backend can never make search cite a chunk it cannot show.
type knownVectors struct {
	store.VectorIndex
	known map[string]bool
}

func (k *knownVectors) Query(ctx context.Context, vec []float32, n int, reportKeys []string) ([]store.Hit, error) {
	hits, err := k.VectorIndex.Query(ctx, vec, n, reportKeys)
	if err != nil {
		return nil, err
	}
	out := hits[:0]
	for _, h := range hits {
		if k.known[h.ID] {
			out = append(out, h)
		}
	}
	return out, nil
}

// errNoBackend is returned by bench commands that need a Weaviate server.
var errNoBackend = errors.New("no Weaviate server given: pass --weaviate HOST:PORT (start one with `eval \"$(scripts/weaviate-up.sh)\"`)")
