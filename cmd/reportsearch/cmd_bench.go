package main

import (
	"math"

	"github.com/reportsearch/reportsearch/bench"
	"github.com/reportsearch/reportsearch/collection"
	"github.com/reportsearch/reportsearch/internal/latency"

	"fmt"
	"os"
	"sort"
	"time"
	"unicode/utf8"

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
			b := bench.IndexBench{Model: s.Model, BatchSize: c.Int("batch")}

			t0 := time.Now()
			set, err := indexer.ReadFiles(ctx, c.Args().Slice(), s.Chunk)
			if err != nil {
				return err
			}
			b.ChunkMs = float64(time.Since(t0).Microseconds()) / 1000
			b.Files, b.Chunks = bench.CountFiles(set), len(set.Records)
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
				b.ChunkRunes = bench.Dist{Min: int(lens[0]), Median: q(0.50), P95: q(0.95), Max: int(lens[len(lens)-1])}
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
			if err := bench.RawEmbed(ctx, client, info.Name, raw[:min(len(raw), b.BatchSize)], b.BatchSize); err != nil {
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
			// The benchmark's own collection, indexed as `index` does with the
			// embedder timed against the raw baseline.
			bs := collection.Settings{DataDir: dataDir, Name: "bench", Model: info.Name, Chunk: s.Chunk}
			bo := collection.IndexOptions{ContextHeader: true, Lexical: indexer.DefaultLexical, Use: &collection.Embedding{Embedder: emb, Info: info}}
			timeRaw := func() (float64, error) {
				t0 := time.Now()
				err := bench.RawEmbed(ctx, client, info.Name, raw, b.BatchSize)
				return time.Since(t0).Seconds(), err
			}
			var embedSecs []float64
			timeIndex := func() (float64, error) {
				if err := os.RemoveAll(dir); err != nil {
					return 0, err
				}
				t0 := time.Now()
				res, err := collection.Index(ctx, bs, c.Args().Slice(), bo)
				if err == nil {
					embedSecs = append(embedSecs, res.Stats.EmbedSeconds)
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
			b.RawSeconds, b.IndexSeconds, b.Ratio = bench.Median(raws), bench.Median(indexes), bench.Median(b.Ratios)
			b.IndexEmbedSeconds = bench.Median(embedSecs)
			b.RawChunksPS = float64(b.Chunks) / b.RawSeconds
			b.IndexChunkPS = float64(b.Chunks) / b.IndexSeconds
			b.IndexRunesPS = float64(b.Runes) / b.IndexSeconds

			t0 = time.Now()
			if _, err := collection.Index(ctx, bs, c.Args().Slice(), bo); err != nil {
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
			b.Warm = map[string]bench.Latency{}
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
			b.ColdCLI, err = bench.ColdSearches(ctx, s.Host, dataDir, qs, c.Int("cold"))
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
			fmt.Printf("ratio index/raw:          %.3f (median; rounds %s)\n", b.Ratio, bench.FmtRatios(b.Ratios))
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
