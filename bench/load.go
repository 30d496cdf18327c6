package bench

// `bench load`: requests per second and latency of a running server, over
// HTTP and (as the baseline) in-process on the same collection.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
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
		for k, v := range l.ErrorKinds {
			fmt.Fprintf(w, "%s at %d clients (%s): %d × %s\n", l.Endpoint, l.Concurrency, l.Via, v, k)
		}
	}
}
