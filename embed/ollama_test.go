package embed

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/ollama/ollama/api"
)

func TestParseHost(t *testing.T) {
	for in, want := range map[string]string{
		"":                          "http://127.0.0.1:11434",
		"127.0.0.1:11500":           "http://127.0.0.1:11500",
		"localhost":                 "http://localhost:11434",
		":11500":                    "http://127.0.0.1:11500",
		"http://example.org":        "http://example.org:80",
		"https://example.org":       "https://example.org:443",
		"http://10.0.0.2:8080/api/": "http://10.0.0.2:8080/api/",
		"[::1]:11434":               "http://[::1]:11434",
		"::1":                       "http://[::1]:11434",
		" 0.0.0.0 ":                 "http://0.0.0.0:11434",
	} {
		u, err := ParseHost(in)
		if err != nil {
			t.Errorf("ParseHost(%q): %v", in, err)
			continue
		}
		if u.String() != want {
			t.Errorf("ParseHost(%q) = %s, want %s", in, u, want)
		}
	}
	for _, bad := range []string{"127.0.0.1:http", "127.0.0.1:70000", "ftp://host:21"} {
		if _, err := ParseHost(bad); err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("ParseHost(%q) error = %v, want one naming the host", bad, err)
		}
	}
}

func TestSplitHalf(t *testing.T) {
	cases := []struct{ in, left, right string }{
		// the sentence end nearest the middle wins over a comma at the middle
		{"一二三四五。六七八，九十一二三四五六。七八", "一二三四五。", "六七八，九十一二三四五六。七八"},
		{"甲乙丙丁，戊己庚辛", "甲乙丙丁，", "戊己庚辛"},
		{"一二三四五六七八", "一二三四", "五六七八"},
		{"  前半句。后半句  ", "前半句。", "后半句"},
		{"字", "字", ""},
	}
	for _, c := range cases {
		l, r := SplitHalf(c.in)
		if l != c.left || r != c.right {
			t.Errorf("SplitHalf(%q) = %q | %q, want %q | %q", c.in, l, r, c.left, c.right)
		}
	}
	// Nothing is lost: the halves hold every non-space character.
	s := strings.Repeat("推进高质量发展，扩大内需。", 37)
	l, r := SplitHalf(s)
	if l+r != s {
		t.Errorf("halves do not rebuild the text")
	}
	if n, ln := utf8.RuneCountInString(s), utf8.RuneCountInString(l); ln < n/4 || ln > 3*n/4 {
		t.Errorf("left half has %d of %d characters", ln, n)
	}
}

func TestWeightedMean(t *testing.T) {
	v := weightedMean([]float32{1, 0}, []float32{0, 1}, 3, 1)
	var norm float64
	for _, x := range v {
		norm += float64(x) * float64(x)
	}
	if math.Abs(norm-1) > 1e-6 {
		t.Errorf("not unit length: %v", v)
	}
	if !(v[0] > v[1] && v[1] > 0) {
		t.Errorf("weights not applied: %v", v)
	}
	if math.Abs(float64(v[0]/v[1])-3) > 1e-5 {
		t.Errorf("ratio %v, want 3", v[0]/v[1])
	}
}

// fakeServer behaves like Ollama's /api/embed towards inputs: a batch with
// any input containing "坏" fails as a whole with 400 (as Ollama does),
// inputs longer than maxRunes fail with the context-length error, and
// every call is recorded. Vectors encode the input length so tests can
// tell which text made them.
type fakeServer struct {
	mu       sync.Mutex
	calls    [][]string
	maxRunes int
	fatal    error
}

func (f *fakeServer) send(_ context.Context, inputs []string, _ bool) ([][]float32, error) {
	f.mu.Lock()
	f.calls = append(f.calls, inputs)
	f.mu.Unlock()
	if f.fatal != nil {
		return nil, f.fatal
	}
	out := make([][]float32, len(inputs))
	for i, s := range inputs {
		if strings.Contains(s, "坏") {
			return nil, api.StatusError{StatusCode: http.StatusBadRequest, ErrorMessage: "embedding contains NaN or Inf values"}
		}
		if f.maxRunes > 0 && utf8.RuneCountInString(s) > f.maxRunes {
			return nil, api.StatusError{StatusCode: http.StatusBadRequest, ErrorMessage: "the input length exceeds the context length"}
		}
		out[i] = []float32{float32(utf8.RuneCountInString(s)), 1}
	}
	return out, nil
}

func TestBatcherBisectsToCulprits(t *testing.T) {
	f := &fakeServer{}
	b := &batcher{send: f.send, prepare: func(s string) string { return s }, maxDepth: 4}
	texts := []string{"甲", "乙乙", "坏", "丁丁丁丁", "戊", "坏的", "庚", "辛"}
	res := &results{out: make([][]float32, len(texts)), errs: map[int]error{}}
	idx := []int{0, 1, 2, 3, 4, 5, 6, 7}
	if err := b.embed(context.Background(), texts, idx, true, res); err != nil {
		t.Fatal(err)
	}
	if len(res.errs) != 2 || res.errs[2] == nil || res.errs[5] == nil {
		t.Fatalf("item errors %v, want inputs 2 and 5", res.errs)
	}
	for i, v := range res.out {
		if i == 2 || i == 5 {
			if v != nil {
				t.Errorf("failed input %d has a vector", i)
			}
			continue
		}
		if v == nil || int(v[0]) != utf8.RuneCountInString(texts[i]) {
			t.Errorf("input %d: vector %v does not belong to %q", i, v, texts[i])
		}
	}
	// 8 → 4+4 → 2+2+2+2 → the two bad pairs split into singles: 1+2+4+4 = 11.
	if len(f.calls) != 11 {
		t.Errorf("%d requests, want 11", len(f.calls))
	}
}

