package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reportsearch/reportsearch/chunk"
)

func records(n int) []Record {
	out := make([]Record, n)
	for i := range out {
		v := []float32{float32(i%7) + 1, float32(i%5) + 1, float32(i % 3)}
		if i%4 == 3 {
			v = nil // not embedded yet
		}
		out[i] = Record{Chunk: chunk.Chunk{ID: fmt.Sprintf("f.txt#0.%d", i), File: "f.txt", Report: "r", Paragraph: i + 1,
			Text: fmt.Sprintf("段落 %d", i)}, Source: "/x/f.txt", Hash: fmt.Sprint(i), Vector: v}
	}
	return out
}

// The reason this store exists: chromem-go's persistent mode names files by
// 32 bits of a hash, so tens of thousands of IDs collide and documents are
// lost. A snapshot must give back exactly what was written, at that scale.
func TestSaveLoadKeepsEveryRecord(t *testing.T) {
	dir := t.TempDir()
	recs := records(50_000)
	if err := Save(dir, &Snapshot{Manifest: Manifest{Name: "c"}, Records: recs, Lexical: []byte("lex")}); err != nil {
		t.Fatal(err)
	}
	got, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Records) != len(recs) || got.Manifest.Chunks != len(recs) {
		t.Fatalf("wrote %d records, read %d (manifest %d)", len(recs), len(got.Records), got.Manifest.Chunks)
	}
	if got.Manifest.Embedded != 50_000-50_000/4 {
		t.Errorf("embedded count %d", got.Manifest.Embedded)
	}
	seen := map[string]bool{}
	for i, r := range got.Records {
		if seen[r.ID] {
			t.Fatalf("duplicate %s", r.ID)
		}
		seen[r.ID] = true
		if r.ID != recs[i].ID || r.Text != recs[i].Text || len(r.Vector) != len(recs[i].Vector) {
			t.Fatalf("record %d differs: %+v vs %+v", i, r, recs[i])
		}
	}
	if string(got.Lexical) != "lex" {
		t.Errorf("lexical bytes lost")
	}
}

func TestCorruptionIsDetected(t *testing.T) {
	dir := t.TempDir()
	if err := Save(dir, &Snapshot{Records: records(100)}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, SnapshotName)
	good, _ := os.ReadFile(path)
	cases := map[string][]byte{
		"truncated":    good[:len(good)/2],
		"flipped byte": append(append([]byte{}, good[:len(good)/2]...), append([]byte{good[len(good)/2] ^ 0x40}, good[len(good)/2+1:]...)...),
		"empty":        {},
		"garbage":      []byte("this is not a snapshot at all, but long enough to pass the size check......"),
	}
	for name, data := range cases {
		os.WriteFile(path, data, 0o644)
		_, err := Load(dir)
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: want ErrCorrupt, got %v", name, err)
		}
	}
}

