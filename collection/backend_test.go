package collection

import (
	"context"
	"strings"
	"testing"

	"github.com/reportsearch/reportsearch/store"
)

func TestParseStore(t *testing.T) {
	for in, want := range map[string]string{"": "", "chromem": "", " weaviate://127.0.0.1:8089 ": "weaviate://127.0.0.1:8089"} {
		got, err := ParseStore(in)
		if err != nil || got != want {
			t.Errorf("ParseStore(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"weaviate://", "qdrant://x:1", "127.0.0.1:8089"} {
		if _, err := ParseStore(bad); err == nil {
			t.Errorf("ParseStore(%q) accepted", bad)
		}
	}
}

// A stale backend (a chunk in Weaviate that the snapshot no longer has)
// never reaches search: its hits are dropped.
func TestKnownVectorsDropsUnknownChunks(t *testing.T) {
	recs := []store.Record{{Vector: []float32{1, 0}}, {Vector: []float32{0.9, 0.1}}}
	recs[0].ID, recs[1].ID = "a", "gone"
	inner, err := store.NewChromem(context.Background(), recs)
	if err != nil {
		t.Fatal(err)
	}
	k := &KnownVectors{VectorIndex: inner, Known: map[string]bool{"a": true}}
	hits, err := k.Query(context.Background(), []float32{1, 0}, 2, nil)
	if err != nil || len(hits) != 1 || hits[0].ID != "a" {
		t.Fatalf("hits %+v, %v; want only a", hits, err)
	}
}

// An unreachable Weaviate does not stop search: the snapshot's vectors are
// used in memory (VectorBackend returns nil), while index fails loudly.
func TestUnreachableWeaviate(t *testing.T) {
	dir := t.TempDir()
	snap := &store.Snapshot{}
	vi, err := VectorBackend(context.Background(), Settings{Store: "weaviate://127.0.0.1:1"}, dir, snap)
	if err != nil || vi != nil {
		t.Fatalf("VectorBackend = %v, %v; want nil, nil (in-memory fallback)", vi, err)
	}
	err = Sync(context.Background(), Settings{Store: "weaviate://127.0.0.1:1"}, dir, snap)
	if err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") || !strings.Contains(err.Error(), "weaviate-up.sh") {
		t.Fatalf("Sync error %v should name the server and how to start one", err)
	}
}
