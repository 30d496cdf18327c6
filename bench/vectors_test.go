package bench

import (
	"context"
	"math"
	"testing"

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
