// Package lexical is a BM25 index over chunk texts that works on Chinese:
// text is folded (NFKC, lower case) and CJK runs are cut into character
// bigrams and/or dictionary words, because whitespace tokenisation finds no
// words in Chinese at all.
//
// An Index is built with Add, queried with Search and persisted with Encode
// and Decode. All methods are safe for concurrent use.
package lexical

import (
	"container/heap"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
)

// Version changes whenever the terms produced for the same text change
// (normalisation or a tokenizer) or the encoding does, so that a persisted
// index built by an older version is rebuilt instead of silently queried
// with different terms.
const Version = "1"

// Params are the BM25 parameters. The zero Params means DefaultParams.
type Params struct {
	// K1 controls term-frequency saturation: 0 makes BM25 binary.
	K1 float64
	// B controls document-length normalisation: 0 none, 1 full.
	B float64
}

// DefaultParams are Lucene's and Anserini's defaults: k1 = 1.2, b = 0.75.
func DefaultParams() Params { return Params{K1: 1.2, B: 0.75} }

// Validate reports parameters BM25 cannot use.
func (p Params) Validate() error {
	if math.IsNaN(p.K1) || math.IsInf(p.K1, 0) || p.K1 < 0 {
		return fmt.Errorf("lexical: BM25 k1 = %v, want a finite number >= 0", p.K1)
	}
	if math.IsNaN(p.B) || p.B < 0 || p.B > 1 {
		return fmt.Errorf("lexical: BM25 b = %v, want 0 <= b <= 1", p.B)
	}
	return nil
}

// Hit is one search result.
type Hit struct {
	ID    string
	Score float64
}

type posting struct {
	doc uint32 // internal document number
	tf  uint32
}

// Index is an in-memory BM25 index: a postings list (document, term
// frequency) per term and a length per document.
type Index struct {
	tok Tokenizer
	p   Params

	mu       sync.RWMutex
	termIDs  map[string]uint32
	terms    []string    // term id → term
	postings [][]posting // term id → postings, ascending doc
	// Internal document numbers only grow (a replaced document gets a new
	// one), so appending keeps every postings list sorted.
	ids  []string // doc → id
	lens []uint32 // doc → number of tokens
	// docTerms (doc → its distinct term ids; nil once removed) is what
	// Remove needs. It is 4 bytes per posting, which nothing else uses, so
	// it is only built (from the postings) on the first Remove or
	// replacing Add, and kept up to date from then on.
	docTerms [][]uint32
	byID     map[string]uint32
	live     int    // documents present
	totalLen uint64 // sum of lens over present documents
}

// New returns an empty index. It panics if p is invalid (see
// Params.Validate), as regexp.MustCompile does for a bad pattern.
func New(tok Tokenizer, p Params) *Index {
	if p == (Params{}) {
		p = DefaultParams()
	}
	if err := p.Validate(); err != nil {
		panic(err)
	}
	return &Index{
		tok:     tok,
		p:       p,
		termIDs: make(map[string]uint32),
		byID:    make(map[string]uint32),
	}
}

// Tokenizer returns the tokenizer the index was built with.
func (ix *Index) Tokenizer() Tokenizer { return ix.tok }

// Params returns the BM25 parameters in use.
func (ix *Index) Params() Params { return ix.p }

// Len returns the number of documents in the index.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.live
}

// Has reports whether a document with that id is in the index.
func (ix *Index) Has(id string) bool {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	_, ok := ix.byID[id]
	return ok
}

