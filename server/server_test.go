package server_test

// Tests of the HTTP API against real collections on disk, built in-process
// from the shared corpus, served on a loopback port and called over HTTP.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/reportsearch/reportsearch/chunk"
	"github.com/reportsearch/reportsearch/collection"
	"github.com/reportsearch/reportsearch/embed"
	"github.com/reportsearch/reportsearch/evidence"
	"github.com/reportsearch/reportsearch/indexer"
	"github.com/reportsearch/reportsearch/internal/fakeembed"
	"github.com/reportsearch/reportsearch/internal/testenv"
	"github.com/reportsearch/reportsearch/retrieve"
	"github.com/reportsearch/reportsearch/server"
	"github.com/reportsearch/reportsearch/store"
)

const beijingQuestion = "北京市2026年经济增长的预期目标是多少"

// tmpRoot holds every collection the tests build; TestMain removes it.
var tmpRoot string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "reportsearch-server-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	tmpRoot = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// corpusDir is the shared corpus beside the repository.
func corpusDir(tb testing.TB) string { return filepath.Join(testenv.Shared(tb), "corpus") }

// buildCollection indexes paths into dir with the real indexer; emb nil
// makes a lexical-only collection.
func buildCollection(tb testing.TB, dir string, emb embed.Embedder, model embed.ModelInfo, rebuild bool, paths ...string) indexer.Stats {
	tb.Helper()
	res, err := collection.Index(context.Background(), collectionAt(dir), paths, collection.IndexOptions{
		ContextHeader: true, Lexical: indexer.DefaultLexical, Rebuild: rebuild,
		Use: &collection.Embedding{Embedder: emb, Info: model}})
	if err != nil {
		tb.Fatal(err)
	}
	return res.Stats
}

// collectionAt is the collection in exactly the folder dir.
func collectionAt(dir string) collection.Settings {
	return collection.Settings{DataDir: filepath.Dir(dir), Name: filepath.Base(dir), Model: "auto", Chunk: chunk.DefaultOptions()}
}

// The lexical collection of the whole corpus is built once and its index
// shared: an Index is safe for concurrent searches.
var (
	lexOnce sync.Once
	lexDir  string
	lexIx   *retrieve.Index
	lexErr  error
)

func lexicalIndex(tb testing.TB) (string, *retrieve.Index) {
	tb.Helper()
	corpus := corpusDir(tb)
	lexOnce.Do(func() {
		lexDir = filepath.Join(tmpRoot, "lexical")
		s := collectionAt(lexDir)
		if _, err := collection.Index(context.Background(), s, []string{corpus}, collection.IndexOptions{
			ContextHeader: true, Lexical: indexer.DefaultLexical, Use: &collection.Embedding{}}); err != nil {
			lexErr = err
			return
		}
		lexIx, lexErr = collection.OpenDir(context.Background(), s, lexDir)
	})
	if lexErr != nil {
		tb.Fatal(lexErr)
	}
	return lexDir, lexIx
}

// running is a server on a loopback port.
type running struct {
	base string
	addr string
	done chan error // Serve's result
	stop context.CancelFunc
}

// serve starts cfg's server on l (a fresh loopback listener when nil) and
// stops it when the test ends, failing the test if Serve does not return nil.
func serve(tb testing.TB, cfg server.Config, l net.Listener) *running {
	tb.Helper()
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = 30 * time.Second
	}
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := server.New(ctx, cfg)
	if err != nil {
		cancel()
		tb.Fatal(err)
	}
	if l == nil {
		if l, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			cancel()
			tb.Fatal(err)
		}
	}
	r := &running{base: "http://" + l.Addr().String(), addr: l.Addr().String(), done: make(chan error, 1), stop: cancel}
	go func() { r.done <- srv.Serve(ctx, l) }()
	tb.Cleanup(func() {
		cancel()
		select {
		case err := <-r.done:
			if err != nil {
				tb.Errorf("Serve: %v", err)
			}
			r.done <- err // for a test that already read it
		case <-time.After(60 * time.Second):
			tb.Error("Serve did not return within a minute of its context being cancelled")
		}
	})
	return r
}

// lexicalServer serves the shared lexical collection.
func lexicalServer(tb testing.TB) (*running, *retrieve.Index) {
	dir, ix := lexicalIndex(tb)
	r := serve(tb, server.Config{
		Load:  func(context.Context) (*retrieve.Index, error) { return ix, nil },
		Watch: filepath.Join(dir, store.SnapshotName),
	}, nil)
	return r, ix
}

var client = &http.Client{Timeout: 60 * time.Second}

