package weaviate_test

// Integration tests against a real Weaviate server (REPORTSEARCH_TEST_WEAVIATE,
// set by `eval "$(scripts/weaviate-up.sh)"`) and a real Ollama with the
// fixture model (REPORTSEARCH_TEST_OLLAMA): the real corpus is indexed into a
// temporary store, synced into a fresh class, and every answer is checked
// against the exact in-memory chromem-go index over the same snapshot.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/reportsearch/reportsearch/chunk"
	"github.com/reportsearch/reportsearch/collection"
	"github.com/reportsearch/reportsearch/indexer"
	"github.com/reportsearch/reportsearch/internal/testenv"
	"github.com/reportsearch/reportsearch/store"
	"github.com/reportsearch/reportsearch/store/weaviate"
)

// minRecall is the recall@10 of Weaviate's HNSW against exact search that the
// tests demand. Measured on the fixture corpus (2,886 chunks, 256-d
// fixture model): 1.000 with Weaviate's default HNSW settings; the margin
// leaves room for HNSW's randomised graph.
const minRecall = 0.97

var (
	corpusOnce sync.Once
	corpusSnap *store.Snapshot
	corpusErr  error
)

// indexedCorpus indexes the shared corpus with the fixture model, once.
func indexedCorpus(t *testing.T) *store.Snapshot {
	t.Helper()
	host := testenv.Ollama(t)
	corpus := filepath.Join(testenv.Shared(t), "corpus")
	corpusOnce.Do(func() {
		ctx := context.Background()
		dir, err := os.MkdirTemp("", "reportsearch-weaviate-test-")
		if err != nil {
			corpusErr = err
			return
		}
		defer os.RemoveAll(dir)
		// The index sequence every caller shares; the in-memory store, so
		// each test syncs the snapshot into a class of its own.
		s := collection.Settings{DataDir: dir, Host: host, Model: "zh-charbag-256", Chunk: chunk.DefaultOptions()}
		res, err := collection.Index(ctx, s, []string{corpus}, collection.IndexOptions{
			ContextHeader: true, Lexical: indexer.DefaultLexical, Checkpoint: time.Minute,
			Progress: io.Discard, Log: io.Discard,
		})
		if err != nil {
			corpusErr = err
			return
		}
		corpusSnap, corpusErr = store.Load(res.Dir)
	})
	if corpusErr != nil {
		t.Fatal(corpusErr)
	}
	if corpusSnap.Manifest.Embedded == 0 || corpusSnap.Manifest.Embedded != corpusSnap.Manifest.Chunks {
		t.Fatalf("corpus index should embed every chunk: %+v", corpusSnap.Manifest)
	}
	return corpusSnap
}

// freshIndex opens a class no other test uses and drops it at the end.
func freshIndex(t *testing.T, addr string) (*weaviate.Index, string) {
	t.Helper()
	ctx := context.Background()
	name := fmt.Sprintf("test-%s-%d", t.Name(), time.Now().UnixNano())
	ix, err := weaviate.Open(ctx, addr, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := ix.Drop(context.Background()); err != nil {
			t.Errorf("dropping %s: %v", ix.Class(), err)
		}
	})
	if ix.Len() != 0 {
		t.Fatalf("fresh class %s holds %d objects", ix.Class(), ix.Len())
	}
	return ix, name
}

// queryVectors picks every step-th embedded record's vector as a query.
func queryVectors(recs []store.Record, step int) [][]float32 {
	var out [][]float32
	for i := 0; i < len(recs); i += step {
		if recs[i].Vector != nil {
			out = append(out, recs[i].Vector)
		}
	}
	return out
}

// compare returns recall@k of got against exact and checks that the scores
// of the chunks both found agree (both are cosine similarity).
func compare(t *testing.T, got, exact []store.Hit) (found, total int) {
	t.Helper()
	scores := map[string]float64{}
	for _, h := range exact {
		scores[h.ID] = h.Score
	}
	for _, h := range got {
		s, ok := scores[h.ID]
		if !ok {
			continue
		}
		found++
		if d := s - h.Score; d > 1e-4 || d < -1e-4 {
			t.Errorf("%s: Weaviate score %.6f, exact %.6f", h.ID, h.Score, s)
		}
	}
	return found, len(exact)
}

