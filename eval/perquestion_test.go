package eval

import (
	"bytes"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// quoteRun: three quote-anchored questions over chunks c1…c5: q-hit finds
// its quote at rank 1, q-third at rank 3 (and its second answer at 5),
// q-miss nowhere.
func quoteRun() ([]Question, Run) {
	long := strings.Repeat("今年城镇新增就业目标", 8)
	qs := []Question{
		{ID: "q-hit", Kind: "fact", Query: "目标是多少", Answers: []Answer{{Quote: "增长5%左右"}}},
		{ID: "q-third", Kind: "multi", Query: long + "？", Answers: []Answer{{Quote: "新增就业1200万人"}, {Quote: "失业率5.5%"}}},
		{ID: "q-miss", Kind: "paraphrase", Query: "年轻人找工作难", Answers: []Answer{{Quote: long}}},
	}
	hits := func(texts ...string) []Hit {
		var hs []Hit
		for i, t := range texts {
			hs = append(hs, Hit{ID: fmt.Sprintf("c%d", i+1), File: "f.txt", Text: t, Score: float64(10 - i)})
		}
		return hs
	}
	run := Run{
		"q-hit":   hits("地区生产总值增长5%左右", "其他", "其他"),
		"q-third": hits("首先\n  ranked   first "+long, "其次", "城镇新增就业1200万人以上", "无关", "调查失业率5.5%左右"),
		"q-miss":  hits("甲", "乙", "丙", "丁", "戊"),
	}
	return qs, run
}

// Reports keep, per question, what per-question output shows: kind, query,
// quote, the rank of every relevant hit and the hits ranked above the
// first relevant one (the top ones on a miss; none when it is first).
func TestDescribe(t *testing.T) {
	qs, run := quoteRun()
	r := Evaluate(qs, run, nil, []int{5})
	by := map[string]QuestionResult{}
	for _, q := range r.PerQuestion {
		by[q.ID] = q
	}
	hit, third, miss := by["q-hit"], by["q-third"], by["q-miss"]
	if hit.Kind != "fact" || hit.Query != "目标是多少" || hit.Quote != "增长5%左右" || !slices.Equal(hit.RelevantRanks, []int{1}) || hit.Above != nil {
		t.Errorf("rank 1: %+v", hit)
	}
	if !slices.Equal(third.RelevantRanks, []int{3, 5}) || third.FirstRelevant != 3 || len(third.Above) != 2 {
		t.Fatalf("rank 3: %+v", third)
	}
	a := third.Above[0]
	if a.Rank != 1 || a.ID != "c1" || a.File != "f.txt" || a.Score != 10 || !strings.HasPrefix(a.Text, "首先 ranked first 今年") ||
		len([]rune(a.Text)) != aboveRunes+1 || !strings.HasSuffix(a.Text, "…") {
		t.Errorf("above: whitespace collapsed, cut to %d runes + …: %+v", aboveRunes, a)
	}
	if miss.FirstRelevant != 0 || miss.RelevantRanks != nil || len(miss.Above) != AboveMax || miss.Above[2].ID != "c3" {
		t.Errorf("miss: %+v", miss)
	}
	// Qrels questions have no quote.
	qr := Evaluate([]Question{{ID: "b", Qrels: map[string]int{"p": 1}}}, Run{"b": {{ID: "x"}, {ID: "p"}}}, nil, []int{1})
	if q := qr.PerQuestion[0]; q.Quote != "" || !slices.Equal(q.RelevantRanks, []int{2}) || len(q.Above) != 1 {
		t.Errorf("qrels: %+v", q)
	}
}

// Issue 11.7: "eval run --per-question --ks 5" showed "excluded" for every
// question because the listing asked for ndcg@10, which a --ks 5 report
// lacks. The default metric now follows the report's cut-offs, and a
// metric the report lacks is an error.
func TestQuestionTableFollowsCutoffs(t *testing.T) {
	qs, run := quoteRun()
	r := Evaluate(qs, run, nil, []int{5})
	if m := r.QuestionMetric(); m != "ndcg@5" {
		t.Fatalf("default metric %q, want ndcg@5", m)
	}
	var out bytes.Buffer
	if err := r.WriteQuestionTable(&out, nil, ""); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "excluded") || strings.Contains(out.String(), "no rel.") || !strings.Contains(out.String(), "ndcg@5") {
		t.Errorf("listing:\n%s", out.String())
	}
	if err := r.WriteQuestionTable(&out, nil, "ndcg@10"); err == nil || !strings.Contains(err.Error(), `"ndcg@10"`) {
		t.Errorf("missing metric: %v", err)
	}
	if m := Evaluate(qs, run, nil, []int{1, 10, 20}).QuestionMetric(); m != "ndcg@10" {
		t.Errorf("with ndcg@10 present: %q", m)
	}
}

