package eval

// Fuzz targets for every reader of outside input in this package: question
// sets (JSONL), TREC runs, qrels, SQuAD and BEIR benchmarks and saved
// reports. Bad input must come back as an error naming the file (and line,
// where there is one), never a panic; what is accepted must be consistent,
// and what is written back must read back the same. Seeds are the real
// files of testdata and a slice of CMRC 2018 trial. scripts/fuzz.sh runs
// them for a bounded time each.

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzSeedFile reads a seed file, or skips the seed when it is missing.
func fuzzSeedFile(f *testing.F, path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		f.Logf("seed %s not used: %v", path, err)
		return nil
	}
	return b
}

// fuzzLines returns the first n lines of b, one seed each, and the n lines
// together.
func fuzzLines(b []byte, n int) [][]byte {
	lines := bytes.SplitAfter(b, []byte("\n"))
	n = min(n, len(lines))
	out := make([][]byte, 0, n+1)
	for _, l := range lines[:n] {
		out = append(out, l)
	}
	return append(out, bytes.Join(lines[:n], nil))
}

// cmrcSlice is the first articles of CMRC 2018 trial (SQuAD format), small
// enough to be a seed; nil when the benchmark is not beside the repository.
func cmrcSlice(f *testing.F, articles int) []byte {
	b := fuzzSeedFile(f, filepath.Join("..", "..", "shared", "bench", "cmrc2018", "cmrc2018_trial.json"))
	if b == nil {
		return nil
	}
	var doc struct {
		Version string            `json:"version"`
		Data    []json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		f.Fatalf("cmrc2018_trial.json: %v", err)
	}
	doc.Data = doc.Data[:min(articles, len(doc.Data))]
	out, err := json.Marshal(doc)
	if err != nil {
		f.Fatal(err)
	}
	return out
}

// namesFile reports whether every line of err's message starts with
// "name:", as errors.Join'ed per-line errors do.
func namesFile(err error, name string) bool {
	for _, l := range strings.Split(err.Error(), "\n") {
		if !strings.HasPrefix(l, name+":") {
			return false
		}
	}
	return true
}

