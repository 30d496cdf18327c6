package main

import (
	"math"

	"github.com/reportsearch/reportsearch/internal/latency"

	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ollama/ollama/api"
	"github.com/urfave/cli/v2"

	"github.com/reportsearch/reportsearch/embed"
	"github.com/reportsearch/reportsearch/eval"
	"github.com/reportsearch/reportsearch/indexer"
	"github.com/reportsearch/reportsearch/retrieve"
	"github.com/reportsearch/reportsearch/store"
)

func benchCommand() *cli.Command {
	return &cli.Command{
		Name:  "bench",
		Usage: "measure speed: indexing against raw Ollama, search latency, HTTP load, vector stores",
		Subcommands: []*cli.Command{
			benchIndexCommand(),
			benchLoadCommand(),
			benchVectorsCommand(),
		},
	}
}

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
	// between runs; the seconds are medians and Ratio is the median of the
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

func benchIndexCommand() *cli.Command {
	return &cli.Command{
		Name:      "index",
		Usage:     "index PATH into a fresh store and compare with raw /api/embed on the same texts; then time searches",
		ArgsUsage: "PATH...",
		UsageText: usageText("reportsearch --model NAME bench index [options] PATH...",
			"reportsearch --model zh-charbag-256 bench index --rounds 3 --cold 20 ../shared/corpus",
			"reportsearch --model bge-m3 bench index ../shared/corpus --json"),
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "batch", Value: embed.DefaultOllamaOptions().BatchSize, Usage: "texts per /api/embed request, for both"},
			&cli.StringFlag{Name: "questions", Value: "eval/testdata/dev.jsonl", Usage: "queries for the latency runs"},
			&cli.IntFlag{Name: "cold", Value: 10, Usage: "cold CLI searches to time"},
			&cli.IntFlag{Name: "rounds", Value: 3, Usage: "raw and index timings, alternating, whose median is reported"},
			&cli.BoolFlag{Name: "json", Usage: "machine-readable output"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return cli.Exit("bench index needs the corpus path", 2)
			}
			s, err := readSettings(c)
			if err != nil {
				return cli.Exit(err, 2)
			}
			if s.Model == "auto" {
				return cli.Exit("bench index needs --model", 2)
			}
			ctx := c.Context
			b := IndexBench{Model: s.Model, BatchSize: c.Int("batch")}

			t0 := time.Now()
			set, err := indexer.ReadFiles(ctx, c.Args().Slice(), s.Chunk)
			if err != nil {
				return err
			}
			b.ChunkMs = float64(time.Since(t0).Microseconds()) / 1000
			b.Files, b.Chunks = countFiles(set), len(set.Records)
			var lens []float64 // chunk lengths in runes
			texts := make([]string, len(set.Records))
			for i := range set.Records {
				n := utf8.RuneCountInString(set.Records[i].Text)
				lens = append(lens, float64(n))
				b.Runes += n
				texts[i] = indexer.EmbedText(&set.Records[i].Chunk, true)
			}
			if len(lens) > 0 {
				sort.Float64s(lens)
				q := func(p float64) int { return int(math.Round(latency.Percentile(lens, p))) }
				b.ChunkRunes = Dist{int(lens[0]), q(0.50), q(0.95), int(lens[len(lens)-1])}
			}

			opt := embed.DefaultOllamaOptions()
			opt.BatchSize = b.BatchSize
			emb, err := embed.NewOllama(s.Host, s.Model, opt)
			if err != nil {
				return err
			}
			info, err := emb.Info(ctx)
			if err != nil {
				return err
			}
			// The raw baseline sends exactly what the indexer sends: the same
			// prefix and text form, batch by batch, one request at a time.
			client, err := embed.NewClient(s.Host)
			if err != nil {
				return err
			}
			raw := make([]string, len(texts))
			for i, t := range texts {
				raw[i] = info.DocumentPrefix + embed.TextForm(info.TextForm).Apply(t)
			}
			if err := rawEmbed(ctx, client, info.Name, raw[:min(len(raw), b.BatchSize)], b.BatchSize); err != nil {
				return err // warm-up: the model is loaded before either timing
			}
			dataDir, err := os.MkdirTemp("", "reportsearch-bench-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dataDir)
			dir, err := store.Dir(dataDir, "bench")
			if err != nil {
				return err
			}
			cfg := indexer.Config{Dir: dir, Options: s.Chunk, ContextHeader: true, Lexical: indexer.DefaultLexical}
			timeRaw := func() (float64, error) {
				t0 := time.Now()
				err := rawEmbed(ctx, client, info.Name, raw, b.BatchSize)
				return time.Since(t0).Seconds(), err
			}
			var embedSecs []float64
			timeIndex := func() (float64, error) {
				if err := os.RemoveAll(dir); err != nil {
					return 0, err
				}
				t0 := time.Now()
				set, err := indexer.ReadFiles(ctx, c.Args().Slice(), s.Chunk)
				if err == nil {
					var st indexer.Stats
					st, err = indexer.Run(ctx, cfg, emb, info, set)
					embedSecs = append(embedSecs, st.EmbedSeconds)
				}
				return time.Since(t0).Seconds(), err
			}
			b.Rounds = max(1, c.Int("rounds"))
			var raws, indexes []float64
			for r := 0; r < b.Rounds; r++ {
				first, second := timeRaw, timeIndex
				if r%2 == 1 {
					first, second = timeIndex, timeRaw
				}
				a, err := first()
				if err != nil {
					return err
				}
				z, err := second()
				if err != nil {
					return err
				}
				rawS, indexS := a, z
				if r%2 == 1 {
					rawS, indexS = z, a
				}
				raws, indexes = append(raws, rawS), append(indexes, indexS)
				b.Ratios = append(b.Ratios, rawS/indexS)
			}
			b.RawSeconds, b.IndexSeconds, b.Ratio = median(raws), median(indexes), median(b.Ratios)
			b.IndexEmbedSeconds = median(embedSecs)
			b.RawChunksPS = float64(b.Chunks) / b.RawSeconds
			b.IndexChunkPS = float64(b.Chunks) / b.IndexSeconds
			b.IndexRunesPS = float64(b.Runes) / b.IndexSeconds

			t0 = time.Now()
			if set, err = indexer.ReadFiles(ctx, c.Args().Slice(), s.Chunk); err != nil {
				return err
			}
			if _, err := indexer.Run(ctx, cfg, emb, info, set); err != nil {
				return err
			}
			b.ReindexSecs = time.Since(t0).Seconds()

			qs, err := eval.LoadQuestions(c.String("questions"))
			if err != nil {
				return err
			}
			snap, err := store.Load(dir)
			if err != nil {
				return err
			}
			q, err := embed.NewOllama(s.Host, s.Model, embed.Options{Retries: 0})
			if err != nil {
				return err
			}
			q.UseInfo(snap.Manifest.Model)
			ix, err := retrieve.FromSnapshot(ctx, snap, q)
			if err != nil {
				return err
			}
			b.Warm = map[string]Latency{}
			for _, mode := range []retrieve.Mode{retrieve.Lexical, retrieve.Dense, retrieve.Hybrid} {
				o := retrieve.DefaultOptions()
				o.Mode = mode
				var d []time.Duration
				for _, qq := range qs {
					t := time.Now()
					if _, _, err := ix.Search(ctx, qq.Query, o); err != nil {
						return err
					}
					d = append(d, time.Since(t))
				}
				b.Warm[string(mode)] = latency.Of(d)
			}
			b.ColdCLI, err = coldSearches(ctx, s, dataDir, qs, c.Int("cold"))
			if err != nil {
				return err
			}
			if c.Bool("json") {
				return writeJSON(os.Stdout, b)
			}
			fmt.Printf("corpus: %d files, %d chunks, %d characters; chunk length min/median/p95/max %d/%d/%d/%d; chunking %.0f ms\n",
				b.Files, b.Chunks, b.Runes, b.ChunkRunes.Min, b.ChunkRunes.Median, b.ChunkRunes.P95, b.ChunkRunes.Max, b.ChunkMs)
			fmt.Printf("raw /api/embed (batch %d): %.1f s, %.1f chunks/s (median of %d)\n", b.BatchSize, b.RawSeconds, b.RawChunksPS, b.Rounds)
			fmt.Printf("index (fresh store):      %.1f s, %.1f chunks/s, %.0f characters/s (median of %d)\n", b.IndexSeconds, b.IndexChunkPS, b.IndexRunesPS, b.Rounds)
			fmt.Printf("  of which /api/embed:    %.1f s; reading, chunking, lexical index, saves %.1f s\n", b.IndexEmbedSeconds, b.IndexSeconds-b.IndexEmbedSeconds)
			fmt.Printf("ratio index/raw:          %.3f (median; rounds %s)\n", b.Ratio, fmtRatios(b.Ratios))
			fmt.Printf("index again (unchanged):  %.2f s\n", b.ReindexSecs)
			for _, m := range []string{"lexical", "dense", "hybrid"} {
				l := b.Warm[m]
				fmt.Printf("warm search %-8s n=%d p50 %.2f ms p95 %.2f ms\n", m, l.N, l.P50Ms, l.P95Ms)
			}
			fmt.Printf("cold CLI search          n=%d p50 %.0f ms p95 %.0f ms\n", b.ColdCLI.N, b.ColdCLI.P50Ms, b.ColdCLI.P95Ms)
			return nil
		},
	}
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

