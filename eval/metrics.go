package eval

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/reportsearch/reportsearch/internal/latency"
)

// Metric definitions, as in trec_eval (relevant means grade ≥ 1; R is the
// number of relevant items of the question; ranks are 1-based):
//
//	p@k      relevant hits in the top k / k (k, not the number retrieved)
//	recall@k relevant hits in the top k / R
//	hit@k    1 if any of the top k is relevant (trec_eval's success@k)
//	mrr@k    1/rank of the first relevant hit if that rank ≤ k, else 0
//	ndcg@k   DCG@k / IDCG@k with gain = grade and discount 1/log2(rank+1);
//	         IDCG@k is the DCG of all relevant items sorted by grade
//	         (trec_eval's ndcg_cut)
//	map      sum over relevant hits of precision at their rank, / R,
//	         over everything retrieved (no cut-off)
//
// Questions with R = 0 are excluded from means and counted in
// Report.NoRelevant. A question absent from the run is scored as an empty
// result list (zeros), like trec_eval -c.
const (
	MetricNDCG      = "ndcg"
	MetricRecall    = "recall"
	MetricMRR       = "mrr"
	MetricHit       = "hit"
	MetricPrecision = "p"
	MetricMAP       = "map"
)

// metricOrder is the display order of metric families.
var metricOrder = []string{MetricNDCG, MetricRecall, MetricMRR, MetricHit, MetricPrecision, MetricMAP}

// DefaultKs are the cut-offs used when none are given.
var DefaultKs = []int{1, 5, 10, 20}

// Bootstrap and permutation settings. Fixed seeds make every interval and
// p-value repeatable run to run.
const (
	BootstrapResamples = 2000
	BootstrapSeed      = 20180813
	Permutations       = 10000
	PermutationSeed    = 19350101
	// ExactPermutationMax: paired tests on at most this many questions
	// enumerate all 2^n sign flips instead of sampling.
	ExactPermutationMax = 16
)

// Run maps a question ID to its ranked hits, best first.
type Run map[string][]Hit

// Stat is a mean with its 95% percentile-bootstrap confidence interval.
type Stat struct {
	Mean float64 `json:"mean"`
	Lo   float64 `json:"lo"`
	Hi   float64 `json:"hi"`
}

// QuestionResult is one question's outcome.
type QuestionResult struct {
	ID string `json:"id"`
	// Relevant is the number of relevant items (answers or qrels); 0 means
	// the question is excluded from the means and has no Metrics.
	Relevant  int `json:"relevant"`
	Retrieved int `json:"retrieved"`
	// FirstRelevant is the 1-based rank of the first relevant hit, 0 if none.
	FirstRelevant int                `json:"first_relevant"`
	Metrics       map[string]float64 `json:"metrics,omitempty"`
	LatencyMs     float64            `json:"latency_ms,omitempty"`

	// What people read in per-question output and plots, kept in the
	// report so that saved reports can be read without the question file
	// (see describe). Absent from reports written before they existed.
	//
	// Kind and Query are the question's; Quote is its first answer's quote
	// (quote-anchored sets only). RelevantRanks holds the 1-based rank of
	// every relevant hit, in order, so recall can be drawn at any k up to
	// Retrieved. Above lists the hits ranked above the first relevant one
	// (the top ones when none is relevant), at most AboveMax.
	Kind          string      `json:"kind,omitempty"`
	Query         string      `json:"query,omitempty"`
	Quote         string      `json:"quote,omitempty"`
	RelevantRanks []int       `json:"relevant_ranks,omitempty"`
	Above         []RankedHit `json:"above,omitempty"`
}