func TestQuestionTableShowsRankQuoteAndAbove(t *testing.T) {
	qs, run := quoteRun()
	r := Evaluate(qs, run, nil, []int{5})
	var out bytes.Buffer
	if err := r.WriteQuestionTable(&out, nil, "recall@5"); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	for _, l := range lines {
		if w := width.StringWidth(l); w > TableWidth {
			t.Errorf("%d columns: %q", w, l)
		}
	}
	// Worst first: the miss, its quote and the top 3; then rank 3 with
	// the two above it; then rank 1 with its quote and nothing above.
	var body []string
	for _, l := range lines {
		if f := strings.Fields(l); len(f) > 0 && (strings.HasPrefix(f[0], "q-") || f[0] == "quote:" || strings.HasPrefix(f[0], "#")) {
			body = append(body, f[0]+" "+f[1])
		}
	}
	want := []string{"q-miss paraphrase", "quote: 今年城镇新增就业目标今年城镇新增就业目标今年城镇新增就业目标今年城镇新增就业目标今年城镇新增就业目标今年城镇新增就业目标今年城镇新增就业目标今年城镇新增就业目标",
		"#1 c1", "#2 c2", "#3 c3", "q-third multi", "quote: 新增就业1200万人", "#1 c1", "#2 c2", "q-hit fact", "quote: 增长5%左右"}
	want[1] = body[1] // the long quote is cut to fit: checked below
	if !reflect.DeepEqual(body, want) {
		t.Errorf("order and content:\n%s", text)
	}
	if !strings.Contains(text, "…") || !strings.Contains(text, "quote: 今年城镇") {
		t.Errorf("long quote or query not cut to fit:\n%s", text)
	}
	row := func(id string) []string {
		for _, l := range lines {
			if strings.HasPrefix(l, id+" ") {
				return strings.Fields(l)
			}
		}
		t.Fatalf("no row %s:\n%s", id, text)
		return nil
	}
	// id kind rank found metric query
	if f := row("q-miss"); f[2] != "—" || f[3] != "0/1" || f[4] != "0.0000" {
		t.Errorf("miss row %q", f)
	}
	if f := row("q-third"); f[2] != "3" || f[3] != "2/2" || f[4] != "1.0000" {
		t.Errorf("rank-3 row %q", f)
	}
	// An older report (no stored query or quote) takes them from qs.
	old := r
	old.PerQuestion = slices.Clone(r.PerQuestion)
	for i := range old.PerQuestion {
		old.PerQuestion[i].Query, old.PerQuestion[i].Quote, old.PerQuestion[i].Kind = "", "", ""
	}
	var back bytes.Buffer
	if err := old.WriteQuestionTable(&back, qs, "recall@5"); err != nil || back.String() != text {
		t.Errorf("older report with questions given: %v\n%s", err, back.String())
	}
}