func countFiles(set *indexer.Set) int {
	m := map[string]bool{}
	for _, r := range set.Records {
		m[r.Source] = true
	}
	return len(m)
}

// rawEmbed is the baseline: /api/embed with nothing around it.
func rawEmbed(ctx context.Context, client *api.Client, model string, texts []string, batch int) error {
	f := false
	for lo := 0; lo < len(texts); lo += batch {
		hi := min(lo+batch, len(texts))
		if _, err := client.Embed(ctx, &api.EmbedRequest{Model: model, Input: texts[lo:hi], Truncate: &f}); err != nil {
			return fmt.Errorf("raw /api/embed of texts %d-%d: %w", lo, hi, err)
		}
	}
	return nil
}

// coldSearches times whole `reportsearch search` processes: start-up,
// loading the snapshot, embedding the query, searching, printing.
func coldSearches(ctx context.Context, s settings, dataDir string, qs []eval.Question, n int) (Latency, error) {
	self, err := os.Executable()
	if err != nil {
		return Latency{}, err
	}
	var d []time.Duration
	for i := 0; i < n && i < len(qs); i++ {
		cmd := exec.CommandContext(ctx, self, "--data-dir", dataDir, "--ollama-host", s.Host, "--collection", "bench", "search", "--json", qs[i].Query)
		t := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			return Latency{}, fmt.Errorf("cold search: %v: %s", err, out)
		}
		d = append(d, time.Since(t))
	}
	return latency.Of(d), nil
}
