package chunk

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

const sample = "一、2025年工作回顾\n\n2025年是很不平凡的一年。经济运行总体平稳、稳中有进。\n"

func TestDecode(t *testing.T) {
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	if utf8.Valid(gbk) {
		t.Fatal("test input: GBK bytes are valid UTF-8")
	}
	for _, tc := range []struct {
		name     string
		in       []byte
		text     string
		enc, err string
	}{
		{"utf8.txt", []byte(sample), sample, EncUTF8, ""},
		{"bom.txt", append([]byte("\uFEFF"), sample...), sample, EncUTF8, ""},
		{"gbk.txt", gbk, sample, EncGB18030, ""},
		{"empty.txt", nil, "", "", "empty.txt: empty file"},
		{"blank.txt", []byte(" \n\t\u3000\n"), "", "", "blank.txt: empty file"},
		{"nul.txt", []byte("abc\x00def"), "", "", "nul.txt: binary file (NUL byte at offset 3)"},
		{"ctl.txt", []byte("abc\x01def"), "", "", "ctl.txt: binary file (control character"},
		{"png.txt", []byte("\x89PNG\r\n\x1a\n"), "", "", "png.txt: binary"},
		{"latin1.txt", []byte("caf\xe9 cr\xe8me br\xfbl\xe9e"), "", "", "latin1.txt: binary or unknown encoding"},
		{"utf16.txt", []byte("\xff\xfea\x00"), "", "", "utf16.txt: UTF-16"},
	} {
		text, enc, err := Decode(tc.name, tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || text != tc.text || enc != tc.enc {
			t.Errorf("%s: got %q %q %v", tc.name, text, enc, err)
		}
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	gbk, _ := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(sample))
	p := filepath.Join(dir, "报告.txt")
	if err := os.WriteFile(p, gbk, 0o644); err != nil {
		t.Fatal(err)
	}
	text, enc, err := ReadFile(p)
	if err != nil || text != sample || enc != EncGB18030 {
		t.Fatalf("got %q %q %v", text, enc, err)
	}
	cs, err := FileChunks(p, "rel/报告.txt", DefaultOptions())
	if err != nil || len(cs) == 0 || cs[0].File != "rel/报告.txt" || !strings.HasPrefix(cs[0].ID, "rel/报告.txt#0.") {
		t.Fatalf("FileChunks: %v %+v", err, cs)
	}
	missing := filepath.Join(dir, "missing.txt")
	if _, _, err := ReadFile(missing); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing file: %v", err)
	}
}

func TestWalk(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, content string) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("b.txt", sample)
	write("a.md", sample)
	write("notes.pdf", "x")
	write("sub/c.TXT", sample)
	write("sub/deeper/d.txt", sample)
	write(".git/e.txt", sample)
	link := func(target, rel string) {
		if err := os.Symlink(target, filepath.Join(dir, rel)); err != nil {
			t.Skipf("symlinks: %v", err)
		}
	}
	link(dir, "sub/deeper/loop")         // a loop back to the root
	link(filepath.Join(dir, "sub"), "z") // the same directory twice
	link(filepath.Join(dir, "gone.txt"), "broken.txt")

	extra := filepath.Join(dir, "notes.pdf") // a file named explicitly is taken
	files, errs, _ := Walk(t.Context(), []string{dir, extra, filepath.Join(dir, "nope")}, WalkOptions{})
	var rel []string
	for _, f := range files {
		r, _ := filepath.Rel(dir, f)
		rel = append(rel, filepath.ToSlash(r))
	}
	want := []string{"a.md", "b.txt", "notes.pdf", "sub/c.TXT", "sub/deeper/d.txt"}
	if strings.Join(rel, " ") != strings.Join(want, " ") {
		t.Errorf("files %q, want %q", rel, want)
	}
	if !sort.StringsAreSorted(files) {
		t.Errorf("not sorted: %q", files)
	}
	var msgs []string
	for _, e := range errs {
		msgs = append(msgs, e.Error())
	}
	joined := strings.Join(msgs, "\n")
	if len(errs) != 2 || !strings.Contains(joined, "broken.txt") || !strings.Contains(joined, "nope") {
		t.Errorf("errors: %s", joined)
	}

	// An unreadable directory is reported and the rest still walked.
	if os.Geteuid() != 0 {
		locked := filepath.Join(dir, "sub", "locked")
		write("sub/locked/x.txt", sample)
		if err := os.Chmod(locked, 0); err != nil {
			t.Fatal(err)
		}
		defer os.Chmod(locked, 0o755)
		files, errs, _ := Walk(t.Context(), []string{dir}, WalkOptions{})
		if len(files) != 4 || len(errs) != 2 || !strings.Contains(errs[0].Error()+errs[1].Error(), "locked") {
			t.Errorf("locked dir: %q %v", files, errs)
		}
	}
}

func FuzzDecode(f *testing.F) {
	gbk, _ := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(sample))
	f.Add(gbk)
	f.Add([]byte(sample))
	f.Add([]byte("\uFEFF"))
	f.Add([]byte{0x81, 0x30, 0x81, 0x30})
	f.Add([]byte("\x89PNG\r\n"))
	f.Add([]byte("G\x00o\x00v\x00 \x00r\x00e\x00p\x00o\x00r\x00t\x00\n\x00"))     // UTF-16LE, no BOM
	f.Add([]byte("\x00\n\x4e\x00\x30\x01\x7e\xcf\x6d\x4e\x00\n\x58\x9e\x95\x7f")) // UTF-16BE Chinese, no BOM
	f.Fuzz(func(t *testing.T, b []byte) {
		text, enc, err := Decode("f", b)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "chunk: f: ") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if !utf8.ValidString(text) || strings.TrimSpace(text) == "" || strings.ContainsRune(text, 0) {
			t.Fatalf("bad text %q", text)
		}
		switch enc {
		case EncUTF8:
			if text != string(bytes.TrimPrefix(b, []byte("\uFEFF"))) {
				t.Fatalf("UTF-8 text changed")
			}
		case EncGB18030:
			back, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(text))
			if err != nil || !bytes.Equal(back, b) {
				t.Fatalf("GB18030 does not round-trip: % x -> %q -> % x (%v)", b, text, back, err)
			}
		default:
			t.Fatalf("encoding %q", enc)
		}
	})
}

// BenchmarkChunkCorpus chunks the whole corpus (already read and decoded)
// with the default options.
func BenchmarkChunkCorpus(b *testing.B) {
	dir := corpusDir(b)
	files, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
	texts := make([]string, len(files))
	size := 0
	for i, f := range files {
		t, _, err := ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		texts[i] = t
		size += len(t)
	}
	b.SetBytes(int64(size))
	b.ResetTimer()
	n := 0
	for b.Loop() {
		n = 0
		for i, t := range texts {
			cs, err := Split(filepath.Base(files[i]), t, DefaultOptions())
			if err != nil {
				b.Fatal(err)
			}
			n += len(cs)
		}
	}
	b.ReportMetric(float64(n), "chunks")
}
