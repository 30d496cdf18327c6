package lexical

import "sort"

// SearchStructured is Search for a query with synonym groups (Pirkola's
// structured query, as used for dictionary-based cross-language
// retrieval): text is scored as by Search, and each group is one more
// query term whose alternatives are synonyms (the dictionary translations
// of one English word). A document's score for a group is the best score
// any one alternative gets on it (each alternative scored as a BM25 query
// of its own tokens), so a word with five translations weighs as much as a
// word with one, and a document matching two translations of the same word
// is not counted twice. An alternative that is part of another is
// harmless: the longer one scores at least as high where it matches.
func (ix *Index) SearchStructured(text string, groups [][]string, k int, allow func(id string) bool) []Hit {
	if len(groups) == 0 {
		return ix.Search(text, k, allow)
	}
	qtf := make(map[string]int)
	for _, t := range ix.tok.Tokens(text) {
		qtf[t]++
	}
	altTokens := make([][][]string, len(groups))
	for g, alts := range groups {
		for _, a := range alts {
			altTokens[g] = append(altTokens[g], ix.tok.Tokens(a))
		}
	}

	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.live == 0 {
		return nil
	}
	n := ix.live
	avgdl := float64(ix.totalLen) / float64(n)
	// Dense score arrays with the documents they touched: total (the
	// answer), best (one group's best alternative so far), cur (one
	// alternative). Each is zeroed through its touched list after use.
	total, best, cur := newAcc(len(ix.ids)), newAcc(len(ix.ids)), newAcc(len(ix.ids))
	// addTerms adds the BM25 score of terms (term → query frequency) to
	// acc, visiting terms in a fixed order so equal indexes give
	// bit-identical scores.
	addTerms := func(terms map[string]int, acc *acc) {
		keys := make([]string, 0, len(terms))
		for t := range terms {
			if _, ok := ix.termIDs[t]; ok {
				keys = append(keys, t)
			}
		}
		sort.Strings(keys)
		k1, b := ix.p.K1, ix.p.B
		for _, t := range keys {
			ps := ix.postings[ix.termIDs[t]]
			w := float64(terms[t]) * idf(n, len(ps)) * (k1 + 1)
			for _, p := range ps {
				tf := float64(p.tf)
				acc.add(p.doc, w*tf/(tf+k1*(1-b+b*float64(ix.lens[p.doc])/avgdl)))
			}
		}
	}
	addTerms(qtf, total)
	for _, alts := range altTokens {
		for _, toks := range alts {
			terms := map[string]int{}
			for _, t := range toks {
				terms[t] = 1 // an alternative is one term: its tokens count once
			}
			addTerms(terms, cur)
			for _, d := range cur.touched {
				if v := cur.score[d]; v > best.score[d] {
					if best.score[d] == 0 {
						best.touched = append(best.touched, d)
					}
					best.score[d] = v
				}
			}
			cur.reset()
		}
		for _, d := range best.touched {
			total.add(d, best.score[d])
		}
		best.reset()
	}
	h := hitHeap{k: k}
	for _, d := range total.touched {
		if s := total.score[d]; s > 0 && ix.ids[d] != "" && (allow == nil || allow(ix.ids[d])) {
			h.offer(Hit{ID: ix.ids[d], Score: s})
		}
	}
	total.reset()
	return h.sorted()
}

// acc accumulates scores per internal document number.
type acc struct {
	score   []float64
	touched []uint32
}

func newAcc(n int) *acc { return &acc{score: make([]float64, n)} }

func (a *acc) add(d uint32, v float64) {
	if a.score[d] == 0 {
		a.touched = append(a.touched, d)
	}
	a.score[d] += v
}

func (a *acc) reset() {
	for _, d := range a.touched {
		a.score[d] = 0
	}
	a.touched = a.touched[:0]
}
