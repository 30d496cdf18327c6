// Package bench holds the benchmarks of `reportsearch bench`: their
// reports (the JSON types and the tables), the engines and load runners
// they time, and the helpers they share; the command reads the flags and
// drives the runs. Every
// latency is summarised one way (internal/latency), so the figures of
// different benchmarks compare.
package bench

// `bench index`: indexing against raw Ollama, and search latency.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ollama/ollama/api"

	"github.com/reportsearch/reportsearch/eval"
	"github.com/reportsearch/reportsearch/indexer"
	"github.com/reportsearch/reportsearch/internal/latency"
)

// IndexBench is the JSON of `bench index`.
type IndexBench struct {
	Model      string  `json:"model"`
	Files      int     `json:"files"`
	Chunks     int     `json:"chunks"`
	Runes      int     `json:"runes"`
	ChunkRunes Dist    `json:"chunk_runes"`
	BatchSize  int     `json:"batch_size"`
	ChunkMs    float64 `json:"chunk_ms"`
	// Raw is /api/embed on the same texts and batch size, nothing else;
	// Index is the whole `index` run (chunking, embedding, checkpoints,
	// saving) into an empty store. Both are run Rounds times, alternating
	// which goes first, because the server's own speed drifts by ±10%
	// between runs; the seconds are medians and Ratio is the Median of the
	// per-round ratios in Ratios.
	Rounds       int       `json:"rounds"`
	Ratios       []float64 `json:"ratios"`
	RawSeconds   float64   `json:"raw_seconds"`
	IndexSeconds float64   `json:"index_seconds"`
	// IndexEmbedSeconds is the part of IndexSeconds spent waiting for
	// Ollama; the rest is ours (reading, chunking, lexical index, saves).
	IndexEmbedSeconds float64 `json:"index_embed_seconds"`
	RawChunksPS       float64 `json:"raw_chunks_per_s"`
	IndexChunkPS      float64 `json:"index_chunks_per_s"`
	IndexRunesPS      float64 `json:"index_runes_per_s"`
	Ratio             float64 `json:"ratio"`
	// Search latency in-process (warm) per mode, and of the CLI run cold.
	Warm        map[string]Latency `json:"warm_search"`
	ColdCLI     Latency            `json:"cold_cli_search"`
	ReindexSecs float64            `json:"reindex_unchanged_seconds"`
}

// Dist summarises a distribution.
type Dist struct {
	Min, Median, P95, Max int
}

// Latency summarises timings in milliseconds: the summary every benchmark
// uses (one percentile definition, see internal/latency).
type Latency = latency.Summary

// Median of xs (not modified).
func Median(xs []float64) float64 {
	s := slices.Clone(xs)
	sort.Float64s(s)
	return latency.Percentile(s, 0.5)
}

func FmtRatios(rs []float64) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = fmt.Sprintf("%.3f", r)
	}
	return strings.Join(parts, ", ")
}

func CountFiles(set *indexer.Set) int {
	m := map[string]bool{}
	for _, r := range set.Records {
		m[r.Source] = true
	}
	return len(m)
}

// RawEmbed is the baseline: /api/embed with nothing around it.
func RawEmbed(ctx context.Context, client *api.Client, model string, texts []string, batch int) error {
	f := false
	for lo := 0; lo < len(texts); lo += batch {
		hi := min(lo+batch, len(texts))
		if _, err := client.Embed(ctx, &api.EmbedRequest{Model: model, Input: texts[lo:hi], Truncate: &f}); err != nil {
			return fmt.Errorf("raw /api/embed of texts %d-%d: %w", lo, hi, err)
		}
	}
	return nil
}

// ColdSearches times whole `reportsearch search` processes of this
// executable (the reportsearch binary): start-up,
// loading the snapshot, embedding the query, searching, printing.
func ColdSearches(ctx context.Context, host, dataDir string, qs []eval.Question, n int) (Latency, error) {
	self, err := os.Executable()
	if err != nil {
		return Latency{}, err
	}
	var d []time.Duration
	for i := 0; i < n && i < len(qs); i++ {
		cmd := exec.CommandContext(ctx, self, "--data-dir", dataDir, "--ollama-host", host, "--collection", "bench", "search", "--json", qs[i].Query)
		t := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			return Latency{}, fmt.Errorf("cold search: %v: %s", err, out)
		}
		d = append(d, time.Since(t))
	}
	return latency.Of(d), nil
}
