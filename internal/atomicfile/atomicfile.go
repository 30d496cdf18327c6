// Package atomicfile writes files that are never seen half written.
//
// The content goes to a temporary file in the target's folder (named
// ".BASE-*.tmp", so it is hidden and recognisable), is synced, and is
// renamed over the target; then the folder is synced so the rename
// survives a crash. A reader, a crash or Ctrl-C therefore finds the old
// file or the whole new one, never a part, and a failed write leaves the
// old file as it was and no temporary file behind.
//
// Everything the tool writes goes through here (reports, run files,
// pictures, converted datasets, the default pin) except the collection
// snapshot: store.Save follows the same steps under a temporary name of
// its own, ".snapshot-*.tmp", which the collection lock's clean-up of
// stale temporaries knows.
package atomicfile

import (
	"bufio"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Write writes path with perm from what write produces (buffered).
func Write(path string, perm fs.FileMode, write func(w io.Writer) error) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+"-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	bw := bufio.NewWriterSize(tmp, 64<<10)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = tmp.Chmod(perm)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	// The rename is durable only once the folder is synced (best effort:
	// some file systems cannot sync a folder).
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// WriteFile is Write of data, as os.WriteFile.
func WriteFile(path string, data []byte, perm fs.FileMode) error {
	return Write(path, perm, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}
