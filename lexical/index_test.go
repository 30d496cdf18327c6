package lexical

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"sync"
	"testing"
)

// TestBM25HandWorked checks scores against arithmetic done by hand.
//
//	d1 "apple banana"              dl 2
//	d2 "apple apple cherry"        dl 3
//	d3 "banana cherry cherry date" dl 4
//	N = 3, avgdl = 9/3 = 3, k1 = 1.2, b = 0.75
//	df(apple) = df(cherry) = 2: idf = ln(1 + (3-2+0.5)/(2+0.5)) = ln 1.6
//	norm(dl) = k1·(1 - b + b·dl/avgdl): norm(2) = 0.9, norm(3) = 1.2, norm(4) = 1.5
//	term(tf, dl) = idf · tf·2.2 / (tf + norm(dl))
//
// Query "apple cherry":
//
//	d1: apple 1·2.2/(1+0.9) = 22/19                    → ln1.6 · 22/19  ≈ 0.5442
//	d2: apple 2·2.2/(2+1.2) = 1.375, cherry 2.2/2.2 = 1 → ln1.6 · 2.375  ≈ 1.1163
//	d3: cherry 2·2.2/(2+1.5) = 44/35                   → ln1.6 · 44/35  ≈ 0.5909
func TestBM25HandWorked(t *testing.T) {
	ix := New(Bigram(), DefaultParams())
	ix.Add("d1", "apple banana")
	ix.Add("d2", "apple apple cherry")
	ix.Add("d3", "banana cherry cherry date")
	idf := math.Log(1.6)
	want := []Hit{{"d2", idf * 2.375}, {"d3", idf * 44 / 35}, {"d1", idf * 22 / 19}}
	checkHits(t, ix.Search("Apple, CHERRY!", 10, nil), want)

	// A query term twice counts twice.
	checkHits(t, ix.Search("apple apple", 10, nil), []Hit{{"d2", 2 * idf * 1.375}, {"d1", 2 * idf * 22 / 19}})
	// k and allow cut the list; a term in no document adds nothing.
	checkHits(t, ix.Search("apple cherry kiwi", 1, nil), want[:1])
	checkHits(t, ix.Search("apple cherry", 10, func(id string) bool { return id != "d2" }), want[1:])
	if hits := ix.Search("kiwi", 10, nil); len(hits) != 0 {
		t.Errorf("Search(kiwi) = %v, want none", hits)
	}

	// k1 = 0 ignores term frequency and length: tf·1/(tf+0) = 1. With
	// N = 2 and df = 2, idf = ln(1 + 0.5/2.5) = ln 1.2; d2 and d3 tie and d2
	// comes first on id.
	flat := New(Bigram(), Params{K1: 0, B: 0.5})
	flat.Add("d3", "banana cherry cherry date")
	flat.Add("d2", "apple apple cherry")
	checkHits(t, flat.Search("cherry", 10, nil), []Hit{{"d2", math.Log(1.2)}, {"d3", math.Log(1.2)}})
}

func checkHits(t *testing.T, got, want []Hit) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d hits %v, want %v", len(got), got, want)
	}
	for i := range got {
		if got[i].ID != want[i].ID || math.Abs(got[i].Score-want[i].Score) > 1e-12 {
			t.Fatalf("hit %d = %v, want %v (all: %v)", i, got[i], want[i], got)
		}
	}
}

func TestTiesSortByID(t *testing.T) {
	ix := New(Bigram(), Params{})
	for _, id := range []string{"c", "a", "b", "e", "d"} {
		ix.Add(id, "经济增长")
	}
	hits := ix.Search("经济", 3, nil)
	if len(hits) != 3 || hits[0].ID != "a" || hits[1].ID != "b" || hits[2].ID != "c" {
		t.Fatalf("ties = %v, want a, b, c", hits)
	}
}

