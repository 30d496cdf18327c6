package lexical

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reportsearch/reportsearch/internal/testenv"
)

// TestBuildEqualsEncode: Build writes byte for byte what Encode writes for
// an Index of the same documents, whatever their id order, including
// documents without tokens, and an empty set.
func TestBuildEqualsEncode(t *testing.T) {
	docs := []doc{
		{"r.txt#0.10", "政府工作报告 2026年经济增长目标"},
		{"r.txt#0.2", "经济增长目标为5%左右，城镇新增就业1200万人以上。"},
		{"r.txt#0.1", "，。！"}, // no tokens
		{"a.txt#0.1", "Ｆｕｌｌ-width ＡＢＣ and 经济"},
	}
	files, _ := filepath.Glob(filepath.Join(testenv.Shared(t), "corpus", "*.txt"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range strings.Split(string(data), "\n\n") {
			if i%7 == 0 { // a sample is enough, and keeps the test fast
				docs = append(docs, doc{fmt.Sprintf("%s#%d", filepath.Base(f), i), p})
			}
		}
	}
	for _, tok := range []Tokenizer{Bigram(), BigramUnigram()} {
		for _, n := range []int{0, 1, len(docs)} {
			ix := New(tok, Params{K1: 0.9, B: 0.4})
			for _, d := range docs[:n] {
				ix.Add(d.id, d.text)
			}
			var want, got bytes.Buffer
			if err := ix.Encode(&want); err != nil {
				t.Fatal(err)
			}
			err := Build(t.Context(), &got, tok, Params{K1: 0.9, B: 0.4}, n, func(i int) (string, string) { return docs[i].id, docs[i].text })
			if err != nil || !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Fatalf("%s, %d documents: Build gave %d bytes (%v), Encode %d", tok.Name(), n, got.Len(), err, want.Len())
			}
			if _, err := Decode(&got, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Logf("%d documents", len(docs))
}

func TestBuildRefusesDuplicatesAndStopsWhenCancelled(t *testing.T) {
	texts := []string{"经济", "增长", "经济"}
	ids := []string{"a", "b", "a"}
	var out bytes.Buffer
	err := Build(t.Context(), &out, Bigram(), Params{}, 3, func(i int) (string, string) { return ids[i], texts[i] })
	if err == nil || !strings.Contains(err.Error(), `two documents have the id "a"`) {
		t.Errorf("duplicate ids: %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	err = Build(ctx, &out, Bigram(), Params{}, 3, func(i int) (string, string) { return texts[i], texts[i] })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}