// Issue 11.7: two reports with the default name "lexical/zh-charbag-256:latest"
// were two columns headed alike.
func TestNameRuns(t *testing.T) {
	rep := func(name, file string) Report { return Report{Name: name, File: file} }
	names := func(rs ...Report) []string {
		NameRuns(rs)
		var out []string
		for _, r := range rs {
			out = append(out, r.Name)
		}
		return out
	}
	same := "lexical/zh-charbag-256:latest"
	for _, c := range []struct {
		in   []Report
		want []string
	}{
		{[]Report{rep(same, "runs/a.json"), rep(same, "b.json"), rep("hybrid", "c.json")}, []string{"a", "b", "hybrid"}},
		{[]Report{rep("bm25", "x/run.json"), rep("dense", "y/run.json")}, []string{"bm25", "dense"}},
		{[]Report{rep(same, "x/run.json"), rep(same, "y/run.json")}, []string{"run#1", "run#2"}},
		{[]Report{rep(same, "a.json"), rep(same, "a.json"), rep("c", "c.json")}, []string{"a#1", "a#2", "c"}},
	} {
		if got := names(c.in...); !reflect.DeepEqual(got, c.want) {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
}

func TestWrapHead(t *testing.T) {
	for _, c := range []struct {
		in   string
		w    int
		want []string
	}{
		{"dense", 16, []string{"dense"}},
		{"lexical/zh-charbag-256:latest", 16, []string{"lexical/zh-", "charbag-256:", "latest"}},
		{"lexical/zh-charbag-256:latest", 24, []string{"lexical/zh-charbag-256:", "latest"}},
		{"abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnop", 16, []string{"abcdefghijklmnop", "qrstuvwxyz012345", "6789abcdefghijk…"}},
		{"混合检索混合检索混合检索", 8, []string{"混合检索", "混合检索", "混合检索"}},
	} {
		if got := wrapHead(c.in, c.w); !reflect.DeepEqual(got, c.want) {
			t.Errorf("wrapHead(%q, %d) = %q, want %q", c.in, c.w, got, c.want)
		}
	}
}

// The comparison table fits in TableWidth columns however many runs and
// however long their names: more runs wrap into further tables, each
// starting with the metric names and the baseline.
func TestCompareTableFits(t *testing.T) {
	qs, a, b := twoRuns(30)
	var reports []Report
	for i := range 5 {
		run := a
		if i%2 == 1 {
			run = b
		}
		r := Evaluate(qs, run, nil, []int{1, 5, 10, 20})
		r.Name = fmt.Sprintf("hybrid-%d/some-long-embedding-model-name:latest", i)
		reports = append(reports, r)
	}
	c, err := Compare(reports...)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := c.WriteTable(&out); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, l := range strings.Split(text, "\n") {
		if w := width.StringWidth(l); w > TableWidth {
			t.Errorf("%d columns: %q", w, l)
		}
	}
	if n := strings.Count(text, "\nmetric "); n < 2 {
		t.Errorf("%d tables for 5 runs, want them wrapped:\n%s", n, text)
	}
	for _, r := range reports {
		if !strings.Contains(text, "\n  "+r.Name+"  (30 questions)\n") { // whole in the legend
			t.Errorf("legend lacks %s:\n%s", r.Name, text)
		}
	}
	// The second run's mean and Δ line up under its name: mrr@1 of b is
	// 1, of a 10/30 (twoRuns).
	if !strings.Contains(text, "1.000  +0.667 [") {
		t.Errorf("mean and Δ of run 2:\n%s", text)
	}
}

func TestWriteQuestionRanks(t *testing.T) {
	qs, a, b := twoRuns(6)
	ra, rb := Evaluate(qs, a, nil, []int{1, 3}), Evaluate(qs, b, nil, []int{1, 3})
	ra.Name, rb.Name = "lex", "hybrid"
	var out bytes.Buffer
	if err := WriteQuestionRanks(&out, []Report{ra, rb}); err != nil {
		t.Fatal(err)
	}
	// a finds the passage at rank 3 for 4 of 6 questions, b at rank 1.
	text := out.String()
	if !strings.Contains(text, "id   kind   lex  hybrid  query\nqba           3       1  问题qba\n") ||
		!strings.Contains(text, "2 question(s) ranked alike in every run are not listed.") {
		t.Errorf("ranks:\n%s", text)
	}
}
