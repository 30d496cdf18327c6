package extract_test

import (
	"context"
	"fmt"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reportsearch/reportsearch/chunk"
	"github.com/reportsearch/reportsearch/extract"
	"github.com/reportsearch/reportsearch/internal/testenv"
)

// Publishers' PDFs are made here as they make them: corpus reports laid out
// in HTML with a running header, page numbers in the footer and (for one)
// two columns, printed to PDF by headless Chromium with the Noto CJK fonts.

const pageCSS = `@page { size: A4; margin: 22mm 18mm;
  @top-center { content: "%s"; font-size: 9pt; }
  @bottom-center { content: "— " counter(page) " —"; font-size: 9pt; } }
body { font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", serif; font-size: 12pt; line-height: 1.6; }
p { text-indent: 2em; margin: 0 0 .4em 0; }
.cols { column-count: 2; column-gap: 2.5em; }`

// reportHTML lays a report out as a web page: each line of the text a
// paragraph (the text files keep one paragraph per line).
func reportHTML(text, header string, twoColumns bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<!doctype html><html><head><meta charset=\"utf-8\"><style>"+pageCSS+"</style></head><body>", header)
	if twoColumns {
		b.WriteString(`<div class="cols">`)
	}
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			fmt.Fprintf(&b, "<p>%s</p>\n", html.EscapeString(l))
		}
	}
	if twoColumns {
		b.WriteString(`</div>`)
	}
	b.WriteString("</body></html>")
	return b.String()
}

// printPDF renders page to a PDF with Chromium.
func printPDF(t *testing.T, browser, dir, name, page string) string {
	t.Helper()
	in := filepath.Join(dir, name+".html")
	out := filepath.Join(dir, name+".pdf")
	if err := os.WriteFile(in, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
		"--user-data-dir="+filepath.Join(dir, "profile"), "--print-to-pdf="+out, "file://"+in)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, b)
	}
	return out
}

// agreement counts want's chunk texts found among got's: identical, and
// identical but for white space (a PDF keeps no space between Chinese and
// digits that the text file had: "确保 2024 年" prints as "确保2024年").
func agreement(want, got []chunk.Chunk) (same, sameBut, total int) {
	have, haveBut := map[string]int{}, map[string]int{}
	for _, c := range got {
		have[c.Text]++
		haveBut[noSpace(c.Text)]++
	}
	for _, c := range want {
		if have[c.Text] > 0 {
			have[c.Text]--
			same++
		}
		if k := noSpace(c.Text); haveBut[k] > 0 {
			haveBut[k]--
			sameBut++
		}
	}
	return same, sameBut, len(want)
}

func noSpace(s string) string { return strings.Join(strings.Fields(s), "") }

func corpusText(t *testing.T, name string) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(testenv.Shared(t), "corpus", name+"_*.txt"))
	if len(m) != 1 {
		t.Fatalf("corpus report %s not found", name)
	}
	b, err := os.ReadFile(m[0])
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestPDFMatchesText: the chunks of a report printed to PDF (running header,
// page numbers, two columns for one) are nearly all identical to the chunks
// of its text file, carry page ranges that rise through the document, and
// the furniture never reaches a chunk.
func TestPDFMatchesText(t *testing.T) {
	testenv.Pdftotext(t)
	browser := testenv.Chromium(t)
	dir := t.TempDir()
	opt := chunk.DefaultOptions()
	for _, tc := range []struct {
		report string
		cols   bool
		min    float64
	}{{"000", false, 0.95}, {"001", true, 0.9}, {"002", false, 0.95}} {
		text := corpusText(t, tc.report)
		pdf := printPDF(t, browser, dir, tc.report, reportHTML(text, "某省人民政府公报", tc.cols))
		data, err := os.ReadFile(pdf)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		docs, err := extract.ForPath(pdf).Read(t.Context(), pdf, data)
		took := time.Since(start)
		if err != nil {
			t.Fatal(err)
		}
		got, err := chunk.Split("r.pdf", docs[0].Text, opt)
		if err != nil {
			t.Fatal(err)
		}
		want, err := chunk.Split("r.txt", text, opt)
		if err != nil {
			t.Fatal(err)
		}
		same, sameBut, total := agreement(want, got)
		t.Logf("%s (two columns %v): of %d text chunks, %d identical and %d identical but for white space in the PDF version (%d chunks); %d pages, %.0f KB PDF, extracted in %v (%.2f s/MB)",
			tc.report, tc.cols, total, same, sameBut, len(got), len(docs[0].PageStarts), float64(len(data))/1e3, took, took.Seconds()/(float64(len(data))/1e6))
		if float64(sameBut) < tc.min*float64(total) {
			t.Errorf("%s: only %d of %d chunks agree, white space aside", tc.report, sameBut, total)
		}
		if strings.Contains(docs[0].Text, "某省人民政府公报") || strings.Contains(docs[0].Text, "— 2 —") {
			t.Errorf("%s: running header or page number left in the text", tc.report)
		}
		if len(docs[0].PageStarts) < 2 {
			t.Errorf("%s: %d pages", tc.report, len(docs[0].PageStarts))
		}
		// The same file cut in half, as an interrupted download leaves it.
		_, err = extract.ForPath(pdf).Read(t.Context(), pdf, data[:len(data)/2])
		if err == nil || !strings.Contains(err.Error(), "damaged or truncated PDF") || !strings.Contains(err.Error(), pdf) {
			t.Errorf("truncated %s: err = %v", tc.report, err)
		}
	}
}

// TestPDFScanned: a PDF whose pages carry no text layer (what a scanner
// writes: pictures only) is named as such, not indexed as empty.
func TestPDFScanned(t *testing.T) {
	testenv.Pdftotext(t)
	browser := testenv.Chromium(t)
	dir := t.TempDir()
	pdf := printPDF(t, browser, dir, "scan", `<!doctype html><html><body><div style="width:150mm;height:200mm;background:repeating-linear-gradient(45deg,#222,#222 2px,#ddd 2px,#ddd 6px)"></div></body></html>`)
	data, err := os.ReadFile(pdf)
	if err != nil {
		t.Fatal(err)
	}
	_, err = extract.ForPath(pdf).Read(t.Context(), pdf, data)
	if err == nil || !strings.Contains(err.Error(), "no text layer") || !strings.Contains(err.Error(), pdf) {
		t.Errorf("err = %v", err)
	}
}
