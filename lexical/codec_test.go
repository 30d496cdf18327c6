package lexical

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"reflect"
	"strings"
	"testing"
)

func TestEncodeDecodeRoundTrip(t *testing.T) {
	for _, tok := range []Tokenizer{Bigram(), GSEBigram()} {
		ix := build(tok, sampleDocs, 7)
		enc := encode(t, ix)
		got, err := Decode(bytes.NewReader(enc), nil)
		if err != nil {
			t.Fatal(err)
		}
		if got.Tokenizer().Name() != tok.Name() || got.Params() != ix.Params() || got.Len() != ix.Len() {
			t.Fatalf("%s: decoded %s %v %d docs", tok.Name(), got.Tokenizer().Name(), got.Params(), got.Len())
		}
		if !bytes.Equal(encode(t, got), enc) {
			t.Errorf("%s: re-encoding differs", tok.Name())
		}
		for _, q := range sampleQueries {
			if g, w := got.Search(q, 0, nil), ix.Search(q, 0, nil); !reflect.DeepEqual(g, w) {
				t.Errorf("%s: Search(%q) after decode = %v, want %v", tok.Name(), q, g, w)
			}
		}
		// A decoded index keeps working as a mutable index.
		got.Add("b", "全新的内容")
		ix.Add("b", "全新的内容")
		got.Remove("c")
		ix.Remove("c")
		if !bytes.Equal(encode(t, got), encode(t, ix)) {
			t.Errorf("%s: decoded index diverges after Add/Remove", tok.Name())
		}
	}

	empty := encode(t, New(BigramUnigram(), Params{K1: 0.9, B: 0.4}))
	ix, err := Decode(bytes.NewReader(empty), BigramUnigram())
	if err != nil || ix.Len() != 0 || ix.Params() != (Params{K1: 0.9, B: 0.4}) {
		t.Fatalf("empty index: %v, %v", ix, err)
	}
}

func TestDecodeWrongTokenizer(t *testing.T) {
	enc := encode(t, build(Bigram(), sampleDocs, 1))
	_, err := Decode(bytes.NewReader(enc), BigramUnigram())
	if err == nil || !strings.Contains(err.Error(), `"bigram"`) {
		t.Fatalf("Decode with another tokenizer: %v", err)
	}
}

// TestDecodeDamaged: every truncation and every flipped byte is an error.
func TestDecodeDamaged(t *testing.T) {
	enc := encode(t, build(Bigram(), map[string]string{"a": "城市更新", "b": "5% gdp"}, 1))
	for n := range len(enc) {
		if _, err := Decode(bytes.NewReader(enc[:n]), nil); err == nil {
			t.Fatalf("truncated to %d of %d bytes: no error", n, len(enc))
		}
	}
	for i := range enc {
		bad := bytes.Clone(enc)
		bad[i] ^= 0x40
		if _, err := Decode(bytes.NewReader(bad), nil); err == nil {
			t.Fatalf("byte %d flipped: no error", i)
		}
	}
}

// sealed appends a valid checksum, so that structural checks are reached.
func sealed(body []byte) []byte {
	return binary.LittleEndian.AppendUint32(bytes.Clone(body), crc32.Checksum(body, castagnoli))
}

// rawIndex writes an encoding by hand; docs are (id, length), terms are
// (term, [document delta, tf]...).
func rawIndex(version string, docs [][2]any, terms [][2]any) []byte {
	b := []byte(magic)
	str := func(s string) { b = binary.AppendUvarint(b, uint64(len(s))); b = append(b, s...) }
	str(version)
	str(NameBigram)
	b = binary.LittleEndian.AppendUint64(b, 0x3ff3333333333333) // 1.2
	b = binary.LittleEndian.AppendUint64(b, 0x3fe8000000000000) // 0.75
	b = binary.AppendUvarint(b, uint64(len(docs)))
	for _, d := range docs {
		str(d[0].(string))
		b = binary.AppendUvarint(b, uint64(d[1].(int)))
	}
	b = binary.AppendUvarint(b, uint64(len(terms)))
	for _, t := range terms {
		str(t[0].(string))
		ps := t[1].([]int)
		b = binary.AppendUvarint(b, uint64(len(ps)/2))
		for _, v := range ps {
			b = binary.AppendUvarint(b, uint64(v))
		}
	}
	return sealed(b)
}

