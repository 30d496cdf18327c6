package bench

// `bench vectors`: dense search engines on the same synthetic vectors, in the
// same process and run: the patched chromem-go that reportsearch uses
// (third_party/chromem-go), stock chromem-go v0.7.0
// (third_party/chromem-go-stock, used the way store used it before the patch),
// a plain parallel scan over one float32 array (the memory-bandwidth limit of
// exact search), and a Weaviate server. Load throughput, query latency with
// and without a report filter, recall of Weaviate's approximate (HNSW) search
// against the exact one, and memory.

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/reportsearch/reportsearch/internal/latency"
	"github.com/reportsearch/reportsearch/store"
	"github.com/reportsearch/reportsearch/store/weaviate"
	stock "github.com/reportsearch/reportsearch/third_party/chromem-go-stock"
)

// Vectors is the JSON of `bench vectors`.
type Vectors struct {
	Dims     int     `json:"dims"`
	Queries  int     `json:"queries"`
	Repeat   int     `json:"repeat"`
	K        int     `json:"k"`
	Clusters int     `json:"clusters"`
	Spread   float64 `json:"spread"`
	Seed     uint64  `json:"seed"`
	// FilterReports is how many of the 100 synthetic reports a filtered
	// query is limited to.
	FilterReports int    `json:"filter_reports"`
	StockQueries  int    `json:"stock_queries"`
	TimeCap       string `json:"time_cap"`
	Weaviate      string `json:"weaviate,omitempty"`
	// WeaviatePID is the server process whose RSS and CPU are reported (0:
	// not found).
	WeaviatePID int           `json:"weaviate_pid"`
	GOMAXPROCS  int           `json:"gomaxprocs"`
	Sizes       []VectorsSize `json:"sizes"`
	Seconds     float64       `json:"seconds"`
}

// VectorsSize is one collection size.
type VectorsSize struct {
	N int `json:"n"`
	// Loaded is how many vectors every store held when measured: less than N
	// when the time cap stopped Weaviate's import (Capped). Skipped sizes
	// were not started because the cap had passed.
	Loaded  int  `json:"loaded"`
	Capped  bool `json:"capped"`
	Skipped bool `json:"skipped,omitempty"`
	// RawMB is the size of the loaded vectors as float32; RecordsMB the heap
	// holding the records (vectors, IDs, file names) before any index.
	RawMB     float64 `json:"raw_mb"`
	RecordsMB float64 `json:"records_mb"`
	// QueriesTimed is how many queries each engine answered (less than
	// queries × repeat when the time cap stopped the query loop).
	QueriesTimed int            `json:"queries_timed"`
	Patched      VectorsBackend `json:"chromem_patched"`
	Stock        VectorsBackend `json:"chromem_stock"`
	Plain        VectorsBackend `json:"plain_scan"`
	Weaviate     VectorsBackend `json:"weaviate"`
	// Recall is the share of the exact top k (patched chromem-go) that
	// Weaviate's top k contains, averaged over the unfiltered queries.
	Recall float64 `json:"recall_at_k"`
	// StockSame is the share of queries where stock chromem-go returned the
	// same top k as the patched one (it should be 1).
	StockSame float64 `json:"stock_same"`
}

// VectorsBackend is what was measured of one store.
type VectorsBackend struct {
	LoadSeconds   float64 `json:"load_seconds"`
	VectorsPerSec float64 `json:"vectors_per_s"`
	QueryP50Ms    float64 `json:"query_p50_ms"`
	QueryP95Ms    float64 `json:"query_p95_ms"`
	QPS           float64 `json:"queries_per_s"`
	FilteredP50Ms float64 `json:"filtered_p50_ms"`
	FilteredP95Ms float64 `json:"filtered_p95_ms"`
	// Memory. Patched chromem-go: HeapMB is the Go heap holding the records
	// (vectors, IDs) and the index, ExtraMB what the index added to the
	// records, RSSMB this process's resident size then. Stock chromem-go
	// and the plain scan: ExtraMB is what they added (the plain scan copies
	// the vectors into one array). Weaviate: RSSMB the server's resident
	// size after loading, ExtraMB its growth during the load.
	HeapMB  float64 `json:"heap_mb,omitempty"`
	ExtraMB float64 `json:"extra_mb"`
	RSSMB   float64 `json:"rss_mb,omitempty"`
	// Protocol (Weaviate) is how objects were imported: grpc or rest.
	Protocol string `json:"protocol,omitempty"`
	// ServerCPU (Weaviate) is the server's CPU time during the import over
	// the import's wall time, in cores; ClientCPU the same for this process.
	ServerCPU float64 `json:"server_cpu_cores,omitempty"`
	ClientCPU float64 `json:"client_cpu_cores,omitempty"`
	Skipped   bool    `json:"skipped,omitempty"`
}

