package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/reportsearch/reportsearch/bench"
	"github.com/reportsearch/reportsearch/collection"
	"github.com/reportsearch/reportsearch/eval"
	"github.com/reportsearch/reportsearch/evidence"
	"github.com/reportsearch/reportsearch/retrieve"
)

func benchLoadCommand() *cli.Command {
	return &cli.Command{
		Name:  "load",
		Usage: "measure a running `reportsearch serve`: requests/s and latency of /search and /context at several concurrencies, against in-process search of the same collection",
		UsageText: usageText("reportsearch bench load [options]",
			"reportsearch bench load --addr http://127.0.0.1:18377 --requests 2000 --concurrency 1,8,32 --mode lexical",
			"reportsearch bench load --endpoints search --mode hybrid --json"),
		Description: `Each level sends --requests requests (queries drawn in turn from --queries) from
--concurrency clients over keep-alive connections, and stops early at --duration-cap.
With --baseline (the default) the same queries are also run in this process on the
served collection, read from --data-dir (retrieve.Index.Search for /search,
evidence.Build for /context, default options), so HTTP's cost shows as a ratio.
A hybrid collection's in-process queries are embedded through --ollama-host as the
server's are.`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "addr", Value: "http://127.0.0.1:8377", Usage: "the server's base URL"},
			&cli.IntFlag{Name: "requests", Value: 500, Usage: "requests per endpoint and concurrency level"},
			&cli.StringFlag{Name: "concurrency", Value: "1,8,32", Usage: "comma-separated numbers of concurrent clients"},
			&cli.DurationFlag{Name: "duration-cap", Value: 30 * time.Second, Usage: "longest time per level; requests not sent by then are dropped and the level marked capped"},
			&cli.StringFlag{Name: "endpoints", Value: "search,context", Usage: "which of search, context to measure"},
			&cli.StringFlag{Name: "queries", Value: "eval/testdata/dev.jsonl", Usage: "question set (JSONL, as for eval) whose queries are sent"},
			&cli.IntFlag{Name: "k", Value: 5, Usage: "results per /search request"},
			&cli.IntFlag{Name: "budget", Value: evidence.DefaultOptions().Budget, Usage: "characters per /context request"},
			&cli.StringFlag{Name: "mode", Usage: "mode sent with every request (default: the server's)"},
			&cli.BoolFlag{Name: "baseline", Value: true, Usage: "also measure the same queries in-process"},
			&cli.IntFlag{Name: "warmup", Value: 20, Usage: "unmeasured requests per endpoint before the first level"},
			&cli.DurationFlag{Name: "timeout", Value: 30 * time.Second, Usage: "per-request time limit"},
			&cli.BoolFlag{Name: "json", Usage: "machine-readable output"},
		},
		Action: runBenchLoad,
	}
}

func runBenchLoad(c *cli.Context) error {
	base, err := loadBaseURL(c.String("addr"))
	if err != nil {
		return cli.Exit(err, 2)
	}
	levels, err := bench.ParseLevels(c.String("concurrency"))
	if err != nil {
		return cli.Exit(err, 2)
	}
	n := c.Int("requests")
	if n < 1 {
		return cli.Exit("--requests must be at least 1", 2)
	}
	capDur := c.Duration("duration-cap")
	if capDur <= 0 {
		return cli.Exit("--duration-cap must be positive", 2)
	}
	var endpoints []string
	for _, e := range strings.Split(c.String("endpoints"), ",") {
		switch e = strings.TrimSpace(e); e {
		case "search", "context":
			endpoints = append(endpoints, e)
		case "":
		default:
			return cli.Exit(fmt.Sprintf("--endpoints: unknown endpoint %q (want search, context)", e), 2)
		}
	}
	if len(endpoints) == 0 {
		return cli.Exit("--endpoints names no endpoint", 2)
	}
	qs, err := eval.LoadQuestions(c.String("queries"))
	if err != nil {
		return cli.Exit(fmt.Errorf("--queries: %w", err), 2)
	}
	if len(qs) == 0 {
		return cli.Exit("--queries holds no question", 2)
	}
	mode := c.String("mode")
	if mode != "" {
		m, err := retrieve.ParseMode(mode)
		if err != nil {
			return cli.Exit(err, 2)
		}
		mode = string(m) // the server takes the exact enum value only
	}

	cfg := bench.LoadConfig{
		Base: base, QueryFile: c.String("queries"), Queries: qs, Endpoints: endpoints, Levels: levels,
		Requests: n, DurationCap: capDur, Timeout: c.Duration("timeout"), Warmup: c.Int("warmup"),
		Mode: mode, K: c.Int("k"), Budget: c.Int("budget"),
	}
	if !c.Bool("json") {
		cfg.Progress = os.Stderr
	}
	if c.Bool("baseline") {
		// The in-process baseline: the served collection, opened here.
		cfg.Open = func(ctx context.Context, name string) (*retrieve.Index, string, error) {
			s, err := readSettings(c)
			if err != nil {
				return nil, "", err
			}
			s.Name = name
			ix, _, err := collection.Open(ctx, s)
			return ix, s.DataDir, err
		}
	}
	out, err := bench.Load(c.Context, cfg)
	if err != nil {
		return err
	}
	if c.Bool("json") {
		return writeJSON(os.Stdout, out)
	}
	bench.PrintLoad(os.Stdout, out)
	return nil
}

// loadBaseURL accepts "host:port" as well as a URL.
func loadBaseURL(s string) (string, error) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "://") {
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return "", fmt.Errorf("--addr: want a URL such as http://127.0.0.1:8377, got %q", s)
	}
	return strings.TrimRight(u.String(), "/"), nil
}
