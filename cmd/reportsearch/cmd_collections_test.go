package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reportsearch/reportsearch/chunk"
	"github.com/reportsearch/reportsearch/collection"
	"github.com/reportsearch/reportsearch/embed"
	"github.com/reportsearch/reportsearch/indexer"
	"github.com/reportsearch/reportsearch/internal/testenv"
	"github.com/reportsearch/reportsearch/lexical"
	"github.com/reportsearch/reportsearch/store"
	"github.com/reportsearch/reportsearch/store/weaviate"
)

// collectionFixture writes collections straight with store.Save: the
// choice rules read only manifests, so no indexing is needed.
type collectionFixture struct {
	t    *testing.T
	data string
	t0   time.Time
}

func newCollectionFixture(t *testing.T) *collectionFixture {
	return &collectionFixture{t: t, data: t.TempDir(), t0: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
}

// add saves a collection with n chunks, updated minute minutes after t0,
// made with the default chunk settings unless chunker is given.
func (f *collectionFixture) add(name string, n, minute int, chunker ...string) {
	f.t.Helper()
	fp := chunk.Fingerprint(chunk.DefaultOptions())
	if len(chunker) > 0 {
		fp = chunker[0]
	}
	recs := make([]store.Record, n)
	for i := range recs {
		recs[i] = store.Record{Chunk: chunk.Chunk{ID: fmt.Sprintf("f.txt#0.%d", i), File: "f.txt", Report: "r", Paragraph: i + 1, Text: "经济增长"},
			Vector: []float32{1, float32(i), 2}}
	}
	// A real lexical index, so that the collection also opens for search.
	tok, err := lexical.TokenizerByName(indexer.DefaultLexical)
	if err != nil {
		f.t.Fatal(err)
	}
	lx := lexical.New(tok, lexical.DefaultParams())
	for _, r := range recs {
		lx.Add(r.ID, r.Text)
	}
	var enc bytes.Buffer
	if err := lx.Encode(&enc); err != nil {
		f.t.Fatal(err)
	}
	m := store.Manifest{Name: name, Model: embed.ModelInfo{Name: "m", Dims: 3}, Chunker: fp, Options: chunk.DefaultOptions(), Lexical: tok.Name(), Complete: true,
		Updated: f.t0.Add(time.Duration(minute) * time.Minute)}
	if err := store.Save(filepath.Join(f.data, name), &store.Snapshot{Manifest: m, Records: recs, Lexical: enc.Bytes()}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *collectionFixture) settings() settings {
	return settings{DataDir: f.data, Model: "auto", Chunk: chunk.DefaultOptions()}
}

// choose returns the chosen collection's name and why, or the error text
// with its hint as `collections` shows them.
func (f *collectionFixture) choose(s settings) (name string, why collection.Why, errText string) {
	dir, why, err := collection.Choose(s)
	if err != nil {
		return "", 0, withHint(err)
	}
	return filepath.Base(dir), why, ""
}

// Issue 11.2: a plain search never picks an empty collection, even the
// newest; a pin wins over "newest"; flags win over the pin.
func TestChooseCollection(t *testing.T) {
	f := newCollectionFixture(t)
	if _, _, e := f.choose(f.settings()); !strings.Contains(e, "nothing is indexed") {
		t.Fatalf("empty data dir: %q", e)
	}

	f.add("old", 0, 1)
	if _, _, e := f.choose(f.settings()); !strings.Contains(e, "collection old is empty: index some files into it") {
		t.Fatalf("only an empty collection: want the empty error, got %q", e)
	}

	f.add("full", 3, 2)
	f.add("empty", 0, 3) // indexed last, as in the issue
	f.add("other-settings", 5, 4, "another chunker")
	if name, why, e := f.choose(f.settings()); name != "full" || why != collection.WhyNewest {
		t.Fatalf("want full (the newest non-empty with these settings), got %q %q %q", name, why, e)
	}

	// A pin wins, even over a newer collection.
	if err := store.SetDefault(f.data, "other-settings"); err != nil {
		t.Fatal(err)
	}
	if name, why, e := f.choose(f.settings()); name != "other-settings" || why != collection.WhyPinned {
		t.Fatalf("pinned: got %q %q %q", name, why, e)
	}
	// --collection wins over the pin.
	s := f.settings()
	s.Name = "full"
	if name, why, _ := f.choose(s); name != "full" || why != collection.WhyFlag {
		t.Fatalf("--collection: got %q %q", name, why)
	}
	s.Name = "../full"
	if _, _, e := f.choose(s); !strings.Contains(e, "invalid collection name") {
		t.Fatalf("--collection ../full: %q", e)
	}
	// --model wins over the pin too.
	s = f.settings()
	s.Model = "bge-m3"
	if name, why, _ := f.choose(s); name != collection.NameFor(s, "bge-m3") || why != collection.WhyModel {
		t.Fatalf("--model: got %q %q", name, why)
	}

	// A pin naming a collection that is gone is an error, never silently
	// another collection.
	if err := store.SetDefault(f.data, "gone"); err != nil {
		t.Fatal(err)
	}
	if _, _, e := f.choose(f.settings()); !strings.Contains(e, "default collection gone") || !strings.Contains(e, "no longer exists") {
		t.Fatalf("pin of a missing collection: %q", e)
	}
	for _, bad := range []string{"../full", ".hidden"} {
		if err := store.SetDefault(f.data, bad); err != nil {
			t.Fatal(err)
		}
		if _, _, e := f.choose(f.settings()); !strings.Contains(e, "invalid collection name") {
			t.Fatalf("pin %q: %q", bad, e)
		}
	}
	store.SetDefault(f.data, "")

	// Other chunk settings than every collection's: say so, not "nothing
	// is indexed".
	s = f.settings()
	s.Chunk.MaxRunes++
	if _, _, e := f.choose(s); !strings.Contains(e, "no collection in") || !strings.Contains(e, "these chunk settings") {
		t.Fatalf("no collection with these settings: %q", e)
	}
}

// A damaged collection is reported rather than "empty" or "nothing
// indexed" when no good one is there.
func TestChooseCollectionDamaged(t *testing.T) {
	f := newCollectionFixture(t)
	f.add("empty", 0, 1)
	f.add("broken", 3, 2)
	path := filepath.Join(filepath.Join(f.data, "broken"), store.SnapshotName)
	if err := os.WriteFile(path, []byte("not a snapshot at all, long enough to be read as one"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, e := f.choose(f.settings()); !strings.Contains(e, path) {
		t.Fatalf("want the damage error naming %s, got %q", path, e)
	}
}

// Whoever names an empty collection gets the empty error, not "no results".
func TestOpenEmptyCollectionIsAnError(t *testing.T) {
	f := newCollectionFixture(t)
	f.add("empty", 0, 1)
	f.add("full", 2, 0)
	s := f.settings()
	s.Name = "empty"
	if _, _, err := collection.Open(context.Background(), s); err == nil || !strings.Contains(err.Error(), "collection empty is empty") {
		t.Fatalf("--collection empty: %v", err)
	}
	store.SetDefault(f.data, "empty")
	if _, _, err := collection.Open(context.Background(), f.settings()); err == nil || !strings.Contains(err.Error(), "collection empty is empty") {
		t.Fatalf("pinned empty: %v", err)
	}
	store.SetDefault(f.data, "")
	ix, why, err := collection.Open(context.Background(), f.settings())
	if err != nil || ix.Manifest.Name != "full" || why != collection.WhyNewest {
		t.Fatalf("plain: %v %q", err, why)
	}
}

func TestListCollections(t *testing.T) {
	f := newCollectionFixture(t)
	f.add("full", 3, 1)
	f.add("empty", 0, 2)
	out, err := listCollections(f.settings(), true)
	if err != nil {
		t.Fatal(err)
	}
	if out.Default != "full" || out.DefaultWhy != whyText(collection.WhyNewest) || out.Pinned != "" || len(out.Collections) != 2 {
		t.Fatalf("%+v", out)
	}
	byName := map[string]CollectionRow{}
	for _, r := range out.Collections {
		byName[r.Name] = r
	}
	full, empty := byName["full"], byName["empty"]
	if !full.Default || empty.Default || full.Chunks != 3 || empty.Chunks != 0 || full.SizeBytes <= 0 {
		t.Fatalf("rows: %+v", out.Collections)
	}
	if full.Files == nil || *full.Files != 1 || *full.Reports != 1 {
		t.Fatalf("--files: %+v", full)
	}
	var text bytes.Buffer
	printCollections(&text, out, true)
	for _, want := range []string{"*  full", "empty", "* search uses full: " + whyText(collection.WhyNewest)} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, text.String())
		}
	}
	// Without --files the whole snapshots are not read: no counts.
	out, _ = listCollections(f.settings(), false)
	if out.Collections[0].Files != nil {
		t.Fatal("files counted without --files")
	}
	b, _ := json.Marshal(out.Collections[0])
	if strings.Contains(string(b), `"files"`) {
		t.Fatalf("JSON has files without --files: %s", b)
	}

	// A flag or pin naming a missing or empty collection: no default, and
	// the reason.
	s := f.settings()
	s.Name = "nosuch"
	if out, _ = listCollections(s, false); out.Default != "" || !strings.Contains(out.DefaultError, "no collection nosuch") {
		t.Fatalf("--collection nosuch: %+v", out)
	}
	store.SetDefault(f.data, "empty")
	out, _ = listCollections(f.settings(), false)
	if out.Default != "" || out.Pinned != "empty" || !strings.Contains(out.DefaultError, "collection empty is empty") {
		t.Fatalf("pinned empty: %+v", out)
	}
	for _, r := range out.Collections {
		if r.Default {
			t.Fatalf("%s marked as what search uses, though search would fail", r.Name)
		}
	}
	store.SetDefault(f.data, "")

	// Only empty ones: no default, and the reason.
	g := newCollectionFixture(t)
	g.add("empty", 0, 1)
	out, _ = listCollections(g.settings(), false)
	if out.Default != "" || !strings.Contains(out.DefaultError, "is empty") || out.Collections[0].Default {
		t.Fatalf("only empty: %+v", out)
	}
}

// The line naming the collection that answered is for people: on a
// terminal only.
func TestAnnounceCollection(t *testing.T) {
	m := store.Manifest{Name: "zh--1a2b", Model: embed.ModelInfo{Name: "zh-charbag-256"}, Chunks: 120, Embedded: 120}
	var b bytes.Buffer
	announceCollection(&b, false, m, collection.WhyNewest)
	if b.Len() != 0 {
		t.Fatalf("printed when not a terminal: %q", b.String())
	}
	announceCollection(&b, true, m, collection.WhyNewest)
	want := "reportsearch: searching collection zh--1a2b (model zh-charbag-256, 120 chunks; " + whyText(collection.WhyNewest) + ")\n"
	if b.String() != want {
		t.Fatalf("got %q\nwant %q", b.String(), want)
	}
	for _, tc := range []struct {
		m    store.Manifest
		want string
	}{
		{store.Manifest{Chunks: 3}, "lexical only, 3 chunks"},
		{store.Manifest{Model: embed.ModelInfo{Name: "bge-m3"}, Chunks: 3}, "model bge-m3, no vectors yet, 3 chunks"},
	} {
		if got := describeContents(tc.m); got != tc.want {
			t.Errorf("describeContents = %q, want %q", got, tc.want)
		}
	}
	// A name from the disk is escaped for the terminal.
	b.Reset()
	announceCollection(&b, true, store.Manifest{Name: "x\x1b[2Jy", Chunks: 1}, collection.WhyFlag)
	if strings.Contains(b.String(), "\x1b") {
		t.Fatalf("escape sequence reached the terminal: %q", b.String())
	}
}

func TestConfirm(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{{"y\n", true}, {"Yes\n", true}, {" y \n", true}, {"y", true}, {"n\n", false}, {"\n", false}, {"", false}, {"yess\n", false}} {
		var out bytes.Buffer
		got, err := confirm(bufio.NewReader(strings.NewReader(tc.in)), &out, "remove collection x (3 chunks, 1 KiB)?")
		if err != nil || got != tc.want {
			t.Errorf("answer %q: got %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if !strings.HasPrefix(out.String(), "remove collection x (3 chunks, 1 KiB)? [y/N] ") {
			t.Errorf("prompt: %q", out.String())
		}
	}
}

// Issue 11.2 end to end, with the real binary and no Ollama: an empty
// collection indexed last is not searched; `collections use` pins; `rm`
// asks or needs --yes, refuses a collection being written, and unpins what
// it removes.
func TestCollectionsE2E(t *testing.T) {
	data := lexicalIndex(t)
	first := decodeJSON[CollectionsOutput](t, rs(t, data, deadOllama, "collections", "--json").stdout).Default
	if first == "" {
		t.Fatal("no default after indexing one report")
	}
	search := func(args ...string) SearchOutput {
		t.Helper()
		r := rs(t, data, deadOllama, append([]string{"search", "低空经济", "--json", "-k", "2"}, args...)...)
		if r.code != 0 {
			t.Fatalf("search: exit %d %s", r.code, r.stderr)
		}
		return decodeJSON[SearchOutput](t, r.stdout)
	}

	// The steps: an empty folder indexed into a new collection.
	if r := rs(t, data, deadOllama, "--collection", "empty", "index", t.TempDir()); r.code != 0 {
		t.Fatalf("index of an empty folder: exit %d %s", r.code, r.stderr)
	}
	if out := search(); out.Collection != first || len(out.Results) == 0 {
		t.Fatalf("after indexing an empty collection, search used %q with %d results; want %q", out.Collection, len(out.Results), first)
	}
	ctx := rs(t, data, deadOllama, "context", "低空经济", "--json", "--budget", "300")
	if ctx.code != 0 || decodeJSON[ContextOutput](t, ctx.stdout).Collection != first {
		t.Fatalf("context --json names no collection or the wrong one: exit %d %s %s", ctx.code, ctx.stderr, ctx.stdout)
	}
	// Not a terminal: stderr stays free of the "searching collection" line.
	if r := rs(t, data, deadOllama, "search", "低空经济", "--mode", "lexical"); r.code != 0 || strings.Contains(r.stderr, "searching collection") {
		t.Fatalf("piped search: exit %d, stderr %q", r.code, r.stderr)
	}
	list := rs(t, data, deadOllama, "collections")
	if list.code != 0 || !strings.Contains(list.stdout, "*  "+first) || !strings.Contains(list.stdout, "empty") {
		t.Fatalf("collections: exit %d\n%s%s", list.code, list.stdout, list.stderr)
	}

	// Pinning the empty one: search says it is empty, exit 1.
	if r := rs(t, data, deadOllama, "collections", "use", "empty"); r.code != 0 {
		t.Fatalf("use empty: exit %d %s", r.code, r.stderr)
	}
	// The error line says what is wrong, the next one the way out.
	if r := rs(t, data, deadOllama, "search", "低空经济"); r.code != 1 || !strings.Contains(r.stderr, "reportsearch: collection empty is empty\n") ||
		!strings.Contains(r.stderr, "\nreportsearch: index some files into it (`reportsearch --collection empty index PATH...`)") || strings.Contains(r.stdout, "no results") {
		t.Fatalf("search of a pinned empty collection: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// A pin holds when a newer non-empty collection appears.
	if r := rs(t, data, deadOllama, "collections", "use", first); r.code != 0 {
		t.Fatalf("use %s: exit %d %s", first, r.code, r.stderr)
	}
	file := filepath.Join(testenv.Shared(t), "corpus", "003_fc0e754ba3f6118e.txt")
	if r := rs(t, data, deadOllama, "--collection", "newer", "index", file); r.code != 0 || !strings.Contains(r.stderr, "search uses the pinned default collection "+first+", not newer") {
		t.Fatalf("index newer: exit %d; want a notice that search keeps the pin: %s", r.code, r.stderr)
	}
	if out := search(); out.Collection != first {
		t.Fatalf("pinned %s, search used %s", first, out.Collection)
	}
	if out := search("--collection", "newer"); out.Collection != "newer" {
		t.Fatalf("--collection newer: search used %s", out.Collection)
	}
	if r := rs(t, data, deadOllama, "collections", "use", "nosuch"); r.code != 1 || !strings.Contains(r.stderr, "no collection nosuch") {
		t.Fatalf("use nosuch: exit %d %s", r.code, r.stderr)
	}
	if r := rs(t, data, deadOllama, "collections", "use", "../x"); r.code != 2 {
		t.Fatalf("use ../x: exit %d %s", r.code, r.stderr)
	}

	// rm: stdin is not a terminal here, so without --yes it is a usage
	// error and nothing is removed.
	r := rs(t, data, deadOllama, "collections", "rm", first)
	if r.code != 2 || !strings.Contains(r.stderr, "--yes") || r.stdout != "" {
		t.Fatalf("rm without --yes: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if _, err := store.ReadManifest(filepath.Join(data, first)); err != nil {
		t.Fatalf("rm without --yes touched %s: %v", first, err)
	}
	// A collection an index run holds is refused.
	lock, err := store.AcquireLock(filepath.Join(data, "newer"))
	if err != nil {
		t.Fatal(err)
	}
	r = rs(t, data, deadOllama, "collections", "rm", "newer", "--yes")
	lock.Release()
	if r.code != 1 || !strings.Contains(r.stderr, "index run is writing it") {
		t.Fatalf("rm of a locked collection: exit %d %s", r.code, r.stderr)
	}
	if _, err := store.ReadManifest(filepath.Join(data, "newer")); err != nil {
		t.Fatalf("a refused rm touched newer: %v", err)
	}

	// rm --yes of the pinned default removes it and unpins it: search
	// goes back to the newest non-empty collection.
	if r := rs(t, data, deadOllama, "collections", "rm", "--yes", first); r.code != 0 {
		t.Fatalf("rm --yes: exit %d %s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(data, first)); !os.IsNotExist(err) {
		t.Fatalf("%s still there: %v", first, err)
	}
	if pin, err := store.ReadDefault(data); pin != "" || err != nil {
		t.Fatalf("the removed default is still pinned: %q %v", pin, err)
	}
	if out := search(); out.Collection != "newer" {
		t.Fatalf("after rm, search used %s; want newer", out.Collection)
	}
	if r := rs(t, data, deadOllama, "collections", "rm", "--yes", "nosuch"); r.code != 1 || !strings.Contains(r.stderr, "no collection nosuch") {
		t.Fatalf("rm nosuch: exit %d %s", r.code, r.stderr)
	}
}

// rm with --store weaviate://… drops the collection's class too; when the
// class cannot be dropped nothing is removed, so the command can be run
// again.
func TestCollectionsRmDropsWeaviateClass(t *testing.T) {
	f := newCollectionFixture(t)
	f.add("c", 4, 1)
	dir := filepath.Join(f.data, "c")

	r := rs(t, f.data, deadOllama, "--store", "weaviate://127.0.0.1:9", "collections", "rm", "c", "--yes")
	if r.code != 1 || !strings.Contains(r.stderr, "not removing c: dropping its vectors") {
		t.Fatalf("rm with Weaviate unreachable: exit %d %s", r.code, r.stderr)
	}
	if _, err := store.ReadManifest(dir); err != nil {
		t.Fatalf("a failed drop removed the collection: %v", err)
	}

	addr := testenv.Weaviate(t)
	ctx := context.Background()
	url := "weaviate://" + addr
	if err := collection.Sync(ctx, settings{Store: url}, dir, nil); err != nil {
		t.Fatal(err)
	}
	ix, err := weaviate.Open(ctx, addr, collection.BackendName(dir))
	if err != nil || ix.Len() != 4 {
		t.Fatalf("class before rm: %v, %d vectors", err, ix.Len())
	}
	r = rs(t, f.data, deadOllama, "--store", url, "collections", "rm", "c", "--yes")
	if r.code != 0 || !strings.Contains(r.stderr, "removed c and its Weaviate class "+ix.Class()) {
		t.Fatalf("rm: exit %d %s", r.code, r.stderr)
	}
	// Open creates the class anew when it is missing: empty means dropped.
	again, err := weaviate.Open(ctx, addr, collection.BackendName(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer again.Drop(ctx)
	if again.Len() != 0 {
		t.Fatalf("the class still holds %d vectors after rm", again.Len())
	}
}

// `collections --files` takes the counts from the manifest, which Save
// fills, and reads the chunks only of a snapshot saved before the manifest
// kept them (the golden snapshot of package store, written by 8ab6bb0).
func TestCountFilesReportsFromTheManifest(t *testing.T) {
	recs := make([]store.Record, 5)
	for i := range recs {
		recs[i].ID = fmt.Sprintf("c%d", i)
		recs[i].File = []string{"a.txt", "b.txt"}[i%2]
		recs[i].ReportIndex = i % 3 // a.txt: reports 0, 2, 1; b.txt: 1, 0
	}
	dir := filepath.Join(t.TempDir(), "new")
	if err := store.Save(dir, &store.Snapshot{Records: recs}); err != nil {
		t.Fatal(err)
	}
	m, err := store.ReadManifest(dir)
	if err != nil || m.Files != 2 || m.Reports != 5 {
		t.Fatalf("manifest after Save: files %d reports %d (%v), want 2 and 5", m.Files, m.Reports, err)
	}
	// Damage the body, not the header: the counts still come, so they
	// were never read from the chunks.
	path := filepath.Join(dir, store.SnapshotName)
	b, _ := os.ReadFile(path)
	b[len(b)-40] ^= 0xff
	os.WriteFile(path, b, 0o644)
	if f, r, err := countFilesReports(dir, m); err != nil || f != 2 || r != 5 {
		t.Fatalf("counts of a new snapshot: %d %d %v, want 2 5 from the manifest", f, r, err)
	}

	old := filepath.Join(t.TempDir(), "old")
	os.Mkdir(old, 0o755)
	golden, err := os.ReadFile(filepath.Join("..", "..", "store", "testdata", "golden-v2.rsdb"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(old, store.SnapshotName), golden, 0o644)
	m, err = store.ReadManifest(old)
	if err != nil || m.Files != 0 || m.Chunks != 2 {
		t.Fatalf("golden manifest: %+v %v", m, err)
	}
	if f, r, err := countFilesReports(old, m); err != nil || f != 1 || r != 1 {
		t.Fatalf("counts of an older snapshot: %d %d %v, want 1 1 from its chunks", f, r, err)
	}
}