// Reports is how many synthetic reports the vectors are spread over.
const Reports = 100

func benchReportKey(i int) string { return store.ReportKey(fmt.Sprintf("synthetic/r%03d.txt", i), 0) }

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

// RunVectorsSize measures every engine of b on n synthetic vectors: load
// time and memory, then query latency (plain and filtered), recall and
// agreement, until deadline.
func RunVectorsSize(ctx context.Context, b Vectors, n int, deadline time.Time, keep, noStock bool) (VectorsSize, error) {
	sz := VectorsSize{N: n}
	runtime.GC()
	heap0 := heapMB()
	recs, queries := syntheticVectors(b, n)

	// Weaviate first, so that the time cap decides how many vectors every
	// store is measured with.
	var wix *weaviate.Index
	sz.Loaded = n
	if b.Weaviate == "" {
		sz.Weaviate.Skipped = true
	} else {
		var err error
		if wix, err = benchWeaviateLoad(ctx, b, recs, deadline, keep, &sz); err != nil {
			return sz, err
		}
		if !keep {
			defer wix.Drop(context.WithoutCancel(ctx))
		}
	}
	if sz.Loaded < n {
		// Let the vectors that were never loaded go, so the heap measured
		// below is of the loaded ones only.
		recs = append([]store.Record(nil), recs[:sz.Loaded]...)
	}
	sz.RawMB = float64(sz.Loaded) * float64(b.Dims) * 4 / (1 << 20)

	engines, err := loadEngines(ctx, b, recs, heap0, noStock, &sz)
	if err != nil {
		return sz, err
	}
	if wix != nil {
		engines = append(engines, &vectorEngine{name: "weaviate", be: &sz.Weaviate, q: func(v []float32, keys []string) ([]store.Hit, error) { return wix.Query(ctx, v, b.K, keys) }})
	}
	if err := timeQueries(b, engines, queries, deadline, &sz); err != nil {
		return sz, err
	}
	runtime.KeepAlive(engines)
	return sz, nil
}

// syntheticVectors makes n records and b.Queries query vectors. Same seed
// for every size: the first n vectors of a larger run are the vectors of a
// smaller one. 100 "reports" so report keys look real.
func syntheticVectors(b Vectors, n int) ([]store.Record, [][]float32) {
	gen := newSynthetic(b.Seed, b.Clusters, b.Dims, b.Spread)
	recs := make([]store.Record, n)
	for i := range recs {
		recs[i].ID = fmt.Sprintf("v%08d", i)
		recs[i].File = fmt.Sprintf("synthetic/r%03d.txt", i%Reports)
		recs[i].Hash = recs[i].ID
		recs[i].Vector = gen.next()
	}
	queries := make([][]float32, b.Queries)
	for i := range queries {
		queries[i] = gen.next()
	}
	return recs, queries
}

// vectorEngine is one engine being timed: its query function and the
// latencies measured, plain and filtered.
type vectorEngine struct {
	name      string
	be        *VectorsBackend
	q         func(vec []float32, keys []string) ([]store.Hit, error)
	lat, flat []time.Duration
}

