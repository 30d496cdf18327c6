package bench

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/reportsearch/reportsearch/chunk"
	"github.com/reportsearch/reportsearch/client"
	"github.com/reportsearch/reportsearch/collection"
	"github.com/reportsearch/reportsearch/eval"
	"github.com/reportsearch/reportsearch/indexer"
	"github.com/reportsearch/reportsearch/internal/testserver"
	"github.com/reportsearch/reportsearch/retrieve"
)

// Load measures every endpoint at every level over HTTP and in-process,
// against a real server on a small lexical collection.
func TestLoad(t *testing.T) {
	base, ix, dataDir := tinyServer(t)
	opened := ""
	out, err := Load(context.Background(), LoadConfig{
		Base: base, Queries: []eval.Question{{Query: "稳就业"}, {Query: "稳物价"}},
		Endpoints: []string{"search", "context"}, Levels: []int{1, 2}, Requests: 6, DurationCap: time.Minute,
		Timeout: time.Minute, Warmup: 1, Mode: "lexical", K: 3, Budget: 500,
		Open: func(_ context.Context, name string) (*retrieve.Index, string, error) {
			opened = name
			return ix, dataDir, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if opened != "tiny" || out.Collection != "tiny" || out.Mode != "lexical" || !strings.HasPrefix(out.Baseline, "in-process on tiny") {
		t.Fatalf("output %+v (opened %q)", out, opened)
	}
	if len(out.Levels) != 8 {
		t.Fatalf("%d levels, want 2 endpoints x 2 levels x (http, in-process)", len(out.Levels))
	}
	for _, lv := range out.Levels {
		if lv.Requests != 6 || lv.Errors != 0 {
			t.Errorf("level %+v: want 6 requests and no error", lv)
		}
	}
}

// tinyServer serves a small lexical collection, named tiny, on loopback,
// and returns its URL, the index and its data dir.
func tinyServer(t *testing.T) (string, *retrieve.Index, string) {
	t.Helper()
	s := collection.Settings{DataDir: t.TempDir(), Name: "tiny", Model: "auto", Chunk: chunk.DefaultOptions()}
	if _, err := collection.Index(context.Background(), s, []string{benchCorpus(t)}, collection.IndexOptions{
		Lexical: indexer.DefaultLexical, Use: &collection.Embedding{}}); err != nil {
		t.Fatal(err)
	}
	ix, _, err := collection.Open(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	return testserver.Start(t, ix), ix, s.DataDir
}

// Without an in-process baseline (none asked for, or the collection cannot
// be opened) the HTTP rows are measured alone and the report says why.
func TestLoadWithoutBaseline(t *testing.T) {
	base, _, _ := tinyServer(t)
	cfg := LoadConfig{
		Base: base, Queries: []eval.Question{{Query: "稳就业"}}, Endpoints: []string{"search"}, Levels: []int{1},
		Requests: 2, DurationCap: time.Minute, Timeout: time.Minute, K: 3, Budget: 500,
	}
	for want, open := range map[string]func(context.Context, string) (*retrieve.Index, string, error){
		"none: --baseline=false": nil,
		"none: boom":             func(context.Context, string) (*retrieve.Index, string, error) { return nil, "", errors.New("boom") },
	} {
		cfg.Open = open
		out, err := Load(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if out.Baseline != want || len(out.Levels) != 1 || out.Levels[0].Via != "http" || out.Levels[0].VsInProcess != 0 {
			t.Errorf("baseline %q, levels %+v: want %q and one HTTP row", out.Baseline, out.Levels, want)
		}
	}
}

// A refused request counts under its status.
func TestErrorKind(t *testing.T) {
	if k := ErrorKind(&client.APIError{Status: 503}); k != "status 503" {
		t.Errorf("APIError 503: %q", k)
	}
	if k := ErrorKind(fmt.Errorf("x: %w", context.DeadlineExceeded)); k != "timeout" {
		t.Errorf("deadline: %q", k)
	}
	if k := ErrorKind(errors.New("other")); k != "error" {
		t.Errorf("other: %q", k)
	}
}

// An unknown mode is refused before any request is sent (it used to be
// dropped, and the in-process baseline ran the default mode instead).
func TestLoadRefusesUnknownMode(t *testing.T) {
	_, err := Load(t.Context(), LoadConfig{Base: "http://127.0.0.1:1", Mode: "semantic", Levels: []int{1}, Requests: 1})
	if err == nil || !strings.Contains(err.Error(), "mode") || strings.Contains(err.Error(), "serve") {
		t.Fatalf("err = %v, want the mode named (and no attempt to reach the server)", err)
	}
}