// Report is the result of one evaluation. Its JSON form is stable: tools
// and Compare read it back.
type Report struct {
	Name string `json:"name"`
	// File is the file LoadReport read the report from ("" otherwise);
	// not part of the JSON.
	File     string            `json:"-"`
	Settings map[string]string `json:"settings,omitempty"`
	// Questions is the number of questions scored (with ≥ 1 relevant item);
	// NoRelevant the number excluded for having none.
	Questions   int              `json:"questions"`
	NoRelevant  int              `json:"no_relevant"`
	Ks          []int            `json:"ks"`
	Metrics     map[string]Stat  `json:"metrics"`
	PerQuestion []QuestionResult `json:"per_question"`
	// Latency percentiles over the questions with a recorded latency
	// (SetLatencies); 0 when none was recorded.
	LatencyP50Ms float64 `json:"latency_p50_ms"`
	LatencyP95Ms float64 `json:"latency_p95_ms"`
	// Excluded lists the questions left out because none of their relevant
	// items can be matched in the collection (see FindUnmatchable), the way
	// trec_eval leaves out questions without judgments; Unmatchable lists
	// every such item, of excluded and of scored questions.
	Excluded    []string      `json:"excluded,omitempty"`
	Unmatchable []Unmatchable `json:"unmatchable,omitempty"`
	// Collection is the state of the collection the questions were asked
	// of; nil for reports scored from run files.
	Collection *CollectionState `json:"collection,omitempty"`
}

// CollectionState records how much of a collection a run could search.
type CollectionState struct {
	Chunks   int `json:"chunks"`
	Embedded int `json:"embedded"`
	// Partial is set when the run used vectors while only some chunks had
	// them: its figures do not measure the whole collection.
	Partial bool `json:"partial,omitempty"`
}

// MetricName forms a metric's name: "ndcg@10", or "map" for k ≤ 0.
func MetricName(family string, k int) string {
	if k <= 0 {
		return family
	}
	return family + "@" + strconv.Itoa(k)
}

// Metrics computes one question's metrics from its judgment, for cut-offs
// ks. It returns nil when the question has no relevant item.
func Metrics(j Judgment, ks []int) map[string]float64 {
	r := len(j.Ideal)
	if r == 0 {
		return nil
	}
	m := make(map[string]float64, 5*len(ks)+1)
	for _, k := range ks {
		rel, first := 0, 0
		dcg, idcg := 0.0, 0.0
		for i := 0; i < k && i < len(j.Grades); i++ {
			if g := j.Grades[i]; g > 0 {
				rel++
				if first == 0 {
					first = i + 1
				}
				dcg += float64(g) / math.Log2(float64(i+2))
			}
		}
		for i := 0; i < k && i < r; i++ {
			idcg += float64(j.Ideal[i]) / math.Log2(float64(i+2))
		}
		m[MetricName(MetricPrecision, k)] = float64(rel) / float64(k)
		m[MetricName(MetricRecall, k)] = float64(rel) / float64(r)
		m[MetricName(MetricHit, k)] = 0
		m[MetricName(MetricMRR, k)] = 0
		if first > 0 {
			m[MetricName(MetricHit, k)] = 1
			m[MetricName(MetricMRR, k)] = 1 / float64(first)
		}
		m[MetricName(MetricNDCG, k)] = dcg / idcg
	}
	ap, rel := 0.0, 0
	for i, g := range j.Grades {
		if g > 0 {
			rel++
			ap += float64(rel) / float64(i+1)
		}
	}
	m[MetricMAP] = ap / float64(r)
	return m
}

// Evaluate scores run against questions with judge (nil: JudgeAuto) at
// cut-offs ks (nil: DefaultKs; each k must be ≥ 1). Hits must already be in
// rank order. Questions missing from run count as empty result lists.
func Evaluate(questions []Question, run Run, judge Judge, ks []int) Report {
	if judge == nil {
		judge = JudgeAuto
	}
	ks = normalizeKs(ks)
	rep := Report{Ks: ks, Metrics: map[string]Stat{}, PerQuestion: make([]QuestionResult, 0, len(questions))}
	for _, q := range questions {
		hits := run[q.ID]
		j := judge(q, hits)
		qr := QuestionResult{ID: q.ID, Relevant: len(j.Ideal), Retrieved: len(hits)}
		for i, g := range j.Grades {
			if g > 0 {
				qr.FirstRelevant = i + 1
				break
			}
		}
		qr.Metrics = Metrics(j, ks)
		describe(&qr, q, hits, j)
		if qr.Relevant == 0 {
			rep.NoRelevant++
		} else {
			rep.Questions++
		}
		rep.PerQuestion = append(rep.PerQuestion, qr)
	}
	rep.computeStats()
	return rep
}

