package progress

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// Piped or redirected output must stay clean: no bar, no carriage returns.
func TestQuietWhenNotATerminal(t *testing.T) {
	var buf bytes.Buffer
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, b := range []*Bar{New(10, "embedding", &buf), NewBytes(1<<20, "uploading", f), New(-1, "creating", f)} {
		b.Add(3)
		b.Set(7)
		b.Describe("still going")
		b.Finish()
		b.Finish()
	}
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if buf.Len() != 0 || st.Size() != 0 {
		t.Errorf("wrote %d bytes to a buffer and %d to a file", buf.Len(), st.Size())
	}
	if IsTerminal(&buf) || IsTerminal(f) {
		t.Error("a buffer or a regular file taken for a terminal")
	}
}

func TestNilBarIsNoOp(t *testing.T) {
	var b *Bar
	b.Add(1)
	b.Set(2)
	b.Describe("x")
	b.Finish()
}
