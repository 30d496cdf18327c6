package lexical

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"slices"
	"sort"
)

// The encoding is canonical: documents sorted by id, terms sorted, postings
// by document, so equal indexes encode to equal bytes however they were
// built (added in another order, documents replaced or removed).
//
//	magic "RSLEXIDX"
//	string Version, string tokenizer name, float64 k1, float64 b
//	uvarint documents, then per document: string id, uvarint length
//	uvarint terms, then per term: string term, uvarint df,
//	    df × (uvarint document delta, uvarint tf)
//	uint32 CRC-32C of everything before it
//
// Strings are a uvarint byte length and the bytes; floats and the CRC are
// little-endian. Uvarints are minimal (encoding/binary's PutUvarint); a
// longer form of the same number is refused, so each index has exactly one
// encoding. The first document delta of a term is the document's
// position, the next ones the gap to the previous (at least 1).
const magic = "RSLEXIDX"

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Encode writes the index in a compact binary form that Decode reads back
// exactly.
func (ix *Index) Encode(w io.Writer) error {
	return ix.EncodeContext(context.Background(), w)
}

// EncodeContext is Encode that stops, returning ctx.Err(), when ctx is done;
// what was written to w by then is an incomplete encoding to be discarded.
// Encoding an index of hundreds of thousands of documents takes seconds.
func (ix *Index) EncodeContext(ctx context.Context, w io.Writer) error {
	ix.mu.RLock()
	defer ix.mu.RUnlock()

	docs := make([]uint32, 0, ix.live) // internal numbers, by id
	for _, d := range ix.byID {
		docs = append(docs, d)
	}
	sort.Slice(docs, func(i, j int) bool { return ix.ids[docs[i]] < ix.ids[docs[j]] })
	terms := make([]string, 0, len(ix.termIDs))
	for t := range ix.termIDs {
		terms = append(terms, t)
	}
	sort.Strings(terms)
	return writeIndex(ctx, w, ix.tok.Name(), ix.p, ix.ids, ix.lens, docs, terms,
		func(t string, add func(doc, tf uint32)) {
			for _, p := range ix.postings[ix.termIDs[t]] {
				add(p.doc, p.tf)
			}
		})
}

// writeIndex writes the encoding of an index: ids and lens are by internal
// document number, docs lists the present documents' numbers sorted by id,
// terms is sorted, and postings calls add for every (document, tf) of a
// term, in any order.
func writeIndex(ctx context.Context, w io.Writer, tokName string, p Params, ids []string, lens []uint32,
	docs []uint32, terms []string, postings func(t string, add func(doc, tf uint32))) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	const absent = math.MaxUint32
	rank := make([]uint32, len(ids)) // internal number → position by id
	for i := range rank {
		rank[i] = absent
	}
	for r, d := range docs {
		rank[d] = uint32(r)
	}

	crc := crc32.New(castagnoli)
	bw := bufio.NewWriterSize(io.MultiWriter(w, crc), 1<<16)
	var buf [binary.MaxVarintLen64]byte
	uvarint := func(v uint64) { bw.Write(buf[:binary.PutUvarint(buf[:], v)]) }
	str := func(s string) { uvarint(uint64(len(s))); bw.WriteString(s) }
	float := func(f float64) { bw.Write(binary.LittleEndian.AppendUint64(buf[:0], math.Float64bits(f))) }

	bw.WriteString(magic)
	str(Version)
	str(tokName)
	float(p.K1)
	float(p.B)
	uvarint(uint64(len(docs)))
	for _, d := range docs {
		str(ids[d])
		uvarint(uint64(lens[d]))
	}
	uvarint(uint64(len(terms)))
	var ranked [][2]uint32
	add := func(doc, tf uint32) {
		if r := rank[doc]; r != absent {
			ranked = append(ranked, [2]uint32{r, tf})
		}
	}
	for i, t := range terms {
		if i%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		ranked = ranked[:0]
		postings(t, add)
		slices.SortFunc(ranked, func(a, b [2]uint32) int { return int64cmp(int64(a[0]), int64(b[0])) })
		str(t)
		uvarint(uint64(len(ranked)))
		prev := uint64(0)
		for _, rt := range ranked {
			uvarint(uint64(rt[0]) - prev)
			uvarint(uint64(rt[1]))
			prev = uint64(rt[0])
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("lexical: encode: %w", err)
	}
	if _, err := w.Write(binary.LittleEndian.AppendUint32(nil, crc.Sum32())); err != nil {
		return fmt.Errorf("lexical: encode: %w", err)
	}
	return nil
}

