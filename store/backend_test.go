package store

import (
	"context"
	"errors"
	"testing"
)

// A backend registered under a scheme serves URLs of that scheme; the
// in-memory default needs none; a scheme registered twice is a bug.
func TestRegisterBackend(t *testing.T) {
	opened := ""
	RegisterBackend("test-backend", Backend{Name: "Test", Usage: "test-backend://addr",
		Open: func(_ context.Context, url, coll string) (SyncedIndex, error) {
			opened = url + " " + coll
			return nil, errors.New("not really")
		}})
	b, err := LookupBackend("test-backend://x:1")
	if err != nil || b == nil || b.Name != "Test" {
		t.Fatalf("LookupBackend = %v, %v", b, err)
	}
	if _, err := b.Open(context.Background(), "test-backend://x:1", "c"); err == nil || opened != "test-backend://x:1 c" {
		t.Fatalf("Open was not the registered one: %q %v", opened, err)
	}
	var unknown *UnknownBackendError
	if _, err := LookupBackend("other://x"); !errors.As(err, &unknown) || unknown.Known[0] != `"chromem" (default)` {
		t.Fatalf("unknown scheme: %v", err)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("registering a scheme twice did not panic")
		}
	}()
	RegisterBackend("test-backend", Backend{})
}