func TestBatcherSplitsOverLongInput(t *testing.T) {
	f := &fakeServer{maxRunes: 10}
	b := &batcher{send: f.send, prepare: func(s string) string { return s }, maxDepth: 4}
	long := "一二三四五六七八。九十一二三四五六七八九十一二。三四五六七八"
	v, err := b.one(context.Background(), long, 0, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(v) != 2 {
		t.Fatalf("vector %v", v)
	}
	var norm float64
	for _, x := range v {
		norm += float64(x) * float64(x)
	}
	if math.Abs(norm-1) > 1e-6 {
		t.Errorf("combined vector not unit length: %v", v)
	}
	// The accepted pieces cover the whole text, none longer than the limit.
	covered := 0
	for _, c := range f.calls {
		if n := utf8.RuneCountInString(c[0]); n <= 10 {
			covered += n
		}
	}
	if covered != utf8.RuneCountInString(long) {
		t.Errorf("accepted pieces hold %d characters, want %d", covered, utf8.RuneCountInString(long))
	}
	// With a depth of 1 the halves (15 characters) are still too long.
	b.maxDepth = 1
	if _, err := b.one(context.Background(), long, 0, true); err == nil || !isItemError(err) || !strings.Contains(err.Error(), "too long") {
		t.Errorf("depth-bounded split: err = %v, want an item error saying too long", err)
	}
}

func TestBatcherStopsOnServerErrors(t *testing.T) {
	for _, fatal := range []error{
		&kindError{kind: ErrUnreachable, msg: "cannot reach"},
		&kindError{kind: ErrModelMissing, msg: "no model"},
		context.Canceled,
	} {
		f := &fakeServer{fatal: fatal}
		b := &batcher{send: f.send, prepare: func(s string) string { return s }, maxDepth: 4}
		res := &results{out: make([][]float32, 4), errs: map[int]error{}}
		err := b.embed(context.Background(), []string{"a", "b", "c", "d"}, []int{0, 1, 2, 3}, true, res)
		if !errors.Is(err, fatal) {
			t.Errorf("err = %v, want %v", err, fatal)
		}
		if len(f.calls) != 1 {
			t.Errorf("%v: %d requests, want 1 (no bisection)", fatal, len(f.calls))
		}
	}
}

func TestCheckVector(t *testing.T) {
	nan := float32(math.NaN())
	inf := float32(math.Inf(1))
	for _, v := range [][]float32{nil, {nan, 1}, {1, inf}} {
		if err := checkVector(v); err == nil || !isItemError(err) {
			t.Errorf("checkVector(%v) = %v, want an item error", v, err)
		}
	}
	if err := checkVector([]float32{0.6, 0.8}); err != nil {
		t.Error(err)
	}
}

func TestItemErrorsMessageIsStable(t *testing.T) {
	e := &ItemErrors{Errs: map[int]error{7: errors.New("b"), 3: errors.New("a"), 9: errors.New("c")}}
	want := "3 input(s) could not be embedded (e.g. input 3: a)"
	for range 20 {
		if got := e.Error(); got != want {
			t.Fatalf("Error() = %q, want %q", got, want)
		}
	}
}

func TestPickModel(t *testing.T) {
	m := func(name, family string) api.ListModelResponse {
		return api.ListModelResponse{Name: name, Details: api.ModelDetails{Family: family}}
	}
	cases := []struct {
		installed []api.ListModelResponse
		want      string
	}{
		{[]api.ListModelResponse{m("llama3.2:latest", "llama"), m("zh-charbag-256:latest", "bert"), m("bge-m3:latest", "bert")}, "bge-m3:latest"},
		{[]api.ListModelResponse{m("nomic-embed-text:latest", "nomic-bert"), m("qwen3-embedding:0.6b", "qwen3")}, "qwen3-embedding:0.6b"},
		{[]api.ListModelResponse{m("bge-large-zh-v1.5:latest", "bert"), m("nomic-embed-text:latest", "nomic-bert")}, "bge-large-zh-v1.5:latest"},
		{[]api.ListModelResponse{m("qwen3:8b", "qwen3"), m("zh-charbag-256:latest", "bert")}, "zh-charbag-256:latest"},
		{[]api.ListModelResponse{m("qwen3:8b", "qwen3"), m("llama3.2:latest", "llama")}, ""},
		{nil, ""},
	}
	for _, c := range cases {
		if got := PickModel(c.installed); got != c.want {
			t.Errorf("PickModel(%v) = %q, want %q", c.installed, got, c.want)
		}
	}
}

// TestMissingModel: a 404 from Ollama is ErrModelMissing naming the model,
// with no CLI remedy in the message (the command adds it, the server does
// not); other errors name no model.
func TestMissingModel(t *testing.T) {
	base, _ := url.Parse("http://127.0.0.1:9")
	err := explain(base, "bge-m3", api.StatusError{StatusCode: http.StatusNotFound, ErrorMessage: "not found"})
	if !errors.Is(err, ErrModelMissing) || MissingModel(err) != "bge-m3" || MissingModel(fmt.Errorf("wrapped: %w", err)) != "bge-m3" {
		t.Fatalf("err %v, MissingModel %q", err, MissingModel(err))
	}
	if strings.Contains(err.Error(), "reportsearch ") {
		t.Errorf("library error carries a CLI command: %q", err)
	}
	if m := MissingModel(&kindError{kind: ErrUnreachable, msg: "x"}); m != "" {
		t.Errorf("unreachable names model %q", m)
	}
}
