package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/reportsearch/reportsearch/internal/testenv"
)

// benchIndexInputs writes a one-report corpus and a question file of n
// questions, and returns their paths.
func benchIndexInputs(t *testing.T, n int) (corpus, questions string) {
	t.Helper()
	dir := t.TempDir()
	corpus = filepath.Join(dir, "corpus")
	if err := os.Mkdir(corpus, 0o755); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("北京市2024年政府工作报告\n\n")
	for i := range 40 {
		fmt.Fprintf(&b, "第%d项，坚持稳中求进，稳增长、稳就业、稳物价，推动经济持续回升向好，加快老旧小区改造。\n\n", i+1)
	}
	if err := os.WriteFile(filepath.Join(corpus, "a.txt"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	var q strings.Builder
	for i, s := range []string{"稳就业", "老旧小区改造", "经济回升向好", "稳物价"}[:n] {
		fmt.Fprintf(&q, `{"id":"q%d","query":%q,"answers":[{"file":"a.txt","quote":%q}]}`+"\n", i, s, s)
	}
	questions = filepath.Join(dir, "q.jsonl")
	if err := os.WriteFile(questions, []byte(q.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return corpus, questions
}

// `bench index` end to end against the real Ollama: the raw baseline, the
// timed index runs, the warm searches through Ollama's query embeddings and
// a cold search by the binary itself, reported in the JSON fields it has
// always had.
func TestBenchIndexE2E(t *testing.T) {
	host := testenv.Ollama(t)
	corpus, questions := benchIndexInputs(t, 3)
	r := rs(t, t.TempDir(), host, "--model", fixtureModel, "bench", "index", "--rounds", "1", "--cold", "1",
		"--batch", "8", "--questions", questions, "--json", corpus)
	if r.code != 0 {
		t.Fatalf("bench index: exit %d\n%s\n%s", r.code, r.stderr, r.stdout)
	}
	out := decodeJSON[map[string]any](t, r.stdout)
	var keys []string
	for k := range out {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"batch_size", "chunk_ms", "chunk_runes", "chunks", "cold_cli_search", "files", "index_chunks_per_s",
		"index_embed_seconds", "index_runes_per_s", "index_seconds", "model", "ratio", "ratios", "raw_chunks_per_s",
		"raw_seconds", "reindex_unchanged_seconds", "rounds", "runes", "warm_search"}
	if !slices.Equal(keys, want) {
		t.Errorf("JSON fields %v, want %v", keys, want)
	}
	b := decodeJSON[struct {
		Model     string  `json:"model"`
		Files     int     `json:"files"`
		Chunks    int     `json:"chunks"`
		BatchSize int     `json:"batch_size"`
		Embed     float64 `json:"index_embed_seconds"`
		Ratios    []float64
		Warm      map[string]struct{ N int } `json:"warm_search"`
		Cold      struct{ N int }            `json:"cold_cli_search"`
	}](t, r.stdout)
	if b.Model != fixtureModel || b.Files != 1 || b.Chunks == 0 || b.BatchSize != 8 || len(b.Ratios) != 1 || b.Embed <= 0 {
		t.Errorf("report %+v: want the fixture model, 1 file, its chunks embedded in one round of batches of 8", b)
	}
	for _, m := range []string{"lexical", "dense", "hybrid"} {
		if b.Warm[m].N != 3 {
			t.Errorf("warm %s searches: %d, want the 3 questions", m, b.Warm[m].N)
		}
	}
	if b.Cold.N != 1 {
		t.Errorf("cold CLI searches: %d, want 1", b.Cold.N)
	}
}

// Bad flags are usage errors (exit 2) before anything is read or embedded:
// no Ollama is needed to see them.
func TestBenchIndexUsageErrors(t *testing.T) {
	corpus, questions := benchIndexInputs(t, 1)
	dead := "127.0.0.1:9" // nothing listens
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"bench", "index", corpus}, "needs --model"},
		{[]string{"--model", fixtureModel, "bench", "index"}, "needs the corpus path"},
		{[]string{"--model", fixtureModel, "bench", "index", "--batch", "0", "--questions", questions, corpus}, "--batch must be at least 1"},
		{[]string{"--model", fixtureModel, "bench", "index", "--questions", filepath.Join(corpus, "none.jsonl"), corpus}, "--questions:"},
	} {
		r := rs(t, t.TempDir(), dead, c.args...)
		if r.code != 2 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 saying %q", c.args, r.code, r.stderr, c.want)
		}
	}
}
