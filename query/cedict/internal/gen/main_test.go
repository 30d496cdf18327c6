package main

import (
	"reflect"
	"testing"
)

func TestKeysOf(t *testing.T) {
	for gloss, want := range map[string][]string{
		"to grow":                      {"grow"},
		"gross domestic product (GDP)": {"gdp", "gross domestic product"},
		"long-term care":               {"long term care"},
		"the elderly":                  {"elderly"},
		"(literary) to gaze":           nil, // marked senses are skipped
		"variant of 舉|举[ju3]":          nil,
		"see 滕州市[Teng2 zhou1 Shi4]":    nil,
		"CL:個|个[ge4]":                  nil,
		"surname Wang":                 nil,
		"the emergency number for law enforcement in Mainland China": nil, // a description, not a word
	} {
		if got := keysOf(gloss); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: got %q, want %q", gloss, got, want)
		}
	}
}

func TestRank(t *testing.T) {
	// Multi-character before single, common before names, then by how many
	// headwords build on the word.
	cs := []cand{
		{head: "标", single: true, uses: 500},
		{head: "靶子", uses: 2},
		{head: "Name", proper: true, uses: 900},
		{head: "目标", uses: 80, sense: 0},
	}
	var got []string
	for len(cs) > 0 {
		best := 0
		for i := range cs {
			if rank(cs[i], cs[best]) {
				best = i
			}
		}
		got = append(got, cs[best].head)
		cs = append(cs[:best], cs[best+1:]...)
	}
	if want := []string{"目标", "靶子", "Name", "标"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestPlaceGloss(t *testing.T) {
	for gloss, want := range map[string]string{
		"Tengzhou, a county-level city in Zaozhuang City 棗莊市|枣庄市[Zao3 zhuang1 Shi4], Shandong": "Tengzhou",
		"Anqing, prefecture-level city in Anhui Province 安徽省[An1 hui1 Sheng3]":                 "Anqing",
		"Chaoyang, an inner district of Beijing":                                               "Chaoyang",
		"the East; the Orient":                                                                 "",
	} {
		got := ""
		if m := rePlace.FindStringSubmatch(gloss); m != nil {
			got = m[1]
		}
		if got != want {
			t.Errorf("%q: got %q, want %q", gloss, got, want)
		}
	}
}
