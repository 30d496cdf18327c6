package chunk

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// Encodings reported by ReadFile and Decode.
const (
	EncUTF8    = "utf-8"
	EncGB18030 = "gb18030" // also covers GBK and GB2312, which it extends
)

// ReadFile reads a text file and returns it as UTF-8, with the encoding it
// was found in. See Decode for what is accepted.
func ReadFile(path string) (text, enc string, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", "", fmt.Errorf("chunk: read %s: %w", path, err)
	}
	return Decode(path, b)
}

// Decode turns the bytes of file name into UTF-8 text. UTF-8 (a leading BOM
// is dropped) is taken as is. Bytes that are not valid UTF-8 are decoded as
// GB18030 when that decodes losslessly (re-encoding gives the same bytes) and
// the result is mostly Chinese; Windows tools in China still write GBK. Anything else,
// NUL bytes, control characters or an empty (all-whitespace) file is an error
// that names the file.
func Decode(name string, b []byte) (text, enc string, err error) {
	if bytes.HasPrefix(b, []byte{0xFF, 0xFE}) || bytes.HasPrefix(b, []byte{0xFE, 0xFF}) {
		return "", "", fmt.Errorf("chunk: %s: UTF-16 text is not supported, convert it to UTF-8", name)
	}
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return "", "", fmt.Errorf("chunk: %s: binary file (NUL byte at offset %d)", name, i)
	}
	bom := bytes.HasPrefix(b, []byte("\uFEFF"))
	b = bytes.TrimPrefix(b, []byte("\uFEFF"))
	if utf8.Valid(b) {
		text, enc = string(b), EncUTF8
	} else if bom {
		// The mark says UTF-8 and the rest is not: a damaged or spliced
		// file, not GBK text (whose lossless decoding would need the mark's
		// three bytes too).
		return "", "", fmt.Errorf("chunk: %s: starts with a UTF-8 byte-order mark but is not UTF-8 (invalid at offset %d)", name, invalidUTF8At(b)+3)
	} else {
		dec, derr := simplifiedchinese.GB18030.NewDecoder().Bytes(b)
		if derr == nil {
			// Clean means lossless: the decoder maps a few stray bytes
			// (a lone 0x80 becomes €) to text that encodes differently.
			var back []byte
			back, derr = simplifiedchinese.GB18030.NewEncoder().Bytes(dec)
			if derr == nil && !bytes.Equal(back, b) {
				derr = errors.New("GB18030 round trip differs")
			}
		}
		if derr != nil || !plausibleChinese(dec) {
			i := invalidUTF8At(b)
			return "", "", fmt.Errorf("chunk: %s: binary or unknown encoding: invalid UTF-8 at offset %d and not GB18030 Chinese text", name, i)
		}
		text, enc = string(dec), EncGB18030
	}
	if i := strings.IndexFunc(text, isBadControl); i >= 0 {
		return "", "", fmt.Errorf("chunk: %s: binary file (control character %U at offset %d of the %s text)", name, []rune(text[i:])[0], i, enc)
	}
	if strings.TrimSpace(text) == "" {
		return "", "", fmt.Errorf("chunk: %s: empty file", name)
	}
	return text, enc, nil
}

// isBadControl: C0/C1 controls other than the whitespace ones (\t \n \v \f \r),
// which text extracted from PDFs does contain (\f at page breaks).
func isBadControl(r rune) bool {
	return unicode.IsControl(r) && !unicode.IsSpace(r)
}

func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return -1
}

// plausibleChinese: GB18030 maps almost every byte sequence to some code
// point, so a clean decode alone proves little. Real GBK text decodes to
// Han characters and full-width punctuation; random bytes decode to a spread
// of rare blocks. Require no replacement characters and at least 70% of the
// non-ASCII runes to be Han or CJK punctuation.
func plausibleChinese(b []byte) bool {
	var nonASCII, cjk int
	for _, r := range string(b) {
		switch {
		case r == utf8.RuneError:
			return false
		case r < 0x80:
		default:
			nonASCII++
			if unicode.Is(unicode.Han, r) || (r >= 0x3000 && r <= 0x303F) || (r >= 0xFF00 && r <= 0xFFEF) ||
				(r >= 0x2010 && r <= 0x2027) {
				cjk++
			}
		}
	}
	return nonASCII > 0 && cjk*10 >= nonASCII*7
}

// IsTextName reports whether a file name has an extension Walk collects
// from directories: .txt or .md, in any case.
//
// README, LICENSE and CHANGELOG files are not: a folder of reports often has
// a README describing them, which is not itself a report to search.
func IsTextName(name string) bool {
	base := strings.ToUpper(filepath.Base(name))
	for _, p := range []string{"README", "LICENSE", "LICENCE", "CHANGELOG"} {
		if strings.HasPrefix(base, p+".") || base == p {
			return false
		}
	}
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".txt" || ext == ".md"
}

// Walk expands paths into the text files to index. A path naming a file is
// taken whatever its extension (it was asked for); directories are walked
// recursively for .txt and .md files, skipping entries whose name starts with
// a dot. Symbolic links are followed, but a directory already visited (by its
// real path) is not entered again, so link loops end. The result is sorted
// and has no duplicates (by real path). Entries that cannot be read are
// reported as errors naming them, and the walk goes on with the rest.
func Walk(paths []string) ([]string, []error) {
	w := walker{seenDir: map[string]bool{}, seenFile: map[string]bool{}}
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			w.errs = append(w.errs, fmt.Errorf("chunk: %w", err))
			continue
		}
		if fi.IsDir() {
			w.dir(p)
		} else {
			w.file(p)
		}
	}
	sort.Strings(w.files)
	return w.files, w.errs
}

type walker struct {
	files    []string
	errs     []error
	seenDir  map[string]bool
	seenFile map[string]bool
}

func (w *walker) file(p string) {
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		w.errs = append(w.errs, fmt.Errorf("chunk: %w", err))
		return
	}
	if w.seenFile[real] {
		return
	}
	w.seenFile[real] = true
	w.files = append(w.files, p)
}

func (w *walker) dir(p string) {
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		w.errs = append(w.errs, fmt.Errorf("chunk: %w", err))
		return
	}
	if w.seenDir[real] {
		return // a symlink back into a directory already walked
	}
	w.seenDir[real] = true
	entries, err := os.ReadDir(p)
	if err != nil {
		// ReadDir returns what it could read along with the error.
		w.errs = append(w.errs, fmt.Errorf("chunk: %w", err))
	}
	for _, e := range entries { // sorted by name
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		child := filepath.Join(p, e.Name())
		mode := e.Type()
		if mode&fs.ModeSymlink != 0 {
			fi, err := os.Stat(child)
			if err != nil {
				w.errs = append(w.errs, fmt.Errorf("chunk: broken link: %w", err))
				continue
			}
			mode = fi.Mode().Type()
		}
		switch {
		case mode.IsDir():
			w.dir(child)
		case mode.IsRegular() && IsTextName(e.Name()):
			w.file(child)
		}
	}
}

// errNotUTF8 is returned by Split for text that is not valid UTF-8; decode
// files with ReadFile or Decode first.
var errNotUTF8 = errors.New("text is not valid UTF-8 (decode it with ReadFile or Decode first)")