// call sends a request and returns the status and body.
func call(tb testing.TB, method, url, body string) (int, http.Header, []byte) {
	tb.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("%s %s: reading body: %v", method, url, err)
	}
	return resp.StatusCode, resp.Header, b
}

func decodeAs[T any](tb testing.TB, b []byte) T {
	tb.Helper()
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		tb.Fatalf("not the expected JSON: %v\n%s", err, b)
	}
	return v
}

// post sends body to path and decodes a 200 answer.
func post[T any](tb testing.TB, r *running, path, body string) T {
	tb.Helper()
	code, h, b := call(tb, "POST", r.base+path, body)
	if code != 200 {
		tb.Fatalf("POST %s %s: status %d: %s", path, body, code, b)
	}
	if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		tb.Errorf("POST %s: Content-Type %q", path, ct)
	}
	return decodeAs[T](tb, b)
}

func get[T any](tb testing.TB, r *running, path string) T {
	tb.Helper()
	code, _, b := call(tb, "GET", r.base+path, "")
	if code != 200 {
		tb.Fatalf("GET %s: status %d: %s", path, code, b)
	}
	return decodeAs[T](tb, b)
}

func jsonBody(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// sourceText reads a corpus file, to check offsets against.
func sourceText(tb testing.TB, file string) string {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(corpusDir(tb), file))
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// checkOffsets verifies that [start, end) of the file holds the beginning
// and the end of text (the chunker trims whitespace and repairs page
// breaks, so the span need not equal the text).
func checkOffsets(tb testing.TB, what, file string, start, end int, text string) {
	tb.Helper()
	src := sourceText(tb, file)
	if start < 0 || end > len(src) || start >= end {
		tb.Errorf("%s: bytes %d-%d outside %s (%d bytes)", what, start, end, file, len(src))
		return
	}
	span := src[start:end]
	r := []rune(text)
	head, tail := string(r[:min(6, len(r))]), string(r[max(0, len(r)-6):])
	if !strings.HasPrefix(span, head) || !strings.HasSuffix(span, tail) {
		tb.Errorf("%s: bytes %d-%d of %s are %q…, not the text %q…%q", what, start, end, file, clip(span), head, tail)
	}
}

func clip(s string) string {
	r := []rune(s)
	if len(r) > 30 {
		return string(r[:30])
	}
	return s
}

func TestSearch(t *testing.T) {
	r, ix := lexicalServer(t)
	out := post[server.SearchResponse](t, r, "/search", jsonBody(map[string]any{"query": beijingQuestion, "k": 5}))
	if out.Query != beijingQuestion || out.Mode != retrieve.Lexical || out.Collection != ix.Manifest.Name || out.TookMs < 0 {
		t.Errorf("response header fields: query %q mode %q collection %q took %v", out.Query, out.Mode, out.Collection, out.TookMs)
	}
	if len(out.Results) != 5 {
		t.Fatalf("want 5 results, got %d", len(out.Results))
	}
	beijing := false
	for i, res := range out.Results {
		if res.Rank != i+1 {
			t.Errorf("result %d has rank %d", i+1, res.Rank)
		}
		if i > 0 && res.Score > out.Results[i-1].Score {
			t.Errorf("result %d scores %v, above result %d's %v", i+1, res.Score, i, out.Results[i-1].Score)
		}
		c, ok := ix.Chunk(res.ID)
		if !ok {
			t.Fatalf("result %d: unknown chunk id %q", i+1, res.ID)
		}
		if res.File != c.File || res.Report != c.Report || res.Paragraph != c.Paragraph || res.Paragraph < 1 ||
			res.Part != c.Part || res.Text != c.Text || res.Start != c.Start || res.End != c.End ||
			res.Headings == nil || len(res.Headings) != len(c.Headings) || res.LexicalRank < 1 {
			t.Errorf("result %d does not describe its chunk:\n got %+v\nwant %+v", i+1, res, c)
		}
		checkOffsets(t, fmt.Sprintf("result %d", i+1), res.File, res.Start, res.End, res.Text)
		beijing = beijing || res.Report == "北京市政府工作报告"
	}
	if !beijing {
		t.Errorf("no chunk of 北京市政府工作报告 in the top 5 for %s", beijingQuestion)
	}
	// The question names Beijing, so the default boost reports its report.
	if len(out.Reports) == 0 {
		t.Errorf("no boosted report listed for a question naming Beijing")
	}

	// k is optional (the server's default, 5) and honoured.
	if d := post[server.SearchResponse](t, r, "/search", jsonBody(map[string]any{"query": beijingQuestion})); len(d.Results) != 5 {
		t.Errorf("default k: %d results", len(d.Results))
	}
	if d := post[server.SearchResponse](t, r, "/search", jsonBody(map[string]any{"query": beijingQuestion, "k": 12})); len(d.Results) != 12 {
		t.Errorf("k 12: %d results", len(d.Results))
	}

	// A report filter keeps only that report.
	zj := post[server.SearchResponse](t, r, "/search", jsonBody(map[string]any{"query": "数字经济", "k": 10, "reports": []string{"Zhejiang"}}))
	if len(zj.Results) == 0 {
		t.Fatal("no results in Zhejiang's report")
	}
	for _, res := range zj.Results {
		if res.Report != "浙江省政府工作报告" {
			t.Errorf("filter Zhejiang returned %s", res.Report)
		}
	}
	// report_policy off: a Beijing question is no longer tied to Beijing's
	// report, and the response lists no report.
	off := post[server.SearchResponse](t, r, "/search", jsonBody(map[string]any{"query": beijingQuestion, "report_policy": "off"}))
	if len(off.Reports) != 0 {
		t.Errorf("report_policy off still lists reports %v", off.Reports)
	}
}

// TestSearchYears: a year range restricts to the reports of those years;
// the corpus's 2026 reports carry their year in every result.
func TestSearchYears(t *testing.T) {
	r, _ := lexicalServer(t)
	out := post[server.SearchResponse](t, r, "/search", jsonBody(map[string]any{"query": beijingQuestion, "k": 5, "years": "2026"}))
	if len(out.Results) != 5 {
		t.Fatalf("want 5 results of 2026, got %d", len(out.Results))
	}
	for _, res := range out.Results {
		if res.Year != 2026 {
			t.Errorf("%s: year %d, want 2026", res.ID, res.Year)
		}
	}
}

// TestCompare: POST /compare answers one row per report, the national
// report first, with rows not found and a passage only where found.
func TestCompare(t *testing.T) {
	r, ix := lexicalServer(t)
	out := post[server.CompareResponse](t, r, "/compare", jsonBody(map[string]any{"query": "冰雪经济", "years": "2026"}))
	if out.By != "report" || len(out.Rows) == 0 || out.Rows[0].Label != "政府工作报告" || out.MinCover != retrieve.DefaultMinCover {
		t.Fatalf("by %q, %d rows, min_cover %v", out.By, len(out.Rows), out.MinCover)
	}
	found, missing := 0, 0
	for _, row := range out.Rows {
		if row.Found != (row.Result != nil) {
			t.Errorf("row %s: found %v with result %v", row.Label, row.Found, row.Result)
		}
		if row.Found {
			found++
			if _, ok := ix.Chunk(row.Result.ID); !ok {
				t.Errorf("row %s cites unknown chunk %s", row.Label, row.Result.ID)
			}
		} else {
			missing++
		}
	}
	if found == 0 || missing == 0 {
		t.Errorf("冰雪经济: %d rows found, %d not found; want some of each", found, missing)
	}
}

func TestContext(t *testing.T) {
	r, ix := lexicalServer(t)
	for _, budget := range []int{1, 150, 600, 3000} {
		p := post[server.ContextResponse](t, r, "/context", jsonBody(map[string]any{"query": "养老服务体系建设", "budget": budget}))
		if p.Budget != budget || p.Used > budget || p.Mode != retrieve.Lexical {
			t.Errorf("budget %d: pack says budget %d used %d mode %q", budget, p.Budget, p.Used, p.Mode)
		}
		if budget >= 600 && len(p.Passages) == 0 {
			t.Fatalf("budget %d: no passages", budget)
		}
		seen := map[string]bool{}
		used := 0
		done := map[string]bool{}
		last, lastEnd := "", -1
		for i, ps := range p.Passages {
			if ps.N != i+1 {
				t.Errorf("budget %d: passage %d numbered %d", budget, i+1, ps.N)
			}
			if !strings.Contains(p.Prompt, fmt.Sprintf("[%d] %s", ps.N, ps.Report)) {
				t.Errorf("budget %d: prompt lacks citation [%d] %s", budget, ps.N, ps.Report)
			}
			for _, id := range ps.IDs {
				if seen[id] {
					t.Errorf("budget %d: chunk %s packed twice", budget, id)
				}
				seen[id] = true
				c, ok := ix.Chunk(id)
				if !ok {
					t.Fatalf("unknown chunk %s", id)
				}
				used += utf8.RuneCountInString(c.Text)
				if !strings.Contains(ps.Text, c.Text) {
					t.Errorf("passage %d lacks the text of its chunk %s", ps.N, id)
				}
			}
			first, _ := ix.Chunk(ps.IDs[0])
			key := fmt.Sprintf("%s#%d", first.File, first.ReportIndex)
			if key != last {
				if done[key] {
					t.Errorf("budget %d: report %s split around another report", budget, key)
				}
				done[last] = true
				last, lastEnd = key, -1
			}
			if ps.Start <= lastEnd {
				t.Errorf("budget %d: passage %d (bytes %d-%d) out of source order", budget, ps.N, ps.Start, ps.End)
			}
			lastEnd = ps.End
			checkOffsets(t, fmt.Sprintf("passage %d", ps.N), ps.File, ps.Start, ps.End, ps.Text)
		}
		if used != p.Used {
			t.Errorf("budget %d: used %d, the packed chunks hold %d characters", budget, p.Used, used)
		}
	}
	// k means candidates when candidates is not given (a /search body sent
	// here works); candidates wins when both are.
	countIDs := func(body map[string]any) int {
		n := 0
		for _, ps := range post[server.ContextResponse](t, r, "/context", jsonBody(body)).Passages {
			n += len(ps.IDs)
		}
		return n
	}
	if n := countIDs(map[string]any{"query": "养老服务体系建设", "k": 1, "neighbours": 0, "budget": 5000}); n != 1 {
		t.Errorf("k 1 without candidates: %d chunks packed, want 1", n)
	}
	if n := countIDs(map[string]any{"query": "养老服务体系建设", "k": 1, "candidates": 3, "neighbours": 0, "budget": 5000}); n != 3 {
		t.Errorf("k 1 with candidates 3: %d chunks packed, want 3", n)
	}
	// The default budget applies when none is given.
	if p := post[server.ContextResponse](t, r, "/context", jsonBody(map[string]any{"query": "养老服务体系建设"})); p.Budget != evidence.DefaultOptions().Budget {
		t.Errorf("default budget: %d", p.Budget)
	}
}

func TestReportsHealthOpenAPI(t *testing.T) {
	r, ix := lexicalServer(t)
	reps := get[server.ReportsResponse](t, r, "/reports")
	if len(reps.Reports) < 32 || reps.Collection != ix.Manifest.Name {
		t.Errorf("want 32+ reports of %s, got %d of %s", ix.Manifest.Name, len(reps.Reports), reps.Collection)
	}
	titles := map[string]bool{}
	sum := 0
	for _, rp := range reps.Reports {
		titles[rp.Title] = true
		sum += rp.Chunks
	}
	for _, want := range []string{"北京市政府工作报告", "政府工作报告", "新疆维吾尔自治区政府工作报告"} {
		if !titles[want] {
			t.Errorf("/reports lacks %s", want)
		}
	}

	h := get[server.HealthResponse](t, r, "/healthz")
	if h.Status != "ok" || h.Collection != ix.Manifest.Name || h.Chunks != ix.Len() || h.Embedded != 0 {
		t.Errorf("healthz %+v, index has %d chunks", h, ix.Len())
	}
	if sum != h.Chunks {
		t.Errorf("reports hold %d chunks, healthz says %d", sum, h.Chunks)
	}

	code, hdr, b := call(t, "GET", r.base+"/openapi.json", "")
	if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "application/json") {
		t.Fatalf("openapi: %d %s", code, hdr.Get("Content-Type"))
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi version %q", doc.OpenAPI)
	}
	for _, p := range []string{"/search", "/context", "/reports", "/report", "/healthz", "/openapi.json"} {
		if doc.Paths[p] == nil {
			t.Errorf("openapi.json does not list %s", p)
		}
	}
	// Every documented operation exists: it answers neither 404 nor 405.
	for p, ops := range doc.Paths {
		for method := range ops {
			body := ""
			if method == "post" {
				body = `{"query":"稳增长"}`
			}
			if p == "/report" { // its id is required
				p += "?id=" + url.QueryEscape(ix.IDsOf(ix.Reports()[0].File)[0])
			}
			if code, _, b := call(t, strings.ToUpper(method), r.base+p, body); code != 200 {
				t.Errorf("documented %s %s answers %d: %s", method, p, code, b)
			}
		}
	}
}

