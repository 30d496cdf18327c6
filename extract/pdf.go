package extract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// PDF text comes from poppler's pdftotext in -raw mode: the text in the
// order of the page's content stream, which is reading order for what
// Chromium, Word and WPS write, two-column pages included (the default and
// -layout modes interleave the lines of two columns whose gap is narrow:
// measured on Chromium print-to-PDF output). -raw gives no blank line
// between paragraphs, so paragraphs are rebuilt from line widths (see
// rebuildPage).

// PDFTimeout bounds one pdftotext run: a damaged or hostile PDF can make it
// loop; the error says the limit was hit. A variable for tests.
var PDFTimeout = 2 * time.Minute

// PDFMaxText caps what pdftotext may write for one file.
const PDFMaxText = 64 << 20

// ErrNoExtractor is wrapped when the program a format needs is missing.
var ErrNoExtractor = errors.New("extractor not installed")

// ErrEncrypted is wrapped for a PDF that needs a password.
var ErrEncrypted = errors.New("encrypted PDF (it needs a password to open)")

func init() {
	Register(&Format{Name: "pdf", Exts: []string{".pdf"}, Read: readPDF})
}

// capped is a writer that refuses more than n bytes.
type capped struct {
	buf bytes.Buffer
	n   int
}

var errCapped = errors.New("output over the cap")

func (c *capped) Write(p []byte) (int, error) {
	if c.buf.Len()+len(p) > c.n {
		return 0, errCapped
	}
	return c.buf.Write(p)
}

func readPDF(ctx context.Context, path string, data []byte) ([]Document, error) {
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		return nil, fmt.Errorf("pdf: %s: %w: pdftotext was not found on PATH (Debian packages poppler-utils and poppler-data; scripts/deps.sh pdf installs them)", path, ErrNoExtractor)
	}
	if !bytes.HasPrefix(bytes.TrimLeft(data[:min(len(data), 1024)], "\x00\t\r\n "), []byte("%PDF-")) {
		return nil, fmt.Errorf("pdf: %s: not a PDF file (it does not start with %%PDF-)", path)
	}
	rctx, cancel := context.WithTimeout(ctx, PDFTimeout)
	defer cancel()
	// The bytes already read go in on stdin: what is extracted is what
	// was checked, even if the file is replaced meanwhile.
	cmd := exec.CommandContext(rctx, bin, "-raw", "-enc", "UTF-8", "-eol", "unix", "-", "-")
	cmd.Stdin = bytes.NewReader(data)
	out := &capped{n: PDFMaxText}
	var stderr capped
	stderr.n = 64 << 10
	cmd.Stdout, cmd.Stderr = out, &stderr
	cmd.WaitDelay = 5 * time.Second
	err = cmd.Run()
	switch {
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case rctx.Err() != nil:
		return nil, fmt.Errorf("pdf: %s: pdftotext did not finish within %v (PDFTimeout): a damaged or hostile PDF", path, PDFTimeout)
	case errors.Is(err, errCapped) || out.buf.Len() >= PDFMaxText:
		return nil, fmt.Errorf("pdf: %s: pdftotext wrote more than %d MiB of text", path, PDFMaxText>>20)
	case err != nil:
		msg := strings.TrimSpace(stderr.buf.String())
		if strings.Contains(strings.ToLower(msg), "password") {
			return nil, fmt.Errorf("pdf: %s: %w", path, ErrEncrypted)
		}
		if i := strings.IndexByte(msg, '\n'); i > 0 {
			msg = msg[:i]
		}
		what := "pdftotext failed"
		if strings.Contains(msg, "xref") || strings.Contains(msg, "trailer") {
			what = "damaged or truncated PDF"
		}
		return nil, fmt.Errorf("pdf: %s: %s (pdftotext: %v: %s)", path, what, err, msg)
	}
	raw := out.buf.String()
	if !utf8.ValidString(raw) {
		raw = strings.ToValidUTF8(raw, "\uFFFD")
	}
	doc := pdfDocument(raw)
	if strings.TrimSpace(doc.Text) == "" {
		return nil, fmt.Errorf("pdf: %s: %w: no text layer on its %d pages (a scanned PDF needs OCR first)", path, ErrNoText, len(doc.PageStarts))
	}
	return []Document{doc}, nil
}

// pdfDocument turns pdftotext's output (pages ended by \f) into a Document:
// running headers, footers and page numbers dropped, lines joined into
// paragraphs (also across pages), Latin words hyphenated at a line end
// joined, and where each page begins in the result.
func pdfDocument(raw string) Document {
	pages := strings.Split(raw, "\f")
	if len(pages) > 1 && strings.TrimSpace(pages[len(pages)-1]) == "" {
		pages = pages[:len(pages)-1]
	}
	lines := make([][]string, len(pages))
	for i, p := range pages {
		for _, l := range strings.Split(p, "\n") {
			if l = strings.TrimRightFunc(l, unicode.IsSpace); strings.TrimSpace(l) != "" {
				lines[i] = append(lines[i], l)
			}
		}
	}
	dropFurniture(lines)
	for i := range lines {
		lines[i] = mergeFragments(lines[i])
	}
	var b strings.Builder
	starts := make([]int, len(pages))
	open := false // the last line written continues on the next one
	for i, ls := range lines {
		starts[i] = b.Len()
		width := 0
		for _, l := range ls {
			width = max(width, displayWidth(l))
		}
		for j, l := range ls {
			l = strings.TrimLeftFunc(l, unicode.IsSpace)
			if open && headingStart.MatchString(l) && endsSentence(b.String()) {
				// A heading after a paragraph whose last line was full.
				open = false
			}
			if open {
				prev := b.String()
				switch {
				case strings.HasSuffix(prev, "-") && len(prev) >= 2 && isLatin(prev[len(prev)-2]) && l[0] >= 'a' && l[0] <= 'z':
					// "develop-\nment": the hyphen was the line's.
					s := prev[:len(prev)-1]
					b.Reset()
					b.WriteString(s)
				case len(prev) > 0 && isLatin(prev[len(prev)-1]) && isLatin(l[0]):
					b.WriteByte(' ')
				}
			} else if b.Len() > 0 {
				b.WriteString("\n\n")
			}
			if j == 0 {
				starts[i] = b.Len()
			}
			b.WriteString(l)
			// A line (nearly) as wide as the widest on its page was
			// wrapped: the paragraph goes on. A shorter one ends it (a
			// paragraph's last line, a heading).
			open = width > 0 && displayWidth(l)*100 >= width*85 && len(ls) > 1
		}
	}
	text := b.String()
	for i := range starts {
		starts[i] = min(starts[i], len(text))
	}
	return Document{Text: text, PageStarts: starts}
}

