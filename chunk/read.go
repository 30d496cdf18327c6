package chunk

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/reportsearch/reportsearch/internal/filekind"

	"github.com/reportsearch/reportsearch/internal/bytesize"
)

// Encodings reported by ReadFile and Decode.
const (
	EncUTF8    = "utf-8"
	EncGB18030 = "gb18030" // also covers GBK and GB2312, which it extends
)

// DefaultMaxFileSize is the largest file ReadFile reads: far above any work
// report (the largest in the corpus is under 1 MiB), far below what would
// exhaust memory while it is indexed.
const DefaultMaxFileSize = 64 << 20

// ErrTooLarge is wrapped by the error for a file over the size limit.
var ErrTooLarge = errors.New("file is over the size limit")

// ReadFile reads a text file of at most DefaultMaxFileSize bytes and returns
// it as UTF-8, with the encoding it was found in. See ReadFileMax.
func ReadFile(path string) (text, enc string, err error) {
	return ReadFileMax(path, DefaultMaxFileSize)
}

// ReadFileMax reads a text file of at most max bytes (max <= 0 means
// DefaultMaxFileSize) and decodes it (see Decode for what is accepted).
//
// Only regular files are read. A named pipe, device or socket is an error
// naming its type, and is never opened in a way that could block: the file
// is opened non-blocking (a FIFO without a writer would block a plain open
// forever), and the opened file is checked again, since the name may have
// been replaced between the first look and the open. The read stops at
// max+1 bytes, so a file that grows while it is read cannot exhaust memory.
func ReadFileMax(path string, max int64) (text, enc string, err error) {
	return ReadFileWithin(path, "", max)
}

// ReadFileWithin is ReadFileMax that also refuses a file whose real path
// (every link resolved) is not inside root, checked on the file actually
// opened: a file Walk found inside root may have been replaced by a link
// out of it since. An empty root checks nothing.
func ReadFileWithin(path, root string, max int64) (text, enc string, err error) {
	b, err := readRegular(path, root, max)
	if err != nil {
		return "", "", err
	}
	// b is ours alone and never written again: the text can share it
	// instead of copying a file that may be tens of megabytes.
	return decode(path, b, true)
}

// ReadBytesWithin reads a file the way ReadFileWithin does (a regular
// file only, never blocking on a FIFO, within root, at most max bytes) and
// returns its bytes undecoded, for formats whose text must be extracted
// (PDF, HTML, DOCX).
func ReadBytesWithin(path, root string, max int64) ([]byte, error) {
	return readRegular(path, root, max)
}

func readRegular(path, root string, max int64) ([]byte, error) {
	if max <= 0 {
		max = DefaultMaxFileSize
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("chunk: read %s: %w", path, err)
	}
	if err := checkRegular(path, fi, max); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("chunk: read %s: %w", path, err)
	}
	defer f.Close()
	fi, err = f.Stat()
	if err != nil {
		return nil, fmt.Errorf("chunk: read %s: %w", path, err)
	}
	if err := checkRegular(path, fi, max); err != nil {
		return nil, err
	}
	if root != "" {
		// Resolve the name after opening, and make sure it still names
		// the file that is open: then what is read is inside root.
		real, err := filepath.EvalSymlinks(path)
		if err != nil {
			return nil, fmt.Errorf("chunk: read %s: %w", path, err)
		}
		if !within(real, root) {
			return nil, fmt.Errorf("chunk: %s: symbolic link to %s, outside %s: not followed", path, real, root)
		}
		if rfi, err := os.Stat(real); err != nil || !os.SameFile(fi, rfi) {
			return nil, fmt.Errorf("chunk: %s: replaced while being opened: not read", path)
		}
	}
	// Room for the stated size and one byte more, to see the end without
	// growing the buffer; the limit reader stops a file that grows.
	lr := io.LimitReader(f, max+1)
	b := make([]byte, 0, fi.Size()+1)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // it grew since the stat
		}
		n, err := lr.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("chunk: read %s: %w", path, err)
		}
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("chunk: %s: %w: it grew past %s while being read", path, ErrTooLarge, bytesize.Exact(max))
	}
	return b, nil
}

// checkRegular names what a path is when it is not a regular file, and
// refuses one over max bytes.
func checkRegular(path string, fi fs.FileInfo, max int64) error {
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("chunk: %s: not a regular file but %s", path, filekind.Of(fi.Mode()))
	}
	if fi.Size() > max {
		return fmt.Errorf("chunk: %s: %w: it is %s, the limit is %s", path, ErrTooLarge, bytesize.Exact(fi.Size()), bytesize.Exact(max))
	}
	return nil
}

