package chunk

// Bad input for the reader and the walker: every file that cannot be indexed
// is refused with an error naming it and saying what is wrong, and everything
// that can be indexed (GBK text, a 10 MB file without line breaks) is.

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

// gbkReport is a small report whose text is only in this test, so a search
// for its phrases can only find it.
const gbkReport = "青海省海晏县政府工作报告\n\n一、过去一年的工作\n\n" +
	"我们建成了青稞酒产业园区，带动农牧民增收。高原特色农牧业稳步发展，生态保护取得新进展。\n\n" +
	"二、今年的主要任务\n\n" +
	"（一）推进祁连山南麓生态修复。实施草原禁牧和草畜平衡制度，巩固退耕还林成果。\n"

func writeBad(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestBadInputFiles(t *testing.T) {
	dir := t.TempDir()
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(gbkReport))
	if err != nil {
		t.Fatal(err)
	}
	// GB18030 proper: 㐀 (CJK extension A) is a 4-byte sequence GBK lacks.
	gb18030, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(gbkReport + "\n㐀字在扩展区。\n"))
	if err != nil {
		t.Fatal(err)
	}
	utf16, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Bytes([]byte(gbkReport))
	if err != nil {
		t.Fatal(err)
	}
	good := []byte(gbkReport)
	// Valid UTF-8 Chinese with a cut multi-byte sequence and a stray 0xFF:
	// neither UTF-8 nor GB18030.
	badAt := len("青海省海晏县")
	broken := append(append(append([]byte{}, good[:badAt]...), 0xE6, 0x94, 0xFF), good[badAt:]...)
	// Random high bytes, as in a compressed or image file without NULs.
	noise := make([]byte, 4096)
	x := uint32(2463534242)
	for i := range noise {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		noise[i] = byte(x) | 0x80
	}

	for _, tc := range []struct {
		name string
		in   []byte
		// err is the part of the message that says what is wrong; empty
		// means the file must be read, decoded and chunked.
		err string
		enc string
	}{
		{"utf8.txt", good, "", EncUTF8},
		{"gbk.txt", gbk, "", EncGB18030},
		{"gb18030.txt", gb18030, "", EncGB18030},
		{"elf.txt", []byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00>\x00"), "binary file (NUL byte at offset 7)", ""},
		{"noise.txt", noise, "binary or unknown encoding: invalid UTF-8 at offset 0", ""},
		{"broken-utf8.txt", broken, "binary or unknown encoding: invalid UTF-8 at offset 18", ""},
		{"bom-then-gbk.txt", append([]byte("\uFEFF"), gbk...), "starts with a UTF-8 byte-order mark but is not UTF-8 (invalid at offset 3)", ""},
		{"utf16.txt", utf16, "UTF-16 text is not supported", ""},
		{"utf16-no-bom.txt", utf16[2:], "UTF-16 text is not supported", ""}, // known by its NUL pattern
		{"empty.txt", nil, "empty file", ""},
		{"blank.txt", []byte("\r\n \t\u3000\n\n"), "empty file", ""},
		{"bom-only.txt", []byte("\uFEFF"), "empty file", ""},
		{"escape.txt", []byte("报告\x1b[31m正文\n"), "binary file (control character U+001B at offset 6", ""},
	} {
		p := writeBad(t, dir, tc.name, tc.in)
		text, enc, err := ReadFile(p)
		if tc.err != "" {
			if err == nil {
				t.Errorf("%s: accepted as %s text %q", tc.name, enc, text)
			} else if !strings.Contains(err.Error(), p+": "+tc.err) {
				t.Errorf("%s: error %q does not name the file and say %q", tc.name, err, tc.err)
			}
			if _, err := FileChunks(p, tc.name, DefaultOptions()); err == nil {
				t.Errorf("%s: FileChunks accepted it", tc.name)
			}
			continue
		}
		if err != nil || enc != tc.enc || !utf8.ValidString(text) {
			t.Errorf("%s: got enc %q, err %v", tc.name, enc, err)
			continue
		}
		cs, err := FileChunks(p, tc.name, DefaultOptions())
		if err != nil || len(cs) == 0 {
			t.Errorf("%s: FileChunks: %v, %d chunks", tc.name, err, len(cs))
			continue
		}
		checkInvariants(t, text, cs, DefaultOptions())
		all := ""
		for _, c := range cs {
			if c.Report != "青海省海晏县政府工作报告" {
				t.Errorf("%s: %s has report %q", tc.name, c.ID, c.Report)
			}
			// Offsets are into the decoded UTF-8 text, whatever the file's
			// encoding was.
			if squeeze(text[c.Start:c.End]) != squeeze(c.Text) {
				t.Errorf("%s: %s: span [%d,%d) does not hold the text", tc.name, c.ID, c.Start, c.End)
			}
			all += c.Text
		}
		if !strings.Contains(all, "青稞酒产业园区") || !strings.Contains(all, "祁连山南麓") {
			t.Errorf("%s: decoded chunks lack the report's phrases: %q", tc.name, all)
		}
	}
}

