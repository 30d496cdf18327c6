package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Lock is an exclusive writer lock on a collection. Readers never lock: they
// read whole snapshots, which writers replace atomically.
type Lock struct{ f *os.File }

// ErrLocked means another process is writing the collection.
var ErrLocked = errors.New("collection is locked by another process")

// AcquireLock takes the writer lock of the collection in dir without waiting.
// The lock is an flock, so it goes away with the process that held it, even
// after kill -9: a crashed index never blocks the next one.
func AcquireLock(dir string) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "lock")
	// The lock file is truncated below: never through a link, which could
	// point at anyone's file, and never a FIFO or device.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0o644)
	if err != nil {
		if fi, lerr := os.Lstat(path); lerr == nil && !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("%s: the lock file is not a regular file (mode %v)", path, fi.Mode())
		}
		return nil, err
	}
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		if err == nil {
			err = fmt.Errorf("%s: the lock file is not a regular file (mode %v)", path, fi.Mode())
		}
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(path)
		f.Close()
		pid := strings.TrimSpace(string(holder))
		return nil, fmt.Errorf("%w: %s (pid %s); wait for it to finish", ErrLocked, dir, pid)
	}
	f.Truncate(0)
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	removeStaleTemps(dir)
	return &Lock{f: f}, nil
}

// removeStaleTemps deletes snapshot temporaries left by a writer that was
// killed between creating and renaming one. Only the lock holder writes
// them, so once we hold the lock every one that exists is stale.
func removeStaleTemps(dir string) {
	stale, _ := filepath.Glob(filepath.Join(dir, ".snapshot-*.tmp"))
	for _, p := range stale {
		os.Remove(p)
	}
}

// Release drops the lock.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	err := l.f.Close()
	l.f = nil
	return err
}
