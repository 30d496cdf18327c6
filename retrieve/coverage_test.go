package retrieve

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/reportsearch/reportsearch/chunk"
	"github.com/reportsearch/reportsearch/embed"
	"github.com/reportsearch/reportsearch/internal/fakeembed"
	"github.com/reportsearch/reportsearch/lexical"
	"github.com/reportsearch/reportsearch/store"
)

// partialIndex has n chunks of which the first embedded have vectors, as a
// collection looks while `index` is still embedding.
func partialIndex(t *testing.T, n, embedded int) *Index {
	t.Helper()
	emb := fakeembed.New("fake", 16)
	lx := lexical.New(lexical.Bigram(), lexical.Params{})
	var recs []store.Record
	for i := 0; i < n; i++ {
		text := fmt.Sprintf("第%d段：稳步扩大内需，推进城市更新", i)
		r := store.Record{Chunk: chunk.Chunk{ID: fmt.Sprintf("f#0.%d", i+1), File: "f", Report: "报告", Paragraph: i + 1, Text: text}}
		if i < embedded {
			r.Vector = fakeembed.Vector(text, 16)
		}
		lx.Add(r.ID, r.Text)
		recs = append(recs, r)
	}
	var buf bytes.Buffer
	if err := lx.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	var q embed.Embedder = emb
	if embedded == 0 {
		q = nil // what the command line gives a collection without vectors
	}
	ix, err := FromSnapshot(context.Background(), &store.Snapshot{Manifest: store.Manifest{Lexical: "bigram", Chunks: n, Model: emb.Model}, Records: recs, Lexical: buf.Bytes()}, q)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func TestPartialCollectionIsNoticed(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		embedded int
		mode     Mode
		notice   string
	}{
		{4, Hybrid, "dense search covers 4 of 10 chunks; indexing is in progress or incomplete"},
		{4, Dense, "dense search covers 4 of 10 chunks"},
		{4, Auto, "dense search covers 4 of 10 chunks"},
		{4, Lexical, ""}, // lexical search covers every chunk
		{10, Hybrid, ""},
		{10, Dense, ""},
	} {
		ix := partialIndex(t, 10, tc.embedded)
		opt := DefaultOptions()
		opt.Mode = tc.mode
		_, info, err := ix.Search(ctx, "扩大内需", opt)
		if err != nil {
			t.Fatalf("%d embedded, %s: %v", tc.embedded, tc.mode, err)
		}
		if tc.notice == "" && info.Notice != "" || !strings.Contains(info.Notice, tc.notice) {
			t.Errorf("%d of 10 embedded, %s: notice %q, want %q", tc.embedded, tc.mode, info.Notice, tc.notice)
		}
		if cov := ix.Coverage(); cov.Chunks != 10 || cov.Embedded != tc.embedded || cov.Partial() != (tc.embedded < 10) {
			t.Errorf("coverage %+v", cov)
		}
	}
}

// TestNoVectorsSaysSo: a dense search of a collection whose vectors are not
// made yet says that, not "no embedding model is configured", and still
// counts as the model being unavailable (hybrid falls back, HTTP 503).
func TestNoVectorsSaysSo(t *testing.T) {
	ix := partialIndex(t, 5, 0)
	opt := DefaultOptions()
	opt.Mode = Dense
	_, _, err := ix.Search(context.Background(), "扩大内需", opt)
	if err == nil || !strings.Contains(err.Error(), "no vectors yet") || !errors.Is(err, embed.ErrModelMissing) || !IsNoVectors(err) || strings.Contains(err.Error(), "reportsearch ") {
		t.Fatalf("err = %v (want no vectors, as ErrModelMissing, without a CLI command)", err)
	}
	opt.Mode = Hybrid
	_, info, err := ix.Search(context.Background(), "扩大内需", opt)
	if err != nil || info.Mode != Lexical || !strings.Contains(info.Notice, "no vectors yet") || strings.Contains(info.Notice, "reportsearch ") {
		t.Fatalf("hybrid: %v %+v", err, info)
	}
	if !IsNoVectors(ix.Fallback()) {
		t.Errorf("Fallback = %v, want the no-vectors error", ix.Fallback())
	}
}

func TestNoResultsNotice(t *testing.T) {
	plain := noResultsNotice(Hybrid, false)
	filtered := noResultsNotice(Lexical, true)
	if !strings.HasPrefix(plain, "no results: ") || strings.Contains(plain, "limited") || strings.Contains(plain, "embedding model") {
		t.Errorf("unfiltered hybrid: %q", plain)
	}
	if !strings.Contains(filtered, "within the reports it was limited to") || !strings.Contains(filtered, "boost instead of filter") || !strings.Contains(filtered, "embedding model") {
		t.Errorf("filtered lexical: %q", filtered)
	}
}
