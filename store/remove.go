package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// removingPrefix starts the hidden name a collection folder is renamed to
// before it is deleted (see Remove).
const removingPrefix = ".removing-"

// ErrNotCollection is returned (wrapped) by Remove when the name is not a
// folder of dataDir.
var ErrNotCollection = errors.New("no such collection")

// Remove deletes the collection folder name in dataDir, and unpins it when
// it is the default (see SetDefault).
//
// It takes the collection's writer lock first, so a collection that an
// index run is writing is refused with ErrLocked and left alone. The folder
// is then renamed to a hidden name in one step and only afterwards deleted
// file by file: an interrupted Remove leaves either the whole collection,
// untouched, or a hidden folder that List skips and the next Remove
// deletes, never a half-deleted collection that still lists. Searches that
// already opened the snapshot finish on the open file.
//
// before, when not nil, runs once the lock is held and before anything is
// changed (the command line drops the collection's class in an external
// vector store there); its error stops the removal.
//
// name must be a single folder name; callers check collection names first
// (the command line does, with the store's name rules).
func Remove(dataDir, name string, before func() error) error {
	if name == "" || name != filepath.Base(name) || strings.HasPrefix(name, ".") {
		return fmt.Errorf("%w: %q is not a collection folder name", ErrNotCollection, name)
	}
	dir := filepath.Join(dataDir, name)
	fi, err := os.Lstat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%w: %s", ErrNotCollection, dir)
	}
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		// A link or a file: List does not show it as a collection either.
		return fmt.Errorf("%w: %s is not a folder", ErrNotCollection, dir)
	}
	lock, err := AcquireLock(dir)
	if err != nil {
		return err
	}
	defer lock.Release()
	if before != nil {
		if err := before(); err != nil {
			return err
		}
	}
	// Unpin first: once the folder is renamed the pin would name nothing.
	// Interrupted here, the collection stays, merely unpinned.
	if def, err := ReadDefault(dataDir); err == nil && def == name {
		if err := SetDefault(dataDir, ""); err != nil {
			return fmt.Errorf("unpinning %s: %w", name, err)
		}
	}
	trash := filepath.Join(dataDir, removingPrefix+name+"-"+strconv.Itoa(os.Getpid())+"-"+strconv.FormatInt(time.Now().UnixNano(), 36))
	if err := os.Rename(dir, trash); err != nil {
		return err
	}
	syncDir(dataDir)
	lock.Release()
	if err := os.RemoveAll(trash); err != nil {
		return fmt.Errorf("%s is no longer a collection but was not fully deleted: %w", name, err)
	}
	removeLeftovers(dataDir)
	return nil
}

// removeLeftovers deletes the hidden folders of removals that were
// interrupted. Nothing reads them; failing to delete one is harmless.
func removeLeftovers(dataDir string) {
	left, _ := filepath.Glob(filepath.Join(dataDir, removingPrefix+"*"))
	for _, p := range left {
		os.RemoveAll(p)
	}
}

// DiskSize is the number of bytes the files in dir take (their sizes, not
// counting blocks), for showing a collection's size.
func DiskSize(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			fi, err := d.Info()
			if err != nil {
				return err
			}
			n += fi.Size()
		}
		return nil
	})
	return n, err
}
