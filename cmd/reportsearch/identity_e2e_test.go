package main

// End-to-end tests of file identity (two files of the same name), of runs
// that fail before saving, of rebuilds cut short by kill -9, and of eval on
// partial collections and unmatchable questions.

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/reportsearch/reportsearch/internal/testenv"
	"github.com/reportsearch/reportsearch/store"
)

// noOllama is a host nothing listens on: runs are lexical only.
const noOllama = "127.0.0.1:9"

// writeTestReport writes a report of n paragraphs, each naming tag.
func writeTestReport(t *testing.T, path, tag string, n int) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "%s市政府工作报告\n\n", tag)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "第%d段：%s市推进第%d项重点工作，加快建设现代化产业体系，稳步扩大内需，持续改善民生福祉。\n\n", i, tag, i)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// citedFiles searches data for what every test report says and groups the
// results' texts by the file they are cited under.
func citedFiles(t *testing.T, data string) map[string][]string {
	t.Helper()
	s := rs(t, data, noOllama, "search", "--json", "--mode", "lexical", "-k", "50", "重点工作 现代化产业体系")
	if s.code != 0 {
		t.Fatalf("search: exit %d: %s", s.code, s.stderr)
	}
	out := map[string][]string{}
	for _, r := range decodeJSON[SearchOutput](t, s.stdout).Results {
		if !strings.HasPrefix(r.ID, r.File+"#") {
			t.Errorf("result %s is not cited under its file %s", r.ID, r.File)
		}
		out[r.File] = append(out[r.File], r.Text)
	}
	return out
}

func wantCited(t *testing.T, cited map[string][]string, file, tag string, n int) {
	t.Helper()
	if len(cited[file]) != n {
		t.Errorf("%s: %d chunks found, want %d; all: %q", file, len(cited[file]), n, cited)
	}
	for _, tx := range cited[file] {
		if !strings.Contains(tx, tag+"市") {
			t.Errorf("%s is cited for another file's text: %q", file, tx)
		}
	}
}

// TestSameFileNameTwoFoldersE2E: rA/r.txt and rB/r.txt, different content,
// indexed one after the other and in one run: both searchable in full and
// cited apart (issue 17 item 9, issue 11 item 3).
func TestSameFileNameTwoFoldersE2E(t *testing.T) {
	root := t.TempDir()
	rA, rB := filepath.Join(root, "rA"), filepath.Join(root, "rB")
	writeTestReport(t, filepath.Join(rA, "r.txt"), "甲", 10)
	writeTestReport(t, filepath.Join(rB, "r.txt"), "乙", 3)

	t.Run("index rA; index rB", func(t *testing.T) {
		data := t.TempDir()
		for _, dir := range []string{rA, rB} {
			if r := rs(t, data, noOllama, "index", dir); r.code != 0 {
				t.Fatalf("index %s: exit %d: %s", dir, r.code, r.stderr)
			}
		}
		cited := citedFiles(t, data)
		wantCited(t, cited, "r.txt", "甲", 10) // the stored file keeps its name
		wantCited(t, cited, "rB/r.txt", "乙", 3)
	})
	t.Run("index rA rB", func(t *testing.T) {
		data := t.TempDir()
		r := rs(t, data, noOllama, "index", rA, rB)
		if r.code != 0 || !strings.Contains(r.stderr, "13 chunks (13 new or changed") || !strings.Contains(r.stderr, "cited as rB/r.txt") {
			t.Fatalf("index rA rB: exit %d: %s", r.code, r.stderr)
		}
		cited := citedFiles(t, data)
		wantCited(t, cited, "rA/r.txt", "甲", 10)
		wantCited(t, cited, "rB/r.txt", "乙", 3)
		// The reports are told apart too.
		s := rs(t, data, noOllama, "search", "--json", "--mode", "lexical", "--report", "rB/r.txt#0", "重点工作")
		if s.code != 0 {
			t.Fatalf("search --report: exit %d: %s", s.code, s.stderr)
		}
		for _, res := range decodeJSON[SearchOutput](t, s.stdout).Results {
			if res.File != "rB/r.txt" {
				t.Errorf("--report rB/r.txt#0 found %s", res.ID)
			}
		}
	})
}

