package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/reportsearch/reportsearch/internal/filekind"
)

// ErrNotRegular is returned (wrapped, with the path and what the entry is)
// when a collection's snapshot is not a regular file: a directory, a
// symbolic link (dangling or not), a FIFO, a device or a socket. Such a
// snapshot is never read: a link could lead anywhere (/dev/zero is endless),
// and opening a FIFO blocks.
var ErrNotRegular = errors.New("store snapshot is not a regular file")

// IsDamaged reports whether err says a snapshot exists but cannot be used
// (ErrCorrupt or ErrNotRegular), as opposed to a missing snapshot or an I/O
// or permission error.
func IsDamaged(err error) bool {
	return errors.Is(err, ErrCorrupt) || errors.Is(err, ErrNotRegular)
}

// openSnapshot opens path for reading only if it is a regular file, and
// returns its size. O_NOFOLLOW refuses a link, O_NONBLOCK keeps a FIFO from
// blocking the open, and the fstat of the opened file (not a stat of the
// name, which could be swapped in between) decides.
func openSnapshot(path string) (*os.File, int64, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, 0, err
		}
		// ELOOP (a link, with O_NOFOLLOW) and ENXIO (a socket) say what
		// the entry is only indirectly: ask.
		if fi, lerr := os.Lstat(path); lerr == nil && !fi.Mode().IsRegular() {
			return nil, 0, notRegular(path, fi.Mode())
		}
		return nil, 0, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, 0, notRegular(path, fi.Mode())
	}
	return f, fi.Size(), nil
}

func notRegular(path string, mode fs.FileMode) error {
	what := "it is " + filekind.Of(mode)
	if mode&fs.ModeSymlink != 0 {
		target, err := os.Readlink(path)
		if err != nil {
			target = "?"
		}
		dangling := ""
		if _, err := os.Stat(path); err != nil {
			dangling = ", which does not exist"
		}
		what = fmt.Sprintf("it is a symbolic link to %s%s", target, dangling)
	}
	return fmt.Errorf("%s: %w: %s", path, ErrNotRegular, what)
}

// MoveAsideDamaged renames a snapshot entry that is not a regular file (see
// ErrNotRegular) to snapshot.rsdb.damaged-<UTC time> in the same folder, so
// that a new snapshot can be written where it was, and returns the new path
// ("" when there was nothing to move). The entry itself is renamed, never
// followed or deleted: a link's target and a directory's contents are
// untouched. A regular file is left alone even when corrupted, since Save
// replaces it atomically. The caller must hold the collection's lock.
func MoveAsideDamaged(dir string) (string, error) {
	path := filepath.Join(dir, SnapshotName)
	fi, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) || (err == nil && fi.Mode().IsRegular()) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	stem := path + ".damaged-" + time.Now().UTC().Format("20060102T150405Z")
	aside := stem
	for i := 2; ; i++ {
		_, err := os.Lstat(aside)
		if errors.Is(err, os.ErrNotExist) {
			break
		}
		if err != nil {
			return "", err
		}
		aside = fmt.Sprintf("%s-%d", stem, i)
	}
	if err := os.Rename(path, aside); err != nil {
		return "", fmt.Errorf("moving the damaged snapshot aside: %w", err)
	}
	return aside, nil
}
