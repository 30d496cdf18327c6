package eval

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

func TestRunRoundTrip(t *testing.T) {
	run := Run{
		"q2": {{ID: "c#0.1", Score: 0.5}, {ID: "a#1.2", Score: 0.25}},
		"q1": {{ID: "x", Score: 1e-7}, {ID: "y", Score: -3}, {ID: "z", Score: -3}},
		"q3": {},
	}
	var buf bytes.Buffer
	if err := WriteRun(&buf, run, "dense"); err != nil {
		t.Fatal(err)
	}
	want := "q1 Q0 x 1 1e-07 dense\nq1 Q0 y 2 -3 dense\nq1 Q0 z 3 -3 dense\nq2 Q0 c#0.1 1 0.5 dense\nq2 Q0 a#1.2 2 0.25 dense\n"
	if buf.String() != want {
		t.Errorf("written:\n%s\nwant:\n%s", buf.String(), want)
	}
	back, err := ReadRun(&buf, "run.txt")
	if err != nil {
		t.Fatal(err)
	}
	delete(run, "q3") // a question without hits leaves no line
	if !reflect.DeepEqual(back, run) {
		t.Errorf("read back %v, want %v", back, run)
	}
}

func TestReadRunOrdersByRank(t *testing.T) {
	in := "q1 Q0 b 2 0.9 t\nq1 Q0 a 1 0.1 t\n\nq1 Q0 c 2 0.8 t\n"
	run, err := ReadRun(strings.NewReader(in), "r")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, h := range run["q1"] {
		ids = append(ids, h.ID)
	}
	// rank column first, file order among equal ranks
	if strings.Join(ids, "") != "abc" {
		t.Errorf("order %v, want a b c", ids)
	}
}

func TestReadRunErrors(t *testing.T) {
	in := "q1 Q0 a 1 0.5 t\nq1 Q0 b 2 0.4\nq1 Q0 c two 0.3 t\nq1 Q0 d 4 high t\n"
	_, err := ReadRun(strings.NewReader(in), "run.txt")
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		"run.txt:2: 5 fields, want 6",
		`run.txt:3: rank (field 4) "two" is not an integer`,
		`run.txt:4: score (field 5) "high" is not a number`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "run.txt:1") {
		t.Errorf("good line reported: %v", err)
	}
	if err := WriteRun(&bytes.Buffer{}, Run{"q": {{ID: "a b"}}}, "t"); err == nil {
		t.Error("ID with a space written")
	}
	if err := WriteRun(&bytes.Buffer{}, Run{}, "my tag"); err == nil {
		t.Error("tag with a space accepted")
	}
}

func TestReadQrels(t *testing.T) {
	in := "q1 0 d1 2\nq1 0 d2 0\nq2\td3\t1\nq2 0 d3 2\nq3 0 d4\n"
	_, err := ReadQrels(strings.NewReader(in), "qrels")
	// line 4 judges q2 d3 a second time; line 5 has 3 fields, BEIR's form,
	// so its last field is read as the grade.
	for _, want := range []string{"qrels:4: q2 d3 judged again with another grade (2, was 1)", `qrels:5: grade "d4" is not an integer`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want it to contain %q", err, want)
		}
	}
	q, err := ReadQrels(strings.NewReader("query-id\tcorpus-id\tscore\nq1\td1\t1\nq1 0 d2 2\n"), "qrels")
	if err != nil || !reflect.DeepEqual(q, map[string]map[string]int{"q1": {"d1": 1, "d2": 2}}) {
		t.Errorf("qrels %v %v", q, err)
	}
}

// Scoring an outside run file: IDs only, texts from a lookup.
func TestScore(t *testing.T) {
	qs := []Question{
		{ID: "q1", Answers: []Answer{{File: "a.txt", Quote: "城镇新增就业1200万人"}}},
		{ID: "q2", Qrels: map[string]int{"p9": 1}},
	}
	lookup := map[string]Hit{
		"a.txt#0.1": {ID: "a.txt#0.1", File: "a.txt", Text: "坚持就业优先。"},
		"a.txt#0.2": {ID: "a.txt#0.2", File: "a.txt", Text: "城镇新增就业\n1200万人以上。"},
	}
	run, err := ReadRun(strings.NewReader("q1 Q0 a.txt#0.1 1 0.9 t\nq1 Q0 a.txt#0.2 2 0.8 t\nq2 Q0 p9 1 0.7 t\n"), "run")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Score(qs, run, lookup, []int{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	// q1: relevant at rank 2 → mrr 1/2; q2: rank 1 → 1; mean 3/4
	if got := r.Metrics["mrr@2"].Mean; !near(got, 0.75) {
		t.Errorf("mrr@2 %v, want 0.75", got)
	}
	if run["q1"][1].Text != "" {
		t.Error("Score changed the caller's run")
	}
	if _, err := Score(qs, run, nil, nil); err == nil {
		t.Error("no lookup: no error")
	}
	delete(lookup, "a.txt#0.2")
	if _, err := Score(qs, run, lookup, nil); err == nil || !strings.Contains(err.Error(), "a.txt#0.2 (question q1)") {
		t.Errorf("unknown ID: %v", err)
	}
	run["q9"] = nil
	if _, err := Score(qs[1:], run, nil, nil); err == nil || !strings.Contains(err.Error(), "q1, q9") {
		t.Errorf("unknown questions: %v", err)
	}
}
