package eval

import (
	"math"
	"reflect"
	"slices"
	"testing"
	"time"
)

const eps = 1e-12

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func checkMetrics(t *testing.T, got map[string]float64, want map[string]float64) {
	t.Helper()
	for name, w := range want {
		g, ok := got[name]
		if !ok {
			t.Errorf("%s missing", name)
			continue
		}
		if !near(g, w) {
			t.Errorf("%s = %.6f, want %.6f", name, g, w)
		}
	}
}

func log2(x float64) float64 { return math.Log2(x) }

// Binary relevance, R = 3, relevant hits at ranks 2 and 4 of 5.
func TestMetricsHandWorked(t *testing.T) {
	j := Judgment{Grades: []int{0, 1, 0, 1, 0}, Ideal: []int{1, 1, 1}}
	got := Metrics(j, []int{1, 3, 5, 10})
	// IDCG with three relevant items of gain 1 at ranks 1..3:
	idcg3 := 1/log2(2) + 1/log2(3) + 1/log2(4)
	want := map[string]float64{
		"p@1": 0, "recall@1": 0, "hit@1": 0, "mrr@1": 0, "ndcg@1": 0,
		// top 3 holds one relevant hit (rank 2)
		"p@3": 1.0 / 3, "recall@3": 1.0 / 3, "hit@3": 1, "mrr@3": 1.0 / 2,
		"ndcg@3": (1 / log2(3)) / idcg3,
		// top 5 holds two (ranks 2 and 4)
		"p@5": 2.0 / 5, "recall@5": 2.0 / 3, "hit@5": 1, "mrr@5": 1.0 / 2,
		"ndcg@5": (1/log2(3) + 1/log2(5)) / idcg3,
		// p@10 divides by 10 although only 5 were retrieved (trec_eval P_10)
		"p@10": 2.0 / 10, "recall@10": 2.0 / 3,
		// AP = (1/2 + 2/4) / R
		"map": (1.0/2 + 2.0/4) / 3,
	}
	checkMetrics(t, got, want)
}

// Graded gains: qrels a:3 b:2 c:1, run c x a.
func TestMetricsGradedNDCG(t *testing.T) {
	q := Question{ID: "q", Qrels: map[string]int{"a": 3, "b": 2, "c": 1, "z": 0}}
	j := JudgeQrels(q, []Hit{{ID: "c"}, {ID: "x"}, {ID: "a"}})
	if !slices.Equal(j.Grades, []int{1, 0, 3}) || !slices.Equal(j.Ideal, []int{3, 2, 1}) {
		t.Fatalf("judgment %+v", j)
	}
	got := Metrics(j, []int{1, 3})
	// DCG@3 = 1/log2(2) + 0 + 3/log2(4); IDCG@3 = 3/log2(2) + 2/log2(3) + 1/log2(4)
	// DCG@1 = 1; IDCG@1 = 3
	want := map[string]float64{
		"ndcg@1": 1.0 / 3,
		"ndcg@3": (1 + 3/log2(4)) / (3 + 2/log2(3) + 1/log2(4)),
		// binary measures ignore the grade: relevant at ranks 1 and 3, R = 3
		"p@3": 2.0 / 3, "recall@3": 2.0 / 3, "mrr@3": 1,
		"map": (1.0/1 + 2.0/3) / 3,
	}
	checkMetrics(t, got, want)
}

func TestMetricsPerfectAndEmpty(t *testing.T) {
	perfect := Metrics(Judgment{Grades: []int{2, 1}, Ideal: []int{2, 1}}, []int{1, 2, 5})
	for name, v := range perfect {
		want := 1.0
		switch name {
		case "p@5":
			want = 2.0 / 5
		case "recall@1": // R = 2, one slot
			want = 1.0 / 2
		}
		if !near(v, want) {
			t.Errorf("perfect run: %s = %v, want %v", name, v, want)
		}
	}
	empty := Metrics(Judgment{Grades: nil, Ideal: []int{1}}, []int{1, 10})
	for name, v := range empty {
		if v != 0 {
			t.Errorf("empty run: %s = %v, want 0", name, v)
		}
	}
	if m := Metrics(Judgment{Grades: []int{0}}, []int{1}); m != nil {
		t.Errorf("no relevant items: got %v, want nil", m)
	}
}