func TestErrors(t *testing.T) {
	r, _ := tinyServer(t)
	long := strings.Repeat("稳", server.MaxQueryRunes+1)
	huge := `{"query":"` + strings.Repeat("a", server.MaxBodyBytes+10) + `"}`
	cases := []struct {
		name, method, path, body string
		status                   int
		field                    string
	}{
		{"bad JSON", "POST", "/search", `{"query":`, 400, ""},
		{"not an object", "POST", "/search", `["稳增长"]`, 400, ""},
		{"unknown field", "POST", "/search", `{"query":"稳增长","top_k":3}`, 400, ""},
		{"two values", "POST", "/search", `{"query":"稳增长"}{"query":"稳增长"}`, 400, ""},
		{"k 0", "POST", "/search", `{"query":"稳增长","k":0}`, 400, "k"},
		{"k 101", "POST", "/search", `{"query":"稳增长","k":101}`, 400, "k"},
		{"k negative", "POST", "/search", `{"query":"稳增长","k":-1}`, 400, "k"},
		{"k a string", "POST", "/search", `{"query":"稳增长","k":"5"}`, 400, ""},
		{"no query", "POST", "/search", `{}`, 400, "query"},
		{"empty query", "POST", "/search", `{"query":""}`, 400, "query"},
		{"whitespace query", "POST", "/search", `{"query":" \t\n\r "}`, 400, "query"},
		{"ideographic space query", "POST", "/search", `{"query":"\u3000\u3000"}`, 400, "query"},
		{"query of 1001 characters", "POST", "/search", jsonBody(map[string]string{"query": long}), 400, "query"},
		{"body over 64 KiB", "POST", "/search", huge, 413, ""},
		{"bad mode", "POST", "/search", `{"query":"稳增长","mode":"semantic"}`, 400, "mode"},
		{"bad report_policy", "POST", "/search", `{"query":"稳增长","report_policy":"only"}`, 400, "report_policy"},
		{"unknown report", "POST", "/search", `{"query":"稳增长","reports":["火星"]}`, 400, ""},
		{"years not a year", "POST", "/search", `{"query":"稳增长","years":"19"}`, 400, "years"},
		{"years reversed", "POST", "/search", `{"query":"稳增长","years":"2019-2010"}`, 400, "years"},
		{"years with spaces", "POST", "/search", `{"query":"稳增长","years":" 2019"}`, 400, "years"},
		{"years a number", "POST", "/search", `{"query":"稳增长","years":2019}`, 400, ""},
		{"no report of those years", "POST", "/search", `{"query":"稳增长","years":"2000-2005"}`, 400, ""},
		{"dense without a model", "POST", "/search", `{"query":"稳增长","mode":"dense"}`, 503, ""},
		{"GET /search", "GET", "/search", "", 405, ""},
		{"PUT /context", "PUT", "/context", `{"query":"稳增长"}`, 405, ""},
		{"POST /reports", "POST", "/reports", "", 405, ""},
		{"DELETE /healthz", "DELETE", "/healthz", "", 405, ""},
		{"unknown path", "GET", "/v2/search", "", 404, ""},
		{"context budget 0", "POST", "/context", `{"query":"稳增长","budget":0}`, 400, "budget"},
		{"context budget over max", "POST", "/context", fmt.Sprintf(`{"query":"稳增长","budget":%d}`, server.MaxBudget+1), 400, "budget"},
		{"context candidates 0", "POST", "/context", `{"query":"稳增长","candidates":0}`, 400, "candidates"},
		{"context neighbours 6", "POST", "/context", `{"query":"稳增长","neighbours":6}`, 400, "neighbours"},
		{"context k 101", "POST", "/context", `{"query":"稳增长","k":101}`, 400, "k"},
		{"context empty query", "POST", "/context", `{"query":"  "}`, 400, "query"},
		{"context unknown field", "POST", "/context", `{"query":"稳增长","tokens":100}`, 400, ""},
		{"context unknown report", "POST", "/context", `{"query":"稳增长","reports":["Atlantis"]}`, 400, ""},
		{"compare unknown report", "POST", "/compare", `{"query":"稳增长","reports":["Atlantis"]}`, 400, ""},
		{"context body over 64 KiB", "POST", "/context", huge, 413, ""},
		// Issue 17, item 12: each of these answered 200.
		{"query of NULs", "POST", "/search", `{"query":"\u0000\u0000"}`, 400, "query"},
		{"invalid UTF-8 in the query", "POST", "/search", "{\"query\":\"\xff稳增长\"}", 400, "query"},
		{"invalid UTF-8 in reports", "POST", "/search", "{\"query\":\"稳增长\",\"reports\":[\"\xc0\"]}", 400, "reports"},
		{"QUERY", "POST", "/search", `{"QUERY":"稳增长"}`, 400, ""},
		{"mode DENSE", "POST", "/search", `{"query":"稳增长","mode":"DENSE"}`, 400, "mode"},
		{"k null", "POST", "/search", `{"query":"稳增长","k":null}`, 400, "k"},
		{"64 KiB of white space after the body", "POST", "/search", `{"query":"稳增长"}` + strings.Repeat(" ", 64<<10), 413, ""},
		{"1 KiB of white space after the body", "POST", "/search", `{"query":"稳增长"}` + strings.Repeat("\n", 1<<10), 400, ""},
		{"double slash", "POST", "//search", `{"query":"稳增长"}`, 404, ""},
		{"dot dot", "GET", "/../../etc/passwd", "", 404, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, h, b := call(t, c.method, r.base+c.path, c.body)
			if code != c.status {
				t.Fatalf("status %d, want %d: %s", code, c.status, b)
			}
			var e server.ErrorResponse
			if err := json.Unmarshal(b, &e); err != nil || e.Error == "" {
				t.Fatalf("error body is not {\"error\": ...}: %s", b)
			}
			if e.Field != c.field {
				t.Errorf("field %q, want %q (%s)", e.Field, c.field, e.Error)
			}
			// HTTP clients are not told to run CLI commands.
			if namesCommand(e.Error) {
				t.Errorf("error body tells an HTTP client to run a command: %s", e.Error)
			}
			// An unknown report is answered with where an HTTP client
			// finds the report names.
			if strings.Contains(c.name, "unknown report") && !strings.Contains(e.Error, "GET /reports") {
				t.Errorf("unknown report: %s, want a pointer to GET /reports", e.Error)
			}
			if !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
				t.Errorf("Content-Type %q", h.Get("Content-Type"))
			}
			if code == 405 && h.Get("Allow") == "" {
				t.Error("405 without an Allow header")
			}
		})
	}
	// The limits themselves are accepted.
	atMax := jsonBody(map[string]any{"query": strings.Repeat("稳", server.MaxQueryRunes), "k": server.MaxK})
	if res := post[server.SearchResponse](t, r, "/search", atMax); len(res.Results) != server.MaxK {
		t.Errorf("query of %d characters with k %d: %d results", server.MaxQueryRunes, server.MaxK, len(res.Results))
	}
	post[server.ContextResponse](t, r, "/context", `{"query":"稳增长","budget":100000,"candidates":100,"neighbours":0}`)
}

