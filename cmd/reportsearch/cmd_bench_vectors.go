package main

// `bench vectors`: dense search engines on the same synthetic vectors, in the
// same process and run: the patched chromem-go that reportsearch uses
// (third_party/chromem-go), stock chromem-go v0.7.0
// (third_party/chromem-go-stock, used the way store used it before the patch),
// a plain parallel scan over one float32 array (the memory-bandwidth limit of
// exact search), and a Weaviate server. Load throughput, query latency with
// and without a report filter, recall of Weaviate's approximate (HNSW) search
// against the exact one, and memory.

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/reportsearch/reportsearch/bench"
)

func benchVectorsCommand() *cli.Command {
	return &cli.Command{
		Name:  "vectors",
		Usage: "compare the dense search engines on synthetic vectors: patched and stock chromem-go, a plain scan, a Weaviate server (load, latency, recall, memory)",
		UsageText: usageText("reportsearch bench vectors [options]",
			"reportsearch bench vectors --no-weaviate --n 3000,100000,300000",
			"reportsearch bench vectors --n 100000 --weaviate 127.0.0.1:8089 --json"),
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "n", Value: "100000", Usage: "collection sizes, comma-separated (e.g. 3000,100000,300000)"},
			&cli.IntFlag{Name: "dims", Value: 256, Usage: "vector dimension"},
			&cli.IntFlag{Name: "queries", Value: 50, Usage: "queries per size"},
			&cli.IntFlag{Name: "repeat", Value: 2, Usage: "times each query is run per engine"},
			&cli.IntFlag{Name: "k", Value: 18, Usage: "results per query (recall@k)"},
			&cli.IntFlag{Name: "filter-reports", Value: 10, Usage: "reports (of 100) a filtered query is limited to"},
			&cli.IntFlag{Name: "clusters", Value: 1000, Usage: "clusters the synthetic vectors are drawn around"},
			&cli.Float64Flag{Name: "spread", Value: 0.8, Usage: "noise around a cluster centre (0.8: cosine to the centre about 0.78)"},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "random seed (same seed, same vectors)"},
			&cli.DurationFlag{Name: "time-cap", Value: 20 * time.Minute, Usage: "stop loading (and querying) when the run has taken this long and measure what was loaded"},
			&cli.StringFlag{Name: "weaviate", EnvVars: []string{"REPORTSEARCH_TEST_WEAVIATE"}, Usage: "Weaviate server host:port (scripts/weaviate-up.sh)"},
			&cli.BoolFlag{Name: "no-weaviate", Usage: "leave Weaviate out (in-process engines only)"},
			&cli.BoolFlag{Name: "no-stock", Usage: "leave stock chromem-go out (it is slow at scale)"},
			&cli.IntFlag{Name: "stock-queries", Value: 20, Usage: "queries stock chromem-go answers per size (its filtered query takes seconds at 300k)"},
			&cli.IntFlag{Name: "weaviate-pid", Usage: "Weaviate server process, for its memory and CPU (default: found by name and port)"},
			&cli.BoolFlag{Name: "keep", Usage: "keep the benchmark classes in Weaviate (default: dropped)"},
			&cli.BoolFlag{Name: "json", Usage: "print the results as JSON"},
		},
		Action: func(c *cli.Context) error {
			addr := c.String("weaviate")
			if c.Bool("no-weaviate") {
				addr = ""
			} else if addr == "" {
				return cli.Exit(errNoBackend.Error()+", or --no-weaviate", 2)
			}
			var sizes []int
			for _, f := range strings.Split(c.String("n"), ",") {
				n, err := strconv.Atoi(strings.TrimSpace(f))
				if err != nil || n < 1 {
					return cli.Exit(fmt.Sprintf("--n: %q is not a positive count", f), 2)
				}
				sizes = append(sizes, n)
			}
			dims, nq, k := c.Int("dims"), c.Int("queries"), c.Int("k")
			if dims < 2 || nq < 1 || k < 1 || c.Int("clusters") < 1 || c.Int("repeat") < 1 {
				return cli.Exit("--dims must be at least 2, --queries, --repeat, --k and --clusters at least 1", 2)
			}
			if fr := c.Int("filter-reports"); fr < 1 || fr > bench.Reports {
				return cli.Exit(fmt.Sprintf("--filter-reports must be 1 to %d", bench.Reports), 2)
			}
			b := bench.Vectors{Dims: dims, Queries: nq, Repeat: c.Int("repeat"), K: k, Clusters: c.Int("clusters"), Spread: c.Float64("spread"),
				Seed: c.Uint64("seed"), FilterReports: c.Int("filter-reports"), StockQueries: c.Int("stock-queries"), TimeCap: c.Duration("time-cap").String(), Weaviate: addr,
				GOMAXPROCS: runtime.GOMAXPROCS(0)}
			start := time.Now()
			deadline := start.Add(c.Duration("time-cap"))
			if addr != "" {
				b.WeaviatePID = c.Int("weaviate-pid")
				if b.WeaviatePID == 0 {
					b.WeaviatePID = bench.FindWeaviatePID(addr)
				}
				if b.WeaviatePID == 0 {
					fmt.Fprintln(os.Stderr, "reportsearch: Weaviate server process not found; its memory and CPU are not reported (pass --weaviate-pid)")
				}
			}
			for _, n := range sizes {
				if time.Now().After(deadline) {
					b.Sizes = append(b.Sizes, bench.VectorsSize{N: n, Skipped: true})
					continue
				}
				sz, err := bench.RunVectorsSize(c.Context, b, n, deadline, c.Bool("keep"), c.Bool("no-stock"))
				if err != nil {
					return err
				}
				b.Sizes = append(b.Sizes, sz)
			}
			b.Seconds = time.Since(start).Seconds()
			if c.Bool("json") {
				return writeJSON(os.Stdout, b)
			}
			bench.PrintVectors(b)
			return nil
		},
	}
}
