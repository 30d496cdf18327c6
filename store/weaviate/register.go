package weaviate

import (
	"context"

	"github.com/reportsearch/reportsearch/store"
)

// Registered as the store URL scheme weaviate://host:port.
func init() {
	store.RegisterBackend("weaviate", store.Backend{
		Name: "Weaviate", Usage: "weaviate://host:port",
		Open: func(ctx context.Context, url, collection string) (store.SyncedIndex, error) {
			return Open(ctx, url, collection)
		},
	})
}

// String names the index in messages.
func (ix *Index) String() string { return "Weaviate class " + ix.class }
