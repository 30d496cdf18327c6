package store

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefaultPin(t *testing.T) {
	data := t.TempDir()
	if got, err := ReadDefault(data); got != "" || err != nil {
		t.Fatalf("nothing pinned: got %q, %v", got, err)
	}
	if got, err := ReadDefault(filepath.Join(data, "missing")); got != "" || err != nil {
		t.Fatalf("no data dir: got %q, %v", got, err)
	}
	for _, name := range []string{"a", "政府工作报告-2026"} {
		if err := SetDefault(data, name); err != nil {
			t.Fatal(err)
		}
		if got, err := ReadDefault(data); got != name || err != nil {
			t.Fatalf("pinned %q: read %q, %v", name, got, err)
		}
	}
	// The pin is a dot file: never listed as a collection, and a
	// collection may be called "default".
	if err := Save(filepath.Join(data, "default"), &Snapshot{Records: records(2)}); err != nil {
		t.Fatal(err)
	}
	infos, err := List(data)
	if err != nil || len(infos) != 1 || filepath.Base(infos[0].Dir) != "default" {
		t.Fatalf("List with a pin: %+v, %v", infos, err)
	}
	// No temporaries are left behind.
	if tmps, _ := filepath.Glob(filepath.Join(data, "*.tmp")); len(tmps) != 0 {
		t.Fatalf("temporary files left: %v", tmps)
	}
	if err := SetDefault(data, ""); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadDefault(data); got != "" || err != nil {
		t.Fatalf("unpinned: got %q, %v", got, err)
	}
	if err := SetDefault(data, ""); err != nil {
		t.Fatalf("unpinning twice: %v", err)
	}
	if err := SetDefault(data, "a\nb"); err == nil {
		t.Fatal("a name with a line break was pinned")
	}
}

// A pin file we did not write is an error naming it, not a name.
func TestDefaultPinDamaged(t *testing.T) {
	for _, content := range []string{"a\nb\n", strings.Repeat("x", 2000), "\xff\xfe"} {
		data := t.TempDir()
		if err := os.WriteFile(filepath.Join(data, DefaultFile), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if got, err := ReadDefault(data); err == nil || !strings.Contains(err.Error(), DefaultFile) {
			t.Errorf("pin file %q: got %q, %v", content[:min(len(content), 10)], got, err)
		}
	}
}

func TestRemove(t *testing.T) {
	data := t.TempDir()
	for _, name := range []string{"a", "b"} {
		if err := Save(filepath.Join(data, name), &Snapshot{Records: records(3)}); err != nil {
			t.Fatal(err)
		}
	}
	// A removal interrupted after its rename left this behind.
	left := filepath.Join(data, removingPrefix+"old-1-x")
	if err := os.MkdirAll(filepath.Join(left, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := SetDefault(data, "a"); err != nil {
		t.Fatal(err)
	}

	// Removing b keeps a's pin.
	if err := Remove(data, "b", nil); err != nil {
		t.Fatal(err)
	}
	if pin, _ := ReadDefault(data); pin != "a" {
		t.Fatalf("removing b changed the pin to %q", pin)
	}
	if _, err := os.Stat(filepath.Join(data, "b")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("b is still there: %v", err)
	}
	if _, err := os.Stat(left); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the leftover of an interrupted removal is still there: %v", err)
	}

	// A collection being written is refused and left whole.
	lock, err := AcquireLock(filepath.Join(data, "a"))
	if err != nil {
		t.Fatal(err)
	}
	if err := Remove(data, "a", nil); !errors.Is(err, ErrLocked) {
		t.Fatalf("removing a locked collection: %v", err)
	}
	lock.Release()
	if _, err := Load(filepath.Join(data, "a")); err != nil {
		t.Fatalf("a refused removal damaged the collection: %v", err)
	}
	if pin, _ := ReadDefault(data); pin != "a" {
		t.Fatalf("a refused removal unpinned it: %q", pin)
	}

	// A failing before hook stops the removal, with its error.
	hookErr := errors.New("vector store unreachable")
	if err := Remove(data, "a", func() error { return hookErr }); !errors.Is(err, hookErr) {
		t.Fatalf("failing hook: %v", err)
	}
	if _, err := Load(filepath.Join(data, "a")); err != nil {
		t.Fatalf("a failed hook let the removal go on: %v", err)
	}
	if pin, _ := ReadDefault(data); pin != "a" {
		t.Fatalf("a failed hook unpinned it: %q", pin)
	}

	// Removing the pinned collection unpins it; the hook runs once.

	calls := 0
	if err := Remove(data, "a", func() error { calls++; return nil }); err != nil || calls != 1 {
		t.Fatalf("Remove: %v, hook ran %d times", err, calls)
	}
	if pin, err := ReadDefault(data); pin != "" || err != nil {
		t.Fatalf("the removed default is still pinned: %q, %v", pin, err)
	}
	entries, _ := os.ReadDir(data)
	if len(entries) != 0 {
		t.Fatalf("data dir not empty after removing everything: %v", entries)
	}

	// Names that are not one folder of the data dir, and missing ones.
	outside := filepath.Join(t.TempDir(), "victim")
	if err := Save(outside, &Snapshot{Records: records(1)}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"", "a", "../" + filepath.Base(filepath.Dir(outside)) + "/victim", "..", ".", ".default", "x/y"} {
		if err := Remove(data, name, nil); !errors.Is(err, ErrNotCollection) {
			t.Errorf("Remove(%q): want ErrNotCollection, got %v", name, err)
		}
	}
	if _, err := Load(outside); err != nil {
		t.Fatalf("a folder outside the data dir was touched: %v", err)
	}
	// A link to a folder is not a collection folder: the link's target
	// must not be deleted through it.
	if err := os.Symlink(outside, filepath.Join(data, "link")); err != nil {
		t.Fatal(err)
	}
	if err := Remove(data, "link", nil); !errors.Is(err, ErrNotCollection) {
		t.Fatalf("Remove of a link: %v", err)
	}
	if _, err := Load(outside); err != nil {
		t.Fatalf("the target of a link was touched: %v", err)
	}
}

func TestDiskSize(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a"), make([]byte, 100), 0o644)
	os.MkdirAll(filepath.Join(dir, "s"), 0o755)
	os.WriteFile(filepath.Join(dir, "s", "b"), make([]byte, 23), 0o644)
	if n, err := DiskSize(dir); n != 123 || err != nil {
		t.Fatalf("DiskSize = %d, %v; want 123", n, err)
	}
}