func FuzzReadQuestions(f *testing.F) {
	for _, s := range fuzzLines(fuzzSeedFile(f, filepath.Join("testdata", "dev.jsonl")), 6) {
		f.Add(s)
	}
	f.Add([]byte("\xef\xbb\xbf{\"id\":\"a\",\"query\":\"q\",\"answers\":[{\"quote\":\"城镇新增就业1200万人以上\",\"grade\":2}]}\n// note\n\n"))
	f.Add([]byte(`{"id":"a","query":"q","qrels":{"d1":1,"d2":0}}` + "\n" + `{"id":"a","query":"","answers":[]}`))
	f.Add([]byte(`{"id":1,"query":"q"}` + "\n" + `{"id":"b","quer":"q"}` + "\n" + `{"id":"c"} {"id":"d"}` + "\n" + `{"id":"e","answers":[{"quote":"x"`))
	corpus := Corpus{
		"a.txt": "坚持就业优先战略，城镇新增就业1200万人以上。城镇新增就业1200万人以上。",
		"b.txt": "大力提振消费，实施提振消费专项行动。",
	}
	const name = "q.jsonl"
	f.Fuzz(func(t *testing.T, data []byte) {
		qs, issues, err := ReadQuestions(bytes.NewReader(data), name)
		if err != nil {
			// The only read error is a line over the scanner's limit,
			// which fuzz inputs do not reach.
			t.Fatalf("read error on %d bytes: %v", len(data), err)
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		for _, is := range issues {
			if is.File != name || is.Line < 1 || is.Line > lines || is.Severity != Error {
				t.Fatalf("issue without file:line: %+v", is)
			}
		}
		for _, q := range qs {
			if q.File != name || q.Line < 1 || q.Line > lines {
				t.Fatalf("question %q read from line %d of %d", q.ID, q.Line, lines)
			}
		}
		for _, is := range Check(qs, corpus) {
			if is.File != name || is.Line < 1 || is.Line > lines {
				t.Fatalf("check issue without file:line: %+v", is)
			}
			if !strings.HasPrefix(is.String(), name+":") {
				t.Fatalf("issue text does not start with the file: %s", is)
			}
		}
	})
}

func FuzzReadRun(f *testing.F) {
	f.Add([]byte("q1 Q0 x 1 1e-07 dense\nq1 Q0 y 2 -3 dense\nq2 Q0 c#0.1 1 0.5 dense\n"))
	f.Add([]byte("q1 Q0 b 2 0.9 t\nq1 Q0 a 1 0.1 t\n\nq1 Q0 c 2 0.8 t\n"))
	f.Add([]byte("q1 Q0 a 1 0.5 t\nq1 Q0 b 2 0.4\nq1 Q0 c two 0.3 t\nq1 Q0 d 4 high t\n"))
	f.Add([]byte("dev-001\tQ0\t004_482334abf8830909.txt#北京市政府工作报告.12\t1\tNaN\thybrid\r\nq 0 d -9 +Inf x\n"))
	const name = "run.txt"
	f.Fuzz(func(t *testing.T, data []byte) {
		run, err := ReadRun(bytes.NewReader(data), name)
		if err != nil {
			if !namesFile(err, name) {
				t.Fatalf("error does not name %s:line: %v", name, err)
			}
			return
		}
		// What was read writes back and reads back the same.
		var buf bytes.Buffer
		if err := WriteRun(&buf, run, "fuzz"); err != nil {
			t.Fatalf("accepted run does not write: %v", err)
		}
		back, err := ReadRun(&buf, "back")
		if err != nil {
			t.Fatalf("written run does not read back: %v\n%s", err, buf.String())
		}
		if len(back) != len(run) {
			t.Fatalf("%d questions read back, %d written", len(back), len(run))
		}
		for q, hits := range run {
			if len(back[q]) != len(hits) {
				t.Fatalf("question %q: %d hits read back, %d written", q, len(back[q]), len(hits))
			}
			for i, h := range hits {
				b := back[q][i]
				if b.ID != h.ID || (b.Score != h.Score && !(math.IsNaN(b.Score) && math.IsNaN(h.Score))) {
					t.Fatalf("question %q rank %d: read back %+v, written %+v", q, i+1, b, h)
				}
			}
		}
	})
}

func FuzzReadQrels(f *testing.F) {
	if b := fuzzSeedFile(f, filepath.Join("testdata", "beir-mini", "qrels", "test.tsv")); b != nil {
		f.Add(b)
	}
	f.Add([]byte("q1 0 d1 1\nq1 0 d2 0\nq2 Q0 d1 3\n"))
	f.Add([]byte("query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td1\t2\nq1 d2\nq1\td3\tx\n"))
	const name = "qrels.tsv"
	f.Fuzz(func(t *testing.T, data []byte) {
		qrels, err := ReadQrels(bytes.NewReader(data), name)
		if err != nil {
			if !namesFile(err, name) {
				t.Fatalf("error does not name %s:line: %v", name, err)
			}
			return
		}
		// Written back as TREC qrels, the judgments read back the same.
		var buf bytes.Buffer
		n := 0
		for q, docs := range qrels {
			for d, g := range docs {
				if q == "" || d == "" || strings.ContainsFunc(q, isSpace) || strings.ContainsFunc(d, isSpace) || !utf8.ValidString(q+d) {
					t.Fatalf("accepted an ID with white space: %q %q", q, d)
				}
				buf.WriteString(q + " 0 " + d + " " + strconv.Itoa(g) + "\n")
				n++
			}
		}
		back, err := ReadQrels(&buf, "back")
		if err != nil {
			t.Fatalf("written qrels do not read back: %v", err)
		}
		m := 0
		for q, docs := range back {
			for d, g := range docs {
				if qrels[q][d] != g {
					t.Fatalf("%s %s: grade %d read back, %d written", q, d, g, qrels[q][d])
				}
				m++
			}
		}
		if m != n {
			t.Fatalf("%d judgments read back, %d written", m, n)
		}
	})
}

// checkDataset asserts what every imported benchmark must hold: passage and
// question IDs present and unique, every judged passage in the corpus, and,
// when distinct is set (SQuAD import makes it so), question IDs that are not
// passage IDs.
func checkDataset(t *testing.T, ds Dataset, distinct bool) {
	t.Helper()
	pids := map[string]bool{}
	for _, p := range ds.Passages {
		if p.ID == "" || pids[p.ID] {
			t.Fatalf("passage ID %q empty or repeated", p.ID)
		}
		pids[p.ID] = true
	}
	qids := map[string]bool{}
	for _, q := range ds.Questions {
		if q.ID == "" || qids[q.ID] || (distinct && pids[q.ID]) || strings.TrimSpace(q.Query) == "" {
			t.Fatalf("question %q: ID empty, repeated or a passage's, or no query", q.ID)
		}
		qids[q.ID] = true
		if len(q.Qrels) == 0 {
			t.Fatalf("question %q has no qrels", q.ID)
		}
		for p := range q.Qrels {
			if !pids[p] {
				t.Fatalf("question %q judges %q, which is not in the corpus", q.ID, p)
			}
		}
	}
}

func FuzzImportSQuAD(f *testing.F) {
	if b := fuzzSeedFile(f, filepath.Join("testdata", "squad-mini.json")); b != nil {
		f.Add(b)
	}
	if b := cmrcSlice(f, 2); b != nil {
		f.Add(b)
	}
	f.Add([]byte(`{"data":[{"title":"t","paragraphs":[{"context":"c","qas":[{"id":"t#0","question":"?"},{"id":"q","question":" "}]}]}]}`))
	f.Add([]byte(`{"data":[{"paragraphs":[{"context":"","qas":[]}]}]}`))
	f.Add([]byte(`{"data":[{"paragraphs":[{"context":"c","qas":[{"id":"a","question":"x"},{"id":"a","question":"y"}]}]}]}`))
	f.Add([]byte("{\"data\":[{\"title\":1}]}\n"))
	file := filepath.Join(f.TempDir(), "squad.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		ds, err := ImportSQuAD(file)
		if err != nil {
			if !strings.HasPrefix(err.Error(), file+":") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		checkDataset(t, ds, true)
		if len(ds.Passages) == 0 {
			t.Fatal("imported a benchmark without passages")
		}
	})
}

func FuzzImportBEIR(f *testing.F) {
	seed := filepath.Join("testdata", "beir-mini")
	corpus := fuzzSeedFile(f, filepath.Join(seed, "corpus.jsonl"))
	queries := fuzzSeedFile(f, filepath.Join(seed, "queries.jsonl"))
	qrels := fuzzSeedFile(f, filepath.Join(seed, "qrels", "test.tsv"))
	f.Add(corpus, queries, qrels)
	f.Add(corpus, queries, []byte("query-id\tcorpus-id\tscore\nq1\td9\t1\nq9\td1\t1\n"))
	f.Add([]byte(`{"_id":"d1","text":"x"}`+"\n"+`{"_id":"d1","text":"y"}`), queries, qrels)
	f.Add([]byte(`{"_id":1.5e3,"text":"x"}`+"\n"+`{"_id":null}`), []byte(`{"_id":"q1","text":""}`), []byte("q1\td1\n"))
	// One folder per fuzzing process, rewritten for each input: a fresh
	// t.TempDir per input makes coverage vary with the random names and
	// slows fuzzing to a crawl.
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, corpus, queries, qrels []byte) {
		for name, b := range map[string][]byte{"corpus.jsonl": corpus, "queries.jsonl": queries, "qrels/test.tsv": qrels} {
			p := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		ds, err := ImportBEIR(dir, "test")
		if err != nil {
			for _, l := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(l, dir+string(filepath.Separator)) {
					t.Fatalf("error line does not name a file of the benchmark: %q", l)
				}
			}
			return
		}
		checkDataset(t, ds, false)
		// What was imported exports and imports back the same.
		out := filepath.Join(dir, "out")
		if err := os.RemoveAll(out); err != nil {
			t.Fatal(err)
		}
		if err := WriteBEIR(ds, out, "test"); err != nil {
			t.Fatalf("imported benchmark does not export: %v", err)
		}
		back, err := ImportBEIR(out, "test")
		if err != nil {
			t.Fatalf("exported benchmark does not import back: %v", err)
		}
		if len(back.Passages) != len(ds.Passages) || len(back.Questions) != len(ds.Questions) {
			t.Fatalf("round trip: %d passages, %d questions; was %d, %d",
				len(back.Passages), len(back.Questions), len(ds.Passages), len(ds.Questions))
		}
		for i, q := range ds.Questions {
			b := back.Questions[i]
			if b.ID != q.ID || b.Query != q.Query || len(b.Qrels) != len(q.Qrels) {
				t.Fatalf("round trip: question %+v became %+v", q, b)
			}
		}
	})
}

