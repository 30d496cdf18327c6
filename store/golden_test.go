package store

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// goldenFile is a version 2 snapshot written by an earlier build: commit
// 8ab6bb0, before the on-disk types moved into package schema (which
// changed the Go type names gob records, never a field). Every build must
// read it with every field as written; `go test ./store -run
// TestGoldenSnapshot -update` rewrites it, which is only right together
// with a new FormatVersion.
var goldenFile = filepath.Join("testdata", "golden-v2.rsdb")

// goldenSnapshot fills every field of every encoded type, so a field that
// is no longer decoded (renamed, retyped) shows as a difference.
func goldenSnapshot() *Snapshot {
	s := &Snapshot{Lexical: []byte("lexical-bytes")}
	m := &s.Manifest
	m.Name = "golden"
	m.Model.Name, m.Model.Digest, m.Model.Dims = "bge-m3", "sha256:0123", 3
	m.Model.QueryPrefix, m.Model.DocumentPrefix, m.Model.TextForm = "q: ", "d: ", "ascii-punct"
	m.Chunker = "chunk-v1-max400-min40"
	m.Options.MaxRunes, m.Options.MinRunes = 400, 40
	m.ContextHeader, m.Lexical, m.Complete = true, "cjk-bigram-v1", true
	m.Updated = time.Date(2026, 3, 5, 9, 30, 0, 0, time.UTC)
	m.Chunks, m.Embedded = 2, 1
	for i, text := range []string{"地区生产总值增长5%左右。", "城镇新增就业1200万人以上。"} {
		var r Record
		r.ID = "r.txt#0." + string(rune('1'+i))
		r.File, r.Report, r.ReportIndex, r.Region = "r.txt", "北京市政府工作报告", 0, "北京市"
		r.Headings = []string{"一、2025年工作回顾", "（一）经济"}
		r.Paragraph, r.Part, r.Text = i+1, i, text
		r.Start, r.End, r.Line, r.Page, r.PageEnd = 10*i, 10*i+9, i+3, i+1, i+2
		r.Year, r.URL = 2026, "https://example.gov.cn/r"
		r.Source, r.Hash = "/corpus/r.txt", "hash"+text
		if i == 0 {
			r.Vector = []float32{0.25, -0.5, 1}
		}
		s.Records = append(s.Records, r)
	}
	return s
}

func TestGoldenSnapshot(t *testing.T) {
	want := goldenSnapshot()
	dir := filepath.Join(t.TempDir(), "golden")
	if *update {
		if err := Save(dir, want); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dir, SnapshotName))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(goldenFile, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(goldenFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, SnapshotName), b, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("golden snapshot read back as\n%+v\nwant\n%+v", got, want)
	}
	if m, err := ReadManifest(dir); err != nil || !reflect.DeepEqual(m, want.Manifest) {
		t.Errorf("ReadManifest = %+v, %v; want %+v", m, err, want.Manifest)
	}
}
