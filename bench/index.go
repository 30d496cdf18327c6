// Package bench holds the benchmarks of `reportsearch bench`: their
// reports (the JSON types and the tables), the engines and load runners
// they time, and the helpers they share. The command reads the flags, calls
// the run (RunIndex, Load, RunVectorsSize) and prints its report. Every
// latency is summarised one way (internal/latency), so the figures of
// different benchmarks compare.
package bench

// `bench index`: indexing against raw Ollama, and search latency.

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ollama/ollama/api"

	"github.com/reportsearch/reportsearch/collection"
	"github.com/reportsearch/reportsearch/embed"
	"github.com/reportsearch/reportsearch/eval"
	"github.com/reportsearch/reportsearch/indexer"
	"github.com/reportsearch/reportsearch/internal/latency"
	"github.com/reportsearch/reportsearch/retrieve"
	"github.com/reportsearch/reportsearch/store"
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

// IndexConfig is one `bench index` run.
type IndexConfig struct {
	// Settings give the Ollama host, the model (a name, not "auto") and
	// the chunk options; the benchmark's collection is made in a temporary
	// data dir of its own, removed afterwards, and kept in memory for
	// search whatever the vector store.
	Settings  collection.Settings
	Paths     []string
	BatchSize int             // texts per /api/embed request, for both
	Rounds    int             // raw and index timings, alternating (at least 1)
	Questions []eval.Question // queries of the warm and cold searches
	Cold      int             // cold CLI searches (whole processes of this executable)

	// Use, when set, embeds the documents and the queries instead of
	// Ollama at Settings.Host (tests).
	Use *collection.Embedding
	// Raw, when set, stands in for /api/embed in the raw baseline (tests):
	// it is given one batch of texts per call, prefixed and in the
	// model's text form as the indexer sends them.
	Raw func(ctx context.Context, batch []string) error
}

// The benchmark's collection, in its own data dir.
const benchCollection = "bench"

// contextHeader is the --context-header of the timed index runs; the raw
// baseline embeds the chunks in the same form.
const contextHeader = true

// RunIndex indexes cfg.Paths into a fresh store cfg.Rounds times, timed
// against raw /api/embed on the same texts, then times re-indexing the
// unchanged files and searching the collection warm (in-process, per mode)
// and cold (whole CLI processes).
func RunIndex(ctx context.Context, cfg IndexConfig) (IndexBench, error) {
	b := IndexBench{Model: cfg.Settings.Model, BatchSize: cfg.BatchSize, Rounds: max(1, cfg.Rounds)}
	if b.BatchSize < 1 {
		return b, fmt.Errorf("batch size %d: want at least 1", b.BatchSize)
	}
	t0 := time.Now()
	set, err := indexer.ReadFiles(ctx, cfg.Paths, cfg.Settings.Chunk)
	if err != nil {
		return b, err
	}
	b.ChunkMs = float64(time.Since(t0).Microseconds()) / 1000
	texts := describeChunks(&b, set)

	use := cfg.Use
	if use == nil {
		opt := embed.DefaultOllamaOptions()
		opt.BatchSize = b.BatchSize
		emb, err := embed.NewOllama(cfg.Settings.Host, cfg.Settings.Model, opt)
		if err != nil {
			return b, err
		}
		info, err := emb.Info(ctx)
		if err != nil {
			return b, err
		}
		use = &collection.Embedding{Embedder: emb, Info: info}
	}
	send := cfg.Raw
	if send == nil {
		if send, err = rawSender(cfg.Settings.Host, use.Info.Name); err != nil {
			return b, err
		}
	}
	// The raw baseline sends exactly what the indexer sends: the same
	// prefix and text form (applied as the embedder applies them), batch by
	// batch, one request at a time.
	form := embed.TextForm(use.Info.TextForm)
	raw := make([]string, len(texts))
	for i, t := range texts {
		raw[i] = form.Apply(use.Info.DocumentPrefix + t)
	}
	if err := rawEmbed(ctx, send, raw[:min(len(raw), b.BatchSize)], b.BatchSize); err != nil {
		return b, err // warm-up: the model is loaded before either timing
	}

	dataDir, err := os.MkdirTemp("", "reportsearch-bench-")
	if err != nil {
		return b, err
	}
	defer os.RemoveAll(dataDir)
	r := indexRun{
		s:     collection.Settings{DataDir: dataDir, Host: cfg.Settings.Host, Name: benchCollection, Model: use.Info.Name, Chunk: cfg.Settings.Chunk},
		o:     collection.IndexOptions{ContextHeader: contextHeader, Lexical: indexer.DefaultLexical, Use: use},
		paths: cfg.Paths,
	}
	if r.dir, err = store.Dir(dataDir, benchCollection); err != nil {
		return b, err
	}
	if err := r.rounds(ctx, &b, func() error { return rawEmbed(ctx, send, raw, b.BatchSize) }); err != nil {
		return b, err
	}
	t0 = time.Now()
	if _, err := collection.Index(ctx, r.s, r.paths, r.o); err != nil {
		return b, err
	}
	b.ReindexSecs = time.Since(t0).Seconds()

	if b.Warm, err = r.warmSearches(ctx, cfg.Use, cfg.Questions); err != nil {
		return b, err
	}
	b.ColdCLI, err = coldSearches(ctx, cfg.Settings.Host, dataDir, cfg.Questions, cfg.Cold)
	return b, err
}

