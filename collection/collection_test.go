package collection

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reportsearch/reportsearch/chunk"
	"github.com/reportsearch/reportsearch/indexer"
	"github.com/reportsearch/reportsearch/internal/fakeembed"
)

func testSettings(t *testing.T) Settings {
	return Settings{DataDir: t.TempDir(), Model: "auto", Chunk: chunk.DefaultOptions()}
}

func writeReport(t *testing.T, dir, name string) {
	t.Helper()
	text := "北京市2024年政府工作报告\n\n坚持稳中求进，推动经济持续回升向好，全年地区生产总值增长百分之五左右，城镇新增就业二十万人。\n"
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Index with a given embedder stores the collection under the name derived
// from the model and chunk settings, and Open then chooses it as the newest
// non-empty one and answers with its vectors.
func TestIndexThenOpen(t *testing.T) {
	s := testSettings(t)
	src := t.TempDir()
	writeReport(t, src, "a.txt")
	emb := fakeembed.New("fake-model", 16)
	var read *indexer.Set
	res, err := Index(context.Background(), s, []string{src}, IndexOptions{
		ContextHeader: true, Lexical: indexer.DefaultLexical,
		Use:  &Embedding{Embedder: emb, Info: emb.Model},
		Read: func(set *indexer.Set) { read = set },
	})
	if err != nil {
		t.Fatal(err)
	}
	if read == nil || len(read.Records) == 0 || res.Set != read {
		t.Fatalf("Read was not called with the files read: %+v", read)
	}
	if want := NameFor(s, "fake-model"); res.Name != want || res.Dir != filepath.Join(s.DataDir, want) {
		t.Fatalf("indexed into %s (%s), want %s", res.Name, res.Dir, want)
	}
	if res.Stats.Embedded == 0 || res.Stats.Pending != 0 {
		t.Fatalf("stats %+v: want every chunk embedded", res.Stats)
	}
	ix, why, err := Open(context.Background(), s)
	if err != nil || why != WhyNewest || ix.Manifest.Name != res.Name || ix.Len() != len(read.Records) {
		t.Fatalf("Open = %v, %v, %v", ix, why, err)
	}
}

// Each failing step of Index says its stage, and its text is the step's own
// error (the command maps the stage to an exit code and prints the text).
func TestIndexStages(t *testing.T) {
	s := testSettings(t)
	_, err := Index(context.Background(), s, []string{filepath.Join(t.TempDir(), "missing")}, IndexOptions{Use: &Embedding{}})
	if StageOf(err) != StageRead || strings.HasPrefix(err.Error(), "stage") {
		t.Fatalf("missing path: %v (stage %d), want StageRead", err, StageOf(err))
	}
	src := t.TempDir()
	writeReport(t, src, "a.txt")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Index(ctx, s, []string{src}, IndexOptions{Use: &Embedding{}}); StageOf(err) != StageRead || !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted read: %v (stage %d), want StageRead and context.Canceled", err, StageOf(err))
	}
	bad := IndexOptions{Use: &Embedding{}, Collection: func(string) string { return "../escape" }}
	if _, err := Index(context.Background(), s, []string{src}, bad); StageOf(err) != StageName {
		t.Fatalf("bad name: %v (stage %d), want StageName", err, StageOf(err))
	}
	if _, err := Index(context.Background(), s, []string{src}, IndexOptions{Use: &Embedding{}, Lexical: "no-such-tokenizer"}); StageOf(err) != StageRun {
		t.Fatalf("bad tokenizer: %v (stage %d), want StageRun", err, StageOf(err))
	}
	if StageOf(errors.New("x")) != 0 {
		t.Fatal("an error from elsewhere has no stage")
	}
}

// An empty collection is never opened for search, whoever names it.
func TestOpenRefusesEmpty(t *testing.T) {
	s := testSettings(t)
	src := t.TempDir() // no files: the collection is saved empty
	s.Name = "empty"
	if _, err := Index(context.Background(), s, []string{src}, IndexOptions{Lexical: indexer.DefaultLexical, Use: &Embedding{}}); err != nil {
		t.Fatal(err)
	}
	var empty *EmptyError
	if _, _, err := Open(context.Background(), s); !errors.As(err, &empty) || empty.Name != "empty" || !strings.Contains(err.Error(), "collection empty is empty") {
		t.Fatalf("Open of an empty collection: %v", err)
	}
}
