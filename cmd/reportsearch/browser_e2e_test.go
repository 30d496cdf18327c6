package main

// The analysts' page (package web) in a real headless Chromium, driven with
// chromedp, against the real binary's `serve` over a lexical collection of
// the corpus plus a planted hostile report. Skipped without chromium unless
// REPORTSEARCH_REQUIRE_BROWSER is set (see testenv.Chromium).

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/reportsearch/reportsearch/internal/testenv"
	"github.com/reportsearch/reportsearch/web"
)

// hostileReport is a report whose text holds markup: the page must show it
// as text and never run it.
const hostileReport = `测试市2026年政府工作报告

一、过去一年工作回顾

注入检验段落：<script>window.__pwned=1</script>与<img src=x onerror="window.__pwned=2">都只是文字，低空经济照常发展。

二、2026年重点工作

推进低空经济和<b>养老服务</b>，标记不应生效。
`

// pageServer indexes the corpus and the hostile report (lexical only, no
// Ollama) and runs `reportsearch serve` on a free loopback port; it returns
// the base URL.
func pageServer(t *testing.T, host string, args ...string) string {
	t.Helper()
	docs := t.TempDir()
	if err := os.WriteFile(filepath.Join(docs, "hostile.txt"), []byte(hostileReport), 0o644); err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	if r := rs(t, data, host, append(args, "index", filepath.Join(testenv.Shared(t), "corpus"), docs)...); r.code != 0 {
		t.Fatalf("index: exit %d: %s", r.code, r.stderr)
	}
	return startServe(t, data, host, args...)
}

var servingRE = regexp.MustCompile(`on http://(\S+)`)

// startServe runs `serve` on 127.0.0.1:0 and reads the bound address from
// the line it prints; the process is stopped when the test ends.
func startServe(tb testing.TB, data, host string, args ...string) string {
	tb.Helper()
	cmd := exec.Command(binPathFor(tb), append(args, "serve", "--addr", "127.0.0.1:0")...)
	cmd.Env = append(os.Environ(), "REPORTSEARCH_DATA="+data, "OLLAMA_HOST="+host, "REPORTSEARCH_MODEL=", "REPORTSEARCH_COLLECTION=")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := servingRE.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case addr <- m[1]:
				default:
				}
			}
		}
	}()
	select {
	case a := <-addr:
		return "http://" + a
	case <-time.After(60 * time.Second):
		tb.Fatal("serve did not say where it listens within a minute")
	}
	return ""
}

// binPathFor is binary() for benchmarks too.
func binPathFor(tb testing.TB) string {
	if t, ok := tb.(*testing.T); ok {
		return binary(t)
	}
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "reportsearch-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "reportsearch")
		if out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		tb.Fatal(binErr)
	}
	return binPath
}

// errList collects errors from the browser's event goroutine.
type errList struct {
	mu   sync.Mutex
	errs []string
}

func (l *errList) add(s string) { l.mu.Lock(); l.errs = append(l.errs, s); l.mu.Unlock() }
func (l *errList) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.errs)
}

// browser starts headless Chromium with the given window size; errors in
// the page's scripts are collected into *jsErrors.
func browser(tb testing.TB, width, height int, jsErrors *errList, limit time.Duration) context.Context {
	tb.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(testenv.Chromium(tb)),
		chromedp.WindowSize(width, height),
		chromedp.Flag("lang", "zh-CN"),
	)
	if os.Geteuid() == 0 {
		// Chromium refuses to start as root with its sandbox on.
		opts = append(opts, chromedp.NoSandbox)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	var copts []chromedp.ContextOption
	if jsErrors != nil {
		copts = append(copts, chromedp.WithListener(func(ev any) {
			if e, ok := ev.(*runtime.EventExceptionThrown); ok {
				jsErrors.add(fmt.Sprintf("%s (line %d)", e.ExceptionDetails.Text, e.ExceptionDetails.LineNumber))
			}
		}))
	}
	ctx, cancel := chromedp.NewContext(actx, copts...)
	// Everything the browser does in one test is bounded.
	ctx, cancelTimeout := context.WithTimeout(ctx, limit)
	tb.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		tb.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func jsEval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluating %s: %v", js, err)
	}
	return v
}

