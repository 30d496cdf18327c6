package collection

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/reportsearch/reportsearch/store"
	"github.com/reportsearch/reportsearch/store/weaviate"
)

// Store URLs are looked up in the registry by scheme; the compiled-in
// Weaviate backend is found by its one registration line.
func TestParseStore(t *testing.T) {
	for _, in := range []string{"", "chromem", " chromem "} {
		if b, err := ParseStore(in); err != nil || b != nil {
			t.Errorf("ParseStore(%q) = %v, %v; want the in-memory store", in, b, err)
		}
	}
	if b, err := ParseStore(" weaviate://127.0.0.1:8089 "); err != nil || b == nil || b.Name != "Weaviate" {
		t.Errorf("ParseStore(weaviate://…) = %v, %v; want Weaviate", b, err)
	}
	var noAddr *store.NoAddressError
	if _, err := ParseStore("weaviate://"); !errors.As(err, &noAddr) || noAddr.Usage != "weaviate://host:port" {
		t.Errorf("weaviate:// with no server: %v", err)
	}
	for _, bad := range []string{"qdrant://x:1", "127.0.0.1:8089"} {
		var unknown *store.UnknownBackendError
		if _, err := ParseStore(bad); !errors.As(err, &unknown) || strings.Join(unknown.Known, " or ") != `"chromem" (default) or "weaviate://host:port"` {
			t.Errorf("ParseStore(%q) = %v; want an unknown store listing the registered ones", bad, err)
		}
	}
}

// An unreachable Weaviate does not stop search: the snapshot's vectors are
// used in memory (VectorBackend returns nil, with a notice), while index
// fails loudly.
func TestUnreachableWeaviate(t *testing.T) {
	dir := t.TempDir()
	snap := &store.Snapshot{}
	var notices []error
	s := Settings{Store: "weaviate://127.0.0.1:1", Notice: func(n error) { notices = append(notices, n) }}
	vi, err := VectorBackend(context.Background(), s, dir, snap)
	var fallback *BackendFallbackError
	if err != nil || vi != nil || len(notices) != 1 || !errors.As(notices[0], &fallback) || !errors.Is(notices[0], weaviate.ErrUnreachable) ||
		!strings.Contains(notices[0].Error(), "in-memory index") {
		t.Fatalf("VectorBackend = %v, %v (notices %q); want nil, nil and a notice (in-memory fallback)", vi, err, notices)
	}
	// The error names the server and says it cannot be reached (the
	// command adds how to start one).
	err = Sync(context.Background(), s, dir, snap)
	if !errors.Is(err, weaviate.ErrUnreachable) || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Fatalf("Sync error %v should name the server and wrap weaviate.ErrUnreachable", err)
	}
}