func FuzzLoadReport(f *testing.F) {
	r := Report{Name: "hybrid", Settings: map[string]string{"mode": "hybrid"}, Questions: 2, Ks: []int{1, 5},
		Metrics:     map[string]Stat{"recall@5": {Mean: 0.5, Lo: 0.25, Hi: 0.75}},
		PerQuestion: []QuestionResult{{ID: "dev-001", Relevant: 1, Retrieved: 5, FirstRelevant: 2, Metrics: map[string]float64{"recall@5": 1}}}}
	var buf bytes.Buffer
	if err := r.WriteJSON(&buf); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Add([]byte(`{"name":"x","metrics":{"mrr":{"mean":"high"}}}`))
	f.Add([]byte("{\"per_question\":[{\"id\":\"q\"}]\n,}"))
	file := filepath.Join(f.TempDir(), "report.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := LoadReport(file)
		if err != nil {
			if !strings.HasPrefix(err.Error(), file+":") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if r.Name == "" {
			t.Fatal("report without a name")
		}
		// A loaded report can be rendered.
		var out bytes.Buffer
		if err := r.WriteTable(&out); err != nil {
			t.Fatal(err)
		}
		// Compare may refuse the pair; what it accepts can be rendered,
		// as can the per-question listings (which may refuse a metric).
		if c, err := Compare(r, r); err == nil {
			if err := c.WriteTable(&out); err != nil {
				t.Fatal(err)
			}
		}
		r.WriteQuestionTable(&out, nil, "")
		if err := WriteQuestionRanks(&out, []Report{r, r}); err != nil {
			t.Fatal(err)
		}
		r.RecallCurve(0)
	})
}
