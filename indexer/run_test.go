package indexer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/reportsearch/reportsearch/chunk"
	"github.com/reportsearch/reportsearch/embed"
	"github.com/reportsearch/reportsearch/internal/fakeembed"
	"github.com/reportsearch/reportsearch/store"
)

// report writes a report of n paragraphs whose text names tag, so the
// chunks of two files with the same name differ.
func report(t *testing.T, path, tag string, n int) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "%s市政府工作报告\n\n", tag)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "第%d段：%s在这一段里推进第%d项重点工作，加快建设现代化产业体系，稳步扩大内需，持续改善民生福祉。\n\n", i, tag, i)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

func testConfig(dir string, log *bytes.Buffer) Config {
	return Config{Dir: dir, Options: chunk.DefaultOptions(), ContextHeader: true, Lexical: DefaultLexical, Group: 2, Log: log}
}

func index(t *testing.T, cfg Config, emb embed.Embedder, paths ...string) Stats {
	t.Helper()
	set, err := ReadFiles(t.Context(), paths, cfg.Options)
	if err != nil {
		t.Fatal(err)
	}
	model := embed.ModelInfo{}
	if f, ok := emb.(*fakeembed.Embedder); ok && f != nil {
		model = f.Model
	} else {
		emb = nil
	}
	st, err := Run(context.Background(), cfg, emb, model, set)
	if err != nil {
		t.Fatalf("index %v: %v", paths, err)
	}
	return st
}

// byFile groups a snapshot's chunk texts by file key, checking on the way
// that IDs are unique and built on the file key.
func byFile(t *testing.T, dir string) (map[string][]string, *store.Snapshot) {
	t.Helper()
	snap, err := store.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	ids := map[string]bool{}
	for _, r := range snap.Records {
		if ids[r.ID] {
			t.Fatalf("ID %s twice", r.ID)
		}
		ids[r.ID] = true
		if !strings.HasPrefix(r.ID, r.File+"#") {
			t.Errorf("ID %s is not built on file key %s", r.ID, r.File)
		}
		out[r.File] = append(out[r.File], r.Text)
	}
	return out, snap
}

// checkReport says that key holds exactly n paragraphs, all of tag's file.
func checkReport(t *testing.T, files map[string][]string, key, tag string, n int) {
	t.Helper()
	texts := files[key]
	if len(texts) != n {
		t.Errorf("%s holds %d chunks, want %d (of %s): %q", key, len(texts), n, tag, texts)
	}
	for _, tx := range texts {
		if !strings.Contains(tx, tag) {
			t.Errorf("%s holds a chunk of another file: %q", key, tx)
		}
	}
}

func TestSameFileNameTwoRoots(t *testing.T) {
	root := t.TempDir()
	rA, rB := filepath.Join(root, "rA"), filepath.Join(root, "rB")
	report(t, filepath.Join(rA, "r.txt"), "甲", 10)
	report(t, filepath.Join(rB, "r.txt"), "乙", 3)

	t.Run("one run", func(t *testing.T) {
		var log bytes.Buffer
		dir := t.TempDir()
		emb := fakeembed.New("fake", 8)
		st := index(t, testConfig(dir, &log), emb, rA, rB)
		files, _ := byFile(t, dir)
		checkReport(t, files, "rA/r.txt", "甲", 10)
		checkReport(t, files, "rB/r.txt", "乙", 3)
		if st.Chunks != 13 || st.Embedded != 13 || len(files) != 2 {
			t.Errorf("stats %+v, files %d", st, len(files))
		}
		if !strings.Contains(log.String(), "cited as rA/r.txt") {
			t.Errorf("the renaming is not said: %q", log.String())
		}
	})
	t.Run("two runs", func(t *testing.T) {
		var log bytes.Buffer
		dir := t.TempDir()
		emb := fakeembed.New("fake", 8)
		index(t, testConfig(dir, &log), emb, rA)
		st := index(t, testConfig(dir, &log), emb, rB)
		files, _ := byFile(t, dir)
		checkReport(t, files, "r.txt", "甲", 10) // the stored file keeps its key
		checkReport(t, files, "rB/r.txt", "乙", 3)
		if st.Removed != 0 || st.Added != 3 || emb.Embedded() != 13 {
			t.Errorf("second run %+v, %d embedded in all", st, emb.Embedded())
		}
		// And both again in one run: nothing moves, nothing is embedded.
		st = index(t, testConfig(dir, &log), emb, rA, rB)
		again, _ := byFile(t, dir)
		checkReport(t, again, "r.txt", "甲", 10)
		checkReport(t, again, "rB/r.txt", "乙", 3)
		if st.Reused != 13 || st.Added != 0 || st.Removed != 0 || emb.Embedded() != 13 {
			t.Errorf("third run %+v, %d embedded in all", st, emb.Embedded())
		}
	})
}

