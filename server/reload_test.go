package server

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/reportsearch/reportsearch/retrieve"
	"github.com/reportsearch/reportsearch/store"
)

// replace renames a new file with these bytes and this modification time
// into place, as an index run does.
func replace(t *testing.T, path string, b []byte, mod time.Time) {
	t.Helper()
	tmp := path + ".new"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(tmp, mod, mod); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// The reload rule at the seam: a snapshot renamed into place is a change
// even when its size and modification time equal the old one's (the inode
// differs), and a snapshot replaced by something that is not a regular file
// is a change whose failed load keeps the loaded index, without hanging.
func TestReloadNoticesEveryReplacement(t *testing.T) {
	dir := t.TempDir()
	watch := filepath.Join(dir, store.SnapshotName)
	mod := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	replace(t, watch, []byte("first snapshot"), mod)
	loads, fail := 0, false
	var log bytes.Buffer
	s, err := New(context.Background(), Config{
		Load: func(context.Context) (*retrieve.Index, error) {
			loads++
			if fail {
				return nil, errors.New("not a regular file")
			}
			return &retrieve.Index{Manifest: store.Manifest{Name: "coll", Chunks: loads}}, nil
		},
		Watch: watch, Log: &log,
	})
	if err != nil {
		t.Fatal(err)
	}
	s.reloadIfChanged(context.Background())
	if loads != 1 {
		t.Fatalf("reloaded with nothing changed: %d loads", loads)
	}
	replace(t, watch, []byte("other snapshot"), mod) // same size, same time
	s.reloadIfChanged(context.Background())
	if loads != 2 || s.index.Load().Manifest.Chunks != 2 {
		t.Fatalf("a snapshot of the same size and time was not reloaded: %d loads", loads)
	}

	fail = true
	if err := os.Remove(watch); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(watch, 0o644); err != nil {
		t.Fatal(err)
	}
	s.reloadIfChanged(context.Background())
	if loads != 3 || s.index.Load().Manifest.Chunks != 2 || !strings.Contains(log.String(), "reload failed") {
		t.Fatalf("a FIFO in place of the snapshot: %d loads, index %d, log %q", loads, s.index.Load().Manifest.Chunks, log.String())
	}
	s.reloadIfChanged(context.Background())
	if loads != 3 {
		t.Errorf("the same failed snapshot was loaded again: %d loads", loads)
	}
}
