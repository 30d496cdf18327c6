package main

// `bench vectors`: the in-memory chromem-go index against a Weaviate server
// on the same synthetic vectors, in the same run: load throughput, query
// latency, recall of Weaviate's approximate (HNSW) search against chromem-go's
// exact one, and memory.

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/reportsearch/reportsearch/store"
	"github.com/reportsearch/reportsearch/store/weaviate"
)

// VectorsBench is the JSON of `bench vectors`.
type VectorsBench struct {
	Dims     int     `json:"dims"`
	Queries  int     `json:"queries"`
	K        int     `json:"k"`
	Clusters int     `json:"clusters"`
	Spread   float64 `json:"spread"`
	Seed     uint64  `json:"seed"`
	TimeCap  string  `json:"time_cap"`
	Weaviate string  `json:"weaviate"`
	// WeaviatePID is the server process whose RSS is reported (0: not found).
	WeaviatePID int                `json:"weaviate_pid"`
	Sizes       []VectorsBenchSize `json:"sizes"`
	Seconds     float64            `json:"seconds"`
}

// VectorsBenchSize is one collection size.
type VectorsBenchSize struct {
	N int `json:"n"`
	// Loaded is how many vectors both stores held when measured: less than N
	// when the time cap stopped Weaviate's import (Capped). Skipped sizes
	// were not started because the cap had passed.
	Loaded   int            `json:"loaded"`
	Capped   bool           `json:"capped"`
	Skipped  bool           `json:"skipped,omitempty"`
	Chromem  VectorsBackend `json:"chromem"`
	Weaviate VectorsBackend `json:"weaviate"`
	// RecallAt10 is the share of chromem-go's exact top k that Weaviate's
	// top k contains, averaged over the queries.
	Recall float64 `json:"recall_at_k"`
}

// VectorsBackend is what was measured of one store.
type VectorsBackend struct {
	LoadSeconds   float64 `json:"load_seconds"`
	VectorsPerSec float64 `json:"vectors_per_s"`
	QueryP50Ms    float64 `json:"query_p50_ms"`
	QueryP95Ms    float64 `json:"query_p95_ms"`
	QPS           float64 `json:"queries_per_s"`
	// Memory. chromem-go: HeapMB is the Go heap of this process holding the
	// records (vectors included) and the chromem-go collection; ExtraMB what
	// building the collection added on top of the records; RSSMB this
	// process's resident size. Weaviate: RSSMB the server's resident size
	// after loading, ExtraMB its growth during the load.
	HeapMB  float64 `json:"heap_mb,omitempty"`
	ExtraMB float64 `json:"extra_mb"`
	RSSMB   float64 `json:"rss_mb"`
}

