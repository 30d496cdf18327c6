package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/reportsearch/reportsearch/chunk"
	"github.com/reportsearch/reportsearch/collection"
	"github.com/reportsearch/reportsearch/embed"
	"github.com/reportsearch/reportsearch/eval"
	"github.com/reportsearch/reportsearch/internal/fakeembed"
)

// benchCorpus writes two small reports and returns their folder.
func benchCorpus(t *testing.T) string {
	t.Helper()
	src := t.TempDir()
	for f, city := range map[string]string{"a.txt": "北京市", "b.txt": "上海市"} {
		var b strings.Builder
		fmt.Fprintf(&b, "%s2024年政府工作报告\n\n", city)
		for i := range 30 {
			fmt.Fprintf(&b, "第%d项，坚持稳中求进，稳增长、稳就业、稳物价，推动经济持续回升向好。\n\n", i+1)
		}
		if err := os.WriteFile(filepath.Join(src, f), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return src
}

// rawRecorder stands in for /api/embed and keeps every batch it was sent.
type rawRecorder struct {
	mu      sync.Mutex
	batches [][]string
	failAt  int // 1-based call that fails; 0 never
}

func (r *rawRecorder) send(_ context.Context, batch []string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.batches = append(r.batches, batch)
	if len(r.batches) == r.failAt {
		return errors.New("refused")
	}
	return nil
}

func (r *rawRecorder) texts() []string {
	var all []string
	for _, b := range r.batches {
		all = append(all, b...)
	}
	return all
}

// RunIndex, with a fake embedder and a recorded raw baseline: each round
// indexes into a fresh store (every chunk embedded again), the re-index of
// the unchanged files embeds nothing, the raw baseline sends the chunks in
// batches as the embedder would send them (prefix, then the text form over
// both), every question is searched in every mode, and the temporary data
// dir is gone afterwards.
func TestRunIndex(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	fake := fakeembed.New("fake", 16)
	info := fake.Model
	info.DocumentPrefix = "文档："
	info.TextForm = string(embed.TextASCIIPunct)
	raw := &rawRecorder{}
	qs := []eval.Question{{Query: "稳就业"}, {Query: "稳物价"}, {Query: "北京"}}
	const batch, rounds = 7, 3
	b, err := RunIndex(context.Background(), IndexConfig{
		Settings:  collection.Settings{Host: "127.0.0.1:1", Model: "fake", Chunk: chunk.Options{MaxRunes: 120, MinRunes: 20}},
		Paths:     []string{benchCorpus(t)},
		BatchSize: batch, Rounds: rounds, Questions: qs,
		Use: &collection.Embedding{Embedder: fake, Info: info},
		Raw: raw.send,
	})
	if err != nil {
		t.Fatal(err)
	}
	if b.Model != "fake" || b.Files != 2 || b.Chunks < 4 || b.BatchSize != batch || b.Rounds != rounds {
		t.Fatalf("report %+v: want model fake, 2 files, several chunks, batch %d, %d rounds", b, batch, rounds)
	}
	if got := fake.Embedded(); got != rounds*b.Chunks {
		t.Errorf("fake embedded %d texts, want %d rounds x %d chunks (fresh store each round, nothing for the unchanged re-index)", got, rounds, b.Chunks)
	}
	warmup := min(batch, b.Chunks)
	sent := raw.texts()
	if len(sent) != warmup+rounds*b.Chunks {
		t.Fatalf("raw baseline sent %d texts, want a warm-up of %d and %d rounds x %d chunks", len(sent), warmup, rounds, b.Chunks)
	}
	for i, bt := range raw.batches {
		if len(bt) == 0 || len(bt) > batch {
			t.Fatalf("raw batch %d holds %d texts, want 1 to %d", i, len(bt), batch)
		}
	}
	for _, s := range sent {
		if !strings.HasPrefix(s, "文档:") || strings.ContainsAny(s, "，。：") {
			t.Fatalf("raw text %q: want the document prefix and the text in ASCII punctuation, as the embedder sends it", s)
		}
	}
	if len(b.Ratios) != rounds || b.Ratio != median(b.Ratios) {
		t.Errorf("ratios %v, ratio %v: want one per round and their median", b.Ratios, b.Ratio)
	}
	runes := 0
	for _, s := range sent[warmup : warmup+b.Chunks] {
		runes += utf8.RuneCountInString(s)
	}
	if b.Runes <= 0 || b.Runes > runes {
		t.Errorf("runes %d: want the chunks' characters, fewer than the %d embedded with headers", b.Runes, runes)
	}
	d := b.ChunkRunes
	if !(0 < d.Min && d.Min <= d.Median && d.Median <= d.P95 && d.P95 <= d.Max && d.Max <= 120) {
		t.Errorf("chunk length distribution %+v: want 0 < min <= median <= p95 <= max <= 120", d)
	}
	for _, m := range []string{"lexical", "dense", "hybrid"} {
		if b.Warm[m].N != len(qs) {
			t.Errorf("warm %s: %d searches, want %d", m, b.Warm[m].N, len(qs))
		}
	}
	if len(b.Warm) != 3 || b.ColdCLI.N != 0 {
		t.Errorf("warm %v, cold %+v: want three modes and no cold search", b.Warm, b.ColdCLI)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("left in the temporary folder: %v", left)
	}
}

// A failing raw request fails the run, naming the texts it carried; a batch
// size below 1 is refused before anything is read.
func TestRunIndexErrors(t *testing.T) {
	src := benchCorpus(t)
	cfg := IndexConfig{
		Settings:  collection.Settings{Model: "fake", Chunk: chunk.DefaultOptions()},
		Paths:     []string{src},
		BatchSize: 4, Rounds: 1,
		Use: &collection.Embedding{Embedder: fakeembed.New("fake", 8), Info: fakeembed.New("fake", 8).Model},
	}
	raw := &rawRecorder{failAt: 3} // the warm-up, then the round's second batch
	cfg.Raw = raw.send
	_, err := RunIndex(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "raw /api/embed of texts 4-8: refused") {
		t.Errorf("failing raw batch: %v, want it named by its texts", err)
	}
	cfg.BatchSize = 0
	if _, err := RunIndex(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "batch size 0") {
		t.Errorf("batch size 0: %v", err)
	}
}

// The text report, line by line as `bench index` has always printed it.
func TestPrintIndex(t *testing.T) {
	var w strings.Builder
	PrintIndex(&w, IndexBench{
		Files: 5, Chunks: 2886, Runes: 632798, ChunkRunes: Dist{Min: 4, Median: 220, P95: 367, Max: 400}, ChunkMs: 33.11,
		BatchSize: 32, Rounds: 2, Ratios: []float64{0.55, 0.5612}, RawSeconds: 33.39, IndexSeconds: 60.64, IndexEmbedSeconds: 60.57,
		RawChunksPS: 86.43, IndexChunkPS: 47.6, IndexRunesPS: 10435.96, Ratio: 0.5556, ReindexSecs: 0.381,
		Warm: map[string]Latency{
			"lexical": {N: 129, P50Ms: 0.499, P95Ms: 1.8604},
			"dense":   {N: 129, P50Ms: 294.552, P95Ms: 474.3248},
			"hybrid":  {N: 129, P50Ms: 13.003, P95Ms: 170.2902},
		},
		ColdCLI: Latency{N: 2, P50Ms: 136.3, P95Ms: 162.8},
	})
	want := `corpus: 5 files, 2886 chunks, 632798 characters; chunk length min/median/p95/max 4/220/367/400; chunking 33 ms
raw /api/embed (batch 32): 33.4 s, 86.4 chunks/s (median of 2)
index (fresh store):      60.6 s, 47.6 chunks/s, 10436 characters/s (median of 2)
  of which /api/embed:    60.6 s; reading, chunking, lexical index, saves 0.1 s
ratio index/raw:          0.556 (median; rounds 0.550, 0.561)
index again (unchanged):  0.38 s
warm search lexical  n=129 p50 0.50 ms p95 1.86 ms
warm search dense    n=129 p50 294.55 ms p95 474.32 ms
warm search hybrid   n=129 p50 13.00 ms p95 170.29 ms
cold CLI search          n=2 p50 136 ms p95 163 ms
`
	if w.String() != want {
		t.Errorf("got\n%s\nwant\n%s", w.String(), want)
	}
}
