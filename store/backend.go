package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
)

// SyncedIndex is a vector index kept outside the snapshot, in a server: it
// answers a collection's dense queries and is made to hold the snapshot's
// vectors by Sync after every index run. The snapshot stays the truth: a
// SyncedIndex may lag behind it, and search drops hits for chunks the
// snapshot does not hold (see retrieve).
type SyncedIndex interface {
	VectorIndex
	// Sync writes the vectors of records the index lacks or holds
	// differently, and deletes those of chunks not in records.
	Sync(ctx context.Context, records []Record) (added, deleted int, err error)
	// Drop deletes the collection's vectors and their container.
	Drop(ctx context.Context) error
	// String names the index in messages, e.g. "Weaviate class Rs_…".
	String() string
}

// Backend is a kind of SyncedIndex, registered under its URL scheme.
type Backend struct {
	Name  string // in messages: "Weaviate"
	Usage string // the URL's form: "weaviate://host:port"
	// Open opens (creating if needed) the index of the collection named
	// collection in the server at url (scheme://address).
	Open func(ctx context.Context, url, collection string) (SyncedIndex, error)
}

var (
	backendsMu sync.RWMutex
	backends   = map[string]Backend{}
)

// RegisterBackend makes a backend available under scheme ("weaviate" for
// weaviate://host:port). A backend package registers itself in its init.
func RegisterBackend(scheme string, b Backend) {
	backendsMu.Lock()
	defer backendsMu.Unlock()
	if _, dup := backends[scheme]; dup || scheme == "" || scheme == InMemory {
		panic("store: backend registered twice or under a reserved name: " + scheme)
	}
	backends[scheme] = b
}

// InMemory is the store URL of the default: vectors in a chromem-go index
// built from the snapshot at open ("" means it too).
const InMemory = "chromem"

// UnknownBackendError is a store URL no registered backend serves.
type UnknownBackendError struct {
	URL   string
	Known []string // the forms that are, default first
}

func (e *UnknownBackendError) Error() string {
	return fmt.Sprintf("unknown store %q: use %s", e.URL, strings.Join(e.Known, " or "))
}

// NoAddressError is a store URL with a scheme and no server.
type NoAddressError struct{ URL, Usage string }

func (e *NoAddressError) Error() string {
	return fmt.Sprintf("store %q names no server (want %s)", e.URL, e.Usage)
}

// LookupBackend returns the backend a store URL names, nil for the
// in-memory default ("" or "chromem").
func LookupBackend(url string) (*Backend, error) {
	u := strings.TrimSpace(url)
	if u == "" || u == InMemory {
		return nil, nil
	}
	backendsMu.RLock()
	defer backendsMu.RUnlock()
	if scheme, rest, ok := strings.Cut(u, "://"); ok {
		if b, ok := backends[scheme]; ok {
			if rest == "" {
				return nil, &NoAddressError{URL: url, Usage: b.Usage}
			}
			return &b, nil
		}
	}
	known := []string{fmt.Sprintf("%q (default)", InMemory)}
	var usages []string
	for _, b := range backends {
		usages = append(usages, fmt.Sprintf("%q", b.Usage))
	}
	sort.Strings(usages)
	return nil, &UnknownBackendError{URL: url, Known: append(known, usages...)}
}