// TestMigratesCollidingKeys starts from what the older version left after
// `index rA; index rB`: A's paragraphs 4-10 and B's 1-3 all under "r.txt".
func TestMigratesCollidingKeys(t *testing.T) {
	root := t.TempDir()
	rA, rB := filepath.Join(root, "rA"), filepath.Join(root, "rB")
	report(t, filepath.Join(rA, "r.txt"), "甲", 10)
	report(t, filepath.Join(rB, "r.txt"), "乙", 3)
	dir := t.TempDir()
	var log bytes.Buffer
	emb := fakeembed.New("fake", 8)
	cfg := testConfig(dir, &log)
	index(t, cfg, emb, filepath.Join(rA, "r.txt"))
	bSet, err := ReadFiles(t.Context(), []string{filepath.Join(rB, "r.txt")}, cfg.Options)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := store.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	// The old merge: B's chunks replace A's of the same ID.
	for _, b := range bSet.Records {
		for i := range snap.Records {
			if snap.Records[i].ID == b.ID {
				b.Hash = snap.Records[i].Hash // any hash; vectors of B are not checked
				snap.Records[i] = b
			}
		}
	}
	if err := store.Save(dir, snap); err != nil {
		t.Fatal(err)
	}
	before := emb.Embedded()

	st := index(t, cfg, emb, filepath.Join(rB, "r.txt"))
	files, after := byFile(t, dir)
	checkReport(t, files, "rA/r.txt", "甲", 7)
	checkReport(t, files, "rB/r.txt", "乙", 3)
	for _, r := range after.Records {
		if r.Vector == nil {
			t.Errorf("%s lost its vector", r.ID)
		}
	}
	if emb.Embedded()-before != 3 {
		t.Errorf("%d embedded by the migration, want 3 (B's chunks only): %+v", emb.Embedded()-before, st)
	}
	if !strings.Contains(log.String(), filepath.Join(rA, "r.txt")+" shared its name") {
		t.Errorf("A's possibly missing chunks are not mentioned: %q", log.String())
	}
	// Indexing A again restores its first paragraphs under its new key.
	index(t, cfg, emb, filepath.Join(rA, "r.txt"))
	files, _ = byFile(t, dir)
	checkReport(t, files, "rA/r.txt", "甲", 10)
	checkReport(t, files, "rB/r.txt", "乙", 3)
}

// TestRebuildKeepsVectors: a rebuild reuses the old snapshot's vectors by
// hash, so one cut short right after its first save still holds them all.
func TestRebuildKeepsVectors(t *testing.T) {
	root := t.TempDir()
	report(t, filepath.Join(root, "a.txt"), "甲", 10)
	dir := t.TempDir()
	var log bytes.Buffer
	cfg := testConfig(dir, &log)
	emb := fakeembed.New("fake", 8)
	index(t, cfg, emb, root)
	report(t, filepath.Join(root, "b.txt"), "乙", 4) // something to embed

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	killer := fakeembed.New("fake", 8)
	killer.OnCall = func(int) { cancel() }
	set, err := ReadFiles(t.Context(), []string{root}, cfg.Options)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Rebuild = true
	st, err := Run(ctx, cfg, killer, killer.Model, set)
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("err = %v, want interrupted", err)
	}
	_, snap := byFile(t, dir)
	if n := snap.Embedded(); n != 10 || st.Reused != 10 || killer.Embedded() != 0 {
		t.Errorf("%d vectors on disk, %d reused, %d embedded; want 10, 10, 0", n, st.Reused, killer.Embedded())
	}
	// A corrupted snapshot cannot give vectors: the rebuild goes on without.
	path := filepath.Join(dir, store.SnapshotName)
	data, _ := os.ReadFile(path)
	data[len(data)/2] ^= 0xff
	os.WriteFile(path, data, 0o644)
	log.Reset()
	st = index(t, cfg, emb, root)
	if st.Reused != 0 || st.Chunks != 14 || st.Pending != 0 || !strings.Contains(log.String(), "without reusing stored vectors") {
		t.Errorf("rebuild of a corrupted snapshot: %+v, log %q", st, log.String())
	}
}

