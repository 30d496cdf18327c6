package chromem

// Tests of the query changes described in PATCHES.md. Each fails on stock
// v0.7.0 (ties in map order, a document map copy per query) or guards an
// equivalence the patch claims (same similarities, same results).

import (
	"context"
	"fmt"
	"math/rand"
	"runtime"
	"slices"
	"testing"
)

func patchTestCollection(t *testing.T, docs []Document) *Collection {
	t.Helper()
	db := NewDB()
	c, err := db.CreateCollection("test", nil, func(context.Context, string) ([]float32, error) {
		return nil, fmt.Errorf("no embedding function in this test")
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		if err := c.AddDocument(context.Background(), d); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func randomUnit(r *rand.Rand, dims int) []float32 {
	v := make([]float32, dims)
	for i := range v {
		v[i] = float32(r.NormFloat64())
	}
	return normalizeVector(v)
}

// Equal similarities come back ordered by ID, on every query.
func TestQueryTiesOrderedByID(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	same := randomUnit(r, 16)
	var docs []Document
	for i := 0; i < 60; i++ {
		docs = append(docs, Document{ID: fmt.Sprintf("d%02d", (i*37)%60), Embedding: same})
	}
	c := patchTestCollection(t, docs)
	want := []string{"d00", "d01", "d02", "d03", "d04"}
	for run := 0; run < 20; run++ {
		res, err := c.QueryEmbedding(context.Background(), same, 5, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, x := range res {
			got = append(got, x.ID)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("run %d: ties came back as %v, want %v (by ID)", run, got, want)
		}
	}
}

// dotProduct is the dot product, up to float32 rounding, for any length
// (the unrolled loop has a remainder).
func TestDotProductUnrolled(t *testing.T) {
	r := rand.New(rand.NewSource(2))
	for _, dims := range []int{1, 3, 4, 7, 256, 1023} {
		a, b := randomUnit(r, dims), randomUnit(r, dims)
		var want float64
		for i := range a {
			want += float64(a[i]) * float64(b[i])
		}
		got, err := dotProduct(a, b)
		if err != nil {
			t.Fatal(err)
		}
		if d := float64(got) - want; d > 1e-6 || d < -1e-6 {
			t.Fatalf("dims %d: %v, want %v", dims, got, want)
		}
	}
	if _, err := dotProduct([]float32{1, 2}, []float32{1}); err == nil {
		t.Fatal("a shorter vector was accepted")
	}
}

// Queries, filtered or not, return the brute-force top n.
func TestQueryIsBruteForce(t *testing.T) {
	r := rand.New(rand.NewSource(3))
	var docs []Document
	for i := 0; i < 1003; i++ {
		emb := randomUnit(r, 32)
		if i%50 == 7 {
			emb = docs[i-1].Embedding // some exact ties
		}
		docs = append(docs, Document{ID: fmt.Sprintf("doc%04d", i), Embedding: emb,
			Metadata: map[string]string{"group": fmt.Sprint(i % 7)}, Content: fmt.Sprint("text ", i%3)})
	}
	c := patchTestCollection(t, docs)
	for qi := 0; qi < 5; qi++ {
		q := randomUnit(r, 32)
		for _, tc := range []struct {
			where, whereDoc map[string]string
		}{
			{nil, nil},
			{map[string]string{"group": "3"}, nil},
			{nil, map[string]string{"$contains": "text 2"}},
			{map[string]string{"group": "3"}, map[string]string{"$not_contains": "text 2"}},
			{map[string]string{"group": "none"}, nil},
		} {
			for _, n := range []int{1, 18, 1003} {
				var want []docSim
				for i := range docs {
					if !documentMatchesFilters(&docs[i], tc.where, tc.whereDoc) {
						continue
					}
					sim, _ := dotProduct(q, docs[i].Embedding)
					want = append(want, docSim{doc: &docs[i], similarity: sim})
				}
				want = mergeDocSims([]*topDocSims{{h: want}}, n)
				res, err := c.QueryEmbedding(context.Background(), q, n, tc.where, tc.whereDoc)
				if err != nil {
					t.Fatal(err)
				}
				if len(res) != len(want) {
					t.Fatalf("where %v %v, n %d: %d results, want %d", tc.where, tc.whereDoc, n, len(res), len(want))
				}
				for i := range res {
					if res[i].ID != want[i].doc.ID || res[i].Similarity != want[i].similarity {
						t.Fatalf("where %v %v, n %d: result %d is %s %v, want %s %v", tc.where, tc.whereDoc, n, i,
							res[i].ID, res[i].Similarity, want[i].doc.ID, want[i].similarity)
					}
				}
			}
		}
	}
}

// A query allocates far less than a copy of the document list: the list is
// built once and reused until the collection changes.
func TestQueryDoesNotCopyDocuments(t *testing.T) {
	r := rand.New(rand.NewSource(4))
	var docs []Document
	for i := 0; i < 20000; i++ {
		docs = append(docs, Document{ID: fmt.Sprint(i), Embedding: randomUnit(r, 4)})
	}
	c := patchTestCollection(t, docs)
	q := randomUnit(r, 4)
	if _, err := c.QueryEmbedding(context.Background(), q, 10, nil, nil); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const queries = 10
	for i := 0; i < queries; i++ {
		if _, err := c.QueryEmbedding(context.Background(), q, 10, nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	perQuery := (after.TotalAlloc - before.TotalAlloc) / queries
	if copyBytes := uint64(len(docs)) * 8; perQuery >= copyBytes/4 {
		t.Fatalf("a query allocates %d bytes; a copy of the document list is %d", perQuery, copyBytes)
	}
}

// Adding or deleting a document is seen by the next query.
func TestQuerySeesChanges(t *testing.T) {
	ctx := context.Background()
	c := patchTestCollection(t, []Document{
		{ID: "a", Embedding: []float32{1, 0}},
		{ID: "b", Embedding: []float32{0, 1}},
	})
	top := func() string {
		t.Helper()
		res, err := c.QueryEmbedding(ctx, []float32{0.6, 0.8}, 1, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		return res[0].ID
	}
	if got := top(); got != "b" {
		t.Fatalf("top %s, want b", got)
	}
	if err := c.AddDocument(ctx, Document{ID: "c", Embedding: []float32{0.6, 0.8}}); err != nil {
		t.Fatal(err)
	}
	if got := top(); got != "c" {
		t.Fatalf("after adding c: top %s, want c", got)
	}
	if err := c.Delete(ctx, nil, nil, "c"); err != nil {
		t.Fatal(err)
	}
	if got := top(); got != "b" {
		t.Fatalf("after deleting c: top %s, want b", got)
	}
}

// A document of another dimension is an error naming it, as before.
func TestQueryDimensionMismatch(t *testing.T) {
	var docs []Document
	for i := 0; i < 9; i++ {
		docs = append(docs, Document{ID: fmt.Sprint("d", i), Embedding: []float32{1, 0}})
	}
	docs = append(docs, Document{ID: "odd", Embedding: []float32{1, 0, 0}})
	c := patchTestCollection(t, docs)
	_, err := c.QueryEmbedding(context.Background(), []float32{1, 0}, 3, nil, nil)
	if err == nil || !contains(err.Error(), "'odd'") {
		t.Fatalf("error %v, want one naming document 'odd'", err)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
