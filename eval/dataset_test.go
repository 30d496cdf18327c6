package eval

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/reportsearch/reportsearch/internal/testenv"
)

func TestImportBEIR(t *testing.T) {
	ds, err := ImportBEIR("testdata/beir-mini", "test")
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Passages) != 4 || ds.Passages[2].ID != "3" {
		t.Errorf("passages %+v", ds.Passages)
	}
	// q4 has no qrels in the split: not a question of the benchmark.
	var ids []string
	for _, q := range ds.Questions {
		ids = append(ids, q.ID)
	}
	if strings.Join(ids, ",") != "q1,q2,q3" {
		t.Errorf("questions %v, want q1,q2,q3", ids)
	}
	if want := map[string]int{"d2": 2, "d4": 0}; !maps.Equal(ds.Questions[1].Qrels, want) {
		t.Errorf("q2 qrels %v, want %v", ds.Questions[1].Qrels, want)
	}
	// q2: d4 has grade 0, so one relevant passage.
	j := JudgeAuto(ds.Questions[1], []Hit{{ID: "d4"}, {ID: "d2"}})
	if len(j.Ideal) != 1 || j.Grades[0] != 0 || j.Grades[1] != 2 {
		t.Errorf("q2 judgment %+v", j)
	}
}

// writeBEIR makes a BEIR folder from the mini one with one file replaced.
func writeBEIR(t *testing.T, file, content string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"corpus.jsonl", "queries.jsonl", "qrels/test.tsv"} {
		b, err := os.ReadFile(filepath.Join("testdata/beir-mini", f))
		if err != nil {
			t.Fatal(err)
		}
		if f == file {
			b = []byte(content)
		}
		os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestImportBEIRErrors(t *testing.T) {
	cases := []struct{ file, content, want string }{
		{"corpus.jsonl", "{\"_id\":\"a\",\"text\":\"x\"}\n\n{\"_id\":\"b\",\"text\":\"y\"\n", "corpus.jsonl:3: "},
		{"corpus.jsonl", "{\"_id\":\"a\",\"text\":\"x\"}\n{\"_id\":\"a\",\"text\":\"y\"}\n", "corpus.jsonl:2: _id: duplicate"},
		{"corpus.jsonl", "{\"_id\":\"a\",\"text\":7}\n", "corpus.jsonl:1: text: is a JSON number"},
		{"queries.jsonl", "{\"_id\":\"q1\",\"text\":\"x\"}\n{\"_id\":\"q2\"}\n", "queries.jsonl:2: text: missing"},
		{"qrels/test.tsv", "query-id\tcorpus-id\tscore\nq1\td1\n", "test.tsv:2: 2 fields"},
		{"qrels/test.tsv", "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td1\tx\n", "test.tsv:3: grade \"x\""},
		{"qrels/test.tsv", "q1\tnope\t1\n", `corpus-id "nope" is not in corpus.jsonl`},
		{"qrels/test.tsv", "q9\td1\t1\n", `query-id "q9" is not in queries.jsonl`},
	}
	for _, c := range cases {
		_, err := ImportBEIR(writeBEIR(t, c.file, c.content), "test")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %q: error %v, want it to contain %q", c.file, c.content, err, c.want)
		}
	}
}

func TestImportSQuAD(t *testing.T) {
	ds, err := ImportSQuAD("testdata/squad-mini.json")
	if err != nil {
		t.Fatal(err)
	}
	var pids []string
	for _, p := range ds.Passages {
		pids = append(pids, p.ID)
	}
	// The repeated context of the second article is not a new passage; the
	// third article's title repeats the second's, so its key gets "~2".
	if got := strings.Join(pids, " "); got != "A#0 A#1 New_York#1 New_York~2#0" {
		t.Errorf("passages %s", got)
	}
	want := map[string]string{"q:A#1": "A#0", "QA2": "A#0", "QA3": "A#1", "QB1": "A#0", "QC1": "New_York~2#0"}
	if len(ds.Questions) != len(want) {
		t.Fatalf("%d questions, want %d", len(ds.Questions), len(want))
	}
	for _, q := range ds.Questions {
		if !reflect.DeepEqual(q.Qrels, map[string]int{want[q.ID]: 1}) {
			t.Errorf("question %s qrels %v, want %s", q.ID, q.Qrels, want[q.ID])
		}
	}
}

