package store

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Each way a snapshot entry can be something other than a regular file.
// Reading any of them must end at once with ErrNotRegular naming the path
// and what the entry is: before, a directory gave "is a directory", a link
// to /dev/zero was read without end, a FIFO blocked forever and a dangling
// link read as "nothing indexed yet".
var damages = []struct {
	name string
	make func(t *testing.T, path string)
	says string
}{
	{"directory", func(t *testing.T, p string) {
		must(t, os.Mkdir(p, 0o755))
		must(t, os.WriteFile(filepath.Join(p, "inside"), []byte("x"), 0o644))
	}, "is a directory"},
	{"link to /dev/zero", func(t *testing.T, p string) { must(t, os.Symlink("/dev/zero", p)) }, "symbolic link to /dev/zero"},
	{"link to a FIFO", func(t *testing.T, p string) {
		fifo := filepath.Join(t.TempDir(), "fifo")
		must(t, syscall.Mkfifo(fifo, 0o644))
		must(t, os.Symlink(fifo, p))
	}, "symbolic link to"},
	{"FIFO", func(t *testing.T, p string) { must(t, syscall.Mkfifo(p, 0o644)) }, "named pipe"},
	{"dangling link", func(t *testing.T, p string) { must(t, os.Symlink(filepath.Join(t.TempDir(), "gone"), p)) }, "which does not exist"},
	{"link to a good snapshot", func(t *testing.T, p string) {
		other := filepath.Join(t.TempDir(), "other")
		must(t, Save(other, sampleSnapshot(2)))
		must(t, os.Symlink(filepath.Join(other, SnapshotName), p))
	}, "symbolic link to"},
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestSnapshotThatIsNotARegularFile(t *testing.T) {
	for _, d := range damages {
		t.Run(d.name, func(t *testing.T) {
			data := t.TempDir()
			dir := filepath.Join(data, "coll")
			must(t, os.Mkdir(dir, 0o755))
			path := filepath.Join(dir, SnapshotName)
			d.make(t, path)
			check := func(what string, err error) {
				t.Helper()
				if !errors.Is(err, ErrNotRegular) || !IsDamaged(err) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), d.says) {
					t.Errorf("%s: want ErrNotRegular naming %s and saying %q, got %v", what, path, d.says, err)
				}
			}
			_, err := Load(dir)
			check("Load", err)
			_, err = ReadManifest(dir)
			check("ReadManifest", err)
			_, err = Check(dir)
			check("Check", err)
			infos, err := List(data)
			if err != nil || len(infos) != 1 {
				t.Fatalf("List: want the damaged collection listed, got %+v, %v", infos, err)
			}
			check("List", infos[0].Err)
		})
	}
}

// MoveAsideDamaged renames the entry itself (a link's target and a
// directory's contents are untouched), after which a snapshot can be saved
// where it was; a regular file, even a corrupted one, is left to Save.
func TestMoveAsideDamagedThenSave(t *testing.T) {
	for _, d := range damages {
		t.Run(d.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "coll")
			must(t, os.Mkdir(dir, 0o755))
			path := filepath.Join(dir, SnapshotName)
			d.make(t, path)
			before, _ := os.Lstat(path)
			target, _ := os.Readlink(path)
			aside, err := MoveAsideDamaged(dir)
			if err != nil || !strings.HasPrefix(filepath.Base(aside), SnapshotName+".damaged-") || filepath.Dir(aside) != dir {
				t.Fatalf("MoveAsideDamaged: %q, %v", aside, err)
			}
			after, err := os.Lstat(aside)
			if err != nil || after.Mode() != before.Mode() {
				t.Fatalf("the moved entry is not the damaged one: %v %v", after, err)
			}
			if target != "" {
				if got, _ := os.Readlink(aside); got != target {
					t.Errorf("link now points to %q, was %q", got, target)
				}
			}
			if before.IsDir() {
				if _, err := os.Stat(filepath.Join(aside, "inside")); err != nil {
					t.Errorf("the directory's contents were lost: %v", err)
				}
			}
			must(t, Save(dir, sampleSnapshot(4)))
			if s, err := Load(dir); err != nil || len(s.Records) != 4 {
				t.Fatalf("after moving aside and saving: %v", err)
			}
			// A second damage in the same second gets a name of its own.
			must(t, os.Remove(path))
			d.make(t, path)
			again, err := MoveAsideDamaged(dir)
			if err != nil || again == aside || again == "" {
				t.Fatalf("second move aside: %q (first %q), %v", again, aside, err)
			}
		})
	}
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, SnapshotName), []byte("corrupt but regular"), 0o644))
	if aside, err := MoveAsideDamaged(dir); aside != "" || err != nil {
		t.Errorf("a regular file was moved: %q %v", aside, err)
	}
	if aside, err := MoveAsideDamaged(t.TempDir()); aside != "" || err != nil {
		t.Errorf("no snapshot: %q %v", aside, err)
	}
}
