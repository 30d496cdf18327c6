package eval

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

func TestFindUnmatchableAndExclude(t *testing.T) {
	chunks := []Hit{
		{ID: "a#0.1", File: "dir/a.txt", Text: "稳步扩大内需，\n推进城市更新。"},
		{ID: "a#0.2", File: "dir/a.txt", Text: "加快建设现代化产业体系。"},
		{ID: "b#0.1", File: "b.txt", Text: "持续改善民生福祉。"},
	}
	qs := []Question{
		{ID: "ok", Line: 1, Answers: []Answer{{File: "a.txt", Quote: "扩大内需， 推进城市"}}},
		{ID: "anyfile", Line: 2, Answers: []Answer{{Quote: "改善民生"}}},
		{ID: "nofile", Line: 3, Answers: []Answer{{File: "c.txt", Quote: "改善民生"}}},
		{ID: "notinfile", Line: 4, Answers: []Answer{{File: "b.txt", Quote: "扩大内需"}}},
		// Split across two chunks: in the corpus, but no chunk holds it.
		{ID: "straddles", Line: 5, Answers: []Answer{{Quote: "推进城市更新。加快建设"}}},
		{ID: "half", Line: 6, Answers: []Answer{{Quote: "改善民生"}, {Quote: "不存在的句子"}}},
		{ID: "qrels", Line: 7, Qrels: map[string]int{"a#0.1": 1, "gone#0.1": 2}},
		{ID: "qrels-gone", Line: 8, Qrels: map[string]int{"gone#0.1": 1, "a#0.2": 0}},
	}
	for i := range qs {
		qs[i].File = "q.jsonl"
	}
	unm := FindUnmatchable(qs, chunks)
	var got []string
	for _, u := range unm {
		got = append(got, u.String())
	}
	want := []string{
		`q.jsonl:3: question "nofile": answers[0]: file "c.txt" is not in the collection`,
		`q.jsonl:4: question "notinfile": answers[0]: no chunk of b.txt holds the quote (not in the file, or split across chunks)`,
		`q.jsonl:5: question "straddles": answers[0]: no chunk holds the quote (not in the corpus, or split across chunks)`,
		`q.jsonl:6: question "half": answers[1]: no chunk holds the quote (not in the corpus, or split across chunks)`,
		`q.jsonl:7: question "qrels": qrels[gone#0.1]: passage "gone#0.1" is not in the collection`,
		`q.jsonl:8: question "qrels-gone": qrels[gone#0.1]: passage "gone#0.1" is not in the collection`,
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("unmatchable:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	kept, excluded := ExcludeUnjudgeable(qs, unm)
	if w := []string{"nofile", "notinfile", "straddles", "qrels-gone"}; !reflect.DeepEqual(excluded, w) {
		t.Errorf("excluded %q, want %q", excluded, w)
	}
	if len(kept) != 4 || kept[0].ID != "ok" || kept[3].ID != "qrels" {
		t.Errorf("kept %+v", kept)
	}

	// The report says which were excluded and which scored questions have
	// items that count as missed.
	run := Run{"ok": {chunks[0]}, "anyfile": {chunks[2]}, "half": {chunks[2]}, "qrels": {chunks[0]}}
	rep := Evaluate(kept, run, nil, []int{1})
	rep.Name = "r"
	rep.Excluded, rep.Unmatchable = excluded, unm
	var b bytes.Buffer
	if err := rep.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, s := range []string{
		"r: 4 questions scored, 4 excluded because no chunk can match them (nofile, notinfile, straddles, qrels-gone)",
		"note: 2 relevant item(s) of scored questions can never be matched and count as missed: half answers[1], qrels qrels[gone#0.1]",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("report lacks %q:\n%s", s, out)
		}
	}
	if rep.Questions != 4 {
		t.Errorf("%d questions scored", rep.Questions)
	}
}

func TestPartialCollectionIsFlagged(t *testing.T) {
	rep := Evaluate([]Question{{ID: "q", Answers: []Answer{{Quote: "x"}}}}, Run{}, nil, []int{1})
	rep.Name = "hybrid/m"
	rep.Collection = &CollectionState{Chunks: 2886, Embedded: 960, Partial: true}
	var b bytes.Buffer
	rep.WriteMarkdown(&b)
	if !strings.Contains(b.String(), "collection: 2886 chunks, 960 with vectors") || !strings.Contains(b.String(), "WARNING: PARTIAL COLLECTION: dense search covered only 960 of 2886 chunks") {
		t.Errorf("markdown report:\n%s", b.String())
	}
	full := rep
	full.Name = "full"
	full.Collection = &CollectionState{Chunks: 2886, Embedded: 2886}
	c, err := Compare(full, rep)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Notes) == 0 || !strings.Contains(c.Notes[0], "hybrid/m: PARTIAL COLLECTION") {
		t.Errorf("compare notes %q", c.Notes)
	}
	b.Reset()
	full.WriteTable(&b)
	if strings.Contains(b.String(), "PARTIAL") {
		t.Errorf("a full collection is flagged:\n%s", b.String())
	}
}