// loadEngines builds the in-process engines on recs, measuring load time
// and memory (heap0 is the heap before the records were made), into sz.
func loadEngines(ctx context.Context, b Vectors, recs []store.Record, heap0 float64, noStock bool, sz *VectorsSize) ([]*vectorEngine, error) {
	loaded := len(recs)
	// Patched chromem-go (what reportsearch uses): memory is measured before
	// anything else is built.
	runtime.GC()
	heap1 := heapMB()
	sz.RecordsMB = heap1 - heap0
	t0 := time.Now()
	cix, err := store.NewChromem(ctx, recs)
	if err != nil {
		return nil, err
	}
	sz.Patched.LoadSeconds = time.Since(t0).Seconds()
	sz.Patched.VectorsPerSec = float64(loaded) / sz.Patched.LoadSeconds
	runtime.GC()
	sz.Patched.HeapMB = heapMB() - heap0
	sz.Patched.ExtraMB = heapMB() - heap1
	// RSS after returning freed memory to the OS (the generator and the
	// vectors NewChromem packed into one array leave garbage behind).
	debug.FreeOSMemory()
	sz.Patched.RSSMB = procRSSMB(os.Getpid())

	var six *stockIndex
	if noStock {
		sz.Stock.Skipped = true
	} else {
		heap2 := heapMB()
		t0 = time.Now()
		if six, err = newStockIndex(ctx, recs); err != nil {
			return nil, err
		}
		sz.Stock.LoadSeconds = time.Since(t0).Seconds()
		sz.Stock.VectorsPerSec = float64(loaded) / sz.Stock.LoadSeconds
		runtime.GC()
		sz.Stock.ExtraMB = heapMB() - heap2
	}

	heap3 := heapMB()
	t0 = time.Now()
	pix := newPlainIndex(recs)
	sz.Plain.LoadSeconds = time.Since(t0).Seconds()
	sz.Plain.VectorsPerSec = float64(loaded) / sz.Plain.LoadSeconds
	runtime.GC()
	sz.Plain.ExtraMB = heapMB() - heap3

	engines := []*vectorEngine{
		{name: "patched", be: &sz.Patched, q: func(v []float32, keys []string) ([]store.Hit, error) { return cix.Query(ctx, v, b.K, keys) }},
		{name: "plain", be: &sz.Plain, q: func(v []float32, keys []string) ([]store.Hit, error) { return pix.query(v, b.K, keys), nil }},
	}
	if six != nil {
		engines = append(engines, &vectorEngine{name: "stock", be: &sz.Stock, q: func(v []float32, keys []string) ([]store.Hit, error) { return six.query(ctx, v, b.K, keys) }})
	}
	return engines, nil
}

// timeQueries runs the queries b.Repeat times on every engine, plain and
// filtered, until deadline, and puts the latencies, Weaviate's recall
// against the exact engine and stock chromem-go's agreement into sz. The
// engines take turns per query (the first one rotating), so drift in
// machine load hits all alike.
func timeQueries(b Vectors, engines []*vectorEngine, queries [][]float32, deadline time.Time, sz *VectorsSize) error {
	found, total, same, compared := 0, 0, 0, 0
	timed := 0
queries:
	for rep := 0; rep < b.Repeat; rep++ {
		for qi, q := range queries {
			if time.Now().After(deadline) {
				break queries
			}
			keys := filterKeys(b, qi)
			results := map[string][]store.Hit{}
			for e := range engines {
				en := engines[(e+qi+rep)%len(engines)]
				if en.name == "stock" && (rep > 0 || qi >= b.StockQueries) {
					continue
				}
				t := time.Now()
				hits, err := en.q(q, nil)
				if err != nil {
					return fmt.Errorf("%s: %w", en.name, err)
				}
				en.lat = append(en.lat, time.Since(t))
				results[en.name] = hits
				t = time.Now()
				if _, err := en.q(q, keys); err != nil {
					return fmt.Errorf("%s, filtered: %w", en.name, err)
				}
				en.flat = append(en.flat, time.Since(t))
			}
			timed++
			if rep > 0 {
				continue
			}
			exact := results["patched"]
			if got, ok := results["weaviate"]; ok {
				found += overlap(exact, got)
				total += len(exact)
			}
			if got, ok := results["stock"]; ok {
				compared++
				if hitIDs(got) == hitIDs(exact) {
					same++
				}
			}
			if qi%10 == 9 {
				fmt.Fprintf(os.Stderr, "\rbench vectors: n=%d: %d/%d queries   ", sz.N, timed, len(queries)*b.Repeat)
			}
		}
	}
	fmt.Fprintln(os.Stderr)
	sz.QueriesTimed = timed
	if total > 0 {
		sz.Recall = float64(found) / float64(total)
	}
	if compared > 0 {
		sz.StockSame = float64(same) / float64(compared)
	}
	for _, en := range engines {
		en.be.QueryP50Ms, en.be.QueryP95Ms, en.be.QPS = durStats(en.lat)
		en.be.FilteredP50Ms, en.be.FilteredP95Ms, _ = durStats(en.flat)
	}
	return nil
}