func benchVectorsCommand() *cli.Command {
	return &cli.Command{
		Name:  "vectors",
		Usage: "compare the in-memory chromem-go index with a Weaviate server on synthetic vectors (load, latency, recall, memory)",
		UsageText: usageText("reportsearch bench vectors [options]",
			"reportsearch bench vectors --n 100000 --dims 256 --queries 200",
			"reportsearch bench vectors --n 100000,1000000 --weaviate 127.0.0.1:8089 --json"),
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "n", Value: "100000", Usage: "collection sizes, comma-separated (e.g. 100000,1000000)"},
			&cli.IntFlag{Name: "dims", Value: 256, Usage: "vector dimension"},
			&cli.IntFlag{Name: "queries", Value: 200, Usage: "queries per size"},
			&cli.IntFlag{Name: "k", Value: 10, Usage: "results per query (recall@k)"},
			&cli.IntFlag{Name: "clusters", Value: 1000, Usage: "clusters the synthetic vectors are drawn around"},
			&cli.Float64Flag{Name: "spread", Value: 0.8, Usage: "noise around a cluster centre (0.8: cosine to the centre about 0.78)"},
			&cli.Uint64Flag{Name: "seed", Value: 1, Usage: "random seed (same seed, same vectors)"},
			&cli.DurationFlag{Name: "time-cap", Value: 20 * time.Minute, Usage: "stop loading when the run has taken this long and measure what was loaded"},
			&cli.StringFlag{Name: "weaviate", EnvVars: []string{"REPORTSEARCH_TEST_WEAVIATE"}, Usage: "Weaviate server host:port (scripts/weaviate-up.sh)"},
			&cli.IntFlag{Name: "weaviate-pid", Usage: "Weaviate server process, for its memory (default: found by name and port)"},
			&cli.BoolFlag{Name: "keep", Usage: "keep the benchmark classes in Weaviate (default: dropped)"},
			&cli.BoolFlag{Name: "json", Usage: "print the results as JSON"},
		},
		Action: func(c *cli.Context) error {
			addr := c.String("weaviate")
			if addr == "" {
				return cli.Exit(errNoBackend, 2)
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
			if dims < 2 || nq < 1 || k < 1 || c.Int("clusters") < 1 {
				return cli.Exit("--dims must be at least 2, --queries, --k and --clusters at least 1", 2)
			}
			b := VectorsBench{Dims: dims, Queries: nq, K: k, Clusters: c.Int("clusters"), Spread: c.Float64("spread"),
				Seed: c.Uint64("seed"), TimeCap: c.Duration("time-cap").String(), Weaviate: addr}
			start := time.Now()
			deadline := start.Add(c.Duration("time-cap"))
			b.WeaviatePID = c.Int("weaviate-pid")
			if b.WeaviatePID == 0 {
				b.WeaviatePID = findWeaviatePID(addr)
			}
			if b.WeaviatePID == 0 {
				fmt.Fprintln(os.Stderr, "reportsearch: Weaviate server process not found; its memory is not reported (pass --weaviate-pid)")
			}
			for _, n := range sizes {
				if time.Now().After(deadline) {
					b.Sizes = append(b.Sizes, VectorsBenchSize{N: n, Skipped: true})
					continue
				}
				sz, err := benchVectorsSize(c.Context, b, n, deadline, c.Bool("keep"))
				if err != nil {
					return err
				}
				b.Sizes = append(b.Sizes, sz)
			}
			b.Seconds = time.Since(start).Seconds()
			if c.Bool("json") {
				return writeJSON(os.Stdout, b)
			}
			printVectorsBench(b)
			return nil
		},
	}
}

// synthetic draws clustered unit vectors: a centre per cluster, uniformly on
// the sphere, and each vector its centre plus Gaussian noise of norm about
// spread, normalised. Real embeddings are clustered by topic too; uniform
// random vectors would make every neighbour nearly equidistant.
type synthetic struct {
	rng     *rand.Rand
	centres [][]float32
	dims    int
	spread  float64
}

func newSynthetic(seed uint64, clusters, dims int, spread float64) *synthetic {
	s := &synthetic{rng: rand.New(rand.NewPCG(seed, 0x5eed)), dims: dims, spread: spread}
	for i := 0; i < clusters; i++ {
		c := make([]float32, dims)
		for j := range c {
			c[j] = float32(s.rng.NormFloat64())
		}
		normalise(c)
		s.centres = append(s.centres, c)
	}
	return s
}

func (s *synthetic) next() []float32 {
	c := s.centres[s.rng.IntN(len(s.centres))]
	v := make([]float32, s.dims)
	scale := s.spread / math.Sqrt(float64(s.dims))
	for j := range v {
		v[j] = c[j] + float32(scale*s.rng.NormFloat64())
	}
	normalise(v)
	return v
}

func normalise(v []float32) {
	var sum float64
	for _, x := range v {
		sum += float64(x) * float64(x)
	}
	inv := float32(1 / math.Sqrt(sum))
	for j := range v {
		v[j] *= inv
	}
}

