package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"

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

// Chromem is a VectorIndex held in in-memory chromem-go collections: one of
// every embedded chunk, for unfiltered queries, and one per report, for
// queries limited to reports (their cost is then that of the chunks of those
// reports, not of a filter pass over all chunks per report key).
//
// Vectors are held once, in one array: NewChromem copies them there in
// record order and points the records' Vector slices at their copy, and both
// collections holding a chunk are given that same slice (chromem-go keeps
// unit-length embeddings as given). One array read in order is what makes an
// exhaustive query run at memory speed: separately allocated vectors are
// scattered over the heap.
//
// It relies on the patched chromem-go in third_party/chromem-go (see the
// replace directive in go.mod): equal scores come back ordered by chunk ID,
// so the k best are exactly the k first of (score desc, ID asc).
type Chromem struct {
	all      *chromem.Collection
	byReport map[string]*chromem.Collection
	dims     int
}

// errNoEmbedder stands in for chromem-go's embedding function: this store is
// only ever given vectors, and without it chromem-go would fall back to
// calling OpenAI.
func errNoEmbedder(context.Context, string) ([]float32, error) {
	return nil, errors.New("reportsearch embeds text itself; chromem-go is only given vectors")
}

// NewChromem loads the embedded records into chromem-go collections.
// Records without a vector are skipped (they are still found lexically).
// Each record's Vector is replaced by an equal slice in the index's array
// (a vector not of unit length keeps its own, and the index holds its
// normalised copy); the vectors must not be modified afterwards.
func NewChromem(ctx context.Context, records []Record) (*Chromem, error) {
	dims, err := VectorDims(records)
	if err != nil {
		return nil, err
	}
	embs := packVectors(records, dims)
	db := chromem.NewDB()
	c := &Chromem{byReport: map[string]*chromem.Collection{}, dims: dims}
	if c.all, err = db.CreateCollection("chunks", nil, errNoEmbedder); err != nil {
		return nil, err
	}
	// Collections are named by number: a report key may be any string.
	type part struct {
		coll *chromem.Collection
		idx  []int
	}
	var parts []*part
	byKey := map[string]*part{}
	var all []int
	for i := range records {
		r := &records[i]
		if r.Vector == nil {
			continue
		}
		all = append(all, i)
		key := ReportKey(r.File, r.ReportIndex)
		p := byKey[key]
		if p == nil {
			coll, err := db.CreateCollection(fmt.Sprintf("report-%d", len(parts)), nil, errNoEmbedder)
			if err != nil {
				return nil, err
			}
			p = &part{coll: coll}
			byKey[key] = p
			parts = append(parts, p)
			c.byReport[key] = coll
		}
		p.idx = append(p.idx, i)
	}
	// Documents are added in a loop per goroutine rather than with
	// AddDocuments, which starts a goroutine per document.
	workers := runtime.GOMAXPROCS(0)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			add := func(coll *chromem.Collection, idx []int) error {
				for _, i := range idx {
					r := &records[i]
					doc := chromem.Document{ID: r.ID, Embedding: embs[i]}
					if err := coll.AddDocument(ctx, doc); err != nil {
						return fmt.Errorf("chunk %s: %w", r.ID, err)
					}
				}
				return nil
			}
			lo, hi := w*len(all)/workers, (w+1)*len(all)/workers
			if err := add(c.all, all[lo:hi]); err != nil {
				errs <- err
				return
			}
			for j := w; j < len(parts); j += workers {
				if err := add(parts[j].coll, parts[j].idx); err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, err
	}
	return c, nil
}

// packVectors moves the records' vectors into one array, in record order.
// A vector that chromem-go would normalise is normalised into the array and
// the record keeps its own: stored vectors are never changed.
// It returns each record's vector as the index is to hold it (nil for none).
func packVectors(records []Record, dims int) [][]float32 {
	n := 0
	for i := range records {
		if records[i].Vector != nil {
			n++
		}
	}
	arena := make([]float32, 0, n*dims)
	embs := make([][]float32, len(records))
	for i := range records {
		r := &records[i]
		if r.Vector == nil {
			continue
		}
		start := len(arena)
		arena = append(arena, r.Vector...)
		v := arena[start:len(arena):len(arena)]
		embs[i] = v
		var sum float64
		for _, x := range v {
			sum += float64(x) * float64(x)
		}
		// chromem-go's own test (isNormalized), so that it keeps v as given.
		if norm := math.Sqrt(sum); math.Abs(norm-1) < 1e-6 {
			r.Vector = v
		} else if norm > 0 {
			for j := range v {
				v[j] = float32(float64(v[j]) / norm)
			}
			// The record's own vector is kept: stored data is not changed.
		}
	}
	return embs
}

// Len is the number of vectors held.
func (c *Chromem) Len() int { return c.all.Count() }

// Dims is the vectors' dimension (0 when empty).
func (c *Chromem) Dims() int { return c.dims }

// Query returns the k nearest chunks by cosine similarity, best first, ties
// broken by ID so results repeat exactly.
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
	colls := []*chromem.Collection{c.all}
	if len(reportKeys) > 0 {
		colls = colls[:0]
		seen := map[string]bool{}
		for _, key := range reportKeys {
			if coll := c.byReport[key]; coll != nil && !seen[key] {
				seen[key] = true
				colls = append(colls, coll)
			}
		}
	}
	var hits []Hit
	for _, coll := range colls {
		// chromem-go refuses n above its count.
		res, err := coll.QueryEmbedding(ctx, vec, min(k, coll.Count()), nil, nil)
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