// TestHugeFileWithoutLineBreaks: 10 MB on one line (text extracted from a
// PDF without its line breaks, or a minified dump) is chunked, not refused:
// every chunk within MaxRunes and nothing lost.
func TestHugeFileWithoutLineBreaks(t *testing.T) {
	const size = 10 << 20
	opt := DefaultOptions()
	for _, tc := range []struct{ name, unit string }{
		{"sentences", "推进高质量发展，加快建设现代化产业体系。"},
		{"no-punctuation", "推进高质量发展加快建设现代化产业体系"},
		{"ascii-words", "economic growth target "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := strings.Repeat(tc.unit, size/len(tc.unit))
			p := writeBad(t, t.TempDir(), tc.name+".txt", []byte(text))
			cs, err := FileChunks(p, tc.name+".txt", opt)
			if err != nil {
				t.Fatal(err)
			}
			var got strings.Builder
			prevEnd := 0
			for _, c := range cs {
				n := utf8.RuneCountInString(c.Text)
				if n == 0 || n > opt.MaxRunes {
					t.Fatalf("%s: %d runes, want 1..%d", c.ID, n, opt.MaxRunes)
				}
				if c.Start < prevEnd || c.End > len(text) || squeeze(text[c.Start:c.End]) != squeeze(c.Text) {
					t.Fatalf("%s: bad span [%d,%d) after %d", c.ID, c.Start, c.End, prevEnd)
				}
				prevEnd = c.End
				got.WriteString(c.Text)
			}
			if squeeze(got.String()) != squeeze(text) {
				t.Fatalf("chunks hold %d bytes of text, the file %d", len(squeeze(got.String())), len(squeeze(text)))
			}
			// The pieces are balanced: none is tiny except perhaps the last.
			for _, c := range cs[:len(cs)-1] {
				if utf8.RuneCountInString(c.Text) < opt.MaxRunes/4 {
					t.Fatalf("%s: only %d runes", c.ID, utf8.RuneCountInString(c.Text))
				}
			}
			t.Logf("%d bytes on one line: %d chunks", len(text), len(cs))
		})
	}
}

// TestWalkBadTrees: symbolic link loops end, links that cannot be resolved
// and files that cannot be read are reported by name, and the rest of the
// tree is still collected.
func TestWalkBadTrees(t *testing.T) {
	dir := t.TempDir()
	writeBad(t, dir, "a/good.txt", []byte(gbkReport))
	writeBad(t, dir, "a/b/deep.md", []byte(gbkReport))
	symlink := func(target, rel string) {
		if err := os.Symlink(target, filepath.Join(dir, rel)); err != nil {
			t.Skipf("symlinks: %v", err)
		}
	}
	symlink("..", "a/b/up")                       // a loop back to a
	symlink(dir, "a/b/root")                      // a loop back to the root
	symlink("self.txt", "a/self.txt")             // a link to itself
	symlink("pong.txt", "a/ping.txt")             // two links to each other
	symlink("ping.txt", "a/pong.txt")             //
	symlink(filepath.Join(dir, "a"), "again")     // the same folder under another name
	symlink("a/good.txt", "link-to-good.txt")     // the same file twice
	symlink("gone/missing.txt", "a/dangling.txt") // a link to nothing

	files, errs, _ := Walk(t.Context(), []string{dir}, WalkOptions{})
	var rel []string
	for _, f := range files {
		r, _ := filepath.Rel(dir, f)
		rel = append(rel, filepath.ToSlash(r))
	}
	if got, want := strings.Join(rel, " "), "a/b/deep.md a/good.txt"; got != want {
		t.Errorf("files %q, want %q (each real file once)", got, want)
	}
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	joined := strings.Join(msgs, "\n")
	for _, name := range []string{"self.txt", "ping.txt", "pong.txt", "dangling.txt"} {
		if !strings.Contains(joined, filepath.Join(dir, "a", name)) {
			t.Errorf("no error names %s:\n%s", name, joined)
		}
	}
	if !strings.Contains(joined, "too many levels of symbolic links") || !strings.Contains(joined, "no such file") {
		t.Errorf("errors do not say what is wrong:\n%s", joined)
	}
	if len(errs) != 4 {
		t.Errorf("%d errors, want 4:\n%s", len(errs), joined)
	}
}

// TestUnreadableFile: a file that cannot be read is an error naming it.
// Permission bits do not stop root, which is what the tests run as here, so
// as root the unreadable file is /proc/self/mem (reading its first page
// fails with EIO even for root), reached through a link with a .txt name.
func TestUnreadableFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "locked.txt")
	want := syscall.EACCES
	if os.Geteuid() == 0 {
		t.Log("running as root, which ignores permission bits: chmod 000 cannot make a file unreadable; using a link to /proc/self/mem instead")
		if _, err := os.Stat("/proc/self/mem"); err != nil {
			t.Skipf("no /proc/self/mem: %v", err)
		}
		if err := os.Symlink("/proc/self/mem", p); err != nil {
			t.Skip(err)
		}
		want = syscall.EIO
	} else {
		writeBad(t, dir, "locked.txt", []byte(gbkReport))
		if err := os.Chmod(p, 0); err != nil {
			t.Fatal(err)
		}
	}
	writeBad(t, dir, "good.txt", []byte(gbkReport))
	files, errs, _ := Walk(t.Context(), []string{dir}, WalkOptions{FollowSymlinks: true}) // the link leaves dir
	if len(errs) != 0 || len(files) != 2 {
		t.Fatalf("walk: %q %v", files, errs)
	}
	_, _, err := ReadFile(p)
	if err == nil || !errors.Is(err, want) || !strings.Contains(err.Error(), p) {
		t.Fatalf("reading %s: %v, want %v naming the file", p, err, want)
	}
	if _, err := FileChunks(filepath.Join(dir, "good.txt"), "good.txt", DefaultOptions()); err != nil {
		t.Fatal(err)
	}
}
