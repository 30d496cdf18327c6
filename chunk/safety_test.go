package chunk

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/text/encoding/unicode"
)

// TestDecodeUTF16WithoutBOM: UTF-16 without a byte-order mark is named as
// UTF-16 (by the parity of its NUL bytes), in both byte orders, for
// mostly-ASCII and mostly-Chinese text; binary data with NULs is still
// "binary".
func TestDecodeUTF16WithoutBOM(t *testing.T) {
	ascii := strings.Repeat("Government Work Report 2025\nGDP grew by 5.0 percent.\n", 3)
	for _, tc := range []struct{ name, text string }{
		{"ascii", ascii},
		{"chinese", sample + "2025年，全省生产总值增长5.0%。\n"},
		// Chinese with a single line break and no other ASCII.
		{"chinese-one-nul", "一、经济运行总体平稳稳中有进\n坚持稳中求进工作总基调完整准确全面贯彻新发展理念"},
	} {
		for _, order := range []struct {
			name string
			e    unicode.Endianness
		}{{"le", unicode.LittleEndian}, {"be", unicode.BigEndian}} {
			b, err := unicode.UTF16(order.e, unicode.IgnoreBOM).NewEncoder().Bytes([]byte(tc.text))
			if err != nil {
				t.Fatal(err)
			}
			name := tc.name + "-" + order.name + ".txt"
			_, _, err = Decode(name, b)
			if err == nil || !strings.Contains(err.Error(), name+": UTF-16 text is not supported, convert it to UTF-8") {
				t.Errorf("%s: %v, want the UTF-16 message", name, err)
			}
		}
	}

	// Every report of the corpus, as UTF-16 in both byte orders.
	files, _ := filepath.Glob(filepath.Join(corpusDir(t), "*.txt"))
	for _, f := range files {
		text, _, err := ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range []unicode.Endianness{unicode.LittleEndian, unicode.BigEndian} {
			b, err := unicode.UTF16(e, unicode.IgnoreBOM).NewEncoder().Bytes([]byte(text))
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := Decode("r.txt", b); err == nil || !strings.Contains(err.Error(), "UTF-16 text is not supported") {
				t.Errorf("%s as UTF-16 (%v): %v", filepath.Base(f), e, err)
			}
		}
	}

	elf := append([]byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00\x01\x00\x00\x00"), make([]byte, 64)...)
	// NULs at both parities, between letters: no UTF-16 has that.
	mixed := []byte("ab\x00cd\x00\x00ef\x00gh\x00ij\x00kl\x00mn\x00op")
	for name, b := range map[string][]byte{
		"elf.txt":   elf,
		"mixed.txt": mixed,
		"short.txt": []byte("abc\x00def"), // too short to tell
		"png.txt":   []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x01\x00"),
	} {
		_, _, err := Decode(name, b)
		if err == nil || !strings.Contains(err.Error(), name+": binary file") {
			t.Errorf("%s: %v, want a binary file error", name, err)
		}
	}
}

// readWithin runs ReadFileMax in a goroutine and fails the test if it does
// not return within a minute: the bug was a read that never returned.
func readWithin(t *testing.T, path string, max int64) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, _, err := ReadFileMax(path, max)
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(time.Minute):
		t.Fatalf("reading %s did not return", path)
		return nil
	}
}

