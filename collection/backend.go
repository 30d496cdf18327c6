package collection

// The vector backend: where dense search looks for nearest neighbours.
// The collection's snapshot always holds the chunks, their vectors and the
// lexical index; with a store URL such as "weaviate://host:port" the vectors
// are also kept in a server (synced after every index run) and dense queries
// go there instead of to an in-memory chromem-go index built at open.
//
// Backends register themselves with store.RegisterBackend under their URL
// scheme; the blank imports below are the list of those compiled in, so a
// new backend is one new package and one line here.

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/reportsearch/reportsearch/store"
	_ "github.com/reportsearch/reportsearch/store/weaviate" // weaviate://host:port
)

// ParseStore validates a store URL: nil for the in-memory store, else the
// backend that serves it (a *store.UnknownBackendError or
// *store.NoAddressError when none does).
func ParseStore(storeURL string) (*store.Backend, error) {
	return store.LookupBackend(storeURL)
}

// BackendName is what names a collection's index in a backend: its
// folder's absolute path, so two data dirs holding a collection of the same
// name (as tests do) never share one.
func BackendName(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return dir
}

// OpenBackend opens the backend index of the collection in dir; nil (and no
// error) for the in-memory store.
func OpenBackend(ctx context.Context, storeURL, dir string) (store.SyncedIndex, *store.Backend, error) {
	b, err := store.LookupBackend(storeURL)
	if err != nil || b == nil {
		return nil, nil, err
	}
	ix, err := b.Open(ctx, storeURL, BackendName(dir))
	return ix, b, err
}

// Sync makes the vector backend hold the vectors of the collection in dir,
// after an index run. snap is the collection as just saved; nil loads it
// from dir. For the in-memory store it does nothing.
func Sync(ctx context.Context, s Settings, dir string, snap *store.Snapshot) error {
	b, err := store.LookupBackend(s.Store)
	if err != nil || b == nil {
		return err
	}
	if snap == nil {
		if snap, err = store.Load(dir); err != nil {
			return err
		}
	}
	ix, err := b.Open(ctx, s.Store, BackendName(dir))
	if err != nil {
		return err
	}
	added, deleted, err := ix.Sync(ctx, snap.Records)
	if err != nil {
		return &SyncError{Backend: b.Name, Err: err}
	}
	if added+deleted > 0 {
		fmt.Fprintf(s.log(), "reportsearch: %s: %d vectors written, %d deleted, %d held\n", ix, added, deleted, ix.Len())
	}
	return nil
}

// VectorBackend opens the vector index of the collection in dir for search:
// nil for the in-memory store (retrieve then builds chromem-go from snap).
// When the backend cannot be reached it is nil too, with a notice: the
// snapshot holds every vector, so search goes on in memory, only slower to
// open. Hits for chunks the snapshot does not hold (a backend not yet synced
// after a change) are dropped by retrieve.
func VectorBackend(ctx context.Context, s Settings, dir string, snap *store.Snapshot) (store.VectorIndex, error) {
	b, err := store.LookupBackend(s.Store)
	if err != nil || b == nil {
		return nil, err
	}
	ix, err := b.Open(ctx, s.Store, BackendName(dir))
	if err != nil {
		s.notice(&BackendFallbackError{Err: err})
		return nil, nil
	}
	if embedded := snap.Embedded(); ix.Len() != embedded {
		s.notice(&OutOfSyncError{Backend: fmt.Sprint(ix), Store: s.Store, Held: ix.Len(), Embedded: embedded})
	}
	return ix, nil
}