// filterKeys are the report keys query q is filtered to: b.FilterReports
// reports, spread over the 100.
func filterKeys(b Vectors, q int) []string {
	var keys []string
	for j := 0; j < b.FilterReports; j++ {
		keys = append(keys, benchReportKey((q*7+j*13)%Reports))
	}
	return keys
}

// overlap counts the hits of got that are among those of exact.
func overlap(exact, got []store.Hit) int {
	in := map[string]bool{}
	for _, h := range exact {
		in[h.ID] = true
	}
	n := 0
	for _, h := range got {
		if in[h.ID] {
			n++
		}
	}
	return n
}

func hitIDs(h []store.Hit) string {
	var b strings.Builder
	for _, x := range h {
		b.WriteString(x.ID)
		b.WriteByte(' ')
	}
	return b.String()
}

// benchWeaviateLoad imports recs into a fresh benchmark class and fills in
// sz.Weaviate's load figures and sz.Loaded.
func benchWeaviateLoad(ctx context.Context, b Vectors, recs []store.Record, deadline time.Time, keep bool, sz *VectorsSize) (*weaviate.Index, error) {
	n := len(recs)
	name := fmt.Sprintf("bench-vectors-%d-%d", n, b.Dims)
	wix, err := weaviate.Open(ctx, b.Weaviate, name)
	if err != nil {
		return nil, err
	}
	if wix.Len() > 0 {
		if err := wix.Drop(ctx); err != nil {
			return nil, err
		}
		if wix, err = weaviate.Open(ctx, b.Weaviate, name); err != nil {
			return nil, err
		}
	}
	rss0 := procRSSMB(b.WeaviatePID)
	scpu0, ccpu0 := procCPUSeconds(b.WeaviatePID), selfCPUSeconds()
	// The cap is checked between steps, never inside one: a cancelled batch
	// may land in part, and importing those objects again would leave HNSW
	// tombstones that lower recall. A step overshoots the cap by seconds.
	const step = 10000
	t0 := time.Now()
	loaded := 0
	for loaded < n {
		if time.Now().After(deadline) {
			sz.Capped = true
			break
		}
		end := min(loaded+step, n)
		if err := wix.Put(ctx, recs[loaded:end]); err != nil {
			if !keep {
				wix.Drop(context.WithoutCancel(ctx))
			}
			return nil, err
		}
		loaded = end
		el := time.Since(t0).Seconds()
		fmt.Fprintf(os.Stderr, "\rbench vectors: n=%d: %d loaded into Weaviate (%.0f/s)   ", n, loaded, float64(loaded)/el)
	}
	wload := time.Since(t0)
	fmt.Fprintln(os.Stderr)
	if b.WeaviatePID > 0 {
		sz.Weaviate.ServerCPU = (procCPUSeconds(b.WeaviatePID) - scpu0) / wload.Seconds()
	}
	sz.Weaviate.ClientCPU = (selfCPUSeconds() - ccpu0) / wload.Seconds()
	sz.Weaviate.Protocol = wix.ImportProtocol()
	// The server must hold exactly what was imported, or recall is measured
	// against the wrong set.
	held, err := wix.Count(ctx)
	if err != nil {
		return nil, err
	}
	if held != loaded {
		return nil, fmt.Errorf("Weaviate holds %d vectors after %d were imported", held, loaded)
	}
	sz.Loaded = loaded
	sz.Weaviate.LoadSeconds = wload.Seconds()
	sz.Weaviate.VectorsPerSec = float64(loaded) / wload.Seconds()
	sz.Weaviate.RSSMB = procRSSMB(b.WeaviatePID)
	sz.Weaviate.ExtraMB = sz.Weaviate.RSSMB - rss0
	return wix, nil
}

// stockIndex is stock chromem-go v0.7.0 used the way store.Chromem used it
// before the patch: one collection, the report key in each document's
// metadata, one filtered query per report key, k+8 asked for so that ties at
// the cut are settled by ID afterwards.
type stockIndex struct {
	coll *stock.Collection
}

