package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reportsearch/reportsearch/chunk"
)

// encodeV1 is the version 1 encoder as it was shipped (store.go before
// format version 2), kept to prove old snapshots still load.
func encodeV1(t testing.TB, s *Snapshot) []byte {
	t.Helper()
	s.Manifest.Chunks = len(s.Records)
	var buf bytes.Buffer
	buf.Write([]byte("RSDB\x00\x01\n"))
	buf.Write(make([]byte, 8))
	if err := gob.NewEncoder(&buf).Encode(s); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	binary.BigEndian.PutUint64(data[7:], uint64(len(data)-7-8))
	sum := sha256.Sum256(data)
	return append(data, sum[:]...)
}

func sampleSnapshot(n int) *Snapshot {
	return &Snapshot{Manifest: Manifest{Name: "written-as", Chunker: "chunk-v1", Lexical: "bigram", Complete: true,
		Updated: time.Date(2026, 3, 5, 1, 2, 3, 0, time.UTC)}, Records: records(n), Lexical: []byte("lex")}
}

// A snapshot written by the version 1 encoder loads, describes itself, and
// is rewritten as version 2 by the next Save: no user has to rebuild.
func TestVersion1SnapshotStillLoads(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "old")
	os.Mkdir(dir, 0o755)
	want := sampleSnapshot(300)
	path := filepath.Join(dir, SnapshotName)
	if err := os.WriteFile(path, encodeV1(t, want), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := Load(dir)
	if err != nil {
		t.Fatalf("version 1 snapshot: %v", err)
	}
	if len(got.Records) != 300 || got.Records[7].Text != want.Records[7].Text || string(got.Lexical) != "lex" || got.Manifest.Chunker != "chunk-v1" {
		t.Fatalf("version 1 snapshot read back wrong: %+v", got.Manifest)
	}
	m, err := ReadManifest(dir)
	if err != nil || m.Chunks != 300 || m.Name != "old" || !m.Updated.Equal(want.Manifest.Updated) {
		t.Fatalf("ReadManifest of version 1: %+v, %v", m, err)
	}
	if m, err := Check(dir); err != nil || m.Chunks != 300 {
		t.Fatalf("Check of version 1: %+v, %v", m, err)
	}
	if err := Save(dir, got); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if v, err := formatVersion(b); v != FormatVersion || err != nil {
		t.Fatalf("after Save the file is version %d (%v), want %d", v, err, FormatVersion)
	}
	again, err := Load(dir)
	if err != nil || len(again.Records) != 300 {
		t.Fatalf("rewritten snapshot: %v", err)
	}
}

// ReadManifest reads the header only: damage in the body does not reach it
// (Load finds it), damage in the header or a wrong length does.
func TestReadManifestReadsOnlyTheHeader(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "coll")
	if err := Save(dir, sampleSnapshot(200)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, SnapshotName)
	good, _ := os.ReadFile(path)
	m, err := ReadManifest(dir)
	if err != nil || m.Chunks != 200 || m.Embedded != 150 || m.Name != "coll" || m.Lexical != "bigram" || !m.Complete {
		t.Fatalf("manifest %+v, %v", m, err)
	}
	hdrLen := headerSize + int(binary.BigEndian.Uint64(good[magicLen:])) + sumSize

	body := bytes.Clone(good)
	body[len(body)-100] ^= 1
	os.WriteFile(path, body, 0o644)
	if _, err := ReadManifest(dir); err != nil {
		t.Errorf("a body byte flip reached ReadManifest: %v", err)
	}
	if _, err := Load(dir); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Load of a flipped body byte: %v", err)
	}
	// Check streams the whole file through the checksum, decoding nothing.
	if _, err := Check(dir); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Errorf("Check of a flipped body byte: %v", err)
	}
	os.WriteFile(path, good, 0o644)
	if m, err := Check(dir); err != nil || m.Chunks != 200 || m.Name != "coll" {
		t.Errorf("Check of a good snapshot: %+v, %v", m, err)
	}

	for name, data := range map[string][]byte{
		"header byte flipped": func() []byte { b := bytes.Clone(good); b[headerSize+3] ^= 1; return b }(),
		"header sum flipped":  func() []byte { b := bytes.Clone(good); b[hdrLen-1] ^= 1; return b }(),
		"truncated body":      good[:len(good)-1],
		"grown":               append(bytes.Clone(good), 0),
		"huge manifest length": func() []byte {
			b := bytes.Clone(good)
			binary.BigEndian.PutUint64(b[magicLen:], 1<<40)
			return b
		}(),
		"huge body length": func() []byte {
			b := bytes.Clone(good)
			binary.BigEndian.PutUint64(b[hdrLen:], 1<<62)
			return b
		}(),
		"unknown version": func() []byte { b := bytes.Clone(good); b[5] = 9; return b }(),
		"header only":     good[:hdrLen],
		"magic only":      good[:magicLen],
	} {
		os.WriteFile(path, data, 0o644)
		_, err := ReadManifest(dir)
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: ReadManifest: want ErrCorrupt naming the file, got %v", name, err)
		}
		if _, err := Load(dir); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: Load: want ErrCorrupt, got %v", name, err)
		}
		if _, err := Check(dir); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: Check: want ErrCorrupt, got %v", name, err)
		}
	}
}

