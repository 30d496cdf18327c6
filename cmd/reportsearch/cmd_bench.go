package main

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/reportsearch/reportsearch/bench"
	"github.com/reportsearch/reportsearch/embed"
	"github.com/reportsearch/reportsearch/eval"
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
		Action: runBenchIndex,
	}
}

func runBenchIndex(c *cli.Context) error {
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
	if c.Int("batch") < 1 {
		return cli.Exit("--batch must be at least 1", 2)
	}
	// Read before the minutes of indexing, so a bad file fails at once.
	qs, err := eval.LoadQuestions(c.String("questions"))
	if err != nil {
		return cli.Exit(fmt.Errorf("--questions: %w", err), 2)
	}
	b, err := bench.RunIndex(c.Context, bench.IndexConfig{
		Settings: s, Paths: c.Args().Slice(), BatchSize: c.Int("batch"),
		Rounds: c.Int("rounds"), Questions: qs, Cold: c.Int("cold"),
	})
	if err != nil {
		return err
	}
	if c.Bool("json") {
		return writeJSON(os.Stdout, b)
	}
	bench.PrintIndex(os.Stdout, b)
	return nil
}
