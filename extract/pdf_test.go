package extract

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPDFDocumentRepairs pins the repairs of pdftotext -raw output: page
// numbers and running headers/footers dropped, wrapped lines joined into
// paragraphs (across a page break too), a kerned-back punctuation mark
// rejoined, a heading after a full last line kept apart, a hyphenated Latin
// word joined, and where each page begins.
func TestPDFDocumentRepairs(t *testing.T) {
	raw := "某省人民政府公报\n" + // running header
		"一、过去一年的工作\n" +
		"全省生产总值增长百分之五点二，经济运行\n" + // full: wrapped
		"总体平稳、稳中有进，居民收入稳步增长。\n" + // full, ends a sentence
		"二、今年的主要任务\n" + // heading after a full line
		"推进城市更新，加快老旧小区改造和建设“加\n" +
		"速度”\n" + "。扩大有效投资和居民消费，建设现代\n" + // kerned 。 on its own line
		"- 1 -\f" +
		"某省人民政府公报\n" +
		"化产业体系，发展new energy tech-\n" +
		"nology产业。\n" +
		"第 2 页\f"
	d := pdfDocument(raw)
	want := "一、过去一年的工作\n\n" +
		"全省生产总值增长百分之五点二，经济运行总体平稳、稳中有进，居民收入稳步增长。\n\n" +
		"二、今年的主要任务\n\n" +
		"推进城市更新，加快老旧小区改造和建设“加速度”。扩大有效投资和居民消费，建设现代化产业体系，发展new energy technology产业。"
	if d.Text != want {
		t.Errorf("text:\n%s\nwant:\n%s", d.Text, want)
	}
	if len(d.PageStarts) != 2 || !strings.HasPrefix(d.Text[d.PageStarts[1]:], "化产业体系") || d.PageStarts[0] != 0 {
		t.Errorf("page starts %v", d.PageStarts)
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
	t.Run("missing pdftotext names the packages", func(t *testing.T) {
		t.Setenv("PATH", t.TempDir())
		_, err := readPDF(t.Context(), "r.pdf", []byte(minimalPDF))
		if err == nil || !strings.Contains(err.Error(), "poppler-utils") || !strings.Contains(err.Error(), "r.pdf") {
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
		fakePdftotext(t, `printf '\f\n\f\f'`)
		_, err := readPDF(t.Context(), "scan.pdf", []byte(minimalPDF))
		if err == nil || !strings.Contains(err.Error(), "no text layer") || !strings.Contains(err.Error(), ErrNoText.Error()) {
			t.Errorf("err = %v", err)
		}
	})
}
