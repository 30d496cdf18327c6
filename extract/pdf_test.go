package extract

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLayoutDocument pins how lines become paragraphs, from their boxes:
// page numbers and running headers dropped, wrapped lines joined (across a
// page break too), an indented line, a line after a short one and a
// heading after a full line starting paragraphs, a hyphenated Latin word
// joined, and where each page begins.
func TestLayoutDocument(t *testing.T) {
	const em, left, right = 10.0, 50.0, 250.0 // 20 em columns
	y := 0.0
	line := func(x0, x1 float64, text string) pdfLine {
		y += 15
		return pdfLine{text: text, x0: x0, y0: y, x1: x1, y1: y + 12}
	}
	header := func() pdfLine { return pdfLine{text: "某省人民政府公报", x0: 110, y0: 5, x1: 190, y1: 14} }
	page1 := []pdfLine{
		header(),
		line(left, 140, "一、过去一年的工作"),                // short: a heading
		line(left+2*em, right, "全省生产总值增长百分之五点二，经"),  // indented: a paragraph
		line(left, right, "济运行总体平稳、稳中有进，居民收入稳步增长。"), // full, ends a sentence
		line(left, 140, "二、今年的主要任务"),                // a heading after a full line
		line(left+2*em, right, "推进城市更新，加快老旧小区改造，扩大"),
		line(left, right, "有效投资和居民消费，建设现代"), // full: goes on over the page
		pdfLine{text: "- 1 -", x0: 140, y0: 400, x1: 160, y1: 410},
	}
	y = 0
	page2 := []pdfLine{
		header(),
		line(left, right, "化产业体系，发展new energy tech-"),
		line(left, 120, "nology产业。"),
		line(left+2*em, right, "第三段在第二页开头。"),
		line(left, right, "第三段的第二行。"),
		line(left, right, "第三段的第三行。"),
		pdfLine{text: "第 2 页", x0: 140, y0: 400, x1: 160, y1: 410},
	}
	d := layoutDocument([][]pdfLine{page1, page2})
	want := "一、过去一年的工作\n\n" +
		"全省生产总值增长百分之五点二，经济运行总体平稳、稳中有进，居民收入稳步增长。\n\n" +
		"二、今年的主要任务\n\n" +
		"推进城市更新，加快老旧小区改造，扩大有效投资和居民消费，建设现代化产业体系，发展new energy technology产业。\n\n" +
		"第三段在第二页开头。第三段的第二行。第三段的第三行。"
	if d.Text != want {
		t.Errorf("text:\n%s\nwant:\n%s", d.Text, want)
	}
	if len(d.PageStarts) != 2 || d.PageStarts[0] != 0 || !strings.HasPrefix(d.Text[d.PageStarts[1]:], "化产业体系") {
		t.Errorf("page starts %v", d.PageStarts)
	}
}

// TestParseBBox: words at one height form a line, a punctuation mark
// kerned back against the word before stays on it, a wide gap is a space,
// and a word lower down starts a line.
func TestParseBBox(t *testing.T) {
	out := `<!DOCTYPE html><html><body><doc><page width="595" height="842">
<word xMin="63" yMin="251.7" xMax="135" yMax="282.9">资“生命线”</word>
<word xMin="129" yMin="251.7" xMax="273" yMax="282.9">。二要&amp;跑出</word>
<word xMin="63" yMin="268.9" xMax="100" yMax="300.1">确保</word>
<word xMin="104" yMin="268.9" xMax="130" yMax="300.1">2024</word>
</page><page width="595" height="842"></page></doc></body></html>`
	pages, err := parseBBox([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 2 || len(pages[0]) != 2 || pages[0][0].text != "资“生命线”。二要&跑出" || pages[0][1].text != "确保 2024" || len(pages[1]) != 0 {
		t.Errorf("pages %+v", pages)
	}
}

// fakePdftotext puts a pdftotext on PATH that runs script (sh), for the
// failures a real one gives only with inputs hard to make.
func fakePdftotext(t *testing.T, script string) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pdftotext"), []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
}

const minimalPDF = "%PDF-1.4\n%fake\n"

func TestPDFErrors(t *testing.T) {
	t.Run("missing pdftotext is ErrNoExtractor, naming the program", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())
		_, err := readPDF(t.Context(), "r.pdf", []byte(minimalPDF))
		if !errors.Is(err, ErrNoExtractor) || !strings.Contains(err.Error(), "pdftotext") || !strings.Contains(err.Error(), "r.pdf") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("not a PDF", func(t *testing.T) {
		_, err := readPDF(t.Context(), "r.pdf", []byte("<html>"))
		if err == nil || !strings.Contains(err.Error(), "not a PDF") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("encrypted", func(t *testing.T) {
		fakePdftotext(t, `echo "Command Line Error: Incorrect password" >&2; exit 1`)
		_, err := readPDF(t.Context(), "r.pdf", []byte(minimalPDF))
		if err == nil || !strings.Contains(err.Error(), "encrypted PDF") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("hang is cut at PDFTimeout", func(t *testing.T) {
		fakePdftotext(t, `exec sleep 600`)
		old := PDFTimeout
		PDFTimeout = 100 * time.Millisecond
		defer func() { PDFTimeout = old }()
		_, err := readPDF(t.Context(), "r.pdf", []byte(minimalPDF))
		if err == nil || !strings.Contains(err.Error(), "did not finish within") || !strings.Contains(err.Error(), "PDFTimeout") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("no text layer", func(t *testing.T) {
		fakePdftotext(t, `echo '<html><body><doc><page width="595" height="842"></page><page width="595" height="842"></page></doc></body></html>'`)
		_, err := readPDF(t.Context(), "scan.pdf", []byte(minimalPDF))
		if err == nil || !strings.Contains(err.Error(), "no text layer") || !strings.Contains(err.Error(), ErrNoText.Error()) {
			t.Errorf("err = %v", err)
		}
	})
}
