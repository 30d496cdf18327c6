package server_test

// In-process load benchmarks: the same queries through retrieve.Index.Search
// or evidence.Build directly ("raw", the baseline) and through the HTTP API
// on a loopback port, at 1, 8 and 32 concurrent clients. Compare the two
// req/s metrics of a run for HTTP's share; `reportsearch bench load`
// measures a separate `reportsearch serve` process the same way.
//
//	go test ./server/ -run '^$' -bench Load -benchtime 2000x
//
// The corpus's lexical collection is used unless REPORTSEARCH_BENCH_COLLECTION
// names a stored collection folder; a collection with vectors is then
// searched hybrid, its queries embedded by the Ollama server at
// REPORTSEARCH_TEST_OLLAMA.

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reportsearch/reportsearch/embed"
	"github.com/reportsearch/reportsearch/eval"
	"github.com/reportsearch/reportsearch/evidence"
	"github.com/reportsearch/reportsearch/internal/testenv"
	"github.com/reportsearch/reportsearch/retrieve"
	"github.com/reportsearch/reportsearch/server"
	"github.com/reportsearch/reportsearch/store"
)

func benchQueries(b *testing.B) []string {
	b.Helper()
	qs, err := eval.LoadQuestions(filepath.Join("..", "eval", "testdata", "dev.jsonl"))
	if err != nil {
		b.Fatal(err)
	}
	out := make([]string, len(qs))
	for i, q := range qs {
		out[i] = q.Query
	}
	return out
}

// benchIndex is the collection the benchmarks search.
func benchIndex(b *testing.B) (string, *retrieve.Index) {
	b.Helper()
	dir := os.Getenv("REPORTSEARCH_BENCH_COLLECTION")
	if dir == "" {
		return lexicalIndex(b)
	}
	snap, err := store.Load(dir)
	if err != nil {
		b.Fatal(err)
	}
	var emb embed.Embedder
	if host := testenv.OllamaIfAny(); host != "" && snap.Manifest.Embedded > 0 {
		o, err := embed.NewOllama(host, snap.Manifest.Model.Name, embed.Options{Retries: 0})
		if err != nil {
			b.Fatal(err)
		}
		o.UseInfo(snap.Manifest.Model)
		emb = o
	}
	ix, err := retrieve.FromSnapshot(context.Background(), snap, emb)
	if err != nil {
		b.Fatal(err)
	}
	return dir, ix
}

// runClients makes b.N calls from conc goroutines and reports throughput
// and latency percentiles. A failed call fails the benchmark.
func runClients(b *testing.B, conc int, call func(i int) error) {
	b.Helper()
	lat := make([]float64, b.N)
	var next atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	b.ResetTimer()
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= b.N {
					return
				}
				t0 := time.Now()
				if err := call(i); err != nil {
					failed.CompareAndSwap(nil, err.Error())
				}
				lat[i] = float64(time.Since(t0).Nanoseconds()) / 1e6
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	if f := failed.Load(); f != nil {
		b.Fatalf("request failed: %s", f)
	}
	sort.Float64s(lat)
	pct := func(p float64) float64 {
		i := int(math.Ceil(p*float64(len(lat)))) - 1
		return lat[min(max(i, 0), len(lat)-1)]
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.95), "p95-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

func BenchmarkLoad(b *testing.B) {
	dir, ix := benchIndex(b)
	queries := benchQueries(b)
	r := serve(b, server.Config{
		Load:  func(context.Context) (*retrieve.Index, error) { return ix, nil },
		Watch: filepath.Join(dir, store.SnapshotName),
	}, nil)
	hc := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConns: 128, MaxIdleConnsPerHost: 128}}
	b.Cleanup(hc.CloseIdleConnections)
	sopt := retrieve.DefaultOptions()
	eopt := evidence.DefaultOptions()
	bodies := map[string][]string{}
	for _, q := range queries {
		bodies["search"] = append(bodies["search"], jsonBody(map[string]any{"query": q, "k": sopt.K}))
		bodies["context"] = append(bodies["context"], jsonBody(map[string]any{"query": q, "budget": eopt.Budget}))
	}
	raw := map[string]func(ctx context.Context, q string) error{
		"search": func(ctx context.Context, q string) error {
			_, _, err := ix.Search(ctx, q, sopt)
			return err
		},
		"context": func(ctx context.Context, q string) error {
			_, err := evidence.Build(ctx, ix, q, sopt, eopt)
			return err
		},
	}
	for _, ep := range []string{"search", "context"} {
		for _, conc := range []int{1, 8, 32} {
			b.Run(fmt.Sprintf("%s/raw/c=%d", ep, conc), func(b *testing.B) {
				runClients(b, conc, func(i int) error { return raw[ep](context.Background(), queries[i%len(queries)]) })
			})
			b.Run(fmt.Sprintf("%s/http/c=%d", ep, conc), func(b *testing.B) {
				runClients(b, conc, func(i int) error {
					resp, err := hc.Post(r.base+"/"+ep, "application/json", strings.NewReader(bodies[ep][i%len(queries)]))
					if err != nil {
						return err
					}
					defer resp.Body.Close()
					body, err := io.ReadAll(resp.Body)
					if err != nil {
						return err
					}
					if resp.StatusCode != 200 {
						return fmt.Errorf("status %d: %s", resp.StatusCode, body)
					}
					return nil
				})
			})
		}
	}
}
