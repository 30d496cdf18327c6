package indexer

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reportsearch/reportsearch/embed"
	"github.com/reportsearch/reportsearch/internal/fakeembed"
	"github.com/reportsearch/reportsearch/store"
)

// The rules of the embedding loop, with the fake embedder (milliseconds, no
// Ollama); the end-to-end tests drive the same rules against the real one.
func TestEmbeddingLoop(t *testing.T) {
	run := func(t *testing.T, emb *fakeembed.Embedder, ctx context.Context, model ...embed.ModelInfo) (Stats, *store.Snapshot, error) {
		t.Helper()
		root := t.TempDir()
		report(t, filepath.Join(root, "a.txt"), "甲", 9)
		dir := t.TempDir()
		var log bytes.Buffer
		set, err := ReadFiles(t.Context(), []string{root}, testConfig(dir, &log).Options)
		if err != nil {
			t.Fatal(err)
		}
		info := emb.Model
		if len(model) > 0 {
			info = model[0]
		}
		st, err := Run(ctx, testConfig(dir, &log), emb, info, set)
		snap, lerr := store.Load(dir)
		if lerr != nil {
			t.Fatal(lerr)
		}
		return st, snap, err
	}

	// A text the model refuses stays pending and is named with the reason;
	// the others are embedded and the run succeeds.
	t.Run("one text fails", func(t *testing.T) {
		emb := fakeembed.New("fake", 8)
		emb.FailText = func(s string) bool { return strings.Contains(s, "第4段") }
		st, snap, err := run(t, emb, context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if st.Embedded != 8 || st.Pending != 1 || len(st.Failed) != 1 || snap.Embedded() != 8 || snap.Manifest.Complete {
			t.Fatalf("stats %+v; %d vectors on disk, complete %v; want 8 embedded, 1 pending, incomplete", st, snap.Embedded(), snap.Manifest.Complete)
		}
		if !strings.Contains(st.Failed[0], fakeembed.ErrFakeText.Error()) || !strings.Contains(st.Failed[0], "a.txt") {
			t.Errorf("failure line %q names neither the chunk's file nor the reason", st.Failed[0])
		}
	})

	// A call that fails as a whole (the server went away) stops the run
	// after saving what was embedded, and says so: Unfinished, not lost.
	t.Run("the server goes away", func(t *testing.T) {
		emb := fakeembed.New("fake", 8)
		emb.FailAfter = 2 // groups of 2: 4 texts embedded
		st, snap, err := run(t, emb, context.Background())
		var unf *UnfinishedError
		if !errors.As(err, &unf) || !errors.Is(err, fakeembed.ErrFake) {
			t.Fatalf("err = %v, want an UnfinishedError wrapping the embedder's", err)
		}
		if unf.Embedded != 4 || unf.Pending != 5 || st.Embedded != 4 || snap.Embedded() != 4 || snap.Manifest.Complete {
			t.Fatalf("unfinished %+v, stats %+v, %d vectors on disk; want 4 embedded and saved, 5 pending", unf, st, snap.Embedded())
		}
	})

	// An interruption keeps what was embedded before it and is not called
	// unfinished (the caller knows it interrupted).
	t.Run("interrupted", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		emb := fakeembed.New("fake", 8)
		emb.OnCall = func(n int) {
			if n == 3 {
				cancel()
			}
		}
		st, snap, err := run(t, emb, ctx)
		if !errors.Is(err, ErrInterrupted) || errors.As(err, new(*UnfinishedError)) {
			t.Fatalf("err = %v, want interrupted", err)
		}
		if st.Embedded != 4 || snap.Embedded() != 4 || !st.Saved {
			t.Fatalf("stats %+v, %d vectors on disk; want the 4 embedded before the interruption, saved", st, snap.Embedded())
		}
	})

	// The dimension comes from the first vector when the model info has none.
	t.Run("dims from the vectors", func(t *testing.T) {
		emb := fakeembed.New("fake", 8)
		info := emb.Model
		info.Dims = 0
		_, snap, err := run(t, emb, context.Background(), info)
		if err != nil || snap.Manifest.Model.Dims != 8 || snap.Embedded() != 9 || !snap.Manifest.Complete {
			t.Fatalf("err %v, manifest %+v", err, snap.Manifest)
		}
	})
}

func TestModelFor(t *testing.T) {
	stored := embed.ModelInfo{Name: "bge-m3", Digest: "sha256:a", Dims: 1024}
	withVectors := &store.Snapshot{Manifest: store.Manifest{Model: stored}, Records: []store.Record{{Vector: []float32{1}, Hash: "h"}}}
	noVectors := &store.Snapshot{Manifest: store.Manifest{Model: stored}, Records: []store.Record{{Hash: "h"}}}
	other := embed.ModelInfo{Name: "qwen3-embedding", Digest: "sha256:b"}
	rebuilt := embed.ModelInfo{Name: "bge-m3", Digest: "sha256:c"}
	for _, c := range []struct {
		name     string
		prior    *store.Snapshot
		model    embed.ModelInfo
		canEmbed bool
		want     embed.ModelInfo
		same     bool
		note     bool
	}{
		{"same model", withVectors, stored, true, stored, true, false},
		{"same name, unknown digest", withVectors, embed.ModelInfo{Name: "bge-m3"}, false, embed.ModelInfo{Name: "bge-m3"}, true, false},
		{"another build of the model", withVectors, rebuilt, true, rebuilt, false, false},
		{"another model that can embed", withVectors, other, true, other, false, false},
		{"another model, nothing can embed: keep the stored", withVectors, other, false, stored, true, true},
		{"another model, no vectors to keep", noVectors, other, false, other, false, false},
		{"nothing stored", &store.Snapshot{}, other, false, other, false, false},
	} {
		got, same, note := modelFor(c.prior, c.model, c.canEmbed)
		if got != c.want || same != c.same || (note != "") != c.note {
			t.Errorf("%s: %+v %v %q; want %+v %v note=%v", c.name, got, same, note, c.want, c.same, c.note)
		}
	}
	reuse := reusableVectors(withVectors, true)
	if len(reuse) != 1 || reuse["h"] == nil || len(reusableVectors(withVectors, false)) != 0 || len(reusableVectors(noVectors, true)) != 0 {
		t.Errorf("reusableVectors: %v", reuse)
	}
}