func TestLockIsExclusiveAndReleased(t *testing.T) {
	dir := t.TempDir()
	l, err := AcquireLock(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := AcquireLock(dir); !errors.Is(err, ErrLocked) {
		t.Fatalf("second lock: want ErrLocked, got %v", err)
	}
	l.Release()
	l2, err := AcquireLock(dir)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	l2.Release()
}

func TestLockRemovesTempsOfAKilledWriter(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, ".snapshot-123.tmp")
	keep := filepath.Join(dir, "notes.tmp")
	for _, p := range []string{stale, keep} {
		if err := os.WriteFile(p, []byte("half a snapshot"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	l, err := AcquireLock(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale temporary still there: %v", err)
	}
	if _, err := os.Stat(keep); err != nil {
		t.Errorf("a file that is not a snapshot temporary was touched: %v", err)
	}
}

func TestCollectionNameIsSafeAndDistinct(t *testing.T) {
	a := CollectionName("hf.co/BAAI/bge-m3:Q8", "chunk-v1-max400-min40")
	b := CollectionName("hf.co/BAAI/bge-m3:Q8", "chunk-v1-max300-min40")
	if a == b {
		t.Fatal("different chunkers share a collection")
	}
	for _, r := range a {
		if r == '/' || r == ':' {
			t.Fatalf("unsafe name %q", a)
		}
	}
	if CollectionName("", "x")[:7] != "lexical" {
		t.Errorf("no-model collection: %q", CollectionName("", "x"))
	}
}

func TestChromemQueryOrderAndFilter(t *testing.T) {
	recs := []Record{
		{Chunk: chunk.Chunk{ID: "b", File: "f", ReportIndex: 0}, Vector: []float32{1, 0}},
		{Chunk: chunk.Chunk{ID: "a", File: "f", ReportIndex: 1}, Vector: []float32{1, 0}}, // tie with b
		{Chunk: chunk.Chunk{ID: "c", File: "f", ReportIndex: 1}, Vector: []float32{0, 1}},
		{Chunk: chunk.Chunk{ID: "d", File: "f", ReportIndex: 1}}, // no vector
	}
	ix, err := NewChromem(context.Background(), recs)
	if err != nil {
		t.Fatal(err)
	}
	if ix.Len() != 3 || ix.Dims() != 2 {
		t.Fatalf("len %d dims %d", ix.Len(), ix.Dims())
	}
	for i := 0; i < 20; i++ { // map order must never show through
		hits, err := ix.Query(context.Background(), []float32{1, 0}, 2, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) != 2 || hits[0].ID != "a" || hits[1].ID != "b" {
			t.Fatalf("tie order: %+v", hits)
		}
	}
	hits, _ := ix.Query(context.Background(), []float32{1, 0}, 10, []string{ReportKey("f", 1)})
	if len(hits) != 2 || hits[0].ID != "a" || hits[1].ID != "c" {
		t.Fatalf("report filter: %+v", hits)
	}
	if _, err := ix.Query(context.Background(), []float32{1, 0, 0}, 1, nil); err == nil {
		t.Fatal("wrong dimension accepted")
	}
}

func TestVectorDims(t *testing.T) {
	recs := []Record{{Chunk: chunk.Chunk{ID: "a"}}, {Chunk: chunk.Chunk{ID: "b"}, Vector: []float32{1, 0}}, {Chunk: chunk.Chunk{ID: "c"}, Vector: []float32{0, 1}}}
	if d, err := VectorDims(recs); d != 2 || err != nil {
		t.Errorf("got %d, %v; want 2", d, err)
	}
	if d, err := VectorDims(recs[:1]); d != 0 || err != nil {
		t.Errorf("no vectors: got %d, %v", d, err)
	}
	recs = append(recs, Record{Chunk: chunk.Chunk{ID: "d"}, Vector: []float32{1, 0, 0}})
	if _, err := VectorDims(recs); err == nil || !strings.Contains(err.Error(), "chunk d has a 3-dimensional vector, others have 2") {
		t.Errorf("mixed dimensions: %v", err)
	}
	if _, err := NewChromem(context.Background(), recs); err == nil {
		t.Error("chromem-go index accepted mixed dimensions")
	}
}

func TestSaveCountsFilesAndReports(t *testing.T) {
	s := &Snapshot{}
	for i, fr := range []struct {
		file string
		n    int
	}{{"a", 0}, {"a", 0}, {"a", 1}, {"b", 0}, {"c", 4}} {
		var r Record
		r.ID, r.File, r.ReportIndex = fmt.Sprint(i), fr.file, fr.n
		s.Records = append(s.Records, r)
	}
	dir := filepath.Join(t.TempDir(), "c")
	if err := Save(dir, s); err != nil {
		t.Fatal(err)
	}
	m, err := ReadManifest(dir)
	if err != nil || m.Files != 3 || m.Reports != 4 || m.Chunks != 5 {
		t.Fatalf("manifest: files %d reports %d chunks %d (%v), want 3 4 5", m.Files, m.Reports, m.Chunks, err)
	}
}