// Decode reads an index written by Encode. tok must have the name the index
// was built with; nil picks the built-in tokenizer of that name. Damaged or
// truncated input, or an index from another Version, is an error.
func Decode(r io.Reader, tok Tokenizer) (*Index, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("lexical: decode: %w", err)
	}
	if len(data) < len(magic)+4 || string(data[:len(magic)]) != magic {
		return nil, errors.New("lexical: decode: not a lexical index (bad magic)")
	}
	body := data[:len(data)-4]
	if want, got := binary.LittleEndian.Uint32(data[len(body):]), crc32.Checksum(body, castagnoli); want != got {
		return nil, fmt.Errorf("lexical: decode: checksum mismatch (stored %08x, computed %08x): the file is damaged or truncated", want, got)
	}
	d := &decoder{buf: body, off: len(magic)}

	if v := d.str("version"); d.err == nil && v != Version {
		return nil, fmt.Errorf("lexical: decode: index has version %q, this build reads %q: rebuild the index", v, Version)
	}
	name := d.str("tokenizer")
	p := Params{K1: d.float("k1"), B: d.float("b")}
	if d.err != nil {
		return nil, d.err
	}
	if tok == nil {
		if tok, err = TokenizerByName(name); err != nil {
			return nil, fmt.Errorf("lexical: decode: %w", err)
		}
	} else if tok.Name() != name {
		return nil, fmt.Errorf("lexical: decode: index was built with tokenizer %q, not %q", name, tok.Name())
	}
	if err := p.Validate(); err != nil || p == (Params{}) {
		return nil, fmt.Errorf("lexical: decode: bad parameters k1=%v b=%v", p.K1, p.B)
	}

	ix := New(tok, p)
	// Every document takes at least two bytes, every term three, every
	// posting two: bound the counts by the input size before allocating.
	nDocs := d.count("document count", 2)
	ix.ids = make([]string, nDocs)
	ix.lens = make([]uint32, nDocs)
	var i int
	d.where = func() string { return fmt.Sprintf("document %d", i) }
	for i = 0; i < nDocs && d.err == nil; i++ {
		id := d.str("id")
		n := d.uint32("length")
		if d.err == nil && i > 0 && id <= ix.ids[i-1] {
			d.fail("id", fmt.Sprintf("%q is not after %q: ids must be sorted and unique", id, ix.ids[i-1]))
		}
		ix.ids[i], ix.lens[i] = id, n
		ix.byID[id] = uint32(i)
		ix.totalLen += uint64(n)
	}
	ix.live = nDocs

	sums := make([]uint64, nDocs) // tf per document, to check the lengths
	d.where = nil
	nTerms := d.count("term count", 3)
	ix.terms = make([]string, 0, nTerms)
	ix.postings = make([][]posting, 0, nTerms)
	var t string
	var j int
	d.where = func() string {
		if j < 0 {
			return fmt.Sprintf("term %d (%q)", i, t)
		}
		return fmt.Sprintf("term %d (%q) posting %d", i, t, j)
	}
	for i = 0; i < nTerms && d.err == nil; i++ {
		j = -1
		t = d.str("term")
		if d.err == nil && (t == "" || (i > 0 && t <= ix.terms[i-1])) {
			d.fail("term", "terms must be non-empty, sorted and unique")
		}
		df := d.count("document frequency", 2)
		if d.err == nil && (df == 0 || df > nDocs) {
			d.fail("document frequency", fmt.Sprintf("%d, want 1..%d", df, nDocs))
		}
		ps := make([]posting, 0, df)
		doc := uint64(0)
		for j = 0; j < df && d.err == nil; j++ {
			delta := d.uvarint("document")
			tf := d.uint32("tf")
			doc += delta
			switch {
			case d.err != nil:
			case j > 0 && delta == 0:
				d.fail("document", fmt.Sprintf("repeats document %d", doc))
			case doc >= uint64(nDocs) || doc < delta: // doc < delta: overflow
				d.fail("document", fmt.Sprintf("%d is out of range (%d documents)", doc, nDocs))
			case tf == 0:
				d.fail("tf", "term frequency 0")
			default:
				ps = append(ps, posting{doc: uint32(doc), tf: tf})
				sums[doc] += uint64(tf)
			}
		}
		ix.termIDs[t] = uint32(i)
		ix.terms = append(ix.terms, t)
		ix.postings = append(ix.postings, ps)
	}
	if d.err != nil {
		return nil, d.err
	}
	if d.off != len(body) {
		return nil, fmt.Errorf("lexical: decode: %d unexpected bytes after the last term", len(body)-d.off)
	}
	for i, s := range sums {
		if s != uint64(ix.lens[i]) {
			return nil, fmt.Errorf("lexical: decode: document %d (%q) has length %d but its term frequencies sum to %d", i, ix.ids[i], ix.lens[i], s)
		}
	}
	return ix, nil
}

