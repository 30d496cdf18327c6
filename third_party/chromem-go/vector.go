package chromem

import (
	"errors"
	"math"
)

const isNormalizedPrecisionTolerance = 1e-6

// dotProduct calculates the dot product between two vectors.
// It's the same as cosine similarity for normalized vectors.
// The resulting value represents the similarity, so a higher value means the
// vectors are more similar.
func dotProduct(a, b []float32) (float32, error) {
	// The vectors must have the same length
	if len(a) != len(b) {
		return 0, errors.New("vectors must have the same length")
	}

	var dotProduct float32
	for i := range a {
		dotProduct += a[i] * b[i]
	}

	return dotProduct, nil
}

// dotProduct4 is dotProduct of q with four vectors at once, or false when
// one of them differs in length from q. Each of the four sums is taken in the
// same order as dotProduct's, so the results are identical to four calls of
// dotProduct; computing them side by side lets the CPU overlap the four
// chains of additions instead of waiting on one.
func dotProduct4(q, a, b, c, d []float32) (sims [4]float32, ok bool) {
	n := len(q)
	if len(a) != n || len(b) != n || len(c) != n || len(d) != n {
		return sims, false
	}
	// Reslicing to n lets the compiler drop the bounds checks in the loop.
	a, b, c, d = a[:n], b[:n], c[:n], d[:n]
	var s0, s1, s2, s3 float32
	for i, x := range q {
		s0 += x * a[i]
		s1 += x * b[i]
		s2 += x * c[i]
		s3 += x * d[i]
	}
	return [4]float32{s0, s1, s2, s3}, true
}

func normalizeVector(v []float32) []float32 {
	var norm float32
	for _, val := range v {
		norm += val * val
	}
	norm = float32(math.Sqrt(float64(norm)))

	res := make([]float32, len(v))
	for i, val := range v {
		res[i] = val / norm
	}

	return res
}

// subtractVector subtracts vector b from vector a in place.
func subtractVector(a, b []float32) []float32 {
	res := make([]float32, len(a))

	for i := range a {
		res[i] = a[i] - b[i]
	}

	return res
}

// isNormalized checks if the vector is normalized.
func isNormalized(v []float32) bool {
	var sqSum float64
	for _, val := range v {
		sqSum += float64(val) * float64(val)
	}
	magnitude := math.Sqrt(sqSum)
	return math.Abs(magnitude-1) < isNormalizedPrecisionTolerance
}
