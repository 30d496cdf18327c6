package eval

import (
	"reflect"
	"slices"
	"testing"
)

// The recall curve is computed from the stored ranks, and at the report's
// own cut-offs it is the report's recall@k, interval included.
func TestRecallCurve(t *testing.T) {
	qs, run := quoteRun()
	r := Evaluate(qs, run, nil, []int{1, 3, 5})
	curve := r.RecallCurve(0)
	if len(curve) != 5 {
		t.Fatalf("%d points, want k = 1..5 (as deep as retrieved)", len(curve))
	}
	// q-hit: rank 1 (1/1); q-third: ranks 3 and 5 of 2 answers; q-miss: 0.
	want := []float64{1.0 / 3, 1.0 / 3, 1.5 / 3, 1.5 / 3, 2.0 / 3}
	for i, p := range curve {
		if p.K != i+1 || !near(p.Mean, want[i]) || p.Lo > p.Mean || p.Hi < p.Mean {
			t.Errorf("k=%d: %+v, want mean %.4f", i+1, p, want[i])
		}
		if s, ok := r.Metrics[MetricName(MetricRecall, p.K)]; ok && s != p.Stat {
			t.Errorf("k=%d: curve %+v, report %+v", p.K, p.Stat, s)
		}
	}
	if got := r.RecallCurve(2); len(got) != 2 {
		t.Errorf("maxK 2: %d points", len(got))
	}
	// A report saved before ranks were stored: its own cut-offs only.
	old := r
	old.PerQuestion = slices.Clone(r.PerQuestion)
	for i := range old.PerQuestion {
		old.PerQuestion[i].RelevantRanks = nil
	}
	var ks []int
	for _, p := range old.RecallCurve(0) {
		ks = append(ks, p.K)
		if p.Stat != r.Metrics[MetricName(MetricRecall, p.K)] {
			t.Errorf("old report k=%d: %+v", p.K, p.Stat)
		}
	}
	if !slices.Equal(ks, []int{1, 3, 5}) {
		t.Errorf("old report: points at %v", ks)
	}
}

func TestByKindAndRankChanges(t *testing.T) {
	qs, run := quoteRun()
	qs = append(qs, Question{ID: "q-nokind", Query: "x", Answers: []Answer{{Quote: "甲"}}})
	run["q-nokind"] = []Hit{{ID: "c9", Text: "甲"}}
	a := Evaluate(qs, run, nil, []int{5})
	got := a.ByKind("hit@5")
	var kinds []string
	for _, k := range got {
		kinds = append(kinds, k.Kind)
		if k.N != 1 {
			t.Errorf("%s: n=%d", k.Kind, k.N)
		}
	}
	if !slices.Equal(kinds, []string{NoKind, "fact", "multi", "paraphrase"}) || got[3].Mean != 0 || got[2].Mean != 1 {
		t.Errorf("by kind: %+v", got)
	}

	// b finds q-miss's quote at rank 2 and no longer has q-nokind.
	run2 := Run{"q-hit": run["q-hit"], "q-third": run["q-third"], "q-miss": {{ID: "z"}, {ID: "y", Text: qs[2].Answers[0].Quote}}}
	b := Evaluate(qs[:3], run2, nil, []int{5})
	ch := RankChanges(a, b)
	want := []RankChange{{"q-hit", "fact", 1, 1}, {"q-third", "multi", 3, 3}, {"q-miss", "paraphrase", 0, 2}}
	if !reflect.DeepEqual(ch, want) {
		t.Errorf("rank changes %+v", ch)
	}
	if m := CommonMetric([]Report{a, b}); m != "recall@5" {
		t.Errorf("common metric %q", m)
	}
	if m := CommonMetric([]Report{a, Evaluate(qs, run, nil, []int{1, 10})}); m != "" {
		t.Errorf("no shared cut-off: %q", m)
	}
}

// A deep run (or a report claiming one) is drawn at curvePoints cut-offs,
// not one per k.
func TestRecallCurveDeep(t *testing.T) {
	if ks := curveKs(5); !slices.Equal(ks, []int{1, 2, 3, 4, 5}) {
		t.Errorf("curveKs(5) = %v", ks)
	}
	ks := curveKs(1_000_000_000)
	if len(ks) != curvePoints || ks[0] != 10_000_000 || ks[len(ks)-1] != 1_000_000_000 || !slices.IsSorted(ks) {
		t.Errorf("curveKs(1e9): %d points, %d … %d", len(ks), ks[0], ks[len(ks)-1])
	}
	r := Report{Ks: []int{1_000_000_000}, PerQuestion: []QuestionResult{{ID: "q", Relevant: 1, Retrieved: 3, FirstRelevant: 2, RelevantRanks: []int{2}}}}
	if c := r.RecallCurve(0); len(c) != curvePoints || c[0].Mean != 1 {
		t.Errorf("deep report: %d points, first %+v", len(c), c[0])
	}
}
