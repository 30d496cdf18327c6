// Package latency is the one latency summary of every benchmark, and the
// one percentile definition of the project (eval.Percentile is this one):
// figures from `bench index`, `bench load` and `eval` are comparable only
// if they rank values the same way.
package latency

import (
	"math"
	"slices"
	"time"
)

// Percentile returns the p-quantile (0 ≤ p ≤ 1) of sorted values with linear
// interpolation between closest ranks (numpy's default); 0 for no values.
func Percentile(sorted []float64, p float64) float64 {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	h := p * float64(n-1)
	lo := int(math.Floor(h))
	if lo >= n-1 {
		return sorted[n-1]
	}
	if lo < 0 {
		return sorted[0]
	}
	return sorted[lo] + (h-float64(lo))*(sorted[lo+1]-sorted[lo])
}

// Summary is a set of timings in milliseconds.
type Summary struct {
	N     int     `json:"n"`
	P50Ms float64 `json:"p50_ms"`
	P95Ms float64 `json:"p95_ms"`
	P99Ms float64 `json:"p99_ms"`
	MaxMs float64 `json:"max_ms"`
}

// OfMs summarises timings in milliseconds (ms is not modified).
func OfMs(ms []float64) Summary {
	s := slices.Clone(ms)
	slices.Sort(s)
	sum := Summary{N: len(s), P50Ms: Percentile(s, 0.50), P95Ms: Percentile(s, 0.95), P99Ms: Percentile(s, 0.99)}
	if len(s) > 0 {
		sum.MaxMs = s[len(s)-1]
	}
	return sum
}

// Of summarises durations, at microsecond resolution.
func Of(d []time.Duration) Summary {
	ms := make([]float64, len(d))
	for i, x := range d {
		ms[i] = float64(x.Microseconds()) / 1000
	}
	return OfMs(ms)
}
