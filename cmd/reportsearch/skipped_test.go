package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/reportsearch/reportsearch/indexer"
)

// The skipped files are named one a line, and the counts that have a way
// out get it: a larger --max-file-size, or the packages that give PDF text.
func TestReportSkipped(t *testing.T) {
	var w bytes.Buffer
	reportSkipped(&w, &indexer.Set{
		Errors:   []string{"big.txt: over the limit", "pdf: r.pdf: extractor not installed: pdftotext was not found on PATH", "s.pdf: ..."},
		TooLarge: 1, NoExtractor: 2,
	}, "7MiB")
	out := w.String()
	for _, want := range []string{
		"reportsearch: skipped: big.txt: over the limit\n",
		"reportsearch: skipped: pdf: r.pdf",
		"1 file was over --max-file-size 7MiB and skipped",
		"2 files were skipped for want of pdftotext: install Debian's poppler-utils and poppler-data",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	w.Reset()
	reportSkipped(&w, &indexer.Set{}, "7MiB")
	if w.Len() != 0 {
		t.Errorf("nothing skipped, yet: %q", w.String())
	}
}