// normalizeKs sorts and dedupes ks; it panics on k < 1, a programming error
// (ParseKs is the checked way in from user input).
func normalizeKs(ks []int) []int {
	if len(ks) == 0 {
		ks = DefaultKs
	}
	ks = slices.Clone(ks)
	slices.Sort(ks)
	ks = slices.Compact(ks)
	if ks[0] < 1 {
		panic(fmt.Sprintf("eval: cut-off k=%d, want ≥ 1", ks[0]))
	}
	return ks
}

// ParseKs parses a comma-separated list of cut-offs such as "1,5,10".
func ParseKs(s string) ([]int, error) {
	var ks []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		k, err := strconv.Atoi(f)
		if err != nil || k < 1 {
			return nil, fmt.Errorf("cut-off %q: want a whole number ≥ 1", f)
		}
		ks = append(ks, k)
	}
	if len(ks) == 0 {
		return nil, fmt.Errorf("no cut-offs in %q", s)
	}
	return normalizeKs(ks), nil
}

// computeStats fills Metrics from PerQuestion.
func (r *Report) computeStats() {
	r.Metrics = map[string]Stat{}
	for _, name := range r.MetricNames() {
		v := r.values(name)
		lo, hi := BootstrapCI(v, BootstrapResamples, BootstrapSeed)
		r.Metrics[name] = Stat{Mean: mean(v), Lo: lo, Hi: hi}
	}
}

// values returns the per-question values of a metric, for scored questions.
func (r *Report) values(name string) []float64 {
	var v []float64
	for _, q := range r.PerQuestion {
		if x, ok := q.Metrics[name]; ok {
			v = append(v, x)
		}
	}
	return v
}

// MetricNames lists the report's metrics in display order: families
// (ndcg, recall, mrr, hit, p, map), each by increasing k.
func (r *Report) MetricNames() []string {
	seen := map[string]bool{}
	for name := range r.Metrics {
		seen[name] = true
	}
	for _, q := range r.PerQuestion {
		for name := range q.Metrics {
			seen[name] = true
		}
	}
	names := make([]string, 0, len(seen))
	for name := range seen {
		names = append(names, name)
	}
	sortMetricNames(names)
	return names
}

func sortMetricNames(names []string) {
	key := func(s string) (int, int) {
		fam, kstr, _ := strings.Cut(s, "@")
		f := slices.Index(metricOrder, fam)
		if f < 0 {
			f = len(metricOrder)
		}
		k, _ := strconv.Atoi(kstr)
		return f, k
	}
	sort.Slice(names, func(i, j int) bool {
		fi, ki := key(names[i])
		fj, kj := key(names[j])
		if fi != fj {
			return fi < fj
		}
		if ki != kj {
			return ki < kj
		}
		return names[i] < names[j]
	})
}

// SetLatencies records per-question search latencies (by question ID) and
// sets LatencyP50Ms and LatencyP95Ms over them.
func (r *Report) SetLatencies(lat map[string]time.Duration) {
	var ms []float64
	for i := range r.PerQuestion {
		d, ok := lat[r.PerQuestion[i].ID]
		if !ok {
			continue
		}
		x := float64(d) / float64(time.Millisecond)
		r.PerQuestion[i].LatencyMs = x
		ms = append(ms, x)
	}
	slices.Sort(ms)
	r.LatencyP50Ms = Percentile(ms, 0.50)
	r.LatencyP95Ms = Percentile(ms, 0.95)
}

// Percentile returns the p-quantile (0 ≤ p ≤ 1) of sorted values with linear
// interpolation between closest ranks (numpy's default); 0 for no values.
// It is latency.Percentile, the project's one definition.
func Percentile(sorted []float64, p float64) float64 { return latency.Percentile(sorted, p) }

