package main

// End-to-end tests of reading saved eval reports (issue 11.7): runs named
// apart, tables that fit 100 columns, per-question listings that follow
// --ks, pictures. Lexical-only, no Ollama.

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mattn/go-runewidth"
)

// devQuestionsFor writes the questions of eval/testdata/dev.jsonl whose
// answers are in file into a question file of their own.
func devQuestionsFor(t *testing.T, file string) string {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "eval", "testdata", "dev.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if strings.Contains(sc.Text(), `"file": "`+file+`"`) {
			lines = append(lines, sc.Text())
		}
	}
	if len(lines) < 2 {
		t.Fatalf("dev.jsonl has %d questions on %s", len(lines), file)
	}
	out := filepath.Join(t.TempDir(), "questions.jsonl")
	if err := os.WriteFile(out, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return out
}

func maxColumns(s string) (int, string) {
	w, line := 0, ""
	for _, l := range strings.Split(s, "\n") {
		if n := (&runewidth.Condition{}).StringWidth(l); n > w {
			w, line = n, l
		}
	}
	return w, line
}

func TestEvalReportsE2E(t *testing.T) {
	data := lexicalIndex(t)
	qfile := devQuestionsFor(t, "003_fc0e754ba3f6118e.txt")
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")

	// --ks 5 --per-question listed every question as "excluded": it asked
	// for ndcg@10.
	run := rs(t, data, deadOllama, "eval", "run", "--questions", qfile, "--mode", "lexical", "--ks", "5", "--per-question", "--out", a)
	if run.code != 0 {
		t.Fatalf("eval run: exit %d: %s", run.code, run.stderr)
	}
	if strings.Contains(run.stdout, "excluded") || !strings.Contains(run.stdout, "worst ndcg@5 first") ||
		!strings.Contains(run.stdout, "quote: ") || !strings.Contains(run.stdout, "dev-026") {
		t.Errorf("per-question listing:\n%s", run.stdout)
	}
	if r := rs(t, data, deadOllama, "eval", "run", "--questions", qfile, "--mode", "lexical", "--ks", "1,5", "--out", b); r.code != 0 {
		t.Fatalf("eval run: exit %d: %s", r.code, r.stderr)
	}

	// Both runs have the default name: the columns are named by file.
	cmp := rs(t, data, deadOllama, "eval", "compare", a, b)
	if cmp.code != 0 {
		t.Fatalf("compare: exit %d: %s", cmp.code, cmp.stderr)
	}
	if w, l := maxColumns(cmp.stdout); w > 100 {
		t.Errorf("compare: %d columns: %q", w, l)
	}
	if !strings.Contains(cmp.stdout, "\n  a  "+a) || !strings.Contains(cmp.stdout, "\n  b  "+b) {
		t.Errorf("compare: runs not named by file:\n%s", cmp.stdout)
	}
	var c struct{ Names []string }
	js := rs(t, data, deadOllama, "eval", "compare", a, b, "--json")
	if err := json.Unmarshal([]byte(js.stdout), &c); err != nil || strings.Join(c.Names, ",") != "a,b" {
		t.Errorf("compare --json: %v %q\n%s", err, c.Names, js.stdout)
	}
	if r := rs(t, data, deadOllama, "eval", "compare", a, b, "--json", "--format", "markdown"); r.code != 2 {
		t.Errorf("--json with --format markdown: exit %d", r.code)
	}
	pq := rs(t, data, deadOllama, "eval", "compare", a, b, "--per-question")
	if pq.code != 0 || !strings.Contains(pq.stdout, "ranked alike in every run are not listed") {
		t.Errorf("compare --per-question: exit %d %s\n%s", pq.code, pq.stderr, pq.stdout)
	}
	show := rs(t, data, deadOllama, "eval", "show", a, "--per-question")
	if show.code != 0 || !strings.Contains(show.stdout, "worst ndcg@5 first") {
		t.Errorf("show: exit %d %s\n%s", show.code, show.stderr, show.stdout)
	}

	out := filepath.Join(dir, "plots")
	pl := rs(t, data, deadOllama, "eval", "plot", a, b, "--out", out, "--format", "png")
	if pl.code != 0 {
		t.Fatalf("plot: exit %d: %s", pl.code, pl.stderr)
	}
	for _, f := range []string{"recall_at_k.png", "by_kind.png", "rank_diff.png"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 || !strings.Contains(pl.stdout, f) {
			t.Errorf("plot: %s: %v\n%s", f, err, pl.stdout)
		}
	}
	if r := rs(t, data, deadOllama, "eval", "plot", a, "--out", out, "--format", "gif"); r.code != 2 {
		t.Errorf("--format gif: exit %d", r.code)
	}
	if r := rs(t, data, deadOllama, "eval", "plot", a); r.code != 2 {
		t.Errorf("no --out: exit %d", r.code)
	}
}