func TestImportSQuADErrors(t *testing.T) {
	cases := []struct{ content, want string }{
		{"{\"data\": [\n  {\"title\": \"t\",\n   \"paragraphs\": [}\n]}", ":3:19: invalid character"},
		{"{\"data\": [{\"title\": 5}]}", ":1:21: data.title: is a JSON number"},
		{`{"data": [{"paragraphs": [{"context": "c", "qas": [{"question": "a"}]}]}]}`, `data[0].paragraphs[0].qas[0]: id: missing`},
		{`{"data": [{"paragraphs": [{"context": " ", "qas": []}]}]}`, `data[0].paragraphs[0]: context: missing`},
		{`{"data": [{"paragraphs": [{"context": "c", "qas": [{"id": "x", "question": "a"}, {"id": "x", "question": "b"}]}]}]}`, `qas[1]: id: duplicate "x"`},
		{`{"data": []}`, "no data[] articles"},
	}
	for _, c := range cases {
		file := filepath.Join(t.TempDir(), "s.json")
		os.WriteFile(file, []byte(c.content), 0o644)
		_, err := ImportSQuAD(file)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want it to contain %q", c.content, err, c.want)
		}
	}
}

// CMRC 2018 as a retrieval benchmark: the counts must match the dataset's
// README (every context distinct, every question kept).
func TestImportCMRC2018(t *testing.T) {
	for _, c := range []struct {
		file                         string
		passages, questions, skipped int
	}{
		{"cmrc2018_dev.json", 848, 3219, 0},
		// trial: 1,002 questions, two of them empty (TRIAL_776_QUERY_4, TRIAL_20_QUERY_0)
		{"cmrc2018_trial.json", 256, 1000, 2},
	} {
		path := filepath.Join(testenv.Shared(t), "bench", "cmrc2018", c.file)
		ds, err := ImportSQuAD(path)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds.Passages) != c.passages || len(ds.Questions) != c.questions || len(ds.Skipped) != c.skipped {
			t.Errorf("%s: %d passages, %d questions, %d skipped; want %d, %d, %d", c.file,
				len(ds.Passages), len(ds.Questions), len(ds.Skipped), c.passages, c.questions, c.skipped)
		}
		t.Logf("%s: %d passages, %d questions, skipped %v", c.file, len(ds.Passages), len(ds.Questions), ds.Skipped)
	}
}

// Import → WriteBEIR → ImportBEIR gives the same dataset, and the written
// questions.jsonl loads as a question set.
func TestWriteBEIRRoundTrip(t *testing.T) {
	ds, err := ImportSQuAD("testdata/squad-mini.json")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := WriteBEIR(ds, dir, "test"); err != nil {
		t.Fatal(err)
	}
	back, err := ImportBEIR(dir, "test")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Passages, ds.Passages) {
		t.Errorf("passages differ:\n%+v\n%+v", back.Passages, ds.Passages)
	}
	if len(back.Questions) != len(ds.Questions) {
		t.Fatalf("%d questions back, want %d", len(back.Questions), len(ds.Questions))
	}
	for i, q := range back.Questions {
		if q.ID != ds.Questions[i].ID || q.Query != ds.Questions[i].Query || !maps.Equal(q.Qrels, ds.Questions[i].Qrels) {
			t.Errorf("question %d: %+v, want %+v", i, q, ds.Questions[i])
		}
	}
	qs, err := LoadQuestions(filepath.Join(dir, "questions.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if len(qs) != len(ds.Questions) || qs[0].Kind != "squad" {
		b, _ := json.Marshal(qs)
		t.Errorf("questions.jsonl: %s", b)
	}
}
