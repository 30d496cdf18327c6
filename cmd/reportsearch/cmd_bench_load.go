package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/reportsearch/reportsearch/client"
	"github.com/reportsearch/reportsearch/collection"
	"github.com/reportsearch/reportsearch/eval"
	"github.com/reportsearch/reportsearch/evidence"
	"github.com/reportsearch/reportsearch/internal/latency"
	"github.com/reportsearch/reportsearch/retrieve"
	"github.com/reportsearch/reportsearch/server"
)

// LoadLevel is one measured run: one endpoint, one number of concurrent
// clients, over HTTP or in-process.
type LoadLevel struct {
	Endpoint    string `json:"endpoint"` // search or context
	Via         string `json:"via"`      // http or in-process
	Concurrency int    `json:"concurrency"`
	// Requests is how many were completed (errors included); Capped says the
	// time cap stopped the level before all were sent.
	Requests   int            `json:"requests"`
	Errors     int            `json:"errors"`
	ErrorKinds map[string]int `json:"error_kinds,omitempty"`
	Capped     bool           `json:"capped"`
	Seconds    float64        `json:"seconds"`
	PerSecond  float64        `json:"requests_per_second"`
	// Latencies in milliseconds, over every completed request (N is
	// Requests).
	latency.Summary
	// VsInProcess is this HTTP level's throughput over the in-process one
	// at the same concurrency, measured in the same run (0 without one).
	VsInProcess float64 `json:"vs_in_process,omitempty"`
}

// LoadOutput is the JSON of `bench load --json`.
type LoadOutput struct {
	Addr        string      `json:"addr"`
	Collection  string      `json:"collection"`
	Model       string      `json:"model,omitempty"`
	Chunks      int         `json:"chunks"`
	Embedded    int         `json:"embedded"`
	Mode        string      `json:"mode"` // as the server answered the warm-up
	Queries     int         `json:"queries"`
	QueryFile   string      `json:"query_file"`
	Requests    int         `json:"requests_per_level"`
	DurationCap float64     `json:"duration_cap_seconds"`
	Baseline    string      `json:"baseline"` // what the in-process rows measure, or why there are none
	Levels      []LoadLevel `json:"levels"`
}

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
	levels, err := loadLevels(c.String("concurrency"))
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

	out := LoadOutput{Addr: base, QueryFile: c.String("queries"), Queries: len(qs), Requests: n, DurationCap: capDur.Seconds()}
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
			hl := runLoadLevel(ctx, conc, n, capDur, httpCall(ep))
			hl.Endpoint, hl.Via = ep, "http"
			out.Levels = append(out.Levels, hl)
			if rawCall != nil {
				rl := runLoadLevel(ctx, conc, n, capDur, rawCall(ep))
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
	printLoad(os.Stdout, out)
	return nil
}

// runLoadLevel sends up to n calls from conc clients, none started after capDur.
func runLoadLevel(ctx context.Context, conc, n int, capDur time.Duration, call func(context.Context, int) error) LoadLevel {
	lv := LoadLevel{Concurrency: conc, ErrorKinds: map[string]int{}}
	var next atomic.Int64
	var mu sync.Mutex
	var lat []float64
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(capDur)
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []float64
			kinds := map[string]int{}
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					break
				}
				if time.Now().After(deadline) {
					mu.Lock()
					lv.Capped = true
					mu.Unlock()
					break
				}
				t0 := time.Now()
				err := call(ctx, i)
				mine = append(mine, float64(time.Since(t0).Microseconds())/1000)
				if err != nil {
					kinds[loadErrorKind(err)]++
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			for k, v := range kinds {
				lv.ErrorKinds[k] += v
				lv.Errors += v
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	lv.Seconds = elapsed.Seconds()
	lv.Requests = len(lat)
	if elapsed > 0 {
		lv.PerSecond = float64(len(lat)) / elapsed.Seconds()
	}
	lv.Summary = latency.OfMs(lat)
	if len(lv.ErrorKinds) == 0 {
		lv.ErrorKinds = nil
	}
	return lv
}

// loadErrorKind groups errors for the report: "status 503", "timeout", ...
func loadErrorKind(err error) string {
	var se *client.APIError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("status %d", se.Status)
	case errors.Is(err, context.DeadlineExceeded), os.IsTimeout(err):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return "transport"
	}
	return "error"
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

func loadLevels(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 || n > 1024 {
			return nil, fmt.Errorf("--concurrency: want numbers from 1 to 1024, got %q", f)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, errors.New("--concurrency names no level")
	}
	return out, nil
}

func printLoad(w io.Writer, o LoadOutput) {
	fmt.Fprintf(w, "%s: collection %s (%d chunks, %d embedded), mode %s; %d queries from %s; %d requests per level, cap %gs\n",
		o.Addr, o.Collection, o.Chunks, o.Embedded, o.Mode, o.Queries, o.QueryFile, o.Requests, o.DurationCap)
	fmt.Fprintf(w, "baseline: %s\n\n", o.Baseline)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "endpoint\tclients\tvia\trequests\terrors\treq/s\tp50 ms\tp95 ms\tp99 ms\tmax ms\thttp/in-process\t")
	for _, l := range o.Levels {
		ratio := ""
		if l.VsInProcess > 0 {
			ratio = fmt.Sprintf("%.2f", l.VsInProcess)
		}
		done := strconv.Itoa(l.Requests)
		if l.Capped {
			done += " (capped)"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%d\t%.1f\t%.2f\t%.2f\t%.2f\t%.2f\t%s\t\n",
			l.Endpoint, l.Concurrency, l.Via, done, l.Errors, l.PerSecond, l.P50Ms, l.P95Ms, l.P99Ms, l.MaxMs, ratio)
	}
	tw.Flush()
	for _, l := range o.Levels {
		for k, v := range l.ErrorKinds {
			fmt.Fprintf(w, "%s at %d clients (%s): %d × %s\n", l.Endpoint, l.Concurrency, l.Via, v, k)
		}
	}
}