func TestDecodeInvalidStructure(t *testing.T) {
	docs := [][2]any{{"a", 2}, {"b", 1}}
	good := [][2]any{{"城市", []int{0, 1, 1, 1}}, {"更新", []int{0, 1}}}
	if _, err := Decode(bytes.NewReader(rawIndex(Version, docs, good)), nil); err != nil {
		t.Fatalf("hand-written valid index: %v", err)
	}
	for _, c := range []struct {
		name  string
		data  []byte
		inErr string
	}{
		{"version", rawIndex("0", docs, good), "rebuild"},
		{"unsorted ids", rawIndex(Version, [][2]any{{"b", 2}, {"a", 1}}, good), "document 1 id"},
		{"unsorted terms", rawIndex(Version, docs, [][2]any{good[1], good[0]}), `term 1 ("城市")`},
		{"doc out of range", rawIndex(Version, docs, [][2]any{{"城市", []int{0, 1, 5, 1}}, good[1]}), "out of range"},
		{"repeated doc", rawIndex(Version, docs, [][2]any{{"城市", []int{0, 1, 0, 1}}, good[1]}), "repeats"},
		{"tf zero", rawIndex(Version, docs, [][2]any{{"城市", []int{0, 0, 1, 1}}, good[1]}), "term frequency 0"},
		{"length mismatch", rawIndex(Version, [][2]any{{"a", 3}, {"b", 1}}, good), "sum to 2"},
		{"empty input", nil, "bad magic"},
		{"df zero", rawIndex(Version, docs, [][2]any{{"城市", []int{}}}), "document frequency"},
		{"trailing bytes", sealed(append(rawIndex(Version, docs, good)[:len(rawIndex(Version, docs, good))-4], 0)), "unexpected bytes"},
	} {
		_, err := Decode(bytes.NewReader(c.data), nil)
		if err == nil || !strings.Contains(err.Error(), c.inErr) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.inErr)
		}
	}
	// A count larger than the input could hold must not allocate.
	b := []byte(magic)
	b = binary.AppendUvarint(b, uint64(len(Version)))
	b = append(b, Version...)
	b = binary.AppendUvarint(b, uint64(len(NameBigram)))
	b = append(b, NameBigram...)
	b = binary.LittleEndian.AppendUint64(b, 0x3ff3333333333333)
	b = binary.LittleEndian.AppendUint64(b, 0x3fe8000000000000)
	b = binary.AppendUvarint(b, 1<<60)
	if _, err := Decode(bytes.NewReader(sealed(b)), nil); err == nil || !strings.Contains(err.Error(), "document count") {
		t.Errorf("huge document count: %v", err)
	}
}

// FuzzDecode feeds arbitrary bodies with a valid checksum: Decode must not
// panic, and whatever it accepts must encode back to the same bytes, since
// the encoding is canonical and fully checked.
func FuzzDecode(f *testing.F) {
	enc := encode(f, build(Bigram(), sampleDocs, 3))
	f.Add(enc[:len(enc)-4])
	small := encode(f, build(Bigram(), map[string]string{"a": "城市更新", "b": "5%"}, 1))
	f.Add(small[:len(small)-4])
	f.Fuzz(func(t *testing.T, body []byte) {
		data := sealed(body)
		ix, err := Decode(bytes.NewReader(data), nil)
		if err != nil {
			return
		}
		if again := encode(t, ix); !bytes.Equal(again, data) {
			t.Fatalf("accepted input re-encodes differently:\n in %x\nout %x", data, again)
		}
	})
}
