package bench

// `bench load`: requests per second and latency of a running server, over
// HTTP and (as the baseline) in-process on the same collection.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/reportsearch/reportsearch/eval"
	"github.com/reportsearch/reportsearch/evidence"
	"github.com/reportsearch/reportsearch/retrieve"
	"github.com/reportsearch/reportsearch/server"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/reportsearch/reportsearch/client"
	"github.com/reportsearch/reportsearch/internal/latency"
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

// LoadConfig is one `bench load` run.
type LoadConfig struct {
	Base        string // the server's base URL
	QueryFile   string // where Queries came from, for the report
	Queries     []eval.Question
	Endpoints   []string // "search", "context"
	Levels      []int    // concurrent clients per level
	Requests    int      // per endpoint and level
	DurationCap time.Duration
	Timeout     time.Duration // per request
	Warmup      int           // unmeasured requests per endpoint
	Mode        string        // sent with every request; "" the server's
	K, Budget   int
	// Open, when set, opens the served collection (by name) in this
	// process for the in-process baseline, and says from which data dir.
	Open func(ctx context.Context, name string) (*retrieve.Index, string, error)
	// Progress, when set, gets a line per level, and a notice when there
	// is no in-process baseline.
	Progress io.Writer

	mode retrieve.Mode // Mode parsed
}

