package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/reportsearch/reportsearch/bench"
	"github.com/reportsearch/reportsearch/client"
	"github.com/reportsearch/reportsearch/collection"
	"github.com/reportsearch/reportsearch/eval"
	"github.com/reportsearch/reportsearch/evidence"
	"github.com/reportsearch/reportsearch/retrieve"
	"github.com/reportsearch/reportsearch/server"
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
	ctx := c.Context
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

	maxConc := 0
	for _, l := range levels {
		maxConc = max(maxConc, l)
	}
	// Enough idle connections that every client keeps its own: the default
	// of 2 per host would make most requests at 32 clients open a new one.
	hc := &http.Client{Timeout: c.Duration("timeout"), Transport: &http.Transport{
		MaxIdleConns: 2 * maxConc, MaxIdleConnsPerHost: 2 * maxConc, IdleConnTimeout: time.Minute, DisableCompression: true,
	}}
	defer hc.CloseIdleConnections()

	out := bench.LoadOutput{Addr: base, QueryFile: c.String("queries"), Queries: len(qs), Requests: n, DurationCap: capDur.Seconds()}
	api, err := client.New(base, hc)
	if err != nil {
		return err
	}
	h, err := api.Health(ctx)
	if err != nil {
		return fmt.Errorf("is `reportsearch serve` running at %s? %w", base, err)
	}
	out.Collection, out.Model, out.Chunks, out.Embedded = h.Collection, h.Model, h.Chunks, h.Embedded

	// Request bodies, one per query and endpoint, made once.
	bodies := map[string][][]byte{}
	for _, ep := range endpoints {
		for _, q := range qs {
			sr := server.SearchRequest{Query: q.Query}
			if mode != "" {
				sr.Mode = &mode
			}
			var req any
			if ep == "search" {
				k := c.Int("k")
				sr.K = &k
				req = sr
			} else {
				budget := c.Int("budget")
				req = server.ContextRequest{SearchRequest: sr, Budget: &budget}
			}
			b, err := json.Marshal(req)
			if err != nil {
				return err
			}
			bodies[ep] = append(bodies[ep], b)
		}
	}
	httpCall := func(ep string) func(context.Context, int) error {
		return func(ctx context.Context, i int) error {
			b := bodies[ep][i%len(qs)]
			return api.Do(ctx, http.MethodPost, "/"+ep, b, nil)
		}
	}

	// The in-process baseline: the served collection, opened here.
	var rawCall func(ep string) func(context.Context, int) error
	if c.Bool("baseline") {
		s, err := readSettings(c)
		if err == nil {
			s.Name = h.Collection
			var ix *retrieve.Index
			if ix, _, err = collection.Open(ctx, s); err == nil {
				if ix.Len() != h.Chunks {
					err = fmt.Errorf("the collection %s in %s has %d chunks, the server's %d: not the same data", h.Collection, s.DataDir, ix.Len(), h.Chunks)
				}
			}
			if err == nil {
				sopt := retrieve.DefaultOptions()
				sopt.K = c.Int("k")
				if mode != "" {
					sopt.Mode, _ = retrieve.ParseMode(mode)
				}
				eopt := evidence.DefaultOptions()
				eopt.Budget = c.Int("budget")
				rawCall = func(ep string) func(context.Context, int) error {
					return func(ctx context.Context, i int) error {
						q := qs[i%len(qs)].Query
						if ep == "search" {
							_, _, err := ix.Search(ctx, q, sopt)
							return err
						}
						_, err := evidence.Build(ctx, ix, q, sopt, eopt)
						return err
					}
				}
				out.Baseline = fmt.Sprintf("in-process on %s from %s", h.Collection, s.DataDir)
			}
		}
		if err != nil {
			out.Baseline = "none: " + err.Error()
			fmt.Fprintf(os.Stderr, "reportsearch: no in-process baseline: %v\n", err)
		}
	} else {
		out.Baseline = "none: --baseline=false"
	}

	// Warm up both paths (connections, caches, the model's first query),
	// and learn the mode the server actually uses.
	for _, ep := range endpoints {
		for i := 0; i < c.Int("warmup"); i++ {
			if ep == "search" && i == 0 {
				var sr server.SearchResponse
				if err := api.Do(ctx, http.MethodPost, "/search", bodies[ep][0], &sr); err != nil {
					return fmt.Errorf("warm-up request failed: %w", err)
				}
				out.Mode = string(sr.Mode)
				continue
			}
			httpCall(ep)(ctx, i)
			if rawCall != nil {
				rawCall(ep)(ctx, i)
			}
		}
	}

	for _, ep := range endpoints {
		for _, conc := range levels {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			hl := bench.RunLevel(ctx, conc, n, capDur, httpCall(ep))
			hl.Endpoint, hl.Via = ep, "http"
			out.Levels = append(out.Levels, hl)
			if rawCall != nil {
				rl := bench.RunLevel(ctx, conc, n, capDur, rawCall(ep))
				rl.Endpoint, rl.Via = ep, "in-process"
				if rl.PerSecond > 0 {
					out.Levels[len(out.Levels)-1].VsInProcess = hl.PerSecond / rl.PerSecond
				}
				out.Levels = append(out.Levels, rl)
			}
			if !c.Bool("json") {
				fmt.Fprintf(os.Stderr, "reportsearch: %s at %d clients: %.1f req/s over HTTP\n", ep, conc, hl.PerSecond)
			}
		}
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
