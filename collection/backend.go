package collection

// The vector backend: where dense search looks for nearest neighbours.
// The collection's snapshot always holds the chunks, their vectors and the
// lexical index; with Store "weaviate://host:port" the vectors are also kept
// in a Weaviate class (synced after every index run) and dense queries go
// there instead of to an in-memory chromem-go collection built at open.

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/reportsearch/reportsearch/store"
	"github.com/reportsearch/reportsearch/store/weaviate"
)

// ParseStore validates a store URL. It returns the Weaviate address, or ""
// for the in-memory store.
func ParseStore(storeURL string) (string, error) {
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

// BackendName is what names a collection's Weaviate class: its folder's
// absolute path, so two data dirs holding a collection of the same name (as
// tests do) never share a class.
func BackendName(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return dir
}

// Sync makes the vector backend hold the vectors of the collection in dir,
// after an index run. snap is the collection as just saved; nil loads it
// from dir. For the in-memory store it does nothing.
func Sync(ctx context.Context, s Settings, dir string, snap *store.Snapshot) error {
	addr, err := ParseStore(s.Store)
	if err != nil || addr == "" {
		return err
	}
	if snap == nil {
		if snap, err = store.Load(dir); err != nil {
			return err
		}
	}
	ix, err := weaviate.Open(ctx, addr, BackendName(dir))
	if err != nil {
		return err
	}
	added, deleted, err := ix.Sync(ctx, snap.Records)
	if err != nil {
		return fmt.Errorf("syncing vectors to Weaviate: %w (the snapshot is saved; run the same index command again to retry)", err)
	}
	if added+deleted > 0 {
		fmt.Fprintf(s.log(), "reportsearch: Weaviate class %s: %d vectors written, %d deleted, %d held\n", ix.Class(), added, deleted, ix.Len())
	}
	return nil
}

// VectorBackend opens the vector index of the collection in dir for search:
// nil for the in-memory store (retrieve then builds chromem-go from snap).
// When Weaviate cannot be reached it is nil too, with a notice: the snapshot
// holds every vector, so search goes on in memory, only slower to open.
// Hits for chunks the snapshot does not hold (a class not yet synced after a
// change) are dropped, and a notice says to run index again.
func VectorBackend(ctx context.Context, s Settings, dir string, snap *store.Snapshot) (store.VectorIndex, error) {
	addr, err := ParseStore(s.Store)
	if err != nil || addr == "" {
		return nil, err
	}
	ix, err := weaviate.Open(ctx, addr, BackendName(dir))
	if err != nil {
		s.notice(fmt.Sprintf("%v; dense search uses the in-memory index built from the snapshot instead", err))
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
		s.notice(fmt.Sprintf("Weaviate class %s holds %d vectors, the collection %d embedded chunks: run `reportsearch --store %s index PATH...` to sync it", ix.Class(), ix.Len(), embedded, s.Store))
	}
	return &KnownVectors{VectorIndex: ix, Known: known}, nil
}

// KnownVectors drops hits whose chunk is not in the snapshot, so a stale
// backend can never make search cite a chunk it cannot show.
type KnownVectors struct {
	store.VectorIndex
	Known map[string]bool
}

func (k *KnownVectors) Query(ctx context.Context, vec []float32, n int, reportKeys []string) ([]store.Hit, error) {
	hits, err := k.VectorIndex.Query(ctx, vec, n, reportKeys)
	if err != nil {
		return nil, err
	}
	out := hits[:0]
	for _, h := range hits {
		if k.Known[h.ID] {
			out = append(out, h)
		}
	}
	return out, nil
}