// A collection's name is its folder's, whatever the manifest was written
// with: a copied folder is reported under its own name.
func TestNameIsTheFolders(t *testing.T) {
	data := t.TempDir()
	orig := filepath.Join(data, "orig")
	if err := Save(orig, sampleSnapshot(3)); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(orig, SnapshotName))
	backup := filepath.Join(data, "backup")
	os.Mkdir(backup, 0o755)
	os.WriteFile(filepath.Join(backup, SnapshotName), b, 0o644)
	for _, dir := range []string{orig, backup} {
		s, err := Load(dir)
		if err != nil || s.Manifest.Name != filepath.Base(dir) {
			t.Errorf("Load(%s): name %q, %v", dir, s.Manifest.Name, err)
		}
	}
	infos, err := List(data)
	if err != nil || len(infos) != 2 {
		t.Fatalf("List: %+v %v", infos, err)
	}
	for _, in := range infos {
		if in.Name != filepath.Base(in.Dir) || in.Manifest.Name != in.Name {
			t.Errorf("List: %+v", in)
		}
	}
}

var (
	bigOnce sync.Once
	bigDir  string
)

// bigCollection is a snapshot of 20,000 chunks of 300 characters with
// 1024-dimensional vectors (bge-m3's size), about 110 MB.
func bigCollection(b *testing.B) string {
	bigOnce.Do(func() {
		d, err := os.MkdirTemp("", "store-bench-")
		if err != nil {
			b.Fatal(err)
		}
		bigDir = filepath.Join(d, "big")
		recs := make([]Record, 20_000)
		text := strings.Repeat("政府工作报告稳增长", 34)
		for i := range recs {
			v := make([]float32, 1024)
			for j := range v {
				v[j] = float32((i*31+j)%97) / 97
			}
			recs[i] = Record{Chunk: chunk.Chunk{ID: fmt.Sprintf("f%d.txt#0.%d", i/100, i), File: fmt.Sprintf("f%d.txt", i/100),
				Report: "r", Paragraph: i, Text: text}, Source: "/x/f.txt", Hash: fmt.Sprint(i), Vector: v}
		}
		if err := Save(bigDir, &Snapshot{Manifest: Manifest{Chunker: "c"}, Records: recs, Lexical: make([]byte, 4<<20)}); err != nil {
			b.Fatal(err)
		}
	})
	return bigDir
}

// TestMain removes the benchmarks' shared snapshot.
func TestMain(m *testing.M) {
	code := m.Run()
	if bigDir != "" {
		os.RemoveAll(filepath.Dir(bigDir))
	}
	os.Exit(code)
}

func BenchmarkReadManifest(b *testing.B) {
	dir := bigCollection(b)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if m, err := ReadManifest(dir); err != nil || m.Chunks != 20_000 {
			b.Fatal(m.Chunks, err)
		}
	}
}

// BenchmarkCheck is what `status` pays per collection: the header and one
// streaming pass of SHA-256 over the file.
func BenchmarkCheck(b *testing.B) {
	dir := bigCollection(b)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if m, err := Check(dir); err != nil || m.Chunks != 20_000 {
			b.Fatal(m.Chunks, err)
		}
	}
}

func BenchmarkLoad(b *testing.B) {
	dir := bigCollection(b)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if s, err := Load(dir); err != nil || len(s.Records) != 20_000 {
			b.Fatal(err)
		}
	}
}