func TestSyncQueryAgreesWithChromem(t *testing.T) {
	addr := testenv.Weaviate(t)
	snap := indexedCorpus(t)
	ctx := context.Background()
	ix, name := freshIndex(t, addr)

	added, deleted, err := ix.Sync(ctx, snap.Records)
	if err != nil {
		t.Fatal(err)
	}
	if added != snap.Manifest.Embedded || deleted != 0 || ix.Len() != snap.Manifest.Embedded || ix.Dims() != 256 {
		t.Fatalf("first sync: added %d deleted %d, Len %d Dims %d; want %d added, 256 dims", added, deleted, ix.Len(), ix.Dims(), snap.Manifest.Embedded)
	}
	exact, err := store.NewChromem(ctx, snap.Records)
	if err != nil {
		t.Fatal(err)
	}

	const k = 10
	found, total := 0, 0
	queries := queryVectors(snap.Records, 25)
	for _, q := range queries {
		got, err := ix.Query(ctx, q, k, nil)
		if err != nil {
			t.Fatal(err)
		}
		want, err := exact.Query(ctx, q, k, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != k {
			t.Fatalf("got %d hits, want %d", len(got), k)
		}
		f, n := compare(t, got, want)
		found += f
		total += n
	}
	recall := float64(found) / float64(total)
	t.Logf("recall@%d of Weaviate vs exact chromem-go over %d chunk-vector queries on %d chunks: %.3f", k, len(queries), ix.Len(), recall)
	if recall < minRecall {
		t.Errorf("recall@%d %.3f < %.2f", k, recall, minRecall)
	}

	// A reopened index (another process, say) sees the same class.
	again, err := weaviate.Open(ctx, addr, name)
	if err != nil {
		t.Fatal(err)
	}
	if again.Class() != ix.Class() || again.Len() != snap.Manifest.Embedded || again.Dims() != 256 {
		t.Fatalf("reopened %s: Len %d Dims %d; want %d, 256", again.Class(), again.Len(), again.Dims(), snap.Manifest.Embedded)
	}

	// Re-sync of the unchanged snapshot writes and deletes nothing.
	added, deleted, err = ix.Sync(ctx, snap.Records)
	if err != nil || added != 0 || deleted != 0 {
		t.Fatalf("re-sync of an unchanged snapshot: added %d deleted %d err %v; want 0 0", added, deleted, err)
	}
}

func TestSyncPropagatesDeletesAndChanges(t *testing.T) {
	addr := testenv.Weaviate(t)
	snap := indexedCorpus(t)
	ctx := context.Background()
	ix, _ := freshIndex(t, addr)
	if _, _, err := ix.Sync(ctx, snap.Records); err != nil {
		t.Fatal(err)
	}

	// Drop every chunk of the first file and give one other chunk a new
	// vector (as a changed paragraph would), then sync that.
	gone := snap.Records[0].File
	var kept []store.Record
	removed := 0
	for _, r := range snap.Records {
		if r.File == gone {
			removed++
			continue
		}
		kept = append(kept, r)
	}
	if removed == 0 || len(kept) == 0 {
		t.Fatal("corpus has a single file; the test needs two")
	}
	changed := &kept[len(kept)/2]
	newVec := append([]float32(nil), kept[0].Vector...) // another chunk's vector
	changed.Vector = newVec
	changed.Hash = "changed-" + changed.Hash

	added, deleted, err := ix.Sync(ctx, kept)
	if err != nil {
		t.Fatal(err)
	}
	if added != 1 || deleted != removed || ix.Len() != len(kept) {
		t.Fatalf("sync after deleting %d chunks and changing 1: added %d deleted %d Len %d (want 1, %d, %d)", removed, added, deleted, ix.Len(), removed, len(kept))
	}
	// The deleted file's chunks are not found, even when asked for by report.
	for _, r := range snap.Records[:3] {
		hits, err := ix.Query(ctx, r.Vector, 10, []string{store.ReportKey(r.File, r.ReportIndex)})
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) != 0 {
			t.Fatalf("report of deleted file %s still answers: %+v", gone, hits)
		}
	}
	// The changed chunk is found with its new vector: querying kept[0]'s
	// vector now finds both at similarity 1.
	hits, err := ix.Query(ctx, newVec, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, h := range hits {
		ids[h.ID] = true
		if h.Score < 0.9999 {
			t.Errorf("%s: score %.6f for its own vector", h.ID, h.Score)
		}
	}
	if !ids[changed.ID] || !ids[kept[0].ID] {
		t.Fatalf("changed chunk %s not found with its new vector: %+v", changed.ID, hits)
	}
	// And the re-sync is a no-op again.
	if a, d, err := ix.Sync(ctx, kept); err != nil || a != 0 || d != 0 {
		t.Fatalf("re-sync: added %d deleted %d err %v", a, d, err)
	}
}

func TestReportFilter(t *testing.T) {
	addr := testenv.Weaviate(t)
	snap := indexedCorpus(t)
	ctx := context.Background()
	ix, _ := freshIndex(t, addr)
	if _, _, err := ix.Sync(ctx, snap.Records); err != nil {
		t.Fatal(err)
	}
	exact, err := store.NewChromem(ctx, snap.Records)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	seen := map[string]bool{}
	for _, r := range snap.Records {
		k := store.ReportKey(r.File, r.ReportIndex)
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	if len(keys) < 3 {
		t.Fatalf("corpus has %d reports; the test needs 3", len(keys))
	}
	// One key and two keys (an Or filter); queries from other reports, so the
	// filter (not the vector) decides what comes back.
	for _, filter := range [][]string{keys[:1], {keys[1], keys[len(keys)-1]}} {
		allowed := map[string]bool{}
		for _, k := range filter {
			allowed[k] = true
		}
		found, total := 0, 0
		for _, q := range queryVectors(snap.Records, 97) {
			got, err := ix.Query(ctx, q, 10, filter)
			if err != nil {
				t.Fatal(err)
			}
			want, err := exact.Query(ctx, q, 10, filter)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) == 0 {
				t.Fatalf("filter %v: no hits", filter)
			}
			for _, h := range got {
				r := snap.Records[indexOf(snap.Records, h.ID)]
				if !allowed[store.ReportKey(r.File, r.ReportIndex)] {
					t.Fatalf("filter %v: hit %s is from another report", filter, h.ID)
				}
			}
			f, n := compare(t, got, want)
			found += f
			total += n
		}
		recall := float64(found) / float64(total)
		t.Logf("filter %v: recall@10 vs exact %.3f", filter, recall)
		if recall < minRecall {
			t.Errorf("filter %v: recall@10 %.3f < %.2f", filter, recall, minRecall)
		}
	}
}

func indexOf(recs []store.Record, id string) int {
	for i := range recs {
		if recs[i].ID == id {
			return i
		}
	}
	panic("hit for unknown chunk " + id)
}

func TestOpenNamesServerUnreachable(t *testing.T) {
	// Port 1: nothing listens there.
	_, err := weaviate.Open(context.Background(), "weaviate://127.0.0.1:1", "x")
	if err == nil {
		t.Fatal("Open of a closed port succeeded")
	}
	// The error names the server and is ErrUnreachable; how to start one
	// is the command's to say (cmd/reportsearch recoveryHint).
	if !errors.Is(err, weaviate.ErrUnreachable) || !strings.Contains(err.Error(), "127.0.0.1:1") || strings.Contains(err.Error(), "scripts/") {
		t.Errorf("error %q: want ErrUnreachable naming 127.0.0.1:1 and no script", err)
	}
	if _, err := weaviate.Open(context.Background(), "ftp://x:1", "x"); err == nil || !strings.Contains(err.Error(), "scheme") {
		t.Errorf("bad scheme: %v", err)
	}
}

func TestClassName(t *testing.T) {
	a, b := weaviate.ClassName("/data/zh-charbag-256--1a2b"), weaviate.ClassName("/data/zh_charbag_256--1a2b")
	if a == b {
		t.Fatalf("different collections share class %s", a)
	}
	for _, c := range []string{a, b, weaviate.ClassName(""), weaviate.ClassName("数据/集合")} {
		if c[0] < 'A' || c[0] > 'Z' || strings.Trim(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") != "" {
			t.Errorf("invalid class name %q", c)
		}
	}
	// The class and object IDs are found again by later runs and other
	// processes: they are a pure function of their input, pinned here, so a
	// change to either (which would orphan every stored class) fails.
	if got, want := weaviate.ClassName(path.Join("/data", "zh-charbag-256--1a2b")), "Rs_zh_charbag_256__1a2b_47c05f5279ef"; got != want || a != want {
		t.Errorf("ClassName = %q (and %q from the literal path), want %q", got, a, want)
	}
	if got, want := weaviate.ObjectID("a#1."+strconv.Itoa(2)), "bb8102ea-e0cd-5dba-8692-47d9e96a3570"; got != want {
		t.Errorf("ObjectID = %q, want %q", got, want)
	}
	if weaviate.ObjectID("a#1.2") == weaviate.ObjectID("a#1.3") {
		t.Error("two chunks share an object ID")
	}
}

func syntheticRecords(n, dims int) []store.Record {
	r := rand.New(rand.NewPCG(7, 8))
	recs := make([]store.Record, n)
	for i := range recs {
		recs[i].Chunk = chunk.Chunk{ID: fmt.Sprintf("c%04d", i), File: "f", ReportIndex: i % 3}
		recs[i].Hash = recs[i].ID
		v := make([]float32, dims)
		for j := range v {
			v[j] = float32(r.NormFloat64())
		}
		recs[i].Vector = v
	}
	return recs
}

// Imports go over gRPC where the server has it (scripts/weaviate-up.sh puts
// it on the REST port + 1), and over REST when the gRPC port does not answer;
// both land every object.
func TestPutOverGRPCAndFallback(t *testing.T) {
	addr := testenv.Weaviate(t)
	recs := syntheticRecords(1200, 16)
	for _, tc := range []struct{ suffix, want string }{
		{"", "grpc"},
		{"?grpc=127.0.0.1:1", "rest"},
		{"?grpc=off", "rest"},
	} {
		a := addr
		if !strings.Contains(a, "://") {
			a = "weaviate://" + a
		}
		ix, _ := freshIndex(t, a+tc.suffix)
		if err := ix.Put(context.Background(), recs); err != nil {
			t.Fatalf("%s: %v", tc.suffix, err)
		}
		if got := ix.ImportProtocol(); got != tc.want {
			t.Errorf("%q: imported over %s, want %s", tc.suffix, got, tc.want)
		}
		if ix.Len() != len(recs) {
			t.Errorf("%q: %d objects after importing %d", tc.suffix, ix.Len(), len(recs))
		}
		hits, err := ix.Query(context.Background(), recs[17].Vector, 1, nil)
		if err != nil || len(hits) != 1 || hits[0].ID != recs[17].ID {
			t.Errorf("%q: query for c0017's own vector: %+v %v", tc.suffix, hits, err)
		}
	}
}
