package embed

// Tests against a real Ollama server. They run when REPORTSEARCH_TEST_OLLAMA
// names one that has the fixture model zh-charbag-256, as set up by
//
//	eval "$(scripts/ollama-up.sh)"

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/ollama/ollama/api"

	"github.com/reportsearch/reportsearch/internal/testenv"
)

const fixtureModel = "zh-charbag-256"

func testHost(tb testing.TB) string { return testenv.Ollama(tb) }

func newFixture(tb testing.TB, opts Options) *Ollama {
	tb.Helper()
	o, err := NewOllama(testHost(tb), fixtureModel, opts)
	if err != nil {
		tb.Fatal(err)
	}
	return o
}

// corpusLines returns up to n non-empty lines of the national report, cut
// to maxRunes characters (the chunker's default bound is 400).
func corpusLines(tb testing.TB, n, maxRunes int) []string {
	tb.Helper()
	_, file, _, _ := runtime.Caller(0)
	path := filepath.Join(filepath.Dir(file), "..", "..", "shared", "corpus", "004_482334abf8830909.txt")
	f, err := os.Open(path)
	if err != nil {
		tb.Skipf("corpus not found: %v", err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 1<<20)
	for sc.Scan() && len(out) < n {
		line := strings.TrimSpace(sc.Text())
		if utf8.RuneCountInString(line) < 20 {
			continue
		}
		if r := []rune(line); len(r) > maxRunes {
			line = string(r[:maxRunes])
		}
		out = append(out, line)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

func cosine(a, b []float32) float64 {
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	return dot / math.Sqrt(na*nb)
}

func checkUnit(t *testing.T, what string, v []float32, dims int) {
	t.Helper()
	if len(v) != dims {
		t.Fatalf("%s: %d dimensions, want %d", what, len(v), dims)
	}
	var n float64
	for _, x := range v {
		n += float64(x) * float64(x)
	}
	if math.Abs(n-1) > 1e-3 {
		t.Errorf("%s: squared norm %f, want 1", what, n)
	}
}

func TestOllamaInfo(t *testing.T) {
	o := newFixture(t, DefaultOllamaOptions())
	info, err := o.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.Dims != 256 {
		t.Errorf("dims %d, want 256", info.Dims)
	}
	if info.Name != fixtureModel+":latest" || info.Digest == "" {
		t.Errorf("name %q digest %q", info.Name, info.Digest)
	}
	// The fixture is a WordPiece BERT model, so auto picks ascii-punct.
	if info.TextForm != string(TextASCIIPunct) || info.QueryPrefix != "" || info.DocumentPrefix != "" {
		t.Errorf("info %+v: want ascii-punct and no prefixes", info)
	}
}

func TestOllamaBatchOfCorpusLines(t *testing.T) {
	o := newFixture(t, Options{BatchSize: 16, Retries: 1})
	texts := corpusLines(t, 40, 400)
	vecs, err := o.EmbedDocuments(context.Background(), texts)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vecs {
		checkUnit(t, fmt.Sprintf("text %d", i), v, 256)
	}
	// Order survives batching: each text embedded alone gives its vector.
	for _, i := range []int{0, 17, 39} {
		alone, err := o.EmbedDocuments(context.Background(), texts[i:i+1])
		if err != nil {
			t.Fatal(err)
		}
		if c := cosine(alone[0], vecs[i]); c < 0.9999 {
			t.Errorf("text %d: cosine %f between batched and single embedding", i, c)
		}
	}
}

func TestOllamaEmptyInputIsItemError(t *testing.T) {
	o := newFixture(t, Options{})
	texts := []string{"经济增长目标", "", "医疗保险报销", " \n\t", "汽车制造业"}
	vecs, err := o.EmbedDocuments(context.Background(), texts)
	var items *ItemErrors
	if !errors.As(err, &items) {
		t.Fatalf("err = %v, want *ItemErrors", err)
	}
	if got := fmt.Sprint(items.Indices()); got != "[1 3]" {
		t.Errorf("failed inputs %s, want [1 3]", got)
	}
	for _, i := range []int{0, 2, 4} {
		checkUnit(t, texts[i], vecs[i], 256)
	}
	if vecs[1] != nil || vecs[3] != nil {
		t.Error("empty inputs got vectors")
	}
	// The fixture has some meaning: insurance is closer to hospitals than to cars.
	hosp, err := o.EmbedQuery(context.Background(), "医院看病")
	if err != nil {
		t.Fatal(err)
	}
	if cosine(vecs[2], hosp) <= cosine(vecs[4], hosp) {
		t.Errorf("医疗保险报销 is not closer to 医院看病 than 汽车制造业 is")
	}
}

// longHalves returns two corpus-made texts of exactly n characters each, the
// first ending a sentence, so that their concatenation splits between them.
func longHalves(t *testing.T, n int) (string, string) {
	t.Helper()
	all := []rune(strings.ReplaceAll(strings.Join(corpusLines(t, 200, 2000), ""), "。", "，"))
	if len(all) < 2*n+10 {
		t.Skip("corpus too short")
	}
	a := string(all[:n-1]) + "。"
	b := string(all[n : 2*n])
	return a, b
}

func TestOllamaOverLongInputIsSplit(t *testing.T) {
	o := newFixture(t, Options{TextForm: TextRaw})
	a, b := longHalves(t, 300)
	long := a + b
	// Premise: the server rejects the whole text (512-token context).
	truncate := false
	_, err := o.client.Embed(context.Background(), &api.EmbedRequest{Model: fixtureModel, Input: []string{long}, Truncate: &truncate})
	if !isTooLong(err) {
		t.Fatalf("the server accepted or failed otherwise on %d characters: %v", utf8.RuneCountInString(long), err)
	}
	vecs, err := o.EmbedDocuments(context.Background(), []string{"短句。", long})
	if err != nil {
		t.Fatal(err)
	}
	checkUnit(t, "long text", vecs[1], 256)
	parts, err := o.EmbedDocuments(context.Background(), []string{a, b})
	if err != nil {
		t.Fatal(err)
	}
	want := weightedMean(parts[0], parts[1], 300, 300)
	if c := cosine(vecs[1], want); c < 0.9999 {
		t.Errorf("cosine %f to the normalised mean of the halves", c)
	}
}

func TestOllamaUnsplittableInputIsIsolated(t *testing.T) {
	// With one halving allowed, 3000 characters stay too long: the batch is
	// rejected, bisected, and only that input fails.
	o := newFixture(t, Options{MaxSplitDepth: 1, BatchSize: 8})
	a, b := longHalves(t, 1500)
	texts := []string{"经济增长目标", "医疗保险报销", a + b, "汽车制造业", "稳步推进城市更新"}
	vecs, err := o.EmbedDocuments(context.Background(), texts)
	var items *ItemErrors
	if !errors.As(err, &items) {
		t.Fatalf("err = %v, want *ItemErrors", err)
	}
	if got := fmt.Sprint(items.Indices()); got != "[2]" {
		t.Fatalf("failed inputs %s, want [2]", got)
	}
	if !strings.Contains(items.Errs[2].Error(), "too long") {
		t.Errorf("item error %q does not say too long", items.Errs[2])
	}
	for _, i := range []int{0, 1, 3, 4} {
		checkUnit(t, texts[i], vecs[i], 256)
	}
}

func TestOllamaMissingModel(t *testing.T) {
	o, err := NewOllama(testHost(t), "no-such-model-for-reportsearch", Options{Retries: 1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = o.EmbedDocuments(context.Background(), []string{"经济"})
	if !errors.Is(err, ErrModelMissing) || errors.Is(err, ErrUnreachable) {
		t.Fatalf("err = %v, want ErrModelMissing", err)
	}
	// The error names the model (for the caller's remedy) and no command.
	if MissingModel(err) != "no-such-model-for-reportsearch" || !strings.Contains(err.Error(), "no-such-model-for-reportsearch") || strings.Contains(err.Error(), "reportsearch model") {
		t.Errorf("message %q, MissingModel %q: want the model named, and no CLI command", err, MissingModel(err))
	}
	// Same when asked with text form fixed (no Show call first).
	o2, _ := NewOllama(testHost(t), "no-such-model-for-reportsearch", Options{TextForm: TextRaw})
	if _, err := o2.EmbedQuery(context.Background(), "经济"); !errors.Is(err, ErrModelMissing) {
		t.Errorf("query: err = %v, want ErrModelMissing", err)
	}
}

// TestOllamaUnreachable needs no server: it talks to a port nobody listens on.
func TestOllamaUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	host := l.Addr().String()
	l.Close()
	for _, retries := range []int{0, 2} {
		o, err := NewOllama(host, fixtureModel, Options{Retries: retries, Backoff: 10 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		_, err = o.EmbedDocuments(context.Background(), []string{"经济"})
		if !errors.Is(err, ErrUnreachable) {
			t.Fatalf("retries %d: err = %v, want ErrUnreachable", retries, err)
		}
		// The message names the server; how to start one is the
		// caller's to say (the command and the server differ).
		want := "cannot reach Ollama at http://" + host
		if !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "ollama serve") || strings.Contains(err.Error(), "scripts/") {
			t.Errorf("message %q lacks %q or names a command", err, want)
		}
	}
	if _, err := ListModels(context.Background(), host); !errors.Is(err, ErrUnreachable) {
		t.Errorf("ListModels: err = %v, want ErrUnreachable", err)
	}
}

func TestOllamaTextForms(t *testing.T) {
	raw := newFixture(t, Options{TextForm: TextRaw})
	ascii := newFixture(t, Options{TextForm: TextASCIIPunct})
	ctx := context.Background()
	punct := "稳步推进城市更新，加快老旧小区改造。"
	plain := "经济增长目标"
	rv, err := raw.EmbedDocuments(ctx, []string{punct, plain})
	if err != nil {
		t.Fatal(err)
	}
	av, err := ascii.EmbedDocuments(ctx, []string{punct, plain})
	if err != nil {
		t.Fatal(err)
	}
	if c := cosine(rv[0], av[0]); c > 0.999 {
		t.Errorf("ascii-punct did not change the vector of %q (cosine %f)", punct, c)
	}
	if c := cosine(rv[1], av[1]); c < 0.99999 {
		t.Errorf("text without punctuation changed under ascii-punct (cosine %f)", c)
	}
}

func TestOllamaQueryPrefix(t *testing.T) {
	ctx := context.Background()
	plain := newFixture(t, Options{})
	prefixed := newFixture(t, Options{Instructions: &Instructions{Query: "为这个句子生成表示以用于检索相关文章："}})
	d, err := plain.EmbedDocuments(ctx, []string{"城市更新"})
	if err != nil {
		t.Fatal(err)
	}
	q, err := plain.EmbedQuery(ctx, "城市更新")
	if err != nil {
		t.Fatal(err)
	}
	if c := cosine(d[0], q); c < 0.9999 {
		t.Errorf("without prefixes a query and a document differ (cosine %f)", c)
	}
	pq, err := prefixed.EmbedQuery(ctx, "城市更新")
	if err != nil {
		t.Fatal(err)
	}
	if c := cosine(q, pq); c > 0.999 {
		t.Errorf("the query prefix made no difference (cosine %f)", c)
	}
	pd, err := prefixed.EmbedDocuments(ctx, []string{"城市更新"})
	if err != nil {
		t.Fatal(err)
	}
	if c := cosine(d[0], pd[0]); c < 0.9999 {
		t.Errorf("a query prefix changed a document (cosine %f)", c)
	}
}

// BenchmarkOllamaEmbed measures raw /api/embed throughput for the fixture on
// real report lines of up to 400 characters (the chunker's bound):
//
//	REPORTSEARCH_TEST_OLLAMA=127.0.0.1:11500 go test ./embed/ -run '^$' -bench OllamaEmbed -benchtime 3x
func BenchmarkOllamaEmbed(b *testing.B) {
	texts := corpusLines(b, 256, 400)
	chars := 0
	for _, s := range texts {
		chars += utf8.RuneCountInString(s)
	}
	type setting struct{ batch, conc, threads int }
	var settings []setting
	for _, batch := range []int{16, 32, 64} {
		for _, conc := range []int{1, 2} {
			settings = append(settings, setting{batch, conc, 0})
		}
	}
	// num_thread last: changing it reloads the model.
	settings = append(settings, setting{32, 1, 1}, setting{32, 2, 1}, setting{32, 1, 2})
	for _, s := range settings {
		{
			batch, conc := s.batch, s.conc
			b.Run(fmt.Sprintf("batch=%d/conc=%d/threads=%d", batch, conc, s.threads), func(b *testing.B) {
				o := newFixture(b, Options{BatchSize: batch, Concurrency: conc, NumThread: s.threads, TextForm: TextASCIIPunct})
				if _, err := o.EmbedDocuments(context.Background(), texts[:1]); err != nil { // load the model
					b.Fatal(err)
				}
				b.ResetTimer()
				for range b.N {
					if _, err := o.EmbedDocuments(context.Background(), texts); err != nil {
						b.Fatal(err)
					}
				}
				sec := b.Elapsed().Seconds()
				b.ReportMetric(float64(len(texts)*b.N)/sec, "texts/s")
				b.ReportMetric(float64(chars*b.N)/sec, "chars/s")
			})
		}
	}
}
