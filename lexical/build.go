package lexical

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"sort"
)

// Build writes the encoding of an index of n documents, exactly what Encode
// writes for an Index to which they were added, without building the
// Index. doc returns the id and text of document i; ids must be unique.
//
// It exists for memory: an Index keeps 8 bytes per posting for search plus
// 4 more per posting to support Remove, which for a 200 MB file were over a
// gigabyte. Build keeps each term's postings as varint-coded document gaps
// and term frequencies (2 to 3 bytes each) and nothing per document but its
// id and length. It stops, returning ctx.Err(), when ctx is done.
func Build(ctx context.Context, w io.Writer, tok Tokenizer, p Params, n int, doc func(i int) (id, text string)) error {
	if p == (Params{}) {
		p = DefaultParams()
	}
	if err := p.Validate(); err != nil {
		return err
	}
	termIDs := make(map[string]uint32)
	var (
		terms []string
		post  [][]byte // term id → (document gap, tf) varints, documents ascending
		last  []uint32 // term id → 1 + the last document added to its postings
		ids   = make([]string, n)
		lens  = make([]uint32, n)
		tf    = make(map[string]uint32)
	)
	for i := range n {
		if i%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		id, text := doc(i)
		clear(tf)
		length := uint32(0)
		for _, t := range tok.Tokens(text) {
			tf[t]++
			length++
		}
		for t, f := range tf {
			tid, ok := termIDs[t]
			if !ok {
				tid = uint32(len(terms))
				termIDs[t] = tid
				terms = append(terms, t)
				post = append(post, nil)
				last = append(last, 0)
			}
			post[tid] = binary.AppendUvarint(post[tid], uint64(uint32(i)+1-last[tid]))
			post[tid] = binary.AppendUvarint(post[tid], uint64(f))
			last[tid] = uint32(i) + 1
		}
		ids[i], lens[i] = id, length
	}

	docs := make([]uint32, n)
	for i := range docs {
		docs[i] = uint32(i)
	}
	slices.SortFunc(docs, func(a, b uint32) int {
		switch {
		case ids[a] < ids[b]:
			return -1
		case ids[a] > ids[b]:
			return 1
		}
		return 0
	})
	for i := 1; i < len(docs); i++ {
		if ids[docs[i]] == ids[docs[i-1]] {
			return fmt.Errorf("lexical: build: two documents have the id %q", ids[docs[i]])
		}
	}
	sort.Strings(terms) // term ids are looked up by name from here on
	return writeIndex(ctx, w, tok.Name(), p, ids, lens, docs, terms, func(t string, add func(doc, tf uint32)) {
		b := post[termIDs[t]]
		doc := uint64(0)
		for len(b) > 0 {
			gap, k := binary.Uvarint(b)
			f, m := binary.Uvarint(b[k:])
			b = b[k+m:]
			doc += gap // the first gap is 1 + the first document
			add(uint32(doc-1), uint32(f))
		}
	})
}
