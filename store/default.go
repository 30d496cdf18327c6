package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/reportsearch/reportsearch/internal/atomicfile"
)

// DefaultFile is the file in the data dir that names the pinned default
// collection (`reportsearch collections use NAME`). Its name starts with a
// dot, so it can never be a collection's folder (collection names do not
// start with '.') and List, which skips dot entries, never mistakes it for
// one.
const DefaultFile = ".default"

// maxDefaultBytes bounds what ReadDefault accepts: a collection name is
// far shorter, so a bigger file is not one we wrote.
const maxDefaultBytes = 1024

// ReadDefault returns the name of the pinned default collection in dataDir,
// or "" when none is pinned. The name is returned as written; it is the
// caller's to validate (it may name a collection that has since gone).
func ReadDefault(dataDir string) (string, error) {
	path := filepath.Join(dataDir, DefaultFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	name := strings.TrimSpace(string(data))
	if len(data) > maxDefaultBytes || strings.ContainsAny(name, "\n\r") || !utf8.ValidString(name) {
		return "", fmt.Errorf("%s: does not hold one collection name", path)
	}
	return name, nil
}

// SetDefault pins name as the default collection of dataDir; "" unpins.
// The file is replaced atomically (temporary file, fsync, rename, folder
// fsync): a reader sees the old pin or the new one, never a torn name,
// and an interrupted write leaves the old pin.
func SetDefault(dataDir, name string) error {
	path := filepath.Join(dataDir, DefaultFile)
	if name == "" {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		syncDir(dataDir)
		return nil
	}
	if strings.ContainsAny(name, "\n\r") {
		return fmt.Errorf("collection name %q holds a line break", name)
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return err
	}
	return atomicfile.WriteFile(path, []byte(name+"\n"), 0o644)
}

// syncDir makes renames and removals in dir durable (best effort: some
// file systems cannot sync a folder).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