// TestReadOnlyRegularFiles: a FIFO without a writer (whose plain open blocks
// forever) and /dev/zero (which never ends) are refused at once, named with
// their type, whether named directly or found by Walk.
func TestReadOnlyRegularFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.txt")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	err := readWithin(t, fifo, 0)
	if err == nil || !strings.Contains(err.Error(), fifo+": not a regular file but a named pipe (FIFO)") {
		t.Errorf("FIFO: %v", err)
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		err := readWithin(t, "/dev/zero", 0)
		if err == nil || !strings.Contains(err.Error(), "/dev/zero: not a regular file but a character device") {
			t.Errorf("/dev/zero: %v", err)
		}
		files, errs, _ := Walk(t.Context(), []string{"/dev/zero"}, WalkOptions{})
		if len(files) != 0 || len(errs) != 1 || !strings.Contains(errs[0].Error(), "character device") {
			t.Errorf("Walk(/dev/zero): %q %v", files, errs)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "good.txt"), []byte(sample), 0o644); err != nil {
		t.Fatal(err)
	}
	files, errs, err := Walk(t.Context(), []string{dir, fifo}, WalkOptions{})
	if err != nil || len(files) != 1 || filepath.Base(files[0]) != "good.txt" {
		t.Errorf("Walk: %q %v", files, err)
	}
	if len(errs) != 2 || !strings.Contains(errs[0].Error(), "pipe.txt: not a regular file but a named pipe") ||
		!strings.Contains(errs[1].Error(), "pipe.txt: not a regular file but a named pipe") {
		t.Errorf("Walk errors: %v (want the FIFO named, once from the folder, once as named)", errs)
	}
}

// TestReadFileSizeLimit: a file over the limit is refused with its size and
// the limit; one at the limit is read; a file whose stated size is under the
// limit but whose content is not (as /proc files, or a file growing while
// it is read) is cut off by the limited read, not read to the end.
func TestReadFileSizeLimit(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "big.txt")
	if err := os.WriteFile(p, []byte(sample), 0o644); err != nil {
		t.Fatal(err)
	}
	n := int64(len(sample))
	if _, _, err := ReadFileMax(p, n); err != nil {
		t.Errorf("file at the limit: %v", err)
	}
	_, _, err := ReadFileMax(p, n-1)
	want := "big.txt: file is over the size limit: it is 104 bytes, the limit is 103 bytes"
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), want) {
		t.Errorf("over the limit: %v, want %q", err, want)
	}
	if n != 104 {
		t.Fatalf("sample is %d bytes: update the expected message", n)
	}
	_, _, err = ReadFileMax(p, 0) // 0 means the default
	if err != nil {
		t.Errorf("default limit: %v", err)
	}

	const maps = "/proc/self/maps" // stat says 0 bytes; reading gives kilobytes
	if fi, err := os.Stat(maps); err != nil || fi.Size() != 0 {
		t.Skipf("no %s with size 0: %v", maps, err)
	}
	_, _, err = ReadFileMax(maps, 64)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "grew past 64 bytes while being read") {
		t.Errorf("%s: %v", maps, err)
	}
}