// Load measures a running server at each level of cfg, over HTTP and (with
// cfg.Open) in-process on the same collection.
func Load(ctx context.Context, cfg LoadConfig) (LoadOutput, error) {
	if cfg.Mode != "" {
		m, err := retrieve.ParseMode(cfg.Mode)
		if err != nil {
			return LoadOutput{}, fmt.Errorf("mode: %w", err)
		}
		cfg.mode = m
	}
	maxConc := 0
	for _, l := range cfg.Levels {
		maxConc = max(maxConc, l)
	}
	// Enough idle connections that every client keeps its own: the default
	// of 2 per host would make most requests at 32 clients open a new one.
	hc := &http.Client{Timeout: cfg.Timeout, Transport: &http.Transport{
		MaxIdleConns: 2 * maxConc, MaxIdleConnsPerHost: 2 * maxConc, IdleConnTimeout: time.Minute, DisableCompression: true,
	}}
	defer hc.CloseIdleConnections()

	out := LoadOutput{Addr: cfg.Base, QueryFile: cfg.QueryFile, Queries: len(cfg.Queries), Requests: cfg.Requests, DurationCap: cfg.DurationCap.Seconds()}
	api, err := client.New(cfg.Base, hc)
	if err != nil {
		return out, err
	}
	h, err := api.Health(ctx)
	if err != nil {
		return out, fmt.Errorf("is `reportsearch serve` running at %s? %w", cfg.Base, err)
	}
	out.Collection, out.Model, out.Chunks, out.Embedded = h.Collection, h.Model, h.Chunks, h.Embedded

	bodies, err := requestBodies(cfg)
	if err != nil {
		return out, err
	}
	httpCall := func(ep string) loadCall {
		return func(ctx context.Context, i int) error {
			b := bodies[ep][i%len(cfg.Queries)]
			return api.Do(ctx, http.MethodPost, "/"+ep, b, nil)
		}
	}
	var rawCall func(ep string) loadCall
	rawCall, out.Baseline = inProcessCalls(ctx, cfg, h)

	// Warm up both paths (connections, caches, the model's first query),
	// and learn the mode the server actually uses.
	for _, ep := range cfg.Endpoints {
		for i := 0; i < cfg.Warmup; i++ {
			if ep == "search" && i == 0 {
				var sr server.SearchResponse
				if err := api.Do(ctx, http.MethodPost, "/search", bodies[ep][0], &sr); err != nil {
					return out, fmt.Errorf("warm-up request failed: %w", err)
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

	for _, ep := range cfg.Endpoints {
		for _, conc := range cfg.Levels {
			if ctx.Err() != nil {
				return out, ctx.Err()
			}
			out.Levels = append(out.Levels, measureLevel(ctx, cfg, ep, conc, httpCall(ep), rawCall)...)
		}
	}
	return out, nil
}

// loadCall makes request i (of a level) and says whether it failed.
type loadCall func(ctx context.Context, i int) error

// requestBodies makes the request bodies, one per query and endpoint, once.
func requestBodies(cfg LoadConfig) (map[string][][]byte, error) {
	bodies := map[string][][]byte{}
	for _, ep := range cfg.Endpoints {
		for _, q := range cfg.Queries {
			sr := server.SearchRequest{Query: q.Query}
			if cfg.Mode != "" {
				mode := cfg.Mode
				sr.Mode = &mode
			}
			var req any
			if ep == "search" {
				k := cfg.K
				sr.K = &k
				req = sr
			} else {
				budget := cfg.Budget
				req = server.ContextRequest{SearchRequest: sr, Budget: &budget}
			}
			b, err := json.Marshal(req)
			if err != nil {
				return nil, err
			}
			bodies[ep] = append(bodies[ep], b)
		}
	}
	return bodies, nil
}

// inProcessCalls opens the served collection here (cfg.Open) for the
// in-process baseline, and says what the baseline is, or why there is none.
// A collection that differs from the server's (another chunk count) is no
// baseline.
func inProcessCalls(ctx context.Context, cfg LoadConfig, h *server.HealthResponse) (func(ep string) loadCall, string) {
	if cfg.Open == nil {
		return nil, "none: --baseline=false"
	}
	ix, dataDir, err := cfg.Open(ctx, h.Collection)
	if err == nil && ix.Len() != h.Chunks {
		err = fmt.Errorf("the collection %s in %s has %d chunks, the server's %d: not the same data", h.Collection, dataDir, ix.Len(), h.Chunks)
	}
	if err != nil {
		if cfg.Progress != nil {
			fmt.Fprintf(cfg.Progress, "reportsearch: no in-process baseline: %v\n", err)
		}
		return nil, "none: " + err.Error()
	}
	sopt := retrieve.DefaultOptions()
	sopt.K = cfg.K
	if cfg.mode != "" {
		sopt.Mode = cfg.mode
	}
	eopt := evidence.DefaultOptions()
	eopt.Budget = cfg.Budget
	call := func(ep string) loadCall {
		return func(ctx context.Context, i int) error {
			q := cfg.Queries[i%len(cfg.Queries)].Query
			if ep == "search" {
				_, _, err := ix.Search(ctx, q, sopt)
				return err
			}
			_, err := evidence.Build(ctx, ix, q, sopt, eopt)
			return err
		}
	}
	return call, fmt.Sprintf("in-process on %s from %s", h.Collection, dataDir)
}

// measureLevel runs one level of endpoint ep over HTTP, then (with rawCall)
// in-process, and returns its rows.
func measureLevel(ctx context.Context, cfg LoadConfig, ep string, conc int, httpCall loadCall, rawCall func(ep string) loadCall) []LoadLevel {
	hl := RunLevel(ctx, conc, cfg.Requests, cfg.DurationCap, httpCall)
	hl.Endpoint, hl.Via = ep, "http"
	rows := []LoadLevel{hl}
	if rawCall != nil {
		rl := RunLevel(ctx, conc, cfg.Requests, cfg.DurationCap, rawCall(ep))
		rl.Endpoint, rl.Via = ep, "in-process"
		if rl.PerSecond > 0 {
			rows[0].VsInProcess = hl.PerSecond / rl.PerSecond
		}
		rows = append(rows, rl)
	}
	if cfg.Progress != nil {
		fmt.Fprintf(cfg.Progress, "reportsearch: %s at %d clients: %.1f req/s over HTTP\n", ep, conc, hl.PerSecond)
	}
	return rows
}

// RunLevel sends up to n calls from conc clients, none started after capDur.
func RunLevel(ctx context.Context, conc, n int, capDur time.Duration, call func(context.Context, int) error) LoadLevel {
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
					kinds[ErrorKind(err)]++
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

// ErrorKind groups errors for the report: "status 503", "timeout", ...
func ErrorKind(err error) string {
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

func ParseLevels(s string) ([]int, error) {
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

func PrintLoad(w io.Writer, o LoadOutput) {
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
		for _, k := range slices.Sorted(maps.Keys(l.ErrorKinds)) { // a stable order, run to run
			fmt.Fprintf(w, "%s at %d clients (%s): %d × %s\n", l.Endpoint, l.Concurrency, l.Via, l.ErrorKinds[k], k)
		}
	}
}