func mean(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// BootstrapCI returns the 95% percentile-bootstrap interval of the mean of
// values: resamples means of n values drawn with replacement, and their
// 2.5% and 97.5% quantiles. The same seed gives the same interval.
func BootstrapCI(values []float64, resamples int, seed uint64) (lo, hi float64) {
	n := len(values)
	if n == 0 {
		return 0, 0
	}
	rng := rand.New(rand.NewPCG(seed, uint64(n)))
	means := make([]float64, resamples)
	for b := range means {
		s := 0.0
		var r uint64
		for i := range n {
			// Two draws per 64 random bits, index = (32 bits × n) >> 32:
			// bias below n/2^32, and several times faster than IntN.
			if i%2 == 0 {
				r = rng.Uint64()
			} else {
				r >>= 32
			}
			s += values[(r&0xffffffff)*uint64(n)>>32]
		}
		means[b] = s / float64(n)
	}
	slices.Sort(means)
	return Percentile(means, 0.025), Percentile(means, 0.975)
}

// Paired is the outcome of a paired comparison of a metric between two runs
// on the same questions: the mean of (b − a) with its 95% bootstrap
// interval, and the two-sided p-value of a paired randomisation test.
type Paired struct {
	N        int     `json:"n"`
	MeanDiff float64 `json:"mean_diff"`
	Lo       float64 `json:"lo"`
	Hi       float64 `json:"hi"`
	P        float64 `json:"p"`
	// Exact is true when P enumerates all 2^N sign flips.
	Exact bool `json:"exact,omitempty"`
}

// PairedTest compares per-question values b against a (same length, same
// question order). Under the null hypothesis each difference is as likely
// to have either sign; P is the share of sign-flipped assignments whose
// |mean difference| is at least the observed one. With N ≤
// ExactPermutationMax all 2^N assignments are enumerated; otherwise
// Permutations random ones are drawn and P = (1+hits)/(1+Permutations), so
// identical runs give P = 1 and P is never 0. Zero differences are dropped
// first (they do not change under a flip), so N in "N ≤ ..." counts the
// questions where the runs differ.
func PairedTest(a, b []float64) Paired {
	if len(a) != len(b) {
		panic("eval: PairedTest on slices of different lengths")
	}
	n := len(a)
	d := make([]float64, n)
	obs := 0.0
	for i := range a {
		d[i] = b[i] - a[i]
		obs += d[i]
	}
	res := Paired{N: n, P: 1}
	if n == 0 {
		return res
	}
	res.MeanDiff = obs / float64(n)
	res.Lo, res.Hi = BootstrapCI(d, BootstrapResamples, BootstrapSeed)
	// Only non-zero differences change under sign flips; dropping the zeros
	// (ties are common: hit@k is 0 or 1) leaves P as it is and makes the
	// loops shorter, and exact enumeration possible more often.
	var nz []float64
	for _, x := range d {
		if x != 0 {
			nz = append(nz, x)
		}
	}
	// Compare sums, with a tolerance so float rounding of equal sums does
	// not count as "less extreme".
	target := math.Abs(obs) - 1e-9*(1+math.Abs(obs))
	if len(nz) <= ExactPermutationMax {
		hits := 0
		for mask := 0; mask < 1<<len(nz); mask++ {
			s := 0.0
			for i, x := range nz {
				if mask&(1<<i) != 0 {
					s -= x
				} else {
					s += x
				}
			}
			if math.Abs(s) >= target {
				hits++
			}
		}
		res.P = float64(hits) / float64(int(1)<<len(nz))
		res.Exact = true
		return res
	}
	rng := rand.New(rand.NewPCG(PermutationSeed, uint64(len(nz))))
	hits := 0
	for range Permutations {
		s := 0.0
		var bits uint64
		for i, x := range nz {
			if i%64 == 0 {
				bits = rng.Uint64()
			}
			// branchless ±x: random signs defeat branch prediction
			s += x * float64(int64(bits&1)*2-1)
			bits >>= 1
		}
		if math.Abs(s) >= target {
			hits++
		}
	}
	res.P = float64(1+hits) / float64(1+Permutations)
	return res
}