func TestParams(t *testing.T) {
	if got := New(Bigram(), Params{}).Params(); got != DefaultParams() {
		t.Errorf("zero Params gave %v, want defaults", got)
	}
	for _, p := range []Params{{K1: -1, B: 0.5}, {K1: 1, B: 1.5}, {K1: math.NaN(), B: 0.5}, {K1: math.Inf(1), B: 0}} {
		if p.Validate() == nil {
			t.Errorf("%v validated", p)
		}
	}
}

var sampleDocs = map[string]string{
	"a": "稳步推进城市更新，加快老旧小区改造。",
	"b": "国内生产总值增长5%左右，城镇新增就业1200万人以上。",
	"c": "因地制宜发展新质生产力，加快建设现代化产业体系。",
	"d": "粮食产量1.3万亿斤以上，城乡居民收入增长和经济增长同步。",
	"e": "深入实施城市更新行动，稳步推进城中村和危旧房改造。",
	"f": "",
	"g": "ＧＤＰ增长５％，CPI涨幅2%左右。",
}

var sampleQueries = []string{"城市更新", "经济增长5%", "新质生产力", "老旧小区改造", "gdp", "粮食", "就业", "没有的词"}

// build adds docs in a random order, with noise: decoy documents that are
// removed again and documents first added with other text and replaced.
func build(tok Tokenizer, docs map[string]string, seed uint64) *Index {
	r := rand.New(rand.NewPCG(seed, 1))
	ix := New(tok, Params{})
	ids := make([]string, 0, len(docs))
	for id := range docs {
		ids = append(ids, id)
	}
	r.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	for i, id := range ids {
		if r.IntN(2) == 0 {
			ix.Add(id, "先写入的旧文本 old text "+id)
		}
		ix.Add(fmt.Sprintf("decoy%d", i), "独有词汇 unique"+id)
	}
	for i, id := range ids {
		ix.Add(id, docs[id])
		ix.Remove(fmt.Sprintf("decoy%d", i))
	}
	return ix
}

func encode(t testing.TB, ix *Index) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := ix.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestRemoveReplaceConsistency: an index that saw replacements and removals
// equals, byte for byte and score for score, one built straight.
func TestRemoveReplaceConsistency(t *testing.T) {
	for _, tok := range []Tokenizer{Bigram(), GSE()} {
		want := New(tok, Params{})
		for _, id := range []string{"a", "b", "c", "d", "e", "f", "g"} {
			want.Add(id, sampleDocs[id])
		}
		for seed := range uint64(5) {
			got := build(tok, sampleDocs, seed)
			if got.Len() != want.Len() || got.Has("decoy0") || !got.Has("f") {
				t.Fatalf("%s seed %d: Len %d, want %d", tok.Name(), seed, got.Len(), want.Len())
			}
			if !bytes.Equal(encode(t, got), encode(t, want)) {
				t.Errorf("%s seed %d: encodings differ", tok.Name(), seed)
			}
			for _, q := range sampleQueries {
				if g, w := got.Search(q, 0, nil), want.Search(q, 0, nil); !reflect.DeepEqual(g, w) {
					t.Errorf("%s seed %d: Search(%q) = %v, want %v", tok.Name(), seed, q, g, w)
				}
			}
		}
	}
	ix := New(Bigram(), Params{})
	ix.Add("x", "城市更新")
	if !ix.Remove("x") || ix.Remove("x") || ix.Len() != 0 || ix.Search("城市", 5, nil) != nil {
		t.Error("Remove of the only document did not empty the index")
	}
}

func TestConcurrentSearch(t *testing.T) {
	ix := build(Bigram(), sampleDocs, 1)
	want := make([][]Hit, len(sampleQueries))
	for i, q := range sampleQueries {
		want[i] = ix.Search(q, 3, nil)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for n := range 200 {
				i := (g + n) % len(sampleQueries)
				if got := ix.Search(sampleQueries[i], 3, nil); !reflect.DeepEqual(got, want[i]) {
					t.Errorf("concurrent Search(%q) = %v, want %v", sampleQueries[i], got, want[i])
					return
				}
			}
		})
	}
	wg.Wait()
}
