package chromem

import (
	"container/heap"
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
)

var supportedFilters = []string{"$contains", "$not_contains"}

type docSim struct {
	doc        *Document
	similarity float32
}

// worse reports whether a ranks below b: lower similarity, or equal
// similarity and a greater document ID. The ID makes the order total, so equal
// similarities come out in the same order on every run (by ID, ascending)
// instead of in map iteration order.
func (a docSim) worse(b docSim) bool {
	if a.similarity != b.similarity {
		return a.similarity < b.similarity
	}
	return a.doc.ID > b.doc.ID
}

// docMinHeap is a min-heap of docSims: the root is the worst one kept.
// See https://pkg.go.dev/container/heap@go1.22#example-package-IntHeap
type docMinHeap []docSim

func (h docMinHeap) Len() int           { return len(h) }
func (h docMinHeap) Less(i, j int) bool { return h[i].worse(h[j]) }
func (h docMinHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }

func (h *docMinHeap) Push(x any) {
	// Push and Pop use pointer receivers because they modify the slice's length,
	// not just its contents.
	*h = append(*h, x.(docSim))
}

func (h *docMinHeap) Pop() any {
	old := *h
	n := len(old)
	x := old[n-1]
	*h = old[0 : n-1]
	return x
}

// topDocSims keeps the n best docSims seen. It is not safe for concurrent
// use: each query goroutine fills its own, and the results are merged once at
// the end (see getMostSimilarDocs). A shared, locked heap made every document
// take the same mutex, which dominated query time on large collections.
type topDocSims struct {
	h    docMinHeap
	size int
}

func newTopDocSims(size int) *topDocSims {
	return &topDocSims{h: make(docMinHeap, 0, size), size: size}
}

// add inserts a docSim, keeping only the best n.
func (d *topDocSims) add(doc docSim) {
	if d.h.Len() < d.size {
		heap.Push(&d.h, doc)
	} else if d.h.Len() > 0 && d.h[0].worse(doc) {
		// Replace the worst kept one.
		d.h[0] = doc
		heap.Fix(&d.h, 0)
	}
}

// mergeDocSims returns the best n of all heaps' docSims, best first.
func mergeDocSims(tops []*topDocSims, n int) []docSim {
	var all []docSim
	for _, t := range tops {
		all = append(all, t.h...)
	}
	slices.SortFunc(all, func(a, b docSim) int {
		switch {
		case b.worse(a):
			return -1
		case a.worse(b):
			return 1
		}
		return 0
	})
	if len(all) > n {
		all = all[:n]
	}
	return all
}

// filterDocs filters a map of documents by metadata and content.
// It does this concurrently.
func filterDocs(docs map[string]*Document, where, whereDocument map[string]string) []*Document {
	filteredDocs := make([]*Document, 0, len(docs))
	filteredDocsLock := sync.Mutex{}

	// Determine concurrency. Use number of docs or CPUs, whichever is smaller.
	numCPUs := runtime.NumCPU()
	numDocs := len(docs)
	concurrency := numCPUs
	if numDocs < numCPUs {
		concurrency = numDocs
	}

	docChan := make(chan *Document, concurrency*2)

	wg := sync.WaitGroup{}
	for i := 0; i < concurrency; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for doc := range docChan {
				if documentMatchesFilters(doc, where, whereDocument) {
					filteredDocsLock.Lock()
					filteredDocs = append(filteredDocs, doc)
					filteredDocsLock.Unlock()
				}
			}
		}()
	}

	for _, doc := range docs {
		docChan <- doc
	}
	close(docChan)

	wg.Wait()

	// With filteredDocs being initialized as potentially large slice, let's return
	// nil instead of the empty slice.
	if len(filteredDocs) == 0 {
		filteredDocs = nil
	}
	return filteredDocs
}