// TestLexicalRunKeepsVectors: a run with no model answering (model unknown,
// e.g. --collection with Ollama down) keeps the collection's vectors.
func TestLexicalRunKeepsVectors(t *testing.T) {
	root := t.TempDir()
	report(t, filepath.Join(root, "a.txt"), "甲", 5)
	dir := t.TempDir()
	var log bytes.Buffer
	cfg := testConfig(dir, &log)
	index(t, cfg, fakeembed.New("fake", 8), root)
	report(t, filepath.Join(root, "b.txt"), "乙", 2)
	st := index(t, cfg, nil, root)
	_, snap := byFile(t, dir)
	if snap.Embedded() != 5 || st.Pending != 2 || snap.Manifest.Model.Name != "fake" {
		t.Errorf("%d vectors, %d pending, model %q; want 5, 2, fake", snap.Embedded(), st.Pending, snap.Manifest.Model.Name)
	}
}

// TestFailedSaveReportsWhatIsOnDisk: when a checkpoint cannot be written
// (a full disk), the stats describe the last snapshot saved.
func TestFailedSaveReportsWhatIsOnDisk(t *testing.T) {
	root := t.TempDir()
	report(t, filepath.Join(root, "a.txt"), "甲", 12)
	dir := t.TempDir()
	var log bytes.Buffer
	cfg := testConfig(dir, &log)
	cfg.Checkpoint = time.Nanosecond // save after every group
	saves := 0
	cfg.save = func(dir string, s *store.Snapshot) error {
		saves++
		if saves > 3 {
			return &os.PathError{Op: "write", Path: filepath.Join(dir, ".snapshot-1.tmp"), Err: syscall.ENOSPC}
		}
		return store.Save(dir, s)
	}
	set, err := ReadFiles(t.Context(), []string{root}, cfg.Options)
	if err != nil {
		t.Fatal(err)
	}
	emb := fakeembed.New("fake", 8)
	st, err := Run(context.Background(), cfg, emb, emb.Model, set)
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("err = %v, want ENOSPC", err)
	}
	_, snap := byFile(t, dir)
	onDisk := snap.Embedded()
	if !st.Saved || st.Chunks != len(snap.Records) || st.Embedded != onDisk || st.Pending != len(snap.Records)-onDisk {
		t.Errorf("stats say %d chunks, %d embedded, %d pending; disk holds %d chunks, %d with vectors", st.Chunks, st.Embedded, st.Pending, len(snap.Records), onDisk)
	}
	if onDisk == 0 || onDisk == 12 || emb.Embedded() <= onDisk {
		t.Errorf("the test does not fail mid-run: %d on disk, %d embedded", onDisk, emb.Embedded())
	}
}

// TestFailureBeforeSavingSavesNothing: a corrupted snapshot stops the run
// before it changes anything, and the stats say nothing was saved.
func TestFailureBeforeSavingSavesNothing(t *testing.T) {
	root := t.TempDir()
	report(t, filepath.Join(root, "a.txt"), "甲", 3)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, store.SnapshotName), []byte("not a snapshot at all, just some bytes here"), 0o644); err != nil {
		t.Fatal(err)
	}
	set, err := ReadFiles(t.Context(), []string{root}, chunk.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	st, err := Run(context.Background(), testConfig(dir, &log), nil, embed.ModelInfo{}, set)
	if !errors.Is(err, store.ErrCorrupt) || st.Saved {
		t.Errorf("err = %v, saved = %v; want ErrCorrupt, false", err, st.Saved)
	}
}