func newStockIndex(ctx context.Context, recs []store.Record) (*stockIndex, error) {
	db := stock.NewDB()
	coll, err := db.CreateCollection("chunks", nil, func(context.Context, string) ([]float32, error) {
		return nil, fmt.Errorf("no embedding function")
	})
	if err != nil {
		return nil, err
	}
	docs := make([]stock.Document, 0, len(recs))
	for i := range recs {
		r := &recs[i]
		docs = append(docs, stock.Document{ID: r.ID, Metadata: map[string]string{"report_key": store.ReportKey(r.File, r.ReportIndex)}, Embedding: r.Vector})
	}
	if err := coll.AddDocuments(ctx, docs, runtime.GOMAXPROCS(0)); err != nil {
		return nil, err
	}
	return &stockIndex{coll: coll}, nil
}

func (s *stockIndex) query(ctx context.Context, vec []float32, k int, keys []string) ([]store.Hit, error) {
	n := min(k+8, s.coll.Count())
	wheres := []map[string]string{nil}
	if len(keys) > 0 {
		wheres = wheres[:0]
		for _, key := range keys {
			wheres = append(wheres, map[string]string{"report_key": key})
		}
	}
	var hits []store.Hit
	for _, where := range wheres {
		res, err := s.coll.QueryEmbedding(ctx, vec, n, where, nil)
		if err != nil {
			return nil, err
		}
		for _, r := range res {
			hits = append(hits, store.Hit{ID: r.ID, Score: float64(r.Similarity)})
		}
	}
	store.SortHits(hits)
	return hits[:min(k, len(hits))], nil
}

// plainIndex is the reference for exact search: every vector in one float32
// array, scanned by GOMAXPROCS goroutines, each keeping its own top k.
type plainIndex struct {
	mat   []float32
	dims  int
	ids   []string
	keyOf []string
}

func newPlainIndex(recs []store.Record) *plainIndex {
	p := &plainIndex{dims: len(recs[0].Vector)}
	p.mat = make([]float32, 0, len(recs)*p.dims)
	for i := range recs {
		p.mat = append(p.mat, recs[i].Vector...)
		p.ids = append(p.ids, recs[i].ID)
		p.keyOf = append(p.keyOf, store.ReportKey(recs[i].File, recs[i].ReportIndex))
	}
	return p
}

type plainHit struct {
	row   int
	score float32
}

func (p *plainIndex) query(q []float32, k int, keys []string) []store.Hit {
	var want map[string]bool
	if len(keys) > 0 {
		want = map[string]bool{}
		for _, key := range keys {
			want[key] = true
		}
	}
	rows := len(p.ids)
	workers := min(runtime.GOMAXPROCS(0), rows)
	tops := make([][]plainHit, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			top := make([]plainHit, 0, k+1)
			for r := w * rows / workers; r < (w+1)*rows/workers; r++ {
				if want != nil && !want[p.keyOf[r]] {
					continue
				}
				s := dot4(q, p.mat[r*p.dims:(r+1)*p.dims])
				if len(top) == k && s <= top[k-1].score {
					continue
				}
				// Insert in order (rows ascending among equal scores, as
				// they are scanned in order).
				i := len(top)
				top = append(top, plainHit{})
				for i > 0 && top[i-1].score < s {
					top[i] = top[i-1]
					i--
				}
				top[i] = plainHit{row: r, score: s}
				if len(top) > k {
					top = top[:k]
				}
			}
			tops[w] = top
		}(w)
	}
	wg.Wait()
	var hits []store.Hit
	for _, t := range tops {
		for _, h := range t {
			hits = append(hits, store.Hit{ID: p.ids[h.row], Score: float64(h.score)})
		}
	}
	store.SortHits(hits)
	return hits[:min(k, len(hits))]
}