// Decode turns the bytes of file name into UTF-8 text. UTF-8 (a leading BOM
// is dropped) is taken as is. Bytes that are not valid UTF-8 are decoded as
// GB18030 when that decodes losslessly (re-encoding gives the same bytes) and
// the result is mostly Chinese; Windows tools in China still write GBK. Anything else,
// NUL bytes, control characters or an empty (all-whitespace) file is an error
// that names the file.
func Decode(name string, b []byte) (text, enc string, err error) {
	return decode(name, b, false)
}

// decode is Decode; owned says that b belongs to the caller alone and is
// never written again, so UTF-8 text may share its memory.
func decode(name string, b []byte, owned bool) (text, enc string, err error) {
	if bytes.HasPrefix(b, []byte{0xFF, 0xFE}) || bytes.HasPrefix(b, []byte{0xFE, 0xFF}) || looksUTF16(b) {
		return "", "", fmt.Errorf("chunk: %s: UTF-16 text is not supported, convert it to UTF-8", name)
	}
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return "", "", fmt.Errorf("chunk: %s: binary file (NUL byte at offset %d)", name, i)
	}
	bom := bytes.HasPrefix(b, []byte("\uFEFF"))
	b = bytes.TrimPrefix(b, []byte("\uFEFF"))
	if utf8.Valid(b) {
		text, enc = string(b), EncUTF8
		if owned && len(b) > 0 {
			text = unsafe.String(&b[0], len(b))
		}
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
		// dec is a fresh buffer nothing else holds: share it too.
		text, enc = unsafe.String(unsafe.SliceData(dec), len(dec)), EncGB18030
	}
	if i := strings.IndexFunc(text, isBadControl); i >= 0 {
		return "", "", fmt.Errorf("chunk: %s: binary file (control character %U at offset %d of the %s text)", name, []rune(text[i:])[0], i, enc)
	}
	if strings.TrimSpace(text) == "" {
		return "", "", fmt.Errorf("chunk: %s: empty file", name)
	}
	return text, enc, nil
}

// looksUTF16 recognises UTF-16 without a byte-order mark by its NUL bytes.
// ASCII characters in UTF-16 are a NUL and the character, so mostly-ASCII
// UTF-16 has a NUL in every other byte (odd offsets for little-endian, even
// for big-endian); Chinese text has line breaks and digits, so its UTF-16
// has NULs at the same parity, and its other code units fall in the CJK
// blocks. Binary data has NUL pairs (0x0000 units) or NULs at both parities,
// and UTF-8 or GB18030 text has no NUL at all. The first 4 KiB decide; files
// under 16 bytes are too short to tell and stay "binary".
func looksUTF16(b []byte) bool {
	b = b[:min(len(b), 4096)&^1]
	if len(b) < 16 || bytes.IndexByte(b, 0) < 0 {
		return false
	}
	for _, hi := range []int{0, 1} { // where the high byte is: 0 big-endian, 1 little-endian
		units, ascii, cjk, lowNUL := 0, 0, 0, 0
		for i := 0; i < len(b); i += 2 {
			u := rune(b[i+hi])<<8 | rune(b[i+1-hi])
			if u == 0 {
				units = -1 // U+0000 is no text
				break
			}
			units++
			if u&0xFF == 0 && u != 0x4E00 {
				// A NUL where UTF-16 text rarely has one: only the few
				// Han characters at U+xx00, of which 一 (U+4E00) is
				// common enough in reports ("一、") to be let through.
				lowNUL++
			}
			switch {
			case u == '\t' || u == '\n' || u == '\r' || (u >= 0x20 && u < 0x7F):
				ascii++
			case u >= 0x3000 && u <= 0x9FFF, u >= 0xFF00 && u <= 0xFFEF, u >= 0x2000 && u <= 0x206F:
				cjk++
			}
		}
		// At least one ASCII unit (a NUL where UTF-16 puts it), few NULs
		// in the other place, and nearly every unit plausible text.
		if units > 0 && ascii > 0 && lowNUL*10 <= ascii+cjk/4 && (ascii+cjk)*20 >= units*19 {
			return true
		}
	}
	return false
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
	if isAboutFile(name) {
		return false
	}
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".txt" || ext == ".md"
}

// isAboutFile: README, LICENSE, CHANGELOG and the like, which describe a
// folder rather than being reports in it.
func isAboutFile(name string) bool {
	base := strings.ToUpper(filepath.Base(name))
	for _, p := range []string{"README", "LICENSE", "LICENCE", "CHANGELOG"} {
		if strings.HasPrefix(base, p+".") || base == p {
			return true
		}
	}
	return false
}