// decoder reads fields from an in-memory encoding; after the first error
// every read returns a zero value and the error is kept.
type decoder struct {
	buf   []byte
	off   int
	err   error
	where func() string // names the record being read, for errors
}

func (d *decoder) fail(field, msg string) {
	if d.err != nil {
		return
	}
	if d.where != nil {
		field = d.where() + " " + field
	}
	d.err = fmt.Errorf("lexical: decode: %s at byte %d: %s", field, d.off, msg)
}

func (d *decoder) uvarint(field string) uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.buf[d.off:])
	if n <= 0 {
		d.fail(field, "truncated or overlong varint")
		return 0
	}
	// binary.Uvarint also accepts non-minimal forms (0x80 0x00 for 0); the
	// format has one encoding per index, so a varint longer than one byte
	// must not end in a zero byte (found by FuzzDecode).
	if n > 1 && d.buf[d.off+n-1] == 0 {
		d.fail(field, "non-minimal varint")
		return 0
	}
	d.off += n
	return v
}

func (d *decoder) uint32(field string) uint32 {
	v := d.uvarint(field)
	if v > math.MaxUint32 {
		d.fail(field, fmt.Sprintf("%d does not fit in 32 bits", v))
		return 0
	}
	return uint32(v)
}

// count reads a count of items that each take at least minBytes.
func (d *decoder) count(field string, minBytes int) int {
	v := d.uvarint(field)
	if v > uint64(len(d.buf)-d.off)/uint64(minBytes) {
		d.fail(field, fmt.Sprintf("%d is more than the remaining %d bytes can hold", v, len(d.buf)-d.off))
		return 0
	}
	return int(v)
}

func (d *decoder) str(field string) string {
	n := d.uvarint(field + " length")
	if d.err != nil {
		return ""
	}
	if n > uint64(len(d.buf)-d.off) {
		d.fail(field, fmt.Sprintf("length %d runs past the end", n))
		return ""
	}
	s := string(d.buf[d.off : d.off+int(n)])
	d.off += int(n)
	return s
}

func (d *decoder) float(field string) float64 {
	if d.err != nil {
		return 0
	}
	if len(d.buf)-d.off < 8 {
		d.fail(field, "truncated")
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(d.buf[d.off:]))
	d.off += 8
	return v
}