// mergeFragments rejoins the pieces of one printed line: pdftotext -raw
// starts a new line where a punctuation mark was kerned back against
// another ("加速度”" + "。三要…", "意见》" + "（鲁办发…"), though the page
// shows one line. A piece is joined when the line before ends with CJK
// punctuation, it begins with CJK punctuation, it is no heading, and the two
// together fit the page's width, which a new paragraph after a short last
// line rarely does.
func mergeFragments(ls []string) []string {
	width := 0
	for _, l := range ls {
		width = max(width, displayWidth(l))
	}
	out := ls[:0:0]
	for _, l := range ls {
		t := strings.TrimLeftFunc(l, unicode.IsSpace)
		if n := len(out); n > 0 {
			prev := out[n-1]
			last, _ := utf8.DecodeLastRuneInString(prev)
			first, _ := utf8.DecodeRuneInString(t)
			if isCJKPunct(last) && isCJKPunct(first) && !headingStart.MatchString(t) &&
				(displayWidth(prev)+displayWidth(t))*100 <= width*103 {
				out[n-1] = prev + t
				continue
			}
		}
		out = append(out, l)
	}
	return out
}

func isCJKPunct(r rune) bool {
	return (r >= 0x3000 && r <= 0x303F) || (r >= 0xFF00 && r <= 0xFF0F) || (r >= 0xFF1A && r <= 0xFF20) ||
		(r >= 0x2018 && r <= 0x201F) || r == 0x2014 || r == 0xFF5E
}

const closingPunct = "。，、；：！？”’）》〉」』】,.;:!?)"

// headingStart matches the numbering a heading of a Chinese report begins
// with: 一、 （一） 第一章 1. 1、, after Markdown "##" or "**" where the
// source had them.
var headingStart = regexp.MustCompile(`^(?:#+\s*|\*\*)?(?:[一二三四五六七八九十]{1,3}$|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|第[一二三四五六七八九十百]+[章节部分条]|\d{1,2}[、．.]\D)`)

func endsSentence(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return strings.ContainsRune("。！？；：!?;:”）)", r)
}

func isLatin(c byte) bool {
	return c < utf8.RuneSelf && (unicode.IsLetter(rune(c)) || unicode.IsDigit(rune(c)))
}

// displayWidth counts East Asian characters as two columns, others as one.
func displayWidth(s string) int {
	w := 0
	for _, r := range s {
		if r >= 0x1100 && (unicode.Is(unicode.Han, r) || (r >= 0x3000 && r <= 0x30FF) || (r >= 0xFF00 && r <= 0xFF60) || (r >= 0x2014 && r <= 0x201D)) {
			w += 2
		} else {
			w++
		}
	}
	return w
}

// pageNumber matches a line that is only a page number: "12", "- 12 -",
// "— 12 —", "第12页", "12 / 30", "Page 12".
var pageNumber = regexp.MustCompile(`^\s*(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}(?:\s*/\s*\d{1,4})?|(?i:page)\s*\d{1,4}(?:\s*of\s*\d{1,4})?)\s*$`)

// furnitureDepth is how many lines at the top and at the bottom of a page
// may be running headers, footers or page numbers.
const furnitureDepth = 2

// dropFurniture removes page numbers and running headers and footers: lines
// among the first or last furnitureDepth of a page that are a page number,
// or that (digits aside) recur at the top or bottom of at least half the
// pages (and of two at least).
func dropFurniture(pages [][]string) {
	key := func(l string) string {
		return strings.Map(func(r rune) rune {
			switch {
			case unicode.IsDigit(r):
				return '#'
			case unicode.IsSpace(r):
				return -1
			}
			return r
		}, l)
	}
	edge := func(ls []string, f func(j int)) {
		for j := range ls {
			if j < furnitureDepth || j >= len(ls)-furnitureDepth {
				f(j)
			}
		}
	}
	count := map[string]int{}
	for _, ls := range pages {
		seen := map[string]bool{}
		edge(ls, func(j int) {
			if k := key(ls[j]); !seen[k] {
				seen[k] = true
				count[k]++
			}
		})
	}
	need := max(2, (len(pages)+1)/2)
	for i, ls := range pages {
		drop := map[int]bool{}
		edge(ls, func(j int) {
			if pageNumber.MatchString(ls[j]) || (len(pages) >= 2 && count[key(ls[j])] >= need) {
				drop[j] = true
			}
		})
		kept := ls[:0:0]
		for j, l := range ls {
			if !drop[j] {
				kept = append(kept, l)
			}
		}
		pages[i] = kept
	}
}
