package bench

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/reportsearch/reportsearch/store"
)

// The three exact engines `bench vectors` times agree: same top k, filtered
// and not (scores up to float32 rounding), so their latencies compare like
// with like.
func TestBenchVectorsEnginesAgree(t *testing.T) {
	ctx := context.Background()
	gen := newSynthetic(3, 20, 32, 0.8)
	recs := make([]store.Record, 2000)
	for i := range recs {
		recs[i].ID = string(rune('a'+i%26)) + string(rune('A'+i/26%26)) + string(rune('0'+i/676))
		recs[i].File = "synthetic/r" + string(rune('0'+i%Reports/10)) + string(rune('0'+i%10)) + ".txt"
		recs[i].Vector = gen.next()
	}
	cix, err := store.NewChromem(ctx, recs)
	if err != nil {
		t.Fatal(err)
	}
	six, err := newStockIndex(ctx, recs)
	if err != nil {
		t.Fatal(err)
	}
	pix := newPlainIndex(recs)
	for q := 0; q < 10; q++ {
		vec := gen.next()
		for _, keys := range [][]string{nil, {store.ReportKey("synthetic/r07.txt", 0), store.ReportKey("synthetic/r42.txt", 0)}} {
			want, err := cix.Query(ctx, vec, 18, keys)
			if err != nil {
				t.Fatal(err)
			}
			stockHits, err := six.query(ctx, vec, 18, keys)
			if err != nil {
				t.Fatal(err)
			}
			for name, got := range map[string][]store.Hit{"plain": pix.query(vec, 18, keys), "stock": stockHits} {
				if len(got) != len(want) || len(want) != 18 {
					t.Fatalf("%s, keys %v: %d hits, patched %d", name, keys, len(got), len(want))
				}
				for i := range got {
					if got[i].ID != want[i].ID || math.Abs(got[i].Score-want[i].Score) > 1e-6 {
						t.Fatalf("%s, keys %v: hit %d is %+v, patched %+v", name, keys, i, got[i], want[i])
					}
				}
			}
		}
	}
	if d := dot4([]float32{1, 2, 3, 4, 5}, []float32{1, 1, 1, 1, 2}); d != 20 {
		t.Fatalf("dot4 with a remainder: %v, want 20", d)
	}
}

// RunVectorsSize without Weaviate: every query timed on every in-process
// engine Repeat times (stock only on its first StockQueries, once), and
// stock chromem-go agreeing with the patched one on every query compared.
func TestRunVectorsSize(t *testing.T) {
	b := Vectors{Dims: 16, Queries: 6, Repeat: 2, K: 5, Clusters: 10, Spread: 0.8, Seed: 1, FilterReports: 10, StockQueries: 4}
	sz, err := RunVectorsSize(context.Background(), b, 300, time.Now().Add(time.Hour), false, false)
	if err != nil {
		t.Fatal(err)
	}
	if sz.N != 300 || sz.Loaded != 300 || sz.QueriesTimed != 12 || !sz.Weaviate.Skipped || sz.Stock.Skipped {
		t.Fatalf("size %+v: want 300 loaded, 6 queries x 2 timed, Weaviate skipped, stock measured", sz)
	}
	if sz.StockSame != 1 || sz.Recall != 0 {
		t.Errorf("stock same %v, recall %v: want 1 (exact engines agree) and 0 (no Weaviate)", sz.StockSame, sz.Recall)
	}
	for name, be := range map[string]VectorsBackend{"patched": sz.Patched, "plain": sz.Plain, "stock": sz.Stock} {
		if be.QPS <= 0 || be.VectorsPerSec <= 0 {
			t.Errorf("%s: %+v: want its load and queries measured", name, be)
		}
	}
}

// overlap counts the approximate hits that are among the exact ones (the
// numerator of recall@k); filterKeys names FilterReports distinct reports.
func TestOverlapAndFilterKeys(t *testing.T) {
	h := func(ids ...string) []store.Hit {
		var hs []store.Hit
		for _, id := range ids {
			hs = append(hs, store.Hit{ID: id})
		}
		return hs
	}
	if n := overlap(h("a", "b", "c"), h("c", "x", "a")); n != 2 {
		t.Errorf("overlap: %d, want 2", n)
	}
	keys := filterKeys(Vectors{FilterReports: 10}, 3)
	seen := map[string]bool{}
	for _, k := range keys {
		seen[k] = true
	}
	if len(keys) != 10 || len(seen) != 10 {
		t.Errorf("filter keys %v: want 10 distinct reports", keys)
	}
}