// describeChunks fills in b's corpus figures from the chunks read, and
// returns the text of each chunk as the index embeds it.
func describeChunks(b *IndexBench, set *indexer.Set) []string {
	b.Chunks = len(set.Records)
	lens := make([]float64, len(set.Records)) // chunk lengths in runes
	texts := make([]string, len(set.Records))
	for i := range set.Records {
		n := utf8.RuneCountInString(set.Records[i].Text)
		lens[i] = float64(n)
		b.Runes += n
		texts[i] = indexer.EmbedText(&set.Records[i].Chunk, contextHeader)
	}
	if len(lens) > 0 {
		sort.Float64s(lens)
		q := func(p float64) int { return int(math.Round(latency.Percentile(lens, p))) }
		b.ChunkRunes = Dist{Min: int(lens[0]), Median: q(0.50), P95: q(0.95), Max: int(lens[len(lens)-1])}
	}
	return texts
}

// indexRun is the benchmark's collection and how it is indexed.
type indexRun struct {
	s     collection.Settings
	o     collection.IndexOptions
	paths []string
	dir   string
}

// rounds times the raw baseline and a fresh index run b.Rounds times,
// alternating which goes first, and fills in b's timings.
func (r indexRun) rounds(ctx context.Context, b *IndexBench, raw func() error) error {
	var raws, indexes, embedSecs []float64
	timeRaw := func() (float64, error) {
		t0 := time.Now()
		err := raw()
		return time.Since(t0).Seconds(), err
	}
	timeIndex := func() (float64, error) {
		if err := os.RemoveAll(r.dir); err != nil {
			return 0, err
		}
		t0 := time.Now()
		res, err := collection.Index(ctx, r.s, r.paths, r.o)
		if err == nil {
			embedSecs = append(embedSecs, res.Stats.EmbedSeconds)
			b.Files = res.Stats.Files // as `index` counts them
		}
		return time.Since(t0).Seconds(), err
	}
	for i := 0; i < b.Rounds; i++ {
		first, second := timeRaw, timeIndex
		if i%2 == 1 {
			first, second = timeIndex, timeRaw
		}
		x, err := first()
		if err != nil {
			return err
		}
		y, err := second()
		if err != nil {
			return err
		}
		rawS, indexS := x, y
		if i%2 == 1 {
			rawS, indexS = y, x
		}
		raws, indexes = append(raws, rawS), append(indexes, indexS)
		b.Ratios = append(b.Ratios, rawS/indexS)
	}
	b.RawSeconds, b.IndexSeconds, b.Ratio = median(raws), median(indexes), median(b.Ratios)
	b.IndexEmbedSeconds = median(embedSecs)
	b.RawChunksPS = float64(b.Chunks) / b.RawSeconds
	b.IndexChunkPS = float64(b.Chunks) / b.IndexSeconds
	b.IndexRunesPS = float64(b.Runes) / b.IndexSeconds
	return nil
}

// warmSearches times every question in each mode, in this process, on the
// collection as indexed (its vectors in memory). use, when set, embeds the
// queries; otherwise Ollama does, as for `search`.
func (r indexRun) warmSearches(ctx context.Context, use *collection.Embedding, qs []eval.Question) (map[string]Latency, error) {
	snap, err := store.Load(r.dir)
	if err != nil {
		return nil, err
	}
	var q embed.Embedder
	if use != nil {
		q = use.Embedder
	} else {
		q = collection.QueryEmbedder(r.s, snap)
	}
	ix, err := retrieve.FromSnapshot(ctx, snap, q)
	if err != nil {
		return nil, err
	}
	warm := map[string]Latency{}
	for _, mode := range []retrieve.Mode{retrieve.Lexical, retrieve.Dense, retrieve.Hybrid} {
		o := retrieve.DefaultOptions()
		o.Mode = mode
		var d []time.Duration
		for _, qq := range qs {
			t := time.Now()
			if _, _, err := ix.Search(ctx, qq.Query, o); err != nil {
				return nil, err
			}
			d = append(d, time.Since(t))
		}
		warm[string(mode)] = latency.Of(d)
	}
	return warm, nil
}

