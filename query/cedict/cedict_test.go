package cedict

import (
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
)

func words(ts []Translation) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Word)
	}
	return out
}

func TestEnglish(t *testing.T) {
	for key, want := range map[string]string{
		"e commerce":               "电子商务",
		"research and development": "研发",
		"gdp":                      "国内生产总值", // from "gross domestic product (GDP)"
		"elevator":                 "电梯",
		"tengzhou":                 "滕州市", // a place, from its gloss
	} {
		if got := words(English(key)); !slices.Contains(got, want) {
			t.Errorf("%q: got %q, want it to contain %q", key, got, want)
		}
	}
	for _, key := range []string{"", "no such key at all", "to grow"} { // keys are stored without "to"
		if got := English(key); got != nil {
			t.Errorf("%q: got %v", key, got)
		}
	}
	if tr := English("jobs"); len(tr) == 0 || !tr[0].Name {
		t.Errorf("jobs (Steve Jobs) must be marked a name: %+v", tr)
	}
}

func TestNormalizeKey(t *testing.T) {
	for in, want := range map[string]string{"Long-Term  Care": "long term care", "e-commerce": "e commerce", " R&D/ ": "r&d"} {
		if got := NormalizeKey(in); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}

func TestPlaces(t *testing.T) {
	want := map[string]Place{
		"滕州市": {"滕州市", "滕州", "tengzhou", "city"},
		"平江县": {"平江县", "平江", "pingjiang", "county"},
		"东风区": {"东风区", "", "dongfeng", "district"}, // 东风 is also "east wind"
	}
	for _, p := range Places() {
		if w, ok := want[p.Full]; ok {
			if p != w {
				t.Errorf("got %+v, want %+v", p, w)
			}
			delete(want, p.Full)
		}
	}
	if len(want) > 0 {
		t.Errorf("missing places %v", want)
	}
}

func TestSimplify(t *testing.T) {
	if got := Simplify("經濟增長，GDP 2026"); got != "经济增长，GDP 2026" {
		t.Errorf("got %q", got)
	}
	// A character that is traditional in one word and simplified in
	// another (乾: 乾坤 / 干) is left alone.
	if got := Simplify("乾坤"); got != "乾坤" {
		t.Errorf("got %q", got)
	}
}

// The licence and attribution travel with the derived data.
func TestLicenceFiles(t *testing.T) {
	for file, want := range map[string]string{"LICENSE": "Attribution-ShareAlike 4.0 International", "ATTRIBUTION.md": "CC BY-SA 4.0"} {
		b, err := os.ReadFile(file)
		if err != nil || !strings.Contains(string(b), want) {
			t.Errorf("%s: %v, want it to contain %q", file, err, want)
		}
	}
}

// BenchmarkLoadEnglish is the one-off cost of the first English query.
func BenchmarkLoadEnglish(b *testing.B) {
	for i := 0; i < b.N; i++ {
		en = nil
		enOnce = sync.Once{}
		English("gdp")
	}
}