// TestFailedIndexPrintsNoSummary: index on a corrupted snapshot fails
// before doing anything; it prints the error and no summary.
func TestFailedIndexPrintsNoSummary(t *testing.T) {
	src := t.TempDir()
	writeTestReport(t, filepath.Join(src, "a.txt"), "甲", 3)
	data := t.TempDir()
	if r := rs(t, data, noOllama, "index", src); r.code != 0 {
		t.Fatalf("index: %s", r.stderr)
	}
	dirs := collectionDirs(t, data)
	if len(dirs) != 1 {
		t.Fatalf("collections: %v", dirs)
	}
	snap := filepath.Join(dirs[0], store.SnapshotName)
	if err := os.WriteFile(snap, []byte("RSDB\x00\x01\ngarbage that is long enough to fail the checksum, not the length check......"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := rs(t, data, noOllama, "index", src)
	if r.code == 0 || strings.Contains(r.stderr, " chunks (") || !strings.Contains(r.stderr, "corrupted") || !strings.Contains(r.stderr, "not changed") {
		t.Fatalf("index on a corrupted snapshot: want an error and no summary, got exit %d:\n%s", r.code, r.stderr)
	}
	r = rs(t, data, noOllama, "index", "--json", src)
	if r.code == 0 || !strings.Contains(r.stdout, `"saved": false`) {
		t.Fatalf("index --json on a corrupted snapshot: exit %d:\n%s", r.code, r.stdout)
	}
}

// TestKillDuringRebuildKeepsVectors: kill -9 of `index --rebuild` at any
// point leaves every vector of the chunks that did not change usable: the
// rebuild reuses them by hash instead of saving a snapshot without them.
func TestKillDuringRebuildKeepsVectors(t *testing.T) {
	host := testenv.Ollama(t)
	src := faultCorpus(t, 30000)
	data := t.TempDir()
	if r := rs(t, data, host, "--model", fixtureModel, "index", "--checkpoint", "200ms", src); r.code != 0 {
		t.Fatalf("index: exit %d: %s", r.code, r.stderr)
	}
	clean, dir := onlySnapshot(t, data)
	full := clean.Embedded()
	if full == 0 || full != len(clean.Records) {
		t.Fatalf("first index left %d of %d vectors", full, len(clean.Records))
	}
	valid := map[string]bool{}
	for _, r := range clean.Records {
		valid[r.Hash] = true
	}
	// New text for the rebuild to embed, so that there is an embedding
	// phase to be killed in.
	extra, err := os.ReadFile(filepath.Join(testenv.Shared(t), "corpus", "000_1825c3e880b2744e.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "000_new.txt"), extra[:min(len(extra), 20000)], 0o644); err != nil {
		t.Fatal(err)
	}
	snapPath := filepath.Join(dir, store.SnapshotName)
	// Kill points: as soon as the rebuild holds the lock, and as soon as it
	// has replaced the snapshot (then it is embedding the new text).
	for _, when := range []string{"locked", "saved"} {
		before, err := os.Stat(snapPath)
		if err != nil {
			t.Fatal(err)
		}
		p := startRS(t, data, host, "--model", fixtureModel, "index", "--rebuild", "--checkpoint", "200ms", src)
		pid := strconv.Itoa(p.cmd.Process.Pid)
		for range 2400 { // 2 minutes at most
			if !p.running() {
				break
			}
			lock, _ := os.ReadFile(filepath.Join(dir, "lock"))
			now, err := os.Stat(snapPath)
			replaced := err == nil && !os.SameFile(before, now)
			if strings.TrimSpace(string(lock)) == pid && (when == "locked" || replaced) {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		ran := p.running()
		p.cmd.Process.Signal(syscall.SIGKILL)
		p.wait(t, time.Minute)
		snap, _ := onlySnapshot(t, data)
		kept, lost := 0, []string{}
		for _, r := range snap.Records {
			if valid[r.Hash] {
				if r.Vector == nil {
					lost = append(lost, r.ID)
				}
				kept++
			}
		}
		if kept != full || len(lost) > 0 {
			t.Errorf("kill at %q: %d of the %d unchanged chunks are in the snapshot, %d lost their vectors (e.g. %v)", when, kept, full, len(lost), lost[:min(3, len(lost))])
		}
		t.Logf("kill -9 once %s (still running: %v): %d of %d chunks have vectors", when, ran, snap.Embedded(), len(snap.Records))
		// Dense search works, and says so when it covers part of the chunks.
		s := rs(t, data, host, "search", "--json", "--mode", "dense", "-k", "3", faultQuery)
		if s.code != 0 {
			t.Fatalf("kill at %q: dense search: exit %d: %s", when, s.code, s.stderr)
		}
		out := decodeJSON[SearchOutput](t, s.stdout)
		partial := snap.Embedded() < len(snap.Records)
		if len(out.Results) == 0 || partial != strings.Contains(out.Notice, fmt.Sprintf("dense search covers %d of %d chunks", snap.Embedded(), len(snap.Records))) {
			t.Errorf("kill at %q: dense search with %d of %d vectors: notice %q, %d results", when, snap.Embedded(), len(snap.Records), out.Notice, len(out.Results))
		}
	}
}

// evalQuestions writes a question set over writeTestReport's reports: q1
// can match, q2's quote is in no file, q3 names a file that is not indexed.
func evalQuestions(t *testing.T) string {
	t.Helper()
	q := filepath.Join(t.TempDir(), "q.jsonl")
	lines := []string{
		`{"id":"q1","query":"甲市第2项重点工作","answers":[{"file":"a.txt","quote":"第2段：甲市推进第2项重点工作"}]}`,
		`{"id":"q2","query":"低空经济","answers":[{"quote":"大力发展低空经济和商业航天"}]}`,
		`{"id":"q3","query":"甲市第3项重点工作","answers":[{"file":"gone.txt","quote":"第3段：甲市推进第3项重点工作"}]}`,
	}
	if err := os.WriteFile(q, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return q
}

// TestEvalExcludesUnmatchableE2E: questions that can never match are left
// out and named in the report; --strict refuses, naming file:line.
func TestEvalExcludesUnmatchableE2E(t *testing.T) {
	src := t.TempDir()
	writeTestReport(t, filepath.Join(src, "a.txt"), "甲", 5)
	data := t.TempDir()
	if r := rs(t, data, noOllama, "index", src); r.code != 0 {
		t.Fatalf("index: %s", r.stderr)
	}
	q := evalQuestions(t)
	r := rs(t, data, noOllama, "eval", "run", "--questions", q, "--mode", "lexical")
	if r.code != 0 || !strings.Contains(r.stdout, "1 questions scored, 2 excluded because no chunk can match them (q2, q3)") ||
		!strings.Contains(r.stdout, "collection: 5 chunks, 0 with vectors") {
		t.Fatalf("eval run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = rs(t, data, noOllama, "eval", "run", "--questions", q, "--mode", "lexical", "--format", "json")
	rep := decodeJSON[struct {
		Questions   int      `json:"questions"`
		Excluded    []string `json:"excluded"`
		Unmatchable []struct {
			ID   string `json:"id"`
			Line int    `json:"line"`
		} `json:"unmatchable"`
	}](t, r.stdout)
	if rep.Questions != 1 || len(rep.Excluded) != 2 || len(rep.Unmatchable) != 2 || rep.Unmatchable[1].Line != 3 {
		t.Errorf("JSON report: %+v", rep)
	}
	r = rs(t, data, noOllama, "eval", "run", "--questions", q, "--mode", "lexical", "--strict")
	if r.code != 2 || !strings.Contains(r.stderr, q+`:2: question "q2": answers[0]: no chunk holds the quote`) ||
		!strings.Contains(r.stderr, q+`:3: question "q3": answers[0]: file "gone.txt" is not in the collection`) {
		t.Fatalf("eval run --strict: want exit 2 naming q.jsonl:2 and :3, got exit %d\n%s", r.code, r.stderr)
	}
}

// TestPartialCollectionE2E: a collection with vectors for only some chunks
// (as an index run still embedding leaves it): search says how many chunks
// dense search covers, eval refuses a hybrid run unless --allow-partial, and
// then flags the report.
func TestPartialCollectionE2E(t *testing.T) {
	host := testenv.Ollama(t)
	src := t.TempDir()
	writeTestReport(t, filepath.Join(src, "a.txt"), "甲", 10)
	data := t.TempDir()
	if r := rs(t, data, host, "--model", fixtureModel, "index", src); r.code != 0 {
		t.Fatalf("index: %s", r.stderr)
	}
	snap, dir := onlySnapshot(t, data)
	for i := 4; i < len(snap.Records); i++ {
		snap.Records[i].Vector = nil
	}
	snap.Manifest.Complete = false
	if err := store.Save(dir, snap); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("dense search covers 4 of %d chunks; indexing is in progress or incomplete", len(snap.Records))
	s := rs(t, data, host, "search", "--mode", "hybrid", "重点工作")
	if s.code != 0 || !strings.Contains(s.stderr, want) {
		t.Errorf("search: exit %d, stderr %q, want %q", s.code, s.stderr, want)
	}
	s = rs(t, data, host, "search", "--mode", "lexical", "重点工作")
	if s.code != 0 || strings.Contains(s.stderr, "covers") {
		t.Errorf("lexical search needs no coverage notice: exit %d, %q", s.code, s.stderr)
	}
	c := rs(t, data, host, "context", "--json", "重点工作")
	if c.code != 0 || !strings.Contains(c.stdout, want) {
		t.Errorf("context --json: exit %d, %s", c.code, c.stdout)
	}

	q := evalQuestions(t)
	r := rs(t, data, host, "eval", "run", "--questions", q, "--mode", "hybrid")
	if r.code != 2 || !strings.Contains(r.stderr, "only 4 of 10 chunks have vectors") || !strings.Contains(r.stderr, "--allow-partial") {
		t.Fatalf("eval run on a partial collection: want exit 2 naming --allow-partial, got exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = rs(t, data, host, "eval", "run", "--questions", q, "--mode", "hybrid", "--allow-partial")
	if r.code != 0 || !strings.Contains(r.stdout, "(PARTIAL)") || !strings.Contains(r.stdout, "WARNING: PARTIAL COLLECTION: dense search covered only 4 of 10 chunks") {
		t.Fatalf("eval run --allow-partial: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = rs(t, data, host, "eval", "run", "--questions", q, "--mode", "lexical")
	if r.code != 0 || strings.Contains(r.stdout, "PARTIAL") || !strings.Contains(r.stdout, "collection: 10 chunks, 4 with vectors") {
		t.Fatalf("lexical eval run on a partial collection: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// A public benchmark in SQuAD form is indexed as a collection of its own
// (one passage a chunk) and opened through the same collection.OpenDir as
// every other search; a second run finds it indexed and scores the same.
func TestEvalDatasetE2E(t *testing.T) {
	squad := filepath.Join(t.TempDir(), "tiny.json")
	doc := `{"version":"v1","data":[{"title":"t","paragraphs":[
	 {"id":"p1","context":"北京市地区生产总值增长百分之五左右，城镇新增就业二十五万人。","qas":[{"id":"q1","question":"北京市地区生产总值增长多少","answers":[{"text":"百分之五左右","answer_start":10}]}]},
	 {"id":"p2","context":"广东省大力发展低空经济，建设低空飞行服务保障体系。","qas":[{"id":"q2","question":"广东发展什么经济","answers":[{"text":"低空经济","answer_start":5}]}]}]}]}`
	if err := os.WriteFile(squad, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	type report struct {
		Questions int `json:"questions"`
		Metrics   map[string]struct {
			Mean float64 `json:"mean"`
		} `json:"metrics"`
	}
	var first report
	for run := 1; run <= 2; run++ {
		r := rs(t, data, noOllama, "eval", "run", "--squad", squad, "--mode", "lexical", "--ks", "1", "--format", "json")
		if r.code != 0 {
			t.Fatalf("run %d: exit %d\n%s", run, r.code, r.stderr)
		}
		rep := decodeJSON[report](t, r.stdout)
		if rep.Questions != 2 || len(rep.Metrics) == 0 {
			t.Fatalf("run %d: %+v", run, rep)
		}
		if run == 1 {
			first = rep
		} else if fmt.Sprint(rep.Metrics) != fmt.Sprint(first.Metrics) {
			t.Errorf("the second run scores %v, the first %v", rep.Metrics, first.Metrics)
		}
	}
	entries, _ := os.ReadDir(data)
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	if len(names) != 1 || !strings.HasPrefix(names[0], "tiny--") {
		t.Errorf("collections in the data dir: %v, want one named tiny--…", names)
	}
}