// PrintIndex writes the report of `bench index` as text.
func PrintIndex(w io.Writer, b IndexBench) {
	fmt.Fprintf(w, "corpus: %d files, %d chunks, %d characters; chunk length min/median/p95/max %d/%d/%d/%d; chunking %.0f ms\n",
		b.Files, b.Chunks, b.Runes, b.ChunkRunes.Min, b.ChunkRunes.Median, b.ChunkRunes.P95, b.ChunkRunes.Max, b.ChunkMs)
	fmt.Fprintf(w, "raw /api/embed (batch %d): %.1f s, %.1f chunks/s (median of %d)\n", b.BatchSize, b.RawSeconds, b.RawChunksPS, b.Rounds)
	fmt.Fprintf(w, "index (fresh store):      %.1f s, %.1f chunks/s, %.0f characters/s (median of %d)\n", b.IndexSeconds, b.IndexChunkPS, b.IndexRunesPS, b.Rounds)
	fmt.Fprintf(w, "  of which /api/embed:    %.1f s; reading, chunking, lexical index, saves %.1f s\n", b.IndexEmbedSeconds, b.IndexSeconds-b.IndexEmbedSeconds)
	fmt.Fprintf(w, "ratio index/raw:          %.3f (median; rounds %s)\n", b.Ratio, fmtRatios(b.Ratios))
	fmt.Fprintf(w, "index again (unchanged):  %.2f s\n", b.ReindexSecs)
	for _, m := range []retrieve.Mode{retrieve.Lexical, retrieve.Dense, retrieve.Hybrid} {
		l := b.Warm[string(m)]
		fmt.Fprintf(w, "warm search %-8s n=%d p50 %.2f ms p95 %.2f ms\n", m, l.N, l.P50Ms, l.P95Ms)
	}
	fmt.Fprintf(w, "cold CLI search          n=%d p50 %.0f ms p95 %.0f ms\n", b.ColdCLI.N, b.ColdCLI.P50Ms, b.ColdCLI.P95Ms)
}

// median of xs (not modified).
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	sort.Float64s(s)
	return latency.Percentile(s, 0.5)
}

func fmtRatios(rs []float64) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = fmt.Sprintf("%.3f", r)
	}
	return strings.Join(parts, ", ")
}

// rawSender sends one batch to /api/embed at host for model, with nothing
// around it: the baseline.
func rawSender(host, model string) (func(context.Context, []string) error, error) {
	client, err := embed.NewClient(host)
	if err != nil {
		return nil, err
	}
	f := false
	return func(ctx context.Context, batch []string) error {
		_, err := client.Embed(ctx, &api.EmbedRequest{Model: model, Input: batch, Truncate: &f})
		return err
	}, nil
}

// rawEmbed sends texts batch by batch, one request at a time.
func rawEmbed(ctx context.Context, send func(context.Context, []string) error, texts []string, batch int) error {
	for lo := 0; lo < len(texts); lo += batch {
		hi := min(lo+batch, len(texts))
		if err := send(ctx, texts[lo:hi]); err != nil {
			return fmt.Errorf("raw /api/embed of texts %d-%d: %w", lo, hi, err)
		}
	}
	return nil
}

// coldSearches times whole `reportsearch search` processes of this
// executable (the reportsearch binary): start-up,
// loading the snapshot, embedding the query, searching, printing.
func coldSearches(ctx context.Context, host, dataDir string, qs []eval.Question, n int) (Latency, error) {
	self, err := os.Executable()
	if err != nil {
		return Latency{}, err
	}
	var d []time.Duration
	for i := 0; i < n && i < len(qs); i++ {
		cmd := exec.CommandContext(ctx, self, "--data-dir", dataDir, "--ollama-host", host, "--collection", benchCollection, "search", "--json", qs[i].Query)
		t := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			return Latency{}, fmt.Errorf("cold search: %v: %s", err, out)
		}
		d = append(d, time.Since(t))
	}
	return latency.Of(d), nil
}