// A relevant document listed twice counts once, at its first rank.
func TestQrelsDuplicateHit(t *testing.T) {
	q := Question{ID: "q", Qrels: map[string]int{"a": 1, "b": 1}}
	j := JudgeQrels(q, []Hit{{ID: "a"}, {ID: "a"}, {ID: "b"}})
	if !slices.Equal(j.Grades, []int{1, 0, 1}) {
		t.Fatalf("grades %v, want [1 0 1]", j.Grades)
	}
	// AP = (1/1 + 2/3) / 2
	checkMetrics(t, Metrics(j, []int{2}), map[string]float64{"map": (1 + 2.0/3) / 2, "p@2": 0.5, "recall@2": 0.5})
}

func TestJudgeQuotes(t *testing.T) {
	g3 := 3
	q := Question{ID: "q", Answers: []Answer{
		{File: "a.txt", Quote: "加快 建设 现代化产业体系"},
		{Quote: "稳步推进城市更新"},
		{File: "b.txt", Quote: "发展新质生产力", Grade: &g3},
	}}
	hits := []Hit{
		{ID: "1", File: "corpus/b.txt", Text: "无关内容"},
		// whitespace on both sides is ignored; holds answers 0 and 1
		{ID: "2", File: "corpus/a.txt", Text: "要加快建设\n现代化 产业体系，稳步推进城市更新。"},
		// answer 0 again: already matched, so not relevant
		{ID: "3", File: "a.txt", Text: "加快建设现代化产业体系"},
		// answer 2's quote but in the wrong file
		{ID: "4", File: "a.txt", Text: "因地制宜发展新质生产力"},
		// answer 1 is still open: the hit at rank 2 took only one answer
		{ID: "5", File: "c.txt", Text: "稳步推进城市更新"},
		{ID: "6", File: "x/b.txt", Text: "因地制宜发展新质生产力"},
	}
	j := JudgeQuotes(q, hits)
	if want := []int{0, 1, 0, 0, 1, 3}; !slices.Equal(j.Grades, want) {
		t.Errorf("grades %v, want %v", j.Grades, want)
	}
	if want := []int{3, 1, 1}; !slices.Equal(j.Ideal, want) {
		t.Errorf("ideal %v, want %v", j.Ideal, want)
	}
	// A hit holding two open quotes takes the higher-graded one.
	q2 := Question{ID: "q2", Answers: []Answer{{Quote: "甲乙丙"}, {Quote: "丁戊己", Grade: &g3}}}
	j2 := JudgeQuotes(q2, []Hit{{ID: "1", Text: "甲乙丙丁戊己"}})
	if !slices.Equal(j2.Grades, []int{3}) {
		t.Errorf("two quotes in one hit: grades %v, want [3]", j2.Grades)
	}
}