// Add indexes text under id, replacing any document with the same id. A text
// without tokens is still a document (it counts in N and the average length)
// but no query can find it.
func (ix *Index) Add(id, text string) {
	tf := make(map[string]uint32)
	n := uint32(0)
	for _, t := range ix.tok.Tokens(text) {
		tf[t]++
		n++
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.remove(id)
	ix.add(id, n, tf)
}

// add appends a document; the caller holds the write lock and has removed
// any document with the same id.
func (ix *Index) add(id string, length uint32, tf map[string]uint32) {
	doc := uint32(len(ix.ids))
	var terms []uint32
	if ix.docTerms != nil {
		terms = make([]uint32, 0, len(tf))
	}
	for t, f := range tf {
		tid, ok := ix.termIDs[t]
		if !ok {
			tid = uint32(len(ix.terms))
			ix.termIDs[t] = tid
			ix.terms = append(ix.terms, t)
			ix.postings = append(ix.postings, nil)
		}
		ix.postings[tid] = append(ix.postings[tid], posting{doc: doc, tf: f})
		if ix.docTerms != nil {
			terms = append(terms, tid)
		}
	}
	ix.ids = append(ix.ids, id)
	ix.lens = append(ix.lens, length)
	if ix.docTerms != nil {
		ix.docTerms = append(ix.docTerms, terms)
	}
	ix.byID[id] = doc
	ix.live++
	ix.totalLen += uint64(length)
}

// Remove deletes the document with that id; it reports whether there was one.
func (ix *Index) Remove(id string) bool {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	return ix.remove(id)
}

func (ix *Index) remove(id string) bool {
	doc, ok := ix.byID[id]
	if !ok {
		return false
	}
	if ix.docTerms == nil {
		ix.docTerms = make([][]uint32, len(ix.ids))
		for tid, ps := range ix.postings {
			for _, p := range ps {
				ix.docTerms[p.doc] = append(ix.docTerms[p.doc], uint32(tid))
			}
		}
	}
	for _, tid := range ix.docTerms[doc] {
		ps := ix.postings[tid]
		i, found := slices.BinarySearchFunc(ps, doc, func(p posting, d uint32) int {
			return int64cmp(int64(p.doc), int64(d))
		})
		if found {
			ps = slices.Delete(ps, i, i+1)
		}
		if len(ps) == 0 {
			// Forget the term so that an index after Remove is the same as
			// one built without the document (same vocabulary, same encoding).
			ps = nil
			delete(ix.termIDs, ix.terms[tid])
			ix.terms[tid] = ""
		}
		ix.postings[tid] = ps
	}
	ix.live--
	ix.totalLen -= uint64(ix.lens[doc])
	ix.docTerms[doc] = nil
	ix.ids[doc] = ""
	ix.lens[doc] = 0
	delete(ix.byID, id)
	return true
}

func int64cmp(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// idf is Lucene's BM25 idf: log(1 + (N - df + 0.5) / (df + 0.5)), which
// stays positive even for a term in every document.
func idf(n, df int) float64 {
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}

var scorePool = sync.Pool{New: func() any { return new([]float64) }}

// Search returns the k best documents for query, sorted by score descending
// then id ascending, so equal scores come back in a repeatable order. k <= 0
// returns every matching document. allow, when not nil, keeps only the ids
// it accepts. Only documents sharing at least one term with the query are
// returned.
//
// The score is classic BM25 summed over the query's distinct terms, each
// weighted by how often it occurs in the query:
//
//	qtf · idf · tf·(k1+1) / (tf + k1·(1 − b + b·dl/avgdl))
func (ix *Index) Search(query string, k int, allow func(id string) bool) []Hit {
	qtf := make(map[string]int)
	for _, t := range ix.tok.Tokens(query) {
		qtf[t]++
	}

	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.live == 0 || len(qtf) == 0 {
		return nil
	}
	// Visit terms in a fixed order so every document's score is summed in
	// the same order: equal indexes give bit-identical scores.
	qterms := make([]string, 0, len(qtf))
	for t := range qtf {
		if _, ok := ix.termIDs[t]; ok {
			qterms = append(qterms, t)
		}
	}
	if len(qterms) == 0 {
		return nil
	}
	sort.Strings(qterms)

	sp := scorePool.Get().(*[]float64)
	defer scorePool.Put(sp)
	if cap(*sp) < len(ix.ids) {
		*sp = make([]float64, len(ix.ids))
	}
	scores := (*sp)[:len(ix.ids)]
	var touched []uint32

	n := ix.live
	avgdl := float64(ix.totalLen) / float64(n)
	k1, b := ix.p.K1, ix.p.B
	for _, t := range qterms {
		ps := ix.postings[ix.termIDs[t]]
		w := float64(qtf[t]) * idf(n, len(ps)) * (k1 + 1)
		for _, p := range ps {
			tf := float64(p.tf)
			norm := k1 * (1 - b + b*float64(ix.lens[p.doc])/avgdl)
			if scores[p.doc] == 0 {
				touched = append(touched, p.doc)
			}
			scores[p.doc] += w * tf / (tf + norm)
		}
	}

	cands := make([]Hit, len(touched))
	for i, d := range touched {
		cands[i] = Hit{ID: ix.ids[d], Score: scores[d]}
		scores[d] = 0 // hand the pooled buffer back zeroed
	}
	h := hitHeap{k: k}
	for _, c := range cands {
		if allow == nil || allow(c.ID) {
			h.offer(c)
		}
	}
	return h.sorted()
}

// cmpHits is the result order: score descending, then id ascending.
func cmpHits(a, b Hit) int {
	switch {
	case a.Score > b.Score:
		return -1
	case a.Score < b.Score:
		return 1
	}
	return strings.Compare(a.ID, b.ID)
}

func better(a, b Hit) bool { return cmpHits(a, b) < 0 }

// hitHeap keeps the k best hits, worst on top; k <= 0 keeps all.
type hitHeap struct {
	k    int
	hits []Hit
}

func (h *hitHeap) Len() int           { return len(h.hits) }
func (h *hitHeap) Less(i, j int) bool { return better(h.hits[j], h.hits[i]) }
func (h *hitHeap) Swap(i, j int)      { h.hits[i], h.hits[j] = h.hits[j], h.hits[i] }
func (h *hitHeap) Push(x any)         { h.hits = append(h.hits, x.(Hit)) }
func (h *hitHeap) Pop() any {
	x := h.hits[len(h.hits)-1]
	h.hits = h.hits[:len(h.hits)-1]
	return x
}

func (h *hitHeap) offer(x Hit) {
	switch {
	case h.k <= 0:
		h.hits = append(h.hits, x)
	case len(h.hits) < h.k:
		heap.Push(h, x)
	case better(x, h.hits[0]):
		h.hits[0] = x
		heap.Fix(h, 0)
	}
}

func (h *hitHeap) sorted() []Hit {
	slices.SortFunc(h.hits, cmpHits)
	return h.hits
}