// syncBuffer collects the server's log from its goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls cond every 10ms, for at most a minute (a bound against a
// hang, not a speed requirement).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for i := 0; i < 6000; i++ {
		if cond() {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("gave up waiting for %s", what)
}

func TestReloadWhileServing(t *testing.T) {
	corpus := corpusDir(t)
	dir := filepath.Join(t.TempDir(), "coll")
	small := filepath.Join(corpus, "003_fc0e754ba3f6118e.txt")
	others := []string{filepath.Join(corpus, "000_1825c3e880b2744e.txt"), filepath.Join(corpus, "002_55415b41b0362449.txt"), small}
	big := buildCollection(t, dir, nil, embed.ModelInfo{}, true, others...)

	var log syncBuffer
	var loads atomic.Int32
	r := serve(t, server.Config{
		Load: func(ctx context.Context) (*retrieve.Index, error) {
			loads.Add(1)
			return retrieve.Open(ctx, dir, nil)
		},
		Watch: filepath.Join(dir, store.SnapshotName),
		Poll:  10 * time.Millisecond,
		Log:   &log,
	}, nil)
	chunks := func() int { return get[server.HealthResponse](t, r, "/healthz").Chunks }
	if n := chunks(); n != big.Chunks {
		t.Fatalf("healthz says %d chunks, the index run wrote %d", n, big.Chunks)
	}

	// Clients search without pause while the snapshot is replaced under
	// the server, twice, then once with a damaged file. Every request must
	// succeed, from one whole index or the other.
	var (
		stop     atomic.Bool
		wg       sync.WaitGroup
		sent     atomic.Int64
		failures = make(chan string, 16)
	)
	const clients, maxPerClient = 4, 3000
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < maxPerClient && !stop.Load(); i++ {
				path, body := "/search", `{"query":"稳增长挑大梁","k":10}`
				if i%2 == 1 {
					path, body = "/context", `{"query":"稳增长挑大梁","budget":800}`
				}
				resp, err := client.Post(r.base+path, "application/json", strings.NewReader(body))
				if err != nil {
					select {
					case failures <- err.Error():
					default:
					}
					continue
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				sent.Add(1)
				if resp.StatusCode != 200 || !json.Valid(b) {
					select {
					case failures <- fmt.Sprintf("%s: %d %s", path, resp.StatusCode, b):
					default:
					}
				}
			}
		}()
	}
	waitFor(t, "the first requests", func() bool { return sent.Load() >= clients })

	// Replace: only one file now.
	one := buildCollection(t, dir, nil, embed.ModelInfo{}, true, small)
	if one.Chunks == big.Chunks {
		t.Fatalf("the two file sets give the same chunk count %d", one.Chunks)
	}
	waitFor(t, "the reload to one file", func() bool { return chunks() == one.Chunks })
	before := sent.Load()
	waitFor(t, "requests on the new index", func() bool { return sent.Load() >= before+clients })

	// And back.
	buildCollection(t, dir, nil, embed.ModelInfo{}, true, others...)
	waitFor(t, "the reload to three files", func() bool { return chunks() == big.Chunks })

	// A damaged snapshot (renamed into place, as a copy from elsewhere
	// would be) is refused and the loaded index kept.
	snap := filepath.Join(dir, store.SnapshotName)
	data, err := os.ReadFile(snap)
	if err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(dir, "damaged.tmp")
	if err := os.WriteFile(tmp, data[:len(data)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, snap); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the damaged snapshot to be noticed", func() bool { return strings.Contains(log.String(), "reload failed") })
	before = sent.Load()
	waitFor(t, "requests after the damaged snapshot", func() bool { return sent.Load() >= before+clients })
	if n := chunks(); n != big.Chunks {
		t.Errorf("after a damaged snapshot healthz says %d chunks, want the loaded %d", n, big.Chunks)
	}

	stop.Store(true)
	wg.Wait()
	close(failures)
	for f := range failures {
		t.Errorf("request failed during reloads: %s", f)
	}
	if got := loads.Load(); got < 3 {
		t.Errorf("Load called %d times, want the start and two reloads", got)
	}
	t.Logf("%d requests across 2 reloads and a refused snapshot; log:\n%s", sent.Load(), log.String())
}