// waitJS waits until the expression is truthy (20 s at most).
func waitJS(t *testing.T, ctx context.Context, what, js string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var err error
	for {
		_, err = chromedp.Run(ctx, chromedp.Poll[chromedp.Void](js, chromedp.WithPollingTimeout(time.Until(deadline))))
		// Right after a navigation the poll can be sent to the old
		// document's context, which is gone: poll again in the new one.
		if err == nil || !strings.Contains(err.Error(), "Cannot find context") || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		body, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#status").textContent + " | " + location.href`))
		t.Fatalf("waiting for %s: %v (page: %s)", what, err, body)
	}
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	b, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	p := filepath.Join(testenv.ArtefactDir(t, "screenshots"), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", p)
}

// The page in a real browser: search in Chinese and English with
// highlights, keyboard, the reading view at the right paragraph, a copied
// link opening the same place, the evidence pack, hostile markup shown as
// text and never run, the security headers, screenshots.
func TestPageInBrowser(t *testing.T) {
	chromiumPath := testenv.Chromium(t)
	t.Logf("chromium: %s", chromiumPath)
	base := pageServer(t, deadOllama)

	// The page and its assets carry the policy; the API stays JSON.
	for _, p := range []string{"/", "/assets/app.js", "/assets/app.css"} {
		resp, err := http.Get(base + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Security-Policy") != web.CSP || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: %d, CSP %q, nosniff %q", p, resp.StatusCode, resp.Header.Get("Content-Security-Policy"), resp.Header.Get("X-Content-Type-Options"))
		}
	}

	var jsErrors errList
	ctx := browser(t, 1280, 800, &jsErrors, 3*time.Minute)
	do(t, ctx, "load the page", chromedp.EmulateViewport(1280, 800), chromedp.Navigate(base+"/"), chromedp.WaitVisible("#q"))
	waitJS(t, ctx, "the report list", `document.querySelectorAll("#report option").length > 5`)

	// "/" focuses the search box from anywhere on the page.
	jsEval[chromedp.Void](t, ctx, `document.activeElement.blur()`)
	do(t, ctx, "press /", chromedp.KeyEvent("/"))
	if id := jsEval[string](t, ctx, `document.activeElement.id`); id != "q" {
		t.Errorf("after /, focus is on %q, want the search box", id)
	}
	// CDP sends the key's character separately, so it lands in the box
	// even though the page cancelled the key; a person's "/" does not.
	jsEval[chromedp.Void](t, ctx, `document.querySelector("#q").value = ""`)

	// A Chinese question, typed, Enter: cards with the matched words marked.
	do(t, ctx, "type a Chinese question", chromedp.SendKeys("#q", "低空经济"), chromedp.KeyEvent(kb.Enter))
	waitJS(t, ctx, "Chinese results", `document.body.dataset.ready === "search" && document.querySelectorAll("#results .card").length > 0`)
	marks := jsEval[[]string](t, ctx, `[...document.querySelectorAll("#results .card:first-child mark")].map(m => m.textContent)`)
	if !slices.ContainsFunc(marks, func(m string) bool { return strings.Contains("低空经济", m) && m != "" }) {
		t.Errorf("first card's highlights = %q, want parts of 低空经济", marks)
	}
	if c := jsEval[string](t, ctx, `document.querySelector("#results .card .cite").textContent`); !strings.Contains(c, "¶") {
		t.Errorf("card citation = %q, want report › headings, ¶N, file:line", c)
	}
	screenshot(t, ctx, "search-desktop.png")

	// Arrows move between the cards; Enter opens the focused one.
	do(t, ctx, "arrow down twice", chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.ArrowDown))
	second := jsEval[string](t, ctx, `document.querySelectorAll("#results .card")[1].dataset.id`)
	if got := jsEval[string](t, ctx, `document.activeElement.dataset.id || document.activeElement.id`); got != second {
		t.Fatalf("after two arrows down, focus is on %q, want the second card %q", got, second)
	}
	do(t, ctx, "Enter on a card", chromedp.KeyEvent(kb.Enter))
	waitJS(t, ctx, "the reading view", `document.body.dataset.ready === "read" && document.querySelector("#doc .para.target")`)
	if got := jsEval[string](t, ctx, `document.querySelector("#doc .para.target").dataset.id`); got != second {
		t.Errorf("reading view marks %q, want the opened result %q", got, second)
	}
	// Scrolled to it: the passage is on screen.
	if !jsEval[bool](t, ctx, `(() => { const r = document.querySelector("#doc .para.target").getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; })()`) {
		t.Error("the passage is not scrolled into view")
	}
	if n := jsEval[int](t, ctx, `document.querySelectorAll("#outline li").length`); n == 0 {
		t.Error("no outline beside the report")
	}
	if bc, title := jsEval[string](t, ctx, `document.querySelector("#breadcrumb").textContent`), jsEval[string](t, ctx, `document.querySelector(".readhead .title").textContent`); title == "" || !strings.HasPrefix(bc, title) {
		t.Errorf("breadcrumb = %q, want it to start with the report %q", bc, title)
	}
	if n := jsEval[int](t, ctx, `document.querySelectorAll("#doc .para.target mark").length`); n == 0 {
		t.Error("the read passage does not show the search's highlights")
	}
	screenshot(t, ctx, "read-desktop.png")

	// Next paragraph moves the mark and the link to the following chunk.
	ids := jsEval[[]string](t, ctx, `[...document.querySelectorAll("#doc .para")].map(p => p.dataset.id)`)
	i := slices.Index(ids, second)
	if i < 0 || i+1 >= len(ids) {
		t.Fatalf("opened chunk %q at %d of %d paragraphs", second, i, len(ids))
	}
	do(t, ctx, "next paragraph", chromedp.Click("#next"))
	waitJS(t, ctx, "the next paragraph", fmt.Sprintf(`document.querySelector("#doc .para.target").dataset.id === %q`, ids[i+1]))
	do(t, ctx, "arrow left (previous)", chromedp.KeyEvent(kb.ArrowLeft))
	waitJS(t, ctx, "the previous paragraph", fmt.Sprintf(`document.querySelector("#doc .para.target").dataset.id === %q`, second))

	// The copied link opens exactly this place in a fresh page.
	do(t, ctx, "copy link", chromedp.Click("#copy-link"))
	waitJS(t, ctx, "the copied link", `document.body.dataset.copied`)
	link := jsEval[string](t, ctx, `document.body.dataset.copied`)
	if !strings.HasPrefix(link, base+"/#/read/") {
		t.Fatalf("copied link = %q, want %s/#/read/<id>", link, base)
	}
	do(t, ctx, "follow the copied link", chromedp.Navigate("about:blank"), chromedp.Navigate(link))
	waitJS(t, ctx, "the linked paragraph", fmt.Sprintf(`document.body.dataset.ready === "read" && document.querySelector("#doc .para.target").dataset.id === %q`, second))

	// An English question: the lexical side matches its Chinese translation.
	do(t, ctx, "back to search", chromedp.Navigate(base+"/"), chromedp.WaitVisible("#q"))
	do(t, ctx, "type an English question", chromedp.SendKeys("#q", "elderly care services"), chromedp.KeyEvent(kb.Enter))
	waitJS(t, ctx, "English results", `document.body.dataset.ready === "search" && document.querySelectorAll("#results .card").length > 0`)
	if n := jsEval[int](t, ctx, `[...document.querySelectorAll("#results mark")].filter(m => /[\u4e00-\u9fff]/.test(m.textContent)).length`); n == 0 {
		t.Error("an English question's results show no Chinese highlights")
	}

	// The hostile report: its markup is text, in the cards and the reader.
	do(t, ctx, "search the hostile report", chromedp.Navigate(base+"/#/search?q="+"注入检验段落&mode=lexical"))
	waitJS(t, ctx, "the hostile card", `document.body.dataset.ready === "search" && [...document.querySelectorAll("#results .card")].some(c => c.textContent.includes("<script>"))`)
	checkNotRun := func(where string) {
		t.Helper()
		if v := jsEval[string](t, ctx, `typeof window.__pwned`); v != "undefined" {
			t.Errorf("%s: injected markup ran (window.__pwned is %s)", where, v)
		}
		if n := jsEval[int](t, ctx, `document.querySelectorAll("main script, main img, main b").length`); n != 0 {
			t.Errorf("%s: %d elements made from corpus markup", where, n)
		}
	}
	checkNotRun("results")
	if !jsEval[bool](t, ctx, `[...document.querySelectorAll("#results .text")].some(p => p.textContent.includes('<img src=x onerror="window.__pwned=2">'))`) {
		t.Error("the hostile passage does not show its markup as text")
	}
	do(t, ctx, "open the hostile report", chromedp.Click(`#results .card a.open`))
	waitJS(t, ctx, "the hostile report", `document.body.dataset.ready === "read"`)
	checkNotRun("reader")
	if !jsEval[bool](t, ctx, `document.querySelector("#doc").textContent.includes("<script>window.__pwned=1</script>")`) {
		t.Error("the reader does not show the hostile markup as text")
	}

	// The report and year filters.
	do(t, ctx, "report filter", chromedp.Navigate(base+"/#/search?q=低空经济&report="+url.QueryEscape("hostile.txt#0")))
	waitJS(t, ctx, "filtered results", `document.body.dataset.ready === "search" && document.querySelectorAll("#results .card").length > 0`)
	if bad := jsEval[[]string](t, ctx, `[...document.querySelectorAll("#results .card")].map(c => c.dataset.id).filter(id => !id.startsWith("hostile.txt#0."))`); len(bad) > 0 {
		t.Errorf("report filter hostile.txt#0 let through %q", bad)
	}
	if v := jsEval[string](t, ctx, `document.querySelector("#report").value`); v != "hostile.txt#0" {
		t.Errorf("report selector shows %q", v)
	}
	do(t, ctx, "year filter", chromedp.Navigate("about:blank"), chromedp.Navigate(base+"/#/search?q=低空经济&year=2026"))
	waitJS(t, ctx, "year results", `document.body.dataset.ready === "search" && document.querySelectorAll("#results .card").length > 0`)
	if bad := jsEval[[]string](t, ctx, `[...document.querySelectorAll("#results .card .report")].map(r => r.textContent).filter(t => !t.includes("2026"))`); len(bad) > 0 {
		t.Errorf("year filter 2026 let through %q", bad)
	}

	// The evidence pack and its copy button.
	do(t, ctx, "evidence pack", chromedp.Navigate(base+"/#/context?q=养老服务&mode=lexical"))
	waitJS(t, ctx, "the evidence pack", `document.body.dataset.ready === "context" && document.querySelectorAll(".passage").length > 0`)
	screenshot(t, ctx, "context-desktop.png")
	do(t, ctx, "copy for a prompt", chromedp.Click("#copy-prompt"))
	waitJS(t, ctx, "the copied prompt", `document.body.dataset.copied`)
	if got, want := jsEval[string](t, ctx, `document.body.dataset.copied`), jsEval[string](t, ctx, `document.querySelector("#prompt").textContent`); got == "" || got != want {
		t.Errorf("copied %.80q, want the prompt %.80q", got, want)
	}

	// Phone width: no sideways scrolling, results readable.
	do(t, ctx, "phone width", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		chromedp.Navigate(base+"/#/search?q=养老服务&mode=lexical"))
	waitJS(t, ctx, "phone results", `document.body.dataset.ready === "search" && document.querySelectorAll("#results .card").length > 0`)
	// A link to a search shows its question in the box.
	if q := jsEval[string](t, ctx, `document.querySelector("#q").value`); q != "养老服务" {
		t.Errorf("search box holds %q after loading a search link, want 养老服务", q)
	}
	if w := jsEval[int](t, ctx, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("at 390 px wide the page is %d px wide", w)
	}
	screenshot(t, ctx, "search-phone.png")
	first := jsEval[string](t, ctx, `document.querySelector("#results .card").dataset.id`)
	do(t, ctx, "phone reader", chromedp.Click("#results .card a.open"))
	waitJS(t, ctx, "phone reader", fmt.Sprintf(`document.body.dataset.ready === "read" && document.querySelector("#doc .para.target").dataset.id === %q`, first))
	screenshot(t, ctx, "read-phone.png")

	if errs := jsErrors.all(); len(errs) > 0 {
		t.Errorf("errors in the page's scripts: %q", errs)
	}
}

