package store

import (
	"context"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/reportsearch/reportsearch/chunk"
)

// The build uses the patched chromem-go (go.mod's replace): Chromem relies
// on its tie order, and the stock v0.7.0 query is ten times slower at scale.
// (A test binary carries no module list, so the go command is asked.)
func TestChromemIsThePatchedCopy(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{with .Replace}}{{.Path}}{{end}}", "github.com/philippgille/chromem-go").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "./third_party/chromem-go" {
		t.Fatalf("chromem-go is replaced by %q, want ./third_party/chromem-go (see third_party/chromem-go/PATCHES.md)", got)
	}
}

func unitVec(r *rand.Rand, dims int) []float32 {
	v := make([]float32, dims)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	return normalized(v)
}

func normalized(v []float32) []float32 {
	var sum float64
	for _, x := range v {
		sum += float64(x) * float64(x)
	}
	inv := float32(1 / math.Sqrt(sum))
	for i := range v {
		v[i] *= inv
	}
	return v
}

// More equal scores than k, filtered or not: the k first by ID, every time
// (stock chromem-go returns ties in map order).
func TestChromemManyTiesComeOutByID(t *testing.T) {
	var recs []Record
	for i := 0; i < 40; i++ {
		id := fmt.Sprintf("c%02d", (i*17)%40)
		recs = append(recs, Record{Chunk: chunk.Chunk{ID: id, File: "f", ReportIndex: i % 4}, Vector: []float32{0.6, 0.8}})
	}
	ix, err := NewChromem(context.Background(), recs)
	if err != nil {
		t.Fatal(err)
	}
	ids := func(h []Hit) []string {
		var s []string
		for _, x := range h {
			s = append(s, x.ID)
		}
		return s
	}
	for run := 0; run < 10; run++ {
		hits, err := ix.Query(context.Background(), []float32{1, 0}, 3, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(hits); !slices.Equal(got, []string{"c00", "c01", "c02"}) {
			t.Fatalf("run %d: %v", run, got)
		}
		// Report i%4 == 1 holds the chunks at positions 1, 5, ...: IDs
		// (17*i)%40 for those, the smallest of which are c05, c13, c17, c21...
		hits, err = ix.Query(context.Background(), []float32{1, 0}, 3, []string{ReportKey("f", 1), ReportKey("f", 3)})
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for i := 0; i < 40; i++ {
			if i%4 == 1 || i%4 == 3 {
				want = append(want, fmt.Sprintf("c%02d", (i*17)%40))
			}
		}
		slices.Sort(want)
		if got := ids(hits); !slices.Equal(got, want[:3]) {
			t.Fatalf("run %d, filtered: %v, want %v", run, got, want[:3])
		}
	}
}

// Filtered queries (by report) return the brute-force top k of those
// reports; unknown and repeated keys change nothing.
func TestChromemReportFilterIsBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var recs []Record
	for i := 0; i < 500; i++ {
		recs = append(recs, Record{Chunk: chunk.Chunk{ID: fmt.Sprintf("c%03d", i), File: fmt.Sprintf("f%d", i%7), ReportIndex: i % 3}, Vector: unitVec(r, 8)})
	}
	recs[10].Vector = nil
	ix, err := NewChromem(context.Background(), recs)
	if err != nil {
		t.Fatal(err)
	}
	if ix.Len() != 499 {
		t.Fatalf("len %d, want 499", ix.Len())
	}
	for q := 0; q < 5; q++ {
		vec := unitVec(r, 8)
		for _, keys := range [][]string{nil, {ReportKey("f3", 1)}, {ReportKey("f0", 0), ReportKey("f5", 2), ReportKey("f0", 0), "no such report"}, {"no such report"}} {
			for _, k := range []int{1, 18, 600} {
				want := map[string]bool{}
				for _, key := range keys {
					want[key] = true
				}
				var exp []Hit
				for i := range recs {
					rec := &recs[i]
					if rec.Vector == nil || (len(keys) > 0 && !want[ReportKey(rec.File, rec.ReportIndex)]) {
						continue
					}
					var dot float32
					for j := range vec {
						dot += vec[j] * rec.Vector[j]
					}
					exp = append(exp, Hit{ID: rec.ID, Score: float64(dot)})
				}
				SortHits(exp)
				exp = exp[:min(k, len(exp))]
				got, err := ix.Query(context.Background(), vec, k, keys)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(exp) {
					t.Fatalf("keys %v k %d: %d hits, want %d", keys, k, len(got), len(exp))
				}
				for i := range got {
					// Scores agree up to float32 rounding (chromem-go sums in
					// another order).
					if got[i].ID != exp[i].ID || math.Abs(got[i].Score-exp[i].Score) > 1e-6 {
						t.Fatalf("keys %v k %d: hit %d is %+v, want %+v", keys, k, i, got[i], exp[i])
					}
				}
			}
		}
	}
}