// watchListener tells when the server, having been given the first `sent`
// bytes of a connection, asks for more, and when it closes the listener
// (the start of Shutdown). Asking for more after every header byte arrived
// means the handler is running and reading the body: net/http drops a
// request whose headers it finishes reading after shutdown began, so the
// first read alone is too early a signal.
type watchListener struct {
	net.Listener
	sent              int
	wantsMore, closed chan struct{}
	once, close1      sync.Once
}

func (l *watchListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &watchConn{Conn: c, l: l}, nil
}

func (l *watchListener) Close() error {
	l.close1.Do(func() { close(l.closed) })
	return l.Listener.Close()
}

type watchConn struct {
	net.Conn
	l    *watchListener
	read int // bytes handed to the server so far (one goroutine reads a conn)
}

func (c *watchConn) Read(p []byte) (int, error) {
	if c.read >= c.l.sent {
		c.l.once.Do(func() { close(c.l.wantsMore) })
	}
	n, err := c.Conn.Read(p)
	c.read += n
	return n, err
}

func TestGracefulShutdown(t *testing.T) {
	_, ix := tinyIndex(t)
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	// A request whose body arrives in two halves: the server is inside the
	// handler, reading, when shutdown begins.
	addr := inner.Addr().String()
	body := jsonBody(map[string]any{"query": beijingQuestion, "k": 3})
	half := len(body) / 2
	first := fmt.Sprintf("POST /search HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", addr, len(body), body[:half])
	l := &watchListener{Listener: inner, sent: len(first), wantsMore: make(chan struct{}), closed: make(chan struct{})}
	r := serve(t, server.Config{Load: func(context.Context) (*retrieve.Index, error) { return ix, nil }}, l)
	conn, err := net.Dial("tcp", r.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, first); err != nil {
		t.Fatal(err)
	}
	<-l.wantsMore
	r.stop()
	<-l.closed
	select {
	case err := <-r.done:
		r.done <- err
		t.Fatalf("Serve returned (%v) with a request in flight", err)
	default:
	}
	if _, err := io.WriteString(conn, body[half:]); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("the request in flight got no answer: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("the request in flight answered %d: %s", resp.StatusCode, b)
	}
	if out := decodeAs[server.SearchResponse](t, b); len(out.Results) != 3 {
		t.Errorf("the request in flight got %d results", len(out.Results))
	}
	select {
	case err := <-r.done:
		if err != nil {
			t.Errorf("Serve returned %v after a graceful shutdown, want nil", err)
		}
		r.done <- err
	case <-time.After(60 * time.Second):
		t.Fatal("Serve did not return after its last request finished")
	}
	if c, err := net.Dial("tcp", r.addr); err == nil {
		c.Close()
		t.Error("the server still accepts connections after shutdown")
	}
}

