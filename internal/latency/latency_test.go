package latency

import (
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	s := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for _, c := range []struct{ p, want float64 }{
		{0, 1}, {0.5, 5.5}, {0.95, 9.55}, {0.99, 9.91}, {1, 10},
	} {
		if got := Percentile(s, c.p); got < c.want-1e-9 || got > c.want+1e-9 {
			t.Errorf("Percentile(1..10, %v) = %v, want %v (numpy's linear)", c.p, got, c.want)
		}
	}
	if Percentile(nil, 0.95) != 0 || Percentile([]float64{7}, 0.95) != 7 {
		t.Error("empty or single-value sets")
	}
}

func TestSummary(t *testing.T) {
	in := []time.Duration{3 * time.Millisecond, time.Millisecond, 2 * time.Millisecond, 1500 * time.Microsecond}
	got := Of(in)
	if want := (Summary{N: 4, P50Ms: 1.75, P95Ms: 2.85, P99Ms: 2.97, MaxMs: 3}); !near(got, want) {
		t.Errorf("Of = %+v, want %+v", got, want)
	}
	if in[0] != 3*time.Millisecond {
		t.Error("Of sorted its input")
	}
	if (OfMs(nil) != Summary{}) {
		t.Errorf("OfMs(nil) = %+v", OfMs(nil))
	}
}

func near(a, b Summary) bool {
	close := func(x, y float64) bool { return x-y < 1e-9 && y-x < 1e-9 }
	return a.N == b.N && close(a.P50Ms, b.P50Ms) && close(a.P95Ms, b.P95Ms) && close(a.P99Ms, b.P99Ms) && close(a.MaxMs, b.MaxMs)
}