// WalkOptions change what Walk collects.
type WalkOptions struct {
	// FollowSymlinks follows symbolic links wherever they point. By default
	// a link is followed only when its target is inside the folder that was
	// named (after resolving every link on the way), so a link in a corpus
	// cannot pull /etc/passwd or a home folder into a searchable index.
	FollowSymlinks bool
	// OnDir, when set, is called as each directory is entered (for
	// index --verbose).
	OnDir func(path string)
	// Collect, when set, names further files to collect from directories
	// besides IsTextName ones: the extensions of registered extract formats
	// (package extract is not imported here, so that it may use chunk).
	Collect func(name string) bool
	// OnUnsupported, when set, is called for each regular file in a walked
	// directory that is not collected (neither IsTextName nor Collect), so
	// that a folder of .doc files is reported rather than indexed as empty.
	// README, LICENSE and CHANGELOG files, skipped on purpose, are not
	// reported.
	OnUnsupported func(path string)
}

// Walk expands paths into the text files to index. A path naming a file is
// taken whatever its extension (it was asked for), if it is a regular file;
// directories are walked recursively for .txt and .md files (and those
// opt.Collect accepts), skipping
// entries whose name starts with a dot. Symbolic links are followed when
// their target is inside the directory named (see WalkOptions), and a
// directory already visited (by its real path) is not entered again, so link
// loops end. The result is sorted and has no duplicates (by real path).
//
// Entries that are skipped are returned in skipped as errors naming them:
// ones that cannot be read, links that leave the root, and files with a
// text name that are not regular files (a named pipe or a device, which
// could block or never end). The walk goes on with the rest. err is non-nil
// only when ctx was done before the walk finished.
func Walk(ctx context.Context, paths []string, opt WalkOptions) (files []string, skipped []error, err error) {
	w := walker{ctx: ctx, opt: opt, seenDir: map[string]bool{}, seenFile: map[string]bool{}}
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return nil, w.errs, err
		}
		fi, err := os.Stat(p)
		if err != nil {
			w.errs = append(w.errs, fmt.Errorf("chunk: %w", err))
			continue
		}
		switch {
		case fi.IsDir():
			root, err := filepath.EvalSymlinks(p)
			if err != nil {
				w.errs = append(w.errs, fmt.Errorf("chunk: %w", err))
				continue
			}
			w.root = root
			w.dir(p)
		case fi.Mode().IsRegular():
			w.file(p)
		default:
			w.errs = append(w.errs, fmt.Errorf("chunk: %s: not a regular file but %s", p, filekind.Of(fi.Mode())))
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, w.errs, err
	}
	sort.Strings(w.files)
	return w.files, w.errs, nil
}

type walker struct {
	ctx      context.Context
	opt      WalkOptions
	root     string // real path of the directory being walked
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

// within reports whether real (a path with every link resolved) is root
// or under it.
func within(real, root string) bool {
	return real == root || strings.HasPrefix(real, strings.TrimSuffix(root, string(filepath.Separator))+string(filepath.Separator))
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
	if w.opt.OnDir != nil {
		w.opt.OnDir(p)
	}
	entries, err := os.ReadDir(p)
	if err != nil {
		// ReadDir returns what it could read along with the error.
		w.errs = append(w.errs, fmt.Errorf("chunk: %w", err))
	}
	for _, e := range entries { // sorted by name
		if w.ctx.Err() != nil {
			return
		}
		if strings.HasPrefix(e.Name(), ".") {
			continue
		}
		child := filepath.Join(p, e.Name())
		mode := e.Type()
		if mode&fs.ModeSymlink != 0 {
			// Stat first: its errors name the link and say what is wrong
			// (a loop, a missing target); EvalSymlinks' do not.
			fi, err := os.Stat(child)
			if err != nil {
				w.errs = append(w.errs, fmt.Errorf("chunk: broken link: %w", err))
				continue
			}
			target, err := filepath.EvalSymlinks(child)
			if err != nil {
				w.errs = append(w.errs, fmt.Errorf("chunk: %s: %w", child, err))
				continue
			}
			if !w.opt.FollowSymlinks && !within(target, w.root) {
				w.errs = append(w.errs, fmt.Errorf("chunk: %s: symbolic link to %s, outside %s: not followed", child, target, w.root))
				continue
			}
			mode = fi.Mode().Type()
		}
		switch {
		case mode.IsDir():
			w.dir(child)
		case !IsTextName(e.Name()) && (w.opt.Collect == nil || !w.opt.Collect(e.Name())):
			if mode.IsRegular() && w.opt.OnUnsupported != nil && !isAboutFile(e.Name()) {
				w.opt.OnUnsupported(child)
			}
		case mode.IsRegular():
			w.file(child)
		default:
			w.errs = append(w.errs, fmt.Errorf("chunk: %s: not a regular file but %s", child, filekind.Of(mode)))
		}
	}
}

// errNotUTF8 is returned by Split for text that is not valid UTF-8; decode
// files with ReadFile or Decode first.
var errNotUTF8 = errors.New("text is not valid UTF-8 (decode it with ReadFile or Decode first)")
