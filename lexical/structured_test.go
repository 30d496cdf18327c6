package lexical

import (
	"reflect"
	"testing"
)

func structuredIndex() *Index {
	ix := New(Bigram(), Params{})
	ix.Add("care", "推行长期护理保险制度")
	ix.Add("both", "长期护理保险和长远护理保险")
	ix.Add("plain", "保险")
	ix.Add("other", "地区生产总值增长")
	return ix
}

func TestSearchStructuredGroupIsOneTerm(t *testing.T) {
	ix := structuredIndex()
	// Without groups it is Search.
	if got, want := ix.SearchStructured("保险", nil, 0, nil), ix.Search("保险", 0, nil); !reflect.DeepEqual(got, want) {
		t.Fatalf("no groups: %v, want %v", got, want)
	}
	// A document's group score is its best alternative's score, not the
	// sum: "both" matches two translations of "long term" but scores for
	// one, exactly as a search for the best one alone.
	got := ix.SearchStructured("", [][]string{{"长期", "长远"}}, 0, nil)
	alone := ix.Search("长期", 0, nil)
	score := map[string]float64{}
	for _, h := range got {
		score[h.ID] = h.Score
	}
	for _, h := range alone {
		if score[h.ID] < h.Score-1e-12 {
			t.Errorf("%s: group score %v below its best alternative's %v", h.ID, score[h.ID], h.Score)
		}
	}
	if both := ix.Search("长期 长远", 0, nil); score["both"] >= both[0].Score {
		t.Errorf("the group must not add up its alternatives: %v vs %v", score["both"], both[0].Score)
	}
	if _, ok := score["other"]; ok {
		t.Errorf("a document matching no alternative is not returned: %v", got)
	}
	// Text terms and groups add up; allow and k apply.
	got = ix.SearchStructured("保险", [][]string{{"长期", "长远"}, {"护理"}}, 2, func(id string) bool { return id != "both" })
	if len(got) != 2 || got[0].ID != "care" || got[1].ID != "plain" {
		t.Errorf("text + groups: %v", got)
	}
	// Deterministic: the same query gives bit-identical scores.
	a := ix.SearchStructured("保险", [][]string{{"长期", "长远"}}, 0, nil)
	b := ix.SearchStructured("保险", [][]string{{"长期", "长远"}}, 0, nil)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("not repeatable: %v %v", a, b)
	}
	if got := New(Bigram(), Params{}).SearchStructured("保险", [][]string{{"长期"}}, 5, nil); got != nil {
		t.Errorf("empty index: %v", got)
	}
}