func benchVectorsSize(ctx context.Context, b VectorsBench, n int, deadline time.Time, keep bool) (VectorsBenchSize, error) {
	sz := VectorsBenchSize{N: n}
	runtime.GC()
	heap0 := heapMB()

	// Same seed for every size: the first n vectors of a larger run are the
	// vectors of a smaller one. 100 "reports" so report keys look real.
	gen := newSynthetic(b.Seed, b.Clusters, b.Dims, b.Spread)
	recs := make([]store.Record, n)
	for i := range recs {
		recs[i].ID = fmt.Sprintf("v%08d", i)
		recs[i].File = fmt.Sprintf("synthetic/r%03d.txt", i%100)
		recs[i].Hash = recs[i].ID
		recs[i].Vector = gen.next()
	}
	queries := make([][]float32, b.Queries)
	for i := range queries {
		queries[i] = gen.next()
	}

	// Weaviate first, so that the time cap decides how many vectors both
	// stores are measured with.
	wix, err := weaviate.Open(ctx, b.Weaviate, fmt.Sprintf("bench-vectors-%d-%d", n, b.Dims))
	if err != nil {
		return sz, err
	}
	if wix.Len() > 0 {
		if err := wix.Drop(ctx); err != nil {
			return sz, err
		}
		if wix, err = weaviate.Open(ctx, b.Weaviate, fmt.Sprintf("bench-vectors-%d-%d", n, b.Dims)); err != nil {
			return sz, err
		}
	}
	if !keep {
		defer wix.Drop(context.WithoutCancel(ctx))
	}
	rss0 := procRSSMB(b.WeaviatePID)
	// The cap is checked between steps, never inside one: a cancelled batch
	// may land in part, and importing those objects again would leave HNSW
	// tombstones that lower recall. A step overshoots the cap by seconds.
	const step = 5000
	t0 := time.Now()
	loaded := 0
	for loaded < n {
		if time.Now().After(deadline) {
			sz.Capped = true
			break
		}
		end := min(loaded+step, n)
		if err := wix.Put(ctx, recs[loaded:end]); err != nil {
			return sz, err
		}
		loaded = end
		el := time.Since(t0).Seconds()
		fmt.Fprintf(os.Stderr, "\rbench vectors: n=%d: %d loaded into Weaviate (%.0f/s)   ", n, loaded, float64(loaded)/el)
	}
	wload := time.Since(t0)
	fmt.Fprintln(os.Stderr)
	// The server must hold exactly what was imported, or recall is measured
	// against the wrong set.
	held, err := wix.Count(ctx)
	if err != nil {
		return sz, err
	}
	if held != loaded {
		return sz, fmt.Errorf("Weaviate holds %d vectors after %d were imported", held, loaded)
	}
	sz.Loaded = loaded
	if loaded < n {
		// Let the vectors that were never loaded go, so the heap measured
		// below is of the loaded ones only.
		recs = append([]store.Record(nil), recs[:loaded]...)
	}
	sz.Weaviate.LoadSeconds = wload.Seconds()
	sz.Weaviate.VectorsPerSec = float64(loaded) / wload.Seconds()
	sz.Weaviate.RSSMB = procRSSMB(b.WeaviatePID)
	sz.Weaviate.ExtraMB = sz.Weaviate.RSSMB - rss0

	runtime.GC()
	heap1 := heapMB()
	t0 = time.Now()
	cix, err := store.NewChromem(ctx, recs)
	if err != nil {
		return sz, err
	}
	cload := time.Since(t0)
	runtime.GC()
	sz.Chromem.LoadSeconds = cload.Seconds()
	sz.Chromem.VectorsPerSec = float64(loaded) / cload.Seconds()
	sz.Chromem.HeapMB = heapMB() - heap0
	sz.Chromem.ExtraMB = heapMB() - heap1
	sz.Chromem.RSSMB = procRSSMB(os.Getpid())

	// Queries: the two stores alternate per query, so drift in machine load
	// hits both alike.
	var cl, wl []time.Duration
	found, total := 0, 0
	for i, q := range queries {
		t := time.Now()
		exact, err := cix.Query(ctx, q, b.K, nil)
		if err != nil {
			return sz, err
		}
		cl = append(cl, time.Since(t))
		t = time.Now()
		got, err := wix.Query(ctx, q, b.K, nil)
		if err != nil {
			return sz, err
		}
		wl = append(wl, time.Since(t))
		in := map[string]bool{}
		for _, h := range exact {
			in[h.ID] = true
		}
		for _, h := range got {
			if in[h.ID] {
				found++
			}
		}
		total += len(exact)
		if i%20 == 19 {
			fmt.Fprintf(os.Stderr, "\rbench vectors: n=%d: %d/%d queries   ", n, i+1, len(queries))
		}
	}
	fmt.Fprintln(os.Stderr)
	if total > 0 {
		sz.Recall = float64(found) / float64(total)
	}
	sz.Chromem.QueryP50Ms, sz.Chromem.QueryP95Ms, sz.Chromem.QPS = durStats(cl)
	sz.Weaviate.QueryP50Ms, sz.Weaviate.QueryP95Ms, sz.Weaviate.QPS = durStats(wl)
	runtime.KeepAlive(cix)
	return sz, nil
}