// The hybrid collection: two small files embedded with the fixture model
// through the real Ollama server named by REPORTSEARCH_TEST_OLLAMA.
func TestHybrid(t *testing.T) {
	host := testenv.Ollama(t)
	corpus := corpusDir(t)
	ctx := context.Background()
	emb, err := embed.NewOllama(host, "zh-charbag-256", embed.DefaultOllamaOptions())
	if err != nil {
		t.Fatal(err)
	}
	info, err := emb.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "dense")
	st := buildCollection(t, dir, emb, info, false, filepath.Join(corpus, "001_5477da2e9dc24219.txt"), filepath.Join(corpus, "003_fc0e754ba3f6118e.txt"))
	if st.Pending != 0 || st.Embedded != st.Chunks {
		t.Fatalf("index run left chunks unembedded: %+v", st)
	}
	r := serve(t, server.Config{
		Load:  func(ctx context.Context) (*retrieve.Index, error) { return retrieve.Open(ctx, dir, emb) },
		Watch: filepath.Join(dir, store.SnapshotName),
	}, nil)

	h := get[server.HealthResponse](t, r, "/healthz")
	if h.Model != info.Name || h.Embedded != st.Chunks || h.Chunks != st.Chunks {
		t.Errorf("healthz %+v, want model %s and %d chunks embedded", h, info.Name, st.Chunks)
	}
	q := "担当好稳增长挑大梁的责任实施方案的工作目标"
	for _, mode := range []string{"", "hybrid", "dense", "lexical"} {
		body := map[string]any{"query": q, "k": 5}
		if mode != "" { // "" is not among the modes; leaving it out means auto
			body["mode"] = mode
		}
		out := post[server.SearchResponse](t, r, "/search", jsonBody(body))
		want := retrieve.Mode(mode)
		if mode == "" {
			want = retrieve.Hybrid // auto with vectors and a model
		}
		if out.Mode != want || out.Notice != "" || len(out.Results) != 5 {
			t.Fatalf("mode %q: answered mode %q, notice %q, %d results", mode, out.Mode, out.Notice, len(out.Results))
		}
		dense, lex := 0, 0
		for _, res := range out.Results {
			if res.DenseRank > 0 {
				dense++
			}
			if res.LexicalRank > 0 {
				lex++
			}
		}
		switch want {
		case retrieve.Hybrid:
			if dense == 0 || lex == 0 {
				t.Errorf("hybrid results carry %d dense and %d lexical ranks", dense, lex)
			}
		case retrieve.Dense:
			if dense != 5 || lex != 0 {
				t.Errorf("dense results carry %d dense and %d lexical ranks", dense, lex)
			}
		}
		if out.Results[0].File != "003_fc0e754ba3f6118e.txt" {
			t.Errorf("mode %q: top result from %s, want the implementation plan", mode, out.Results[0].File)
		}
	}
	p := post[server.ContextResponse](t, r, "/context", jsonBody(map[string]any{"query": q, "budget": 500}))
	if p.Mode != retrieve.Hybrid || len(p.Passages) == 0 || p.Used > 500 {
		t.Errorf("hybrid context: mode %q, %d passages, used %d", p.Mode, len(p.Passages), p.Used)
	}
}