// The collections hold the records' own vectors, not copies: a vector is
// held once in memory.
func TestChromemSharesRecordVectors(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var recs []Record
	for i := 0; i < 20; i++ {
		recs = append(recs, Record{Chunk: chunk.Chunk{ID: fmt.Sprintf("c%02d", i), File: "f", ReportIndex: i % 2}, Vector: unitVec(r, 16)})
	}
	ix, err := NewChromem(context.Background(), recs)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*Record{}
	for i := range recs {
		byID[recs[i].ID] = &recs[i]
	}
	for _, coll := range append(slices.Collect(maps.Values(ix.byReport)), ix.all) {
		res, err := coll.QueryEmbedding(context.Background(), recs[0].Vector, coll.Count(), nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range res {
			if &d.Embedding[0] != &byID[d.ID].Vector[0] {
				t.Fatalf("collection %s holds a copy of chunk %s's vector", coll.Name, d.ID)
			}
		}
	}
}

// The records' vectors end up in one array, in record order, with their
// values unchanged; a vector not of unit length is left as stored and found
// by direction.
func TestChromemPacksVectorsInOrder(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var recs []Record
	for i := 0; i < 10; i++ {
		recs = append(recs, Record{Chunk: chunk.Chunk{ID: fmt.Sprintf("c%02d", i), File: "f"}, Vector: unitVec(r, 4)})
	}
	recs[3].Vector = nil
	long := []float32{3, 0, 0, 4} // length 5
	recs[6].Vector = long
	var before [][]float32
	for i := range recs {
		before = append(before, slices.Clone(recs[i].Vector))
	}
	ix, err := NewChromem(context.Background(), recs)
	if err != nil {
		t.Fatal(err)
	}
	for i := range recs {
		if !slices.Equal(recs[i].Vector, before[i]) {
			t.Fatalf("record %d: vector changed from %v to %v", i, before[i], recs[i].Vector)
		}
	}
	if &recs[6].Vector[0] != &long[0] {
		t.Fatal("the vector of length 5 was replaced")
	}
	// Unit vectors follow one another in memory, skipping the record
	// without a vector and taking the normalised copy's slot for record 6.
	addr := func(i int) uintptr { return uintptr(unsafe.Pointer(&recs[i].Vector[0])) }
	for _, step := range [][3]int{{0, 1, 1}, {1, 2, 1}, {2, 4, 1}, {4, 5, 1}, {5, 7, 2}, {7, 8, 1}, {8, 9, 1}} {
		if addr(step[1])-addr(step[0]) != uintptr(step[2]*4*4) {
			t.Fatalf("records %d and %d: vectors not %d apart in one array", step[0], step[1], step[2])
		}
	}
	hits, err := ix.Query(context.Background(), []float32{0.6, 0, 0, 0.8}, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 1 || hits[0].ID != "c06" || math.Abs(hits[0].Score-1) > 1e-6 {
		t.Fatalf("hits %+v, want c06 with score 1", hits)
	}
}