// durStats returns the median and 95th percentile in milliseconds (nearest
// rank) and the sequential queries per second.
func durStats(d []time.Duration) (p50, p95, qps float64) {
	if len(d) == 0 {
		return 0, 0, 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	rank := func(p float64) float64 {
		i := int(math.Ceil(p/100*float64(len(s)))) - 1
		i = max(0, min(i, len(s)-1))
		return float64(s[i].Microseconds()) / 1000
	}
	var sum time.Duration
	for _, x := range s {
		sum += x
	}
	return rank(50), rank(95), float64(len(s)) / sum.Seconds()
}

func heapMB() float64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc) / (1 << 20)
}

// procRSSMB reads VmRSS of a process from /proc (0 when unknown).
func procRSSMB(pid int) float64 {
	if pid <= 0 {
		return 0
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// findWeaviatePID finds the weaviate-server process listening on addr's port
// (by its --port argument), for its memory.
func findWeaviatePID(addr string) int {
	port := addr[strings.LastIndex(addr, ":")+1:]
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		comm, err := os.ReadFile(filepath.Join(d, "comm"))
		if err != nil || strings.TrimSpace(string(comm)) != "weaviate-server" {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join(d, "cmdline"))
		args := strings.Split(string(cmdline), "\x00")
		for i, a := range args {
			if (a == "--port" && i+1 < len(args) && args[i+1] == port) || a == "--port="+port {
				pid, _ := strconv.Atoi(filepath.Base(d))
				return pid
			}
		}
	}
	return 0
}

func printVectorsBench(b VectorsBench) {
	fmt.Printf("bench vectors: %d-d unit vectors around %d clusters (spread %.2f, seed %d), %d queries, k=%d, Weaviate %s\n",
		b.Dims, b.Clusters, b.Spread, b.Seed, b.Queries, b.K, b.Weaviate)
	w := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "n\tloaded\tstore\tload vec/s\tp50 ms\tp95 ms\tqps\trecall@k\tmemory MB\t")
	for _, s := range b.Sizes {
		if s.Skipped {
			fmt.Fprintf(w, "%d\t-\tskipped (time cap)\t\t\t\t\t\t\t\n", s.N)
			continue
		}
		loaded := strconv.Itoa(s.Loaded)
		if s.Capped {
			loaded += " (capped)"
		}
		fmt.Fprintf(w, "%d\t%s\tchromem-go\t%.0f\t%.2f\t%.2f\t%.1f\texact\theap %.0f (%+.0f)\t\n", s.N, loaded,
			s.Chromem.VectorsPerSec, s.Chromem.QueryP50Ms, s.Chromem.QueryP95Ms, s.Chromem.QPS, s.Chromem.HeapMB, s.Chromem.ExtraMB)
		fmt.Fprintf(w, "\t\tweaviate\t%.0f\t%.2f\t%.2f\t%.1f\t%.3f\tRSS %.0f (%+.0f)\t\n",
			s.Weaviate.VectorsPerSec, s.Weaviate.QueryP50Ms, s.Weaviate.QueryP95Ms, s.Weaviate.QPS, s.Recall, s.Weaviate.RSSMB, s.Weaviate.ExtraMB)
	}
	w.Flush()
	fmt.Printf("%.0fs in all\n", b.Seconds)
}