// documentMatchesFilters checks if a document matches the given filters.
// When calling this function, the whereDocument keys must already be validated!
func documentMatchesFilters(document *Document, where, whereDocument map[string]string) bool {
	// A document's metadata must have *all* the fields in the where clause.
	for k, v := range where {
		// TODO: Do we want to check for existence of the key? I.e. should
		// a where clause with empty string as value match a document's
		// metadata that doesn't have the key at all?
		if document.Metadata[k] != v {
			return false
		}
	}

	// A document must satisfy *all* filters, until we support the `$or` operator.
	for k, v := range whereDocument {
		switch k {
		case "$contains":
			if !strings.Contains(document.Content, v) {
				return false
			}
		case "$not_contains":
			if strings.Contains(document.Content, v) {
				return false
			}
		default:
			// No handling (error) required because we already validated the
			// operators. This simplifies the concurrency logic (no err var
			// and lock, no context to cancel).
		}
	}

	return true
}

// getMostSimilarDocs scores docs that match the where and whereDocument
// filters and returns the n most similar, best first (ties by ID). The filters
// are evaluated in the scan itself, so a query does not first copy the
// matching documents into a new slice.
func getMostSimilarDocs(ctx context.Context, queryVectors, negativeVector []float32, negativeFilterThreshold float32, docs []*Document, where, whereDocument map[string]string, n int) ([]docSim, error) {
	// Determine concurrency. Use number of docs or CPUs, whichever is smaller.
	numCPUs := runtime.NumCPU()
	numDocs := len(docs)
	concurrency := numCPUs
	if numDocs < numCPUs {
		concurrency = numDocs
	}
	filtered := len(where) > 0 || len(whereDocument) > 0

	var sharedErr error
	sharedErrLock := sync.Mutex{}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	setSharedErr := func(err error) {
		sharedErrLock.Lock()
		defer sharedErrLock.Unlock()
		// Another goroutine might have already set the error.
		if sharedErr == nil {
			sharedErr = err
			// Cancel the operation for all other goroutines.
			cancel(sharedErr)
		}
	}

	// score adds one document to top, or returns false after setting the
	// shared error.
	score := func(top *topDocSims, doc *Document, sim float32) bool {
		if negativeFilterThreshold > 0 {
			nsim, err := dotProduct(negativeVector, doc.Embedding)
			if err != nil {
				setSharedErr(fmt.Errorf("couldn't calculate negative similarity for document '%s': %w", doc.ID, err))
				return false
			}
			if nsim > negativeFilterThreshold {
				return true
			}
		}
		top.add(docSim{doc: doc, similarity: sim})
		return true
	}

	tops := make([]*topDocSims, concurrency)
	wg := sync.WaitGroup{}
	// Instead of using a channel to pass documents into the goroutines, we just
	// split the slice into sub-slices and pass those to the goroutines.
	// This turned out to be faster in the query benchmarks.
	subSliceSize := len(docs) / concurrency // Can leave remainder, e.g. 10/3 = 3; leaves 1
	rem := len(docs) % concurrency
	for i := 0; i < concurrency; i++ {
		start := i * subSliceSize
		end := start + subSliceSize
		// Add remainder to last goroutine
		if i == concurrency-1 {
			end += rem
		}
		tops[i] = newTopDocSims(n)

		wg.Add(1)
		go func(top *topDocSims, subSlice []*Document) {
			defer wg.Done()
			for j, doc := range subSlice {
				// Stop work if another goroutine encountered an error. Not
				// checked for every document: ctx.Err takes a lock.
				if j%256 == 0 && ctx.Err() != nil {
					return
				}
				if filtered && !documentMatchesFilters(doc, where, whereDocument) {
					continue
				}
				// As the vectors are normalized, the dot product is the cosine similarity.
				sim, err := dotProduct(queryVectors, doc.Embedding)
				if err != nil {
					setSharedErr(fmt.Errorf("couldn't calculate similarity for document '%s': %w", doc.ID, err))
					return
				}
				if !score(top, doc, sim) {
					return
				}
			}
		}(tops[i], docs[start:end])
	}

	wg.Wait()

	if sharedErr != nil {
		return nil, sharedErr
	}

	return mergeDocSims(tops, n), nil
}
