package indexer

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reportsearch/reportsearch/chunk"
	"github.com/reportsearch/reportsearch/extract"
)

// A format only tests register: each file is one document whose pages are
// the file's parts split at "\f" (as pdftotext writes them), with the page
// marks removed from Text; "BROKEN" anywhere makes it unreadable.
func init() {
	extract.Register(&extract.Format{
		Name: "testpages",
		Exts: []string{".testpages"},
		Read: func(ctx context.Context, path string, data []byte) ([]extract.Document, error) {
			if strings.Contains(string(data), "BROKEN") {
				return nil, errors.New(path + ": damaged test file")
			}
			d := extract.Document{Title: "标题来自元数据", Year: 2025, URL: "https://example.gov.cn/a.html"}
			var b strings.Builder
			for _, pg := range strings.Split(string(data), "\f") {
				d.PageStarts = append(d.PageStarts, b.Len())
				b.WriteString(pg)
			}
			d.Text = b.String()
			return []extract.Document{d}, nil
		},
	})
}

// TestReadFilesDispatchesByFormat: a folder walk collects a registered
// format's files beside .txt; each chunk carries its document's page range,
// year and URL, and the document's title where the text names none; a
// damaged file is named and the rest indexed; files with no reader are
// named in one line with their extensions, not passed over in silence.
func TestReadFilesDispatchesByFormat(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "a.txt"), sampleReport)
	page1 := "第一页的段落讲述全省生产总值增长百分之五，经济运行总体平稳、稳中有进。\n\n"
	page2 := "第二页的段落推进城市更新，加快老旧小区改造，扩大有效投资和居民消费。\n\n"
	writeFile(t, filepath.Join(root, "b.testpages"), page1+"\f"+page2)
	writeFile(t, filepath.Join(root, "c.testpages"), "BROKEN")
	writeFile(t, filepath.Join(root, "d.doc"), "x")
	writeFile(t, filepath.Join(root, "sub", "e.xls"), "x")
	writeFile(t, filepath.Join(root, "README.md"), "about this folder")
	set, err := ReadFilesWith(t.Context(), []string{root}, ReadOptions{Chunk: chunk.Options{MaxRunes: 400, MinRunes: 0}})
	if err != nil {
		t.Fatal(err)
	}
	if got := sources(set); strings.Join(got, " ") != "a.txt b.testpages" {
		t.Fatalf("sources %v, want a.txt b.testpages", got)
	}
	var pages []int
	for _, r := range set.Records {
		if r.File != "b.testpages" {
			if r.Page != 0 || r.Year != 0 || r.URL != "" {
				t.Errorf("text chunk %s has page %d year %d url %q", r.ID, r.Page, r.Year, r.URL)
			}
			continue
		}
		pages = append(pages, r.Page, r.PageEnd)
		if r.Year != 2025 || r.URL != "https://example.gov.cn/a.html" || r.Report != "标题来自元数据" {
			t.Errorf("chunk %s: year %d url %q report %q", r.ID, r.Year, r.URL, r.Report)
		}
	}
	if want := []int{1, 1, 2, 2}; len(pages) != 4 || pages[0] != 1 || pages[1] != 1 || pages[2] != 2 || pages[3] != 2 {
		t.Errorf("pages %v, want %v", pages, want)
	}
	errs := strings.Join(set.Errors, "\n")
	if !strings.Contains(errs, "c.testpages: damaged test file") {
		t.Errorf("damaged file not named: %s", errs)
	}
	if !set.Unreadable[filepath.Join(root, "c.testpages")] {
		t.Errorf("damaged file not kept as unreadable")
	}
	if !strings.Contains(errs, "2 files with unsupported extensions (.doc, .xls;") ||
		!strings.Contains(errs, "d.doc") || !strings.Contains(errs, "e.xls") || strings.Contains(errs, "README") {
		t.Errorf("unsupported files not named as such: %s", errs)
	}
	if len(set.Unsupported) != 2 {
		t.Errorf("Unsupported = %v", set.Unsupported)
	}
}

// TestPageOf: the page of an offset is the last page starting at or
// before it.
func TestPageOf(t *testing.T) {
	starts := []int{0, 10, 10, 25}
	for at, want := range map[int]int{0: 1, 9: 1, 10: 3, 24: 3, 25: 4, 1000: 4} {
		if got := pageOf(starts, at); got != want {
			t.Errorf("pageOf(%d) = %d, want %d", at, got, want)
		}
	}
	if pageOf(nil, 5) != 0 {
		t.Error("no pages must give page 0")
	}
}

func init() {
	extract.Register(&extract.Format{
		Name: "testmulti",
		Exts: []string{".testmulti"},
		Read: func(ctx context.Context, path string, data []byte) ([]extract.Document, error) {
			var docs []extract.Document
			var bad extract.RecordErrors
			for i, rec := range strings.Split(string(data), "\n===\n") {
				if rec == "BAD" {
					bad = append(bad, &extract.RecordError{Path: path, Record: i + 1, Err: errors.New("bad record")})
					continue
				}
				docs = append(docs, extract.Document{Text: rec, Record: i + 1})
			}
			if bad != nil {
				return docs, bad
			}
			return docs, nil
		},
	})
}

// TestReadFilesMultiDocument: the reports of a file of several documents are
// numbered on from document to document, so chunk IDs stay unique; a bad
// record is named by its number and the good ones are indexed.
func TestReadFilesMultiDocument(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "m.testmulti"), sampleReport+"\n===\nBAD\n===\n"+sampleReport)
	set, err := ReadFiles(t.Context(), []string{root}, chunk.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	reports := map[int]bool{}
	for _, r := range set.Records {
		if seen[r.ID] {
			t.Errorf("duplicate ID %s", r.ID)
		}
		seen[r.ID] = true
		reports[r.ReportIndex] = true
	}
	if len(set.Records) == 0 || len(reports) != 2 {
		t.Errorf("%d chunks in reports %v, want chunks of 2 reports", len(set.Records), reports)
	}
	if errs := strings.Join(set.Errors, "\n"); !strings.Contains(errs, "m.testmulti:2: bad record") {
		t.Errorf("bad record not named: %q", errs)
	}
	if set.Unreadable[filepath.Join(root, "m.testmulti")] {
		t.Error("a file with good records is not unreadable")
	}
}

// A PDF met with no pdftotext installed is named among the skipped files
// and counted, so the command can say what to install.
func TestReadFilesCountsMissingExtractor(t *testing.T) {
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "r.pdf"), []byte("%PDF-1.4\n%fake\n"), 0o644)
	os.WriteFile(filepath.Join(root, "a.txt"), []byte("北京市政府工作报告\n\n今年经济运行总体平稳，发展质量稳步提升。\n"), 0o644)
	t.Setenv("PATH", t.TempDir())
	set, err := ReadFiles(t.Context(), []string{root}, chunk.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if set.NoExtractor != 1 || len(set.Errors) != 1 || !strings.Contains(set.Errors[0], "r.pdf") || len(set.Records) == 0 {
		t.Fatalf("NoExtractor %d, errors %q, %d records; want 1, r.pdf named, a.txt indexed", set.NoExtractor, set.Errors, len(set.Records))
	}
}
