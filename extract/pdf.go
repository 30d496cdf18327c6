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

// PDF text comes from poppler's pdftotext in -raw -bbox mode: the words in
// the order of the page's content stream, which is reading order for what
// Chromium, Word and WPS write, two-column pages included (the default and
// -layout modes interleave the lines of two columns whose gap is narrow:
// measured on Chromium print-to-PDF output), each with its box on the
// page. Lines, paragraphs (by indent, short last line and vertical gap)
// and page furniture are found from the boxes (see layoutDocument).

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
		// Which packages provide it is the command's to say (it knows the
		// platform's way to install them); the error names the program.
		return nil, fmt.Errorf("pdf: %s: %w: pdftotext was not found on PATH", path, ErrNoExtractor)
	}
	if !bytes.HasPrefix(bytes.TrimLeft(data[:min(len(data), 1024)], "\x00\t\r\n "), []byte("%PDF-")) {
		return nil, fmt.Errorf("pdf: %s: not a PDF file (it does not start with %%PDF-)", path)
	}
	rctx, cancel := context.WithTimeout(ctx, PDFTimeout)
	defer cancel()
	// The bytes already read go in on stdin: what is extracted is what
	// was checked, even if the file is replaced meanwhile.
	cmd := exec.CommandContext(rctx, bin, "-raw", "-bbox", "-enc", "UTF-8", "-eol", "unix", "-", "-")
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
	pages, err := parseBBox(out.buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("pdf: %s: reading pdftotext's output: %w", path, err)
	}
	doc := layoutDocument(pages)
	if strings.TrimSpace(doc.Text) == "" {
		return nil, fmt.Errorf("pdf: %s: %w: no text layer on its %d pages (a scanned PDF needs OCR first)", path, ErrNoText, len(doc.PageStarts))
	}
	return []Document{doc}, nil
}

func isCJKPunct(r rune) bool {
	return (r >= 0x3000 && r <= 0x303F) || (r >= 0xFF00 && r <= 0xFF0F) || (r >= 0xFF1A && r <= 0xFF20) ||
		(r >= 0x2018 && r <= 0x201F) || r == 0x2014 || r == 0xFF5E
}

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

// furniture finds page numbers and running headers and footers: lines
// among the furnitureDepth topmost or bottommost of a page (pages hold
// their lines top to bottom) that are a page number, or that (digits aside)
// recur at the top or bottom of at least half the pages (and of two at
// least). It returns, per page, the indices to drop.
func furniture(pages [][]string) []map[int]bool {
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
	drops := make([]map[int]bool, len(pages))
	for i, ls := range pages {
		drops[i] = map[int]bool{}
		edge(ls, func(j int) {
			if pageNumber.MatchString(ls[j]) || (len(pages) >= 2 && count[key(ls[j])] >= need) {
				drops[i][j] = true
			}
		})
	}
	return drops
}
