package retrieve

import (
	"bytes"
	"context"
	"testing"

	"github.com/reportsearch/reportsearch/chunk"
	"github.com/reportsearch/reportsearch/internal/fakeembed"
	"github.com/reportsearch/reportsearch/lexical"
	"github.com/reportsearch/reportsearch/store"
)

// A vector backend that lags behind the snapshot (a Weaviate class not yet
// synced) can answer with chunks the snapshot no longer holds, or holds
// without a vector; search drops those hits and never cites them.
func TestStaleBackendHitsAreDropped(t *testing.T) {
	emb := fakeembed.New("fake", 16)
	texts := map[string]string{"keep": "稳步扩大内需，推进城市更新", "pending": "扩大内需，促进消费", "gone": "扩大内需，稳定投资"}
	lx := lexical.New(lexical.Bigram(), lexical.Params{})
	var snapRecs, backendRecs []store.Record
	for i, id := range []string{"keep", "pending", "gone"} {
		r := store.Record{Chunk: chunk.Chunk{ID: id, File: "f", Report: "报告", Paragraph: i + 1, Text: texts[id]}, Vector: fakeembed.Vector(texts[id], 16)}
		backendRecs = append(backendRecs, r)
		switch id {
		case "keep":
			snapRecs = append(snapRecs, r)
			lx.Add(r.ID, r.Text)
		case "pending": // changed since the backend was synced: no vector yet
			r.Vector = nil
			snapRecs = append(snapRecs, r)
			lx.Add(r.ID, r.Text)
		}
	}
	var buf bytes.Buffer
	if err := lx.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	stale, err := store.NewChromem(context.Background(), backendRecs)
	if err != nil {
		t.Fatal(err)
	}
	snap := &store.Snapshot{Manifest: store.Manifest{Lexical: "bigram", Chunks: 2, Embedded: 1, Model: emb.Model}, Records: snapRecs, Lexical: buf.Bytes()}
	ix, err := FromSnapshotWith(context.Background(), snap, emb, stale)
	if err != nil {
		t.Fatal(err)
	}
	opt := DefaultOptions()
	opt.Mode = Dense
	res, _, err := ix.Search(context.Background(), "扩大内需", opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].ID != "keep" || res[0].DenseRank != 1 {
		t.Fatalf("dense results %+v: want only keep, ranked first among the known hits", res)
	}
}