// dot4 is a dot product with four running sums, so the CPU overlaps the
// additions.
func dot4(q, v []float32) float32 {
	v = v[:len(q)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(q); i += 4 {
		qq, vv := q[i:i+4:i+4], v[i:i+4:i+4]
		s0 += qq[0] * vv[0]
		s1 += qq[1] * vv[1]
		s2 += qq[2] * vv[2]
		s3 += qq[3] * vv[3]
	}
	for ; i < len(q); i++ {
		s0 += q[i] * v[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// procCPUSeconds is a process's user and system CPU time from /proc (0 when
// unknown).
func procCPUSeconds(pid int) float64 {
	if pid <= 0 {
		return 0
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name (which may hold spaces) in parentheses.
	f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseFloat(f[11], 64)
	st, _ := strconv.ParseFloat(f[12], 64)
	return (ut + st) / 100 // USER_HZ is 100 on Linux
}

func selfCPUSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// durStats returns the median and 95th percentile in milliseconds (the one
// percentile definition of every benchmark, package latency) and the
// sequential queries per second.
func durStats(d []time.Duration) (p50, p95, qps float64) {
	if len(d) == 0 {
		return 0, 0, 0
	}
	var sum time.Duration
	for _, x := range d {
		sum += x
	}
	l := latency.Of(d)
	return l.P50Ms, l.P95Ms, float64(len(d)) / sum.Seconds()
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

// FindWeaviatePID finds the weaviate-server process listening on addr's port
// (by its --port argument), for its memory.
func FindWeaviatePID(addr string) int {
	a := addr
	if !strings.Contains(a, "://") {
		a = "http://" + a
	}
	u, err := url.Parse(a)
	if err != nil {
		return 0
	}
	port := u.Port()
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

func PrintVectors(b Vectors) {
	fmt.Printf("bench vectors: %d-d unit vectors around %d clusters (spread %.2f, seed %d), %d queries x %d, k=%d, filtered: %d of %d reports, GOMAXPROCS %d\n",
		b.Dims, b.Clusters, b.Spread, b.Seed, b.Queries, b.Repeat, b.K, b.FilterReports, Reports, b.GOMAXPROCS)
	w := tabwriter.NewWriter(os.Stdout, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "n\tstore\tload s\tload vec/s\tp50 ms\tp95 ms\t/plain\tfiltered p50\tp95\trecall@k\tmemory MB\t")
	for _, s := range b.Sizes {
		if s.Skipped {
			fmt.Fprintf(w, "%d\tskipped (time cap)\t\t\t\t\t\t\t\t\t\t\n", s.N)
			continue
		}
		n := strconv.Itoa(s.Loaded)
		if s.Capped {
			n += fmt.Sprintf(" of %d (capped)", s.N)
		}
		row := func(name string, be VectorsBackend, recall, mem string) {
			if be.Skipped {
				return
			}
			ratio := "-"
			if s.Plain.QueryP50Ms > 0 {
				ratio = fmt.Sprintf("%.2fx", be.QueryP50Ms/s.Plain.QueryP50Ms)
			}
			fmt.Fprintf(w, "%s\t%s\t%.2f\t%.0f\t%.2f\t%.2f\t%s\t%.2f\t%.2f\t%s\t%s\t\n", n, name, be.LoadSeconds, be.VectorsPerSec,
				be.QueryP50Ms, be.QueryP95Ms, ratio, be.FilteredP50Ms, be.FilteredP95Ms, recall, mem)
			n = ""
		}
		row("chromem-go patched", s.Patched, "exact", fmt.Sprintf("vectors+index %.0f = %.2fx raw %.0f; other record fields %.0f; RSS %.0f",
			s.RawMB+s.Patched.ExtraMB, (s.RawMB+s.Patched.ExtraMB)/s.RawMB, s.RawMB, s.RecordsMB-s.RawMB, s.Patched.RSSMB))
		row("chromem-go v0.7.0", s.Stock, fmt.Sprintf("same %.2f", s.StockSame), fmt.Sprintf("index %+.0f", s.Stock.ExtraMB))
		row("plain scan", s.Plain, "exact", fmt.Sprintf("copy %+.0f", s.Plain.ExtraMB))
		row("weaviate", s.Weaviate, fmt.Sprintf("%.3f", s.Recall), fmt.Sprintf("server RSS %.0f (%+.0f); import over %s, CPU server %.2f, client %.2f cores", s.Weaviate.RSSMB, s.Weaviate.ExtraMB, s.Weaviate.Protocol, s.Weaviate.ServerCPU, s.Weaviate.ClientCPU))
		if !s.Stock.Skipped && b.StockQueries < b.Queries {
			fmt.Fprintf(w, "\t(v0.7.0: first %d queries, once)\t\t\t\t\t\t\t\t\t\t\n", b.StockQueries)
		}
		if s.QueriesTimed < b.Queries*b.Repeat {
			fmt.Fprintf(w, "\t(%d of %d queries timed: time cap)\t\t\t\t\t\t\t\t\t\t\n", s.QueriesTimed, b.Queries*b.Repeat)
		}
	}
	w.Flush()
	fmt.Printf("%.0fs in all\n", b.Seconds)
}
