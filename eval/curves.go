package eval

import "slices"

// What the plots draw, computed here so that the numbers are tested
// apart from the drawing. Every interval is BootstrapCI with the report's
// resamples and seed, so a point at one of the report's cut-offs equals
// the report's own figure.

// CurvePoint is a metric's mean at cut-off K, with its 95% CI.
type CurvePoint struct {
	K int
	Stat
}

// hasRanks reports whether r stores every relevant hit's rank (reports
// written before RelevantRanks existed do not).
func (r Report) hasRanks() bool {
	for _, q := range r.PerQuestion {
		if q.FirstRelevant > 0 && len(q.RelevantRanks) == 0 {
			return false
		}
	}
	return true
}

// RecallCurve returns recall@k of the scored questions for k = 1 … maxK
// (maxK ≤ 0: as deep as the run retrieved; beyond curvePoints, at
// curvePoints cut-offs spread evenly), from the ranks of their
// relevant hits. A report without those ranks gives its recall@k metrics,
// at its own cut-offs only.
func (r Report) RecallCurve(maxK int) []CurvePoint {
	if !r.hasRanks() {
		var out []CurvePoint
		for _, k := range r.Ks {
			if s, ok := r.Metrics[MetricName(MetricRecall, k)]; ok && (maxK <= 0 || k <= maxK) {
				out = append(out, CurvePoint{K: k, Stat: s})
			}
		}
		return out
	}
	if maxK <= 0 {
		maxK = r.depth()
	}
	var scored []QuestionResult
	for _, q := range r.PerQuestion {
		if q.Relevant > 0 {
			scored = append(scored, q)
		}
	}
	out := make([]CurvePoint, 0, min(maxK, curvePoints))
	v := make([]float64, len(scored))
	for _, k := range curveKs(maxK) {
		for i, q := range scored {
			n := 0
			for _, rank := range q.RelevantRanks {
				if rank <= k {
					n++
				}
			}
			v[i] = float64(n) / float64(q.Relevant)
		}
		lo, hi := BootstrapCI(v, BootstrapResamples, BootstrapSeed)
		out = append(out, CurvePoint{K: k, Stat: Stat{Mean: mean(v), Lo: lo, Hi: hi}})
	}
	return out
}

// curvePoints is the most points a curve has: deeper runs are drawn at
// curvePoints cut-offs spread evenly up to maxK (each point costs a
// bootstrap over the questions).
const curvePoints = 100

func curveKs(maxK int) []int {
	var ks []int
	for i := 1; i <= min(maxK, curvePoints); i++ {
		k := i
		if maxK > curvePoints {
			k = int((int64(i)*int64(maxK) + curvePoints - 1) / curvePoints)
		}
		ks = append(ks, k)
	}
	return ks
}

// NoKind is the kind of questions that have none.
const NoKind = "(none)"

// KindStat is a metric over the scored questions of one kind.
type KindStat struct {
	Kind string
	N    int
	Stat
}

// ByKind returns metric per question kind, kinds in name order.
func (r Report) ByKind(metric string) []KindStat {
	vals := map[string][]float64{}
	for _, q := range r.PerQuestion {
		x, ok := q.Metrics[metric]
		if !ok {
			continue
		}
		k := q.Kind
		if k == "" {
			k = NoKind
		}
		vals[k] = append(vals[k], x)
	}
	var out []KindStat
	for k, v := range vals {
		lo, hi := BootstrapCI(v, BootstrapResamples, BootstrapSeed)
		out = append(out, KindStat{Kind: k, N: len(v), Stat: Stat{Mean: mean(v), Lo: lo, Hi: hi}})
	}
	slices.SortFunc(out, func(a, b KindStat) int {
		switch {
		case a.Kind < b.Kind:
			return -1
		case a.Kind > b.Kind:
			return 1
		}
		return 0
	})
	return out
}

// RankChange is one question's rank of the first relevant hit in two runs
// (0: none retrieved).
type RankChange struct {
	ID   string
	Kind string
	A, B int
}

// RankChanges pairs the questions scored in both a and b, in a's order.
func RankChanges(a, b Report) []RankChange {
	inB := make(map[string]QuestionResult, len(b.PerQuestion))
	for _, q := range b.PerQuestion {
		inB[q.ID] = q
	}
	var out []RankChange
	for _, q := range a.PerQuestion {
		qb, ok := inB[q.ID]
		if !ok || q.Relevant == 0 || qb.Relevant == 0 {
			continue
		}
		out = append(out, RankChange{ID: q.ID, Kind: q.Kind, A: q.FirstRelevant, B: qb.FirstRelevant})
	}
	return out
}

// Depth is how deep the run retrieved: the longest hit list, or the
// largest cut-off if that is more. A miss lies beyond it.
func (r Report) Depth() int { return r.depth() }

// CommonMetric returns the metric the per-kind plot shows by default: the
// first of recall@10, then recall, hit and ndcg at the largest cut-off
// every report has; "" when they share none of these.
func CommonMetric(reports []Report) string {
	has := func(m string) bool {
		for _, r := range reports {
			if _, ok := r.Metrics[m]; !ok {
				return false
			}
		}
		return len(reports) > 0
	}
	if has("recall@10") {
		return "recall@10"
	}
	if len(reports) == 0 {
		return ""
	}
	ks := slices.Clone(reports[0].Ks)
	slices.Sort(ks)
	slices.Reverse(ks)
	for _, fam := range []string{MetricRecall, MetricHit, MetricNDCG} {
		for _, k := range ks {
			if m := MetricName(fam, k); has(m) {
				return m
			}
		}
	}
	return ""
}