// TestWalkStaysInsideRoot: links whose target leaves the folder named are
// skipped and named (the red-team corpus held passwd.txt -> /etc/passwd and
// etcdir -> /etc); links inside it still work, loops still end, and
// FollowSymlinks restores following everything.
func TestWalkStaysInsideRoot(t *testing.T) {
	base := t.TempDir()
	outside := filepath.Join(base, "outside")
	root := filepath.Join(base, "corpus")
	for _, d := range []string{outside, root + "/sub", outside + "/etc"} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(p string) {
		if err := os.WriteFile(p, []byte(sample), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(outside, "passwd"))
	write(filepath.Join(outside, "etc", "hosts.txt"))
	write(filepath.Join(root, "a.txt"))
	write(filepath.Join(root, "sub", "b.txt"))
	link := func(target, rel string) {
		if err := os.Symlink(target, filepath.Join(root, rel)); err != nil {
			t.Skipf("symlinks: %v", err)
		}
	}
	link(filepath.Join(outside, "passwd"), "passwd.txt") // absolute, out
	link("../outside/etc", "etcdir")                     // relative, out
	link("sub/b.txt", "inside.txt")                      // a file inside: followed
	link("sub", "subdir")                                // a folder inside: followed (b.txt once)
	link("../..", "sub/up")                              // out of the root via ..
	link(".", "sub/self")                                // a loop inside
	// The root itself may be reached through a link: containment is
	// judged on real paths.
	rootLink := filepath.Join(base, "corpus-link")
	if err := os.Symlink(root, rootLink); err != nil {
		t.Fatal(err)
	}

	rel := func(files []string, dir string) string {
		var out []string
		for _, f := range files {
			r, _ := filepath.Rel(dir, f)
			out = append(out, filepath.ToSlash(r))
		}
		return strings.Join(out, " ")
	}
	for _, named := range []string{root, rootLink} {
		files, errs, err := Walk(t.Context(), []string{named}, WalkOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := rel(files, named), "a.txt inside.txt"; got != want {
			// sub/b.txt and inside.txt are one real file; the first in
			// walk order (inside.txt, sorted before sub/) is kept.
			t.Errorf("%s: files %q, want %q", named, got, want)
		}
		var msgs []string
		for _, e := range errs {
			msgs = append(msgs, e.Error())
		}
		joined := strings.Join(msgs, "\n")
		for _, l := range []string{"passwd.txt", "etcdir", "sub/up"} {
			if !strings.Contains(joined, filepath.Join(named, l)+": symbolic link to ") || !strings.Contains(joined, "not followed") {
				t.Errorf("%s: no error names the link %s leaving the root:\n%s", named, l, joined)
			}
		}
		if len(errs) != 3 {
			t.Errorf("%s: %d errors, want 3:\n%s", named, len(errs), joined)
		}
	}

	files, errs, err := Walk(t.Context(), []string{root}, WalkOptions{FollowSymlinks: true})
	if err != nil || len(errs) != 0 {
		t.Fatalf("FollowSymlinks: %v %v", err, errs)
	}
	if got, want := rel(files, root), "a.txt etcdir/hosts.txt inside.txt passwd.txt"; got != want {
		t.Errorf("FollowSymlinks: files %q, want %q", got, want)
	}
}

// TestCancelledWalkAndSplit: a done context stops the walk and the split
// with ctx.Err().
func TestCancelledWalkAndSplit(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte(sample), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	files, _, err := Walk(ctx, []string{dir}, WalkOptions{})
	if !errors.Is(err, context.Canceled) || files != nil {
		t.Errorf("Walk: %q %v, want context.Canceled", files, err)
	}
	cs, err := SplitContext(ctx, "a.txt", sample, DefaultOptions())
	if !errors.Is(err, context.Canceled) || cs != nil {
		t.Errorf("SplitContext: %d chunks, %v, want context.Canceled", len(cs), err)
	}
	if cs, err := SplitContext(t.Context(), "a.txt", sample, DefaultOptions()); err != nil || len(cs) == 0 {
		t.Errorf("SplitContext, live context: %d chunks, %v", len(cs), err)
	}
}

// TestReadFileWithin: a file that became a link out of the root after the
// walk is refused when read; links inside the root and files named without
// a root are read.
func TestReadFileWithin(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "corpus")
	if err := os.MkdirAll(filepath.Join(root, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(base, "passwd")
	for _, p := range []string{outside, filepath.Join(root, "sub", "a.txt")} {
		if err := os.WriteFile(p, []byte(sample), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(root, "out.txt")
	in := filepath.Join(root, "in.txt")
	if err := os.Symlink(outside, out); err != nil {
		t.Skip(err)
	}
	if err := os.Symlink("sub/a.txt", in); err != nil {
		t.Fatal(err)
	}
	_, _, err := ReadFileWithin(out, root, 0)
	if err == nil || !strings.Contains(err.Error(), out+": symbolic link to "+outside+", outside "+root+": not followed") {
		t.Errorf("link out of the root: %v", err)
	}
	if text, _, err := ReadFileWithin(in, root, 0); err != nil || text != sample {
		t.Errorf("link inside the root: %q %v", text, err)
	}
	if _, _, err := ReadFileWithin(out, "", 0); err != nil {
		t.Errorf("no root: %v", err)
	}
}
