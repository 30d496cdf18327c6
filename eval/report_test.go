package eval

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// twoRuns builds questions and two runs: run b finds the relevant passage
// at rank 1 everywhere, run a only for every third question.
func twoRuns(n int) ([]Question, Run, Run) {
	var qs []Question
	a, b := Run{}, Run{}
	for i := range n {
		id := "q" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		rel := "p-" + id
		qs = append(qs, Question{ID: id, Query: "问题" + id, Qrels: map[string]int{rel: 1}})
		b[id] = []Hit{{ID: rel, Score: 1}, {ID: "x", Score: 0.5}}
		if i%3 == 0 {
			a[id] = b[id]
		} else {
			a[id] = []Hit{{ID: "x", Score: 1}, {ID: "y", Score: 0.9}, {ID: rel, Score: 0.1}}
		}
	}
	return qs, a, b
}

func TestReportJSONRoundTrip(t *testing.T) {
	qs, a, _ := twoRuns(30)
	r := Evaluate(qs, a, nil, []int{1, 3})
	r.Name = "dense"
	r.Settings = map[string]string{"model": "zh-charbag-256", "mode": "dense"}
	lat := map[string]time.Duration{}
	for i, q := range qs {
		lat[q.ID] = time.Duration(i+1) * time.Millisecond
	}
	r.SetLatencies(lat)
	file := filepath.Join(t.TempDir(), "dense.json")
	var buf bytes.Buffer
	if err := r.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(file, buf.Bytes(), 0o644)
	back, err := LoadReport(file)
	if err != nil {
		t.Fatal(err)
	}
	r.File = file // set by LoadReport, not stored
	if !reflect.DeepEqual(back, r) {
		t.Errorf("round trip differs:\n%+v\n%+v", back, r)
	}
	for _, key := range []string{`"name": "dense"`, `"latency_p95_ms"`, `"per_question"`, `"ndcg@3": {`, `"mean"`, `"no_relevant": 0`} {
		if !strings.Contains(buf.String(), key) {
			t.Errorf("JSON lacks %s", key)
		}
	}
	os.WriteFile(file, []byte(`{"name": "x"}`), 0o644)
	if _, err := LoadReport(file); err == nil {
		t.Error("empty report accepted")
	}
	os.WriteFile(file, []byte("{\n\"name\": 3}"), 0o644)
	if _, err := LoadReport(file); err == nil || !strings.Contains(err.Error(), "dense.json:2:") {
		t.Errorf("bad report: %v", err)
	}
}

func TestReportRender(t *testing.T) {
	qs, a, _ := twoRuns(6)
	qs[0].Query = "今年城镇新增就业目标是多少万人以上，与去年相比有何变化？" // wider than 40 columns
	r := Evaluate(qs, a, nil, []int{1})
	r.Name = "bm25"
	var tbl, md, per bytes.Buffer
	if err := r.WriteTable(&tbl); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tbl.String(), "bm25: 6 questions scored\n") || !strings.Contains(tbl.String(), "mrr@1") {
		t.Errorf("table:\n%s", tbl.String())
	}
	if !strings.Contains(md.String(), "| metric | mean | 95% CI |\n| --- | ---: | ---: |\n| ndcg@1 |") {
		t.Errorf("markdown:\n%s", md.String())
	}
	if err := r.WriteQuestionTable(&per, qs, "mrr@1"); err != nil {
		t.Fatal(err)
	}
	// header line, column heads, then per question its line and quote-less
	// (qrels) body: misses list the hits ranked above.
	if !strings.Contains(per.String(), "worst mrr@1 first") || !strings.Contains(per.String(), qs[0].Query) {
		t.Errorf("question table:\n%s", per.String())
	}
	for _, l := range strings.Split(strings.TrimRight(per.String(), "\n"), "\n") {
		if w := width.StringWidth(l); w > TableWidth {
			t.Errorf("line %d columns wide: %q", w, l)
		}
	}
}

func TestCompare(t *testing.T) {
	qs, a, b := twoRuns(40)
	ra := Evaluate(qs, a, nil, []int{1, 3})
	ra.Name = "a"
	rb := Evaluate(qs, b, nil, []int{1, 3})
	rb.Name = "b"
	c, err := Compare(ra, ra, rb)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.Names, []string{"a", "a", "b"}) || len(c.Notes) != 0 {
		t.Errorf("names %v notes %v", c.Names, c.Notes)
	}
	for _, m := range c.Metrics {
		same, better := m.VsBaseline[0], m.VsBaseline[1]
		if same.P != 1 || same.MeanDiff != 0 || same.N != 40 {
			t.Errorf("%s: a vs a %+v", m.Metric, same)
		}
		if m.Metric == "mrr@1" {
			// a finds the passage first for 14 of 40 questions (i%3 == 0), b for all 40
			if !near(m.Stats[0].Mean, 14.0/40) || !near(better.MeanDiff, 26.0/40) || better.P > 0.001 {
				t.Errorf("mrr@1: %+v %+v", m.Stats, better)
			}
		}
	}
	// b without some questions: paired on the common ones, and said so.
	rb.PerQuestion = rb.PerQuestion[:30]
	rb.Questions = 30
	c, err = Compare(ra, rb)
	if err != nil {
		t.Fatal(err)
	}
	if c.Metrics[0].VsBaseline[0].N != 30 || len(c.Notes) != 1 || !strings.Contains(c.Notes[0], "30 questions paired; 0 scored only in b, 10 only in a") {
		t.Errorf("partial: n=%d notes %v", c.Metrics[0].VsBaseline[0].N, c.Notes)
	}
	var tbl, md, js bytes.Buffer
	c.WriteTable(&tbl)
	c.WriteMarkdown(&md)
	c.WriteJSON(&js)
	if !strings.Contains(tbl.String(), "Δ [95% CI]") || !strings.Contains(md.String(), "| metric | a mean [95% CI] | b mean | Δ [95% CI] | p |") || !strings.Contains(js.String(), `"vs_baseline"`) {
		t.Errorf("renderings:\n%s\n%s\n%s", tbl.String(), md.String(), js.String())
	}
	if _, err := Compare(); err == nil {
		t.Error("no reports: no error")
	}
}