func TestEvaluateExcludesAndMissing(t *testing.T) {
	qs := []Question{
		{ID: "a", Qrels: map[string]int{"p1": 1}},
		{ID: "b", Qrels: map[string]int{"p2": 1}}, // not in run: zeros
		{ID: "c", Qrels: map[string]int{"p3": 0}}, // nothing relevant: excluded
	}
	run := Run{"a": {{ID: "p9"}, {ID: "p1"}}, "c": {{ID: "p3"}}}
	r := Evaluate(qs, run, nil, []int{10, 1, 10})
	if r.Questions != 2 || r.NoRelevant != 1 {
		t.Fatalf("questions %d, no-relevant %d; want 2, 1", r.Questions, r.NoRelevant)
	}
	if !slices.Equal(r.Ks, []int{1, 10}) {
		t.Errorf("ks %v, want [1 10]", r.Ks)
	}
	// mrr@10: (1/2 + 0) / 2 questions
	if got := r.Metrics["mrr@10"].Mean; !near(got, 0.25) {
		t.Errorf("mrr@10 mean %v, want 0.25", got)
	}
	if r.PerQuestion[0].FirstRelevant != 2 || r.PerQuestion[1].Retrieved != 0 || r.PerQuestion[2].Metrics != nil {
		t.Errorf("per question %+v", r.PerQuestion)
	}
	want := []string{"ndcg@1", "ndcg@10", "recall@1", "recall@10", "mrr@1", "mrr@10", "hit@1", "hit@10", "p@1", "p@10", "map"}
	if got := r.MetricNames(); !slices.Equal(got, want) {
		t.Errorf("metric order %v", got)
	}
}

// The ranking given is the ranking scored; SortHits makes it deterministic.
func TestTies(t *testing.T) {
	q := Question{ID: "q", Qrels: map[string]int{"c": 1}}
	hits := []Hit{{ID: "c", Score: 0.5}, {ID: "b", Score: 0.5}, {ID: "a", Score: 0.9}}
	asGiven := Metrics(JudgeQrels(q, hits), []int{3})["mrr@3"]
	if !near(asGiven, 1) {
		t.Errorf("as given: mrr %v, want 1", asGiven)
	}
	SortHits(hits)
	if ids := []string{hits[0].ID, hits[1].ID, hits[2].ID}; !slices.Equal(ids, []string{"a", "b", "c"}) {
		t.Fatalf("sorted %v, want a b c", ids)
	}
	// c ties with b at 0.5 and loses on ID: rank 3
	if got := Metrics(JudgeQrels(q, hits), []int{3})["mrr@3"]; !near(got, 1.0/3) {
		t.Errorf("sorted: mrr %v, want 1/3", got)
	}
}

func TestPercentile(t *testing.T) {
	v := []float64{1, 2, 3, 4}
	// p50: h = 0.5*3 = 1.5 → 2 + 0.5*(3-2); p95: h = 2.85 → 3 + 0.85*(4-3)
	if got := Percentile(v, 0.5); !near(got, 2.5) {
		t.Errorf("p50 %v, want 2.5", got)
	}
	if got := Percentile(v, 0.95); !near(got, 3.85) {
		t.Errorf("p95 %v, want 3.85", got)
	}
	if Percentile(nil, 0.5) != 0 || Percentile([]float64{7}, 0.95) != 7 {
		t.Error("edge cases")
	}
	r := Report{PerQuestion: []QuestionResult{{ID: "a"}, {ID: "b"}, {ID: "c"}, {ID: "d"}}}
	r.SetLatencies(map[string]time.Duration{"a": 4 * time.Millisecond, "b": time.Millisecond, "c": 3 * time.Millisecond, "d": 2 * time.Millisecond})
	if !near(r.LatencyP50Ms, 2.5) || !near(r.LatencyP95Ms, 3.85) || r.PerQuestion[0].LatencyMs != 4 {
		t.Errorf("latency p50 %v p95 %v", r.LatencyP50Ms, r.LatencyP95Ms)
	}
}

func TestBootstrap(t *testing.T) {
	v := make([]float64, 50)
	for i := range v {
		v[i] = float64(i%7) / 7
	}
	lo1, hi1 := BootstrapCI(v, 1000, 1)
	lo2, hi2 := BootstrapCI(v, 1000, 1)
	if lo1 != lo2 || hi1 != hi2 {
		t.Fatalf("not deterministic: [%v,%v] vs [%v,%v]", lo1, hi1, lo2, hi2)
	}
	m := mean(v)
	if !(lo1 < m && m < hi1) {
		t.Errorf("interval [%v,%v] does not hold the mean %v", lo1, hi1, m)
	}
	lo3, hi3 := BootstrapCI(v, 1000, 2)
	if lo3 == lo1 && hi3 == hi1 {
		t.Errorf("another seed gave the same interval; the seed is not used")
	}
	if lo, hi := BootstrapCI([]float64{0.5, 0.5, 0.5}, 1000, 1); lo != 0.5 || hi != 0.5 {
		t.Errorf("constant values: [%v,%v]", lo, hi)
	}
}