// benchQueries rotate over the loads, so no answer is the previous one's.
var benchQueries = []string{"低空经济", "养老服务", "新质生产力", "城市更新", "就业优先", "粮食安全", "科技创新", "营商环境", "乡村振兴", "生态环境保护"}

// BenchmarkPageFirstResults is the time from starting to load the page to
// its first results on screen (the page's "results" performance mark, which
// counts from navigation start), in a real headless Chromium against the
// real `serve`, one fresh load per iteration (from about:blank, with the
// browser's cache as a returning analyst has it). p50 and p95 are over the
// iterations: run with -benchtime=50x. Also reported: the page's weight
// (HTML + JS + CSS bytes) and the requests one load makes. hybrid needs the
// fixture model (REPORTSEARCH_TEST_OLLAMA) and is skipped without it.
func BenchmarkPageFirstResults(b *testing.B) {
	parent := b
	corpus := filepath.Join(testenv.Shared(b), "corpus")
	for _, mode := range []string{"lexical", "hybrid"} {
		// The collection and the server are the parent's, made once: b.Run
		// calls its function more than once (b.N = 1 first).
		host, args := deadOllama, []string{}
		if mode == "hybrid" {
			if host = testenv.OllamaIfAny(); host == "" {
				b.Run(mode, func(b *testing.B) { b.Skip("hybrid needs the fixture model: set REPORTSEARCH_TEST_OLLAMA") })
				continue
			}
			args = []string{"--model", fixtureModel}
		}
		var base string
		b.Run(mode, func(b *testing.B) {
			if base == "" {
				// The parent's: a sub-benchmark's cleanups run after each of
				// its calls.
				data := parent.TempDir()
				cmd := exec.Command(binPathFor(parent), append(args, "index", corpus)...)
				cmd.Env = append(os.Environ(), "REPORTSEARCH_DATA="+data, "OLLAMA_HOST="+host, "REPORTSEARCH_MODEL=", "REPORTSEARCH_COLLECTION=")
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("index: %v\n%s", err, out)
				}
				base = startServe(parent, data, host, args...)
			}
			// A slow model (hybrid on a busy Ollama) makes loads slow, not
			// wrong: only each load's wait is bounded tightly.
			ctx := browser(b, 1280, 800, nil, time.Hour)
			var firstRequests int
			times := make([]float64, 0, b.N)
			b.ResetTimer()
			for i := range b.N {
				q := url.QueryEscape(benchQueries[i%len(benchQueries)])
				if err := chromedp.Do(ctx, chromedp.Navigate("about:blank"), chromedp.Navigate(base+"/#/search?mode="+mode+"&q="+q)); err != nil {
					b.Fatal(err)
				}
				wctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
				err := chromedp.Do(wctx, chromedp.WaitVisible("#results .card"))
				cancel()
				if err != nil {
					b.Fatalf("load %d: no results: %v", i, err)
				}
				ms, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`performance.getEntriesByName("results")[0].startTime`))
				if err != nil {
					b.Fatalf("load %d: no results: %v", i, err)
				}
				times = append(times, ms)
				if i == 0 {
					// The document, the script, the stylesheet, GET /reports
					// and POST /search.
					n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`performance.getEntriesByType("resource").length + 1`))
					if err != nil {
						b.Fatal(err)
					}
					firstRequests = n
					names, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`performance.getEntriesByType("resource").map(e => e.name)`))
					b.Logf("requests of one load: the page and %q", names)
				}
			}
			b.StopTimer()
			slices.Sort(times)
			b.ReportMetric(times[len(times)/2], "ms-p50")
			b.ReportMetric(times[min(len(times)-1, len(times)*95/100)], "ms-p95")
			b.ReportMetric(float64(firstRequests), "requests/load")
			html, js, css := web.Weight()
			b.ReportMetric(float64(html+js+css), "page-bytes")
		})
	}
}
