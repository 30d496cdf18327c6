package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"

	chromem "github.com/philippgille/chromem-go"
)

// Hit is one search result: a chunk ID and its score (higher is better).
type Hit struct {
	ID    string
	Score float64
}

// VectorIndex answers exact or approximate nearest-neighbour queries over
// the embedded chunks of a collection. reportKeys, when not empty, limits the
// search to chunks of those reports (see ReportKey).
type VectorIndex interface {
	Query(ctx context.Context, vec []float32, k int, reportKeys []string) ([]Hit, error)
	Len() int
	Dims() int
}

// ReportKey identifies a report across files: its file and position there.
func ReportKey(file string, reportIndex int) string {
	return fmt.Sprintf("%s#%d", file, reportIndex)
}

// VectorDims is the dimension shared by every record that has a vector (0
// when none has one), and an error naming the first record that differs: a
// vector index holds one dimension only.
func VectorDims(records []Record) (int, error) {
	dims := 0
	for i := range records {
		r := &records[i]
		if r.Vector == nil {
			continue
		}
		if dims == 0 {
			dims = len(r.Vector)
		} else if len(r.Vector) != dims {
			return 0, fmt.Errorf("chunk %s has a %d-dimensional vector, others have %d", r.ID, len(r.Vector), dims)
		}
	}
	return dims, nil
}

// Chromem is a VectorIndex held in an in-memory chromem-go collection.
type Chromem struct {
	coll *chromem.Collection
	dims int
}

// errNoEmbedder stands in for chromem-go's embedding function: this store is
// only ever given vectors, and without it chromem-go would fall back to
// calling OpenAI.
func errNoEmbedder(context.Context, string) ([]float32, error) {
	return nil, errors.New("reportsearch embeds text itself; chromem-go is only given vectors")
}

// NewChromem loads the embedded records into a chromem-go collection.
// Records without a vector are skipped (they are still found lexically).
func NewChromem(ctx context.Context, records []Record) (*Chromem, error) {
	db := chromem.NewDB()
	coll, err := db.CreateCollection("chunks", nil, errNoEmbedder)
	if err != nil {
		return nil, err
	}
	dims, err := VectorDims(records)
	if err != nil {
		return nil, err
	}
	docs := make([]chromem.Document, 0, len(records))
	for i := range records {
		r := &records[i]
		if r.Vector == nil {
			continue
		}
		docs = append(docs, chromem.Document{
			ID:        r.ID,
			Metadata:  map[string]string{"report_key": ReportKey(r.File, r.ReportIndex)},
			Embedding: r.Vector,
		})
	}
	if len(docs) > 0 {
		if err := coll.AddDocuments(ctx, docs, runtime.GOMAXPROCS(0)); err != nil {
			return nil, err
		}
	}
	return &Chromem{coll: coll, dims: dims}, nil
}

// Len is the number of vectors held.
func (c *Chromem) Len() int { return c.coll.Count() }

// Dims is the vectors' dimension (0 when empty).
func (c *Chromem) Dims() int { return c.dims }

// Query returns the k nearest chunks by cosine similarity, best first, ties
// broken by ID so results repeat exactly (chromem-go returns ties in map order).
func (c *Chromem) Query(ctx context.Context, vec []float32, k int, reportKeys []string) ([]Hit, error) {
	if k <= 0 || c.Len() == 0 {
		return nil, nil
	}
	if len(vec) != c.dims {
		return nil, fmt.Errorf("query vector has %d dimensions, the collection %d (was it indexed with another model?)", len(vec), c.dims)
	}
	for _, x := range vec {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return nil, errors.New("query vector contains NaN or Inf")
		}
	}
	// Ask for a few more than k so that ties at the cut are settled by ID
	// rather than by chromem-go's map order.
	n := k + 8
	if n > c.Len() {
		n = c.Len()
	}
	var hits []Hit
	wheres := []map[string]string{nil}
	if len(reportKeys) > 0 {
		wheres = wheres[:0]
		for _, key := range reportKeys {
			wheres = append(wheres, map[string]string{"report_key": key})
		}
	}
	for _, where := range wheres {
		res, err := c.coll.QueryEmbedding(ctx, vec, n, where, nil)
		if err != nil {
			return nil, err
		}
		for _, r := range res {
			hits = append(hits, Hit{ID: r.ID, Score: float64(r.Similarity)})
		}
	}
	SortHits(hits)
	if len(hits) > k {
		hits = hits[:k]
	}
	return hits, nil
}

// SortHits orders hits by score descending, then ID ascending.
func SortHits(h []Hit) {
	sort.Slice(h, func(i, j int) bool {
		if h[i].Score != h[j].Score {
			return h[i].Score > h[j].Score
		}
		return h[i].ID < h[j].ID
	})
}
