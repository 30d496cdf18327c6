package collection

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/reportsearch/reportsearch/store"
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
	var notices []string
	s := Settings{Store: "weaviate://127.0.0.1:1", Notice: func(m string) { notices = append(notices, m) }}
	vi, err := VectorBackend(context.Background(), s, dir, snap)
	if err != nil || vi != nil || len(notices) != 1 || !strings.Contains(notices[0], "in-memory index") {
		t.Fatalf("VectorBackend = %v, %v (notices %q); want nil, nil and a notice (in-memory fallback)", vi, err, notices)
	}
	err = Sync(context.Background(), s, dir, snap)
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") || !strings.Contains(err.Error(), "weaviate-up.sh") {
		t.Fatalf("Sync error %v should name the server and how to start one", err)
	}
}
