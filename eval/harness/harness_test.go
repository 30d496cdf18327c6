package harness

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reportsearch/reportsearch/chunk"
	"github.com/reportsearch/reportsearch/collection"
	"github.com/reportsearch/reportsearch/eval"
	"github.com/reportsearch/reportsearch/indexer"
	"github.com/reportsearch/reportsearch/internal/fakeembed"
	"github.com/reportsearch/reportsearch/retrieve"
	"github.com/reportsearch/reportsearch/store"
)

var topics = []string{"低空经济", "粮食安全", "城市更新", "养老服务", "数字政府", "生态保护"}

// collectionOf indexes a one-report corpus, a paragraph per topic, with the
// fake embedder (which refuses the texts fail is true for), and opens it
// with the fake as query embedder too.
func collectionOf(t *testing.T, fail func(string) bool) *retrieve.Index {
	t.Helper()
	root := t.TempDir()
	var b strings.Builder
	b.WriteString("甲市政府工作报告\n\n")
	for i, topic := range topics {
		fmt.Fprintf(&b, "第%d项，大力推进%s工作，完善相关政策体系，今年要取得新的明显成效。\n\n", i+1, topic)
	}
	if err := os.WriteFile(filepath.Join(root, "r.txt"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	emb := fakeembed.New("fake", 16)
	emb.FailText = fail
	s := collection.Settings{DataDir: t.TempDir(), Host: "127.0.0.1:1", Model: "fake", Chunk: chunk.DefaultOptions()}
	res, err := collection.Index(t.Context(), s, []string{root}, collection.IndexOptions{
		Lexical: indexer.DefaultLexical, Use: &collection.Embedding{Embedder: emb, Info: emb.Model},
	})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := store.Load(res.Dir)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := retrieve.FromSnapshotWith(t.Context(), snap, emb, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func question(id, topic string) eval.Question {
	return eval.Question{ID: id, Query: topic + "工作怎么推进", Answers: []eval.Answer{{File: "r.txt", Quote: "大力推进" + topic + "工作"}}}
}

func options(mode retrieve.Mode) Options {
	o := Options{Search: retrieve.DefaultOptions(), Ks: []int{1, 5}, Source: "set.jsonl"}
	o.Search.Mode, o.Search.K = mode, 5
	return o
}

func TestRun(t *testing.T) {
	ix := collectionOf(t, nil)
	var qs []eval.Question
	for i, topic := range topics {
		qs = append(qs, question(fmt.Sprintf("q%d", i), topic))
	}
	res, err := Run(context.Background(), ix, qs, options(retrieve.Lexical))
	if err != nil {
		t.Fatal(err)
	}
	rep := res.Report
	if rep.Questions != len(topics) || len(res.Run) != len(topics) || len(res.Questions) != len(topics) {
		t.Fatalf("scored %d questions, %d runs; want %d", rep.Questions, len(res.Run), len(topics))
	}
	if rep.Name != "lexical/fake" || rep.Settings["questions"] != "set.jsonl" || rep.Settings["collection"] != ix.Manifest.Name ||
		rep.Collection == nil || rep.Collection.Chunks != ix.Len() || rep.Collection.Partial {
		t.Fatalf("report: name %q settings %v collection %+v", rep.Name, rep.Settings, rep.Collection)
	}
	for id, hits := range res.Run {
		if len(hits) == 0 || len(hits) > 5 {
			t.Errorf("%s: %d hits, want 1..5", id, len(hits))
		}
	}

	o := options(retrieve.Lexical)
	o.Limit, o.Name = 2, "named"
	res, err = Run(context.Background(), ix, qs, o)
	if err != nil || res.Report.Questions != 2 || res.Report.Name != "named" {
		t.Fatalf("--limit 2 --name named: %d questions, name %q, %v", res.Report.Questions, res.Report.Name, err)
	}
}

// A question no chunk can answer is left out and listed; --strict refuses,
// and a set of which nothing is left is refused always.
func TestUnmatchableQuestions(t *testing.T) {
	ix := collectionOf(t, nil)
	gone := eval.Question{ID: "gone", Query: "海洋经济", Answers: []eval.Answer{{Quote: "大力发展海洋经济"}}}
	qs := []eval.Question{question("q0", topics[0]), gone}
	res, err := Run(context.Background(), ix, qs, options(retrieve.Lexical))
	if err != nil {
		t.Fatal(err)
	}
	if res.Report.Questions != 1 || len(res.Unmatchable) != 1 || len(res.Report.Excluded) != 1 || res.Report.Excluded[0] != "gone" {
		t.Fatalf("scored %d, unmatchable %v, excluded %v; want 1, gone, gone", res.Report.Questions, res.Unmatchable, res.Report.Excluded)
	}
	o := options(retrieve.Lexical)
	o.Strict = true
	var unm *UnmatchableError
	if _, err := Run(context.Background(), ix, qs, o); !errors.As(err, &unm) || unm.None || len(unm.Items) != 1 {
		t.Fatalf("strict: %v", err)
	}
	if _, err := Run(context.Background(), ix, []eval.Question{gone}, options(retrieve.Lexical)); !errors.As(err, &unm) || !unm.None {
		t.Fatalf("nothing left to score: %v", err)
	}
}

// A dense run over a partly embedded collection is refused, or flagged
// when allowed; a lexical run is never partial.
func TestPartialCollection(t *testing.T) {
	ix := collectionOf(t, func(s string) bool { return strings.Contains(s, topics[2]) })
	if cov := ix.Coverage(); !cov.Partial() {
		t.Fatalf("the fixture is not partial: %+v", cov)
	}
	qs := []eval.Question{question("q0", topics[0])}
	var partial *PartialError
	if _, err := Run(context.Background(), ix, qs, options(retrieve.Dense)); !errors.As(err, &partial) || partial.Embedded != ix.Len()-1 {
		t.Fatalf("dense on a partial collection: %v", err)
	}
	o := options(retrieve.Dense)
	o.AllowPartial = true
	res, err := Run(context.Background(), ix, qs, o)
	if err != nil || !res.Report.Collection.Partial || !strings.HasSuffix(res.Report.Name, " (PARTIAL)") {
		t.Fatalf("allowed: %v, collection %+v, name %q", err, res.Report.Collection, res.Report.Name)
	}
	res, err = Run(context.Background(), ix, qs, options(retrieve.Lexical))
	if err != nil || res.Report.Collection.Partial {
		t.Fatalf("lexical: %v, %+v", err, res.Report.Collection)
	}
}