func TestPairedTest(t *testing.T) {
	for _, n := range []int{8, 40} { // exact and sampled
		a := make([]float64, n)
		for i := range a {
			a[i] = float64(i%5) / 4
		}
		same := PairedTest(a, a)
		if same.P != 1 || same.MeanDiff != 0 || same.N != n {
			t.Errorf("n=%d identical runs: %+v, want p=1 diff=0", n, same)
		}
		b := make([]float64, n)
		for i := range b {
			b[i] = a[i] + 0.3 + 0.01*float64(i%3)
		}
		diff := PairedTest(a, b)
		if diff.Exact != (n <= ExactPermutationMax) {
			t.Errorf("n=%d exact=%v", n, diff.Exact)
		}
		// every difference is positive, so only the all-positive and
		// all-negative sign patterns are as extreme: exact p = 2/2^n
		if n <= ExactPermutationMax && !near(diff.P, 2/math.Pow(2, float64(n))) {
			t.Errorf("n=%d exact p %v, want 2/2^n", n, diff.P)
		}
		if diff.P > 0.01 || diff.MeanDiff <= 0.3 || diff.Lo <= 0 || diff.Hi >= 0.32+eps {
			t.Errorf("n=%d clearly better run: %+v", n, diff)
		}
		if again := PairedTest(a, b); again != diff {
			t.Errorf("n=%d not deterministic", n)
		}
	}
	// Noise around zero: p must be large.
	a := []float64{0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0, 1, 0}
	b := []float64{1, 0, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0}
	if p := PairedTest(a, b); p.P < 0.5 {
		t.Errorf("balanced noise: %+v, want large p", p)
	}
}

func TestParseKs(t *testing.T) {
	ks, err := ParseKs("10, 1,5,10")
	if err != nil || !slices.Equal(ks, []int{1, 5, 10}) {
		t.Errorf("got %v %v", ks, err)
	}
	for _, bad := range []string{"", "0", "a", "3,-1"} {
		if _, err := ParseKs(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// BenchmarkEvaluateAndCompare measures a CMRC-sized evaluation (3,219
// questions, bootstrap included) and its paired comparison.
func BenchmarkEvaluateAndCompare(b *testing.B) {
	qs, runA, runB := twoRuns(3219)
	for b.Loop() {
		ra := Evaluate(qs, runA, nil, []int{1, 5, 10})
		rb := Evaluate(qs, runB, nil, []int{1, 5, 10})
		if _, err := Compare(ra, rb); err != nil {
			b.Fatal(err)
		}
	}
}

// A year on an answer restricts it to hits of that year: the same words in
// another year's report are not the answer (issue 13).
func TestJudgeQuotesYear(t *testing.T) {
	q := Question{ID: "q", Answers: []Answer{{Quote: "城镇新增就业1100万人以上", Year: 2019}}}
	hits := []Hit{
		{ID: "a", Text: "城镇新增就业1100万人以上", Year: 2018},
		{ID: "b", Text: "城镇新增就业1100万人以上", Year: 0},
		{ID: "c", Text: "城镇新增就业 1100万人以上", Year: 2019},
	}
	if got := JudgeQuotes(q, hits).Grades; !reflect.DeepEqual(got, []int{0, 0, 1}) {
		t.Errorf("grades %v, want [0 0 1]", got)
	}
	q.Answers[0].Year = 0
	if got := JudgeQuotes(q, hits).Grades; !reflect.DeepEqual(got, []int{1, 0, 0}) {
		t.Errorf("without year: grades %v, want [1 0 0]", got)
	}
}