// namesCommand says whether a text meant for an HTTP client tells it to run
// a command of the command line or a script (the library errors carry no
// such advice; cmd/reportsearch adds it for its own user).
func namesCommand(s string) bool {
	for _, cli := range []string{"reportsearch ", "--", "`", "scripts/", "ollama serve"} {
		if strings.Contains(s, cli) {
			return true
		}
	}
	return false
}

// With Ollama down, a dense search answers 503 saying the embedding server
// cannot be reached, and a hybrid one falls back to lexical with a notice;
// neither tells the HTTP client to run a command.
func TestOllamaDownNamesNoCommand(t *testing.T) {
	src := filepath.Join(t.TempDir(), "a.txt")
	text := "北京市2024年政府工作报告\n\n坚持稳中求进，推动经济持续回升向好，全年地区生产总值增长百分之五左右。\n\n城镇新增就业二十万人，居民收入增长与经济增长同步。\n"
	if err := os.WriteFile(src, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "dense")
	emb := fakeembed.New("fake-model", 8)
	buildCollection(t, dir, emb, emb.Model, false, src)
	s := collectionAt(dir)
	s.Host = "127.0.0.1:1" // nothing listens on port 1
	ix, err := collection.OpenDir(context.Background(), s, dir)
	if err != nil {
		t.Fatal(err)
	}
	r := serve(t, server.Config{Load: func(context.Context) (*retrieve.Index, error) { return ix, nil }}, nil)

	code, _, b := call(t, "POST", r.base+"/search", `{"query":"经济增长","mode":"dense"}`)
	var e server.ErrorResponse
	if code != 503 || json.Unmarshal(b, &e) != nil || !strings.Contains(e.Error, "cannot reach Ollama") || namesCommand(e.Error) {
		t.Errorf("dense search with Ollama down: %d %s; want 503 saying Ollama cannot be reached, naming no command", code, b)
	}
	res := post[server.SearchResponse](t, r, "/search", `{"query":"经济增长"}`)
	if !strings.Contains(res.Notice, "cannot reach Ollama") || namesCommand(res.Notice) {
		t.Errorf("hybrid search with Ollama down: notice %q; want the fallback said, naming no command", res.Notice)
	}
}
