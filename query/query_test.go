package query

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func groupNames(q Query) []string {
	var out []string
	for _, g := range q.Groups {
		out = append(out, g.English)
	}
	return out
}

func TestParse(t *testing.T) {
	cases := []struct {
		in       string
		terms    []string
		groups   []string // English keys translated, in order
		national bool
		provs    []string
		places   []string
		years    []int
	}{
		// A Chinese question is searched as typed.
		{in: "北京市2026年经济增长的预期目标是多少", terms: []string{"北京市", "2026", "年经济增长的预期目标是多少"}, provs: []string{"北京"}, years: []int{2026}},
		// Longest phrase first; stop words dropped; numbers kept.
		{in: "long-term care insurance", groups: []string{"long term", "care", "insurance"}},
		{in: "research and development spending in 2026", terms: []string{"spending", "2026"}, groups: []string{"research and development"}, years: []int{2026}},
		{in: "What GDP growth target did Guangdong set for 2026?", terms: []string{"2026"},
			groups: []string{"gdp", "growth", "target", "guangdong", "set"}, provs: []string{"广东"}, years: []int{2026}},
		{in: "Inner Mongolia grain output", groups: []string{"inner mongolia", "grain", "output"}, provs: []string{"内蒙古"}},
		// The whole country, in Chinese and English.
		{in: "2026年全国城镇新增就业目标", terms: []string{"2026", "年全国城镇新增就业目标"}, national: true, years: []int{2026}},
		{in: "国务院", terms: []string{"国务院"}, national: true},
		{in: "China's deficit ratio", groups: []string{"china", "deficit", "ratio"}, national: true},
		{in: "jobs created nationwide", terms: []string{"created"}, groups: []string{"jobs", "nationwide"}, national: true},
		// Counties and cities: full name, short name, English name.
		{in: "滕州文旅产业", terms: []string{"滕州文旅产业"}, places: []string{"滕州市"}},
		{in: "平江县稳增长", terms: []string{"平江县稳增长"}, places: []string{"平江县"}},
		{in: "Wangjiang County task forces", groups: []string{"wangjiang", "county", "task forces"}, places: []string{"望江县"}},
		// A short name that is also a common word (东风区: 东风, east wind) is no place.
		{in: "东风汽车", terms: []string{"东风汽车"}},
		// Full-width Latin letters and digits are folded.
		{in: "ＧＤＰ增长２０２６", terms: []string{"增长", "2026"}, groups: []string{"gdp"}, years: []int{2026}},
		{in: "PM2.5浓度", terms: []string{"PM2.5", "浓度"}},
		// Traditional characters read as simplified.
		{in: "經濟增長目標", terms: []string{"经济增长目标"}},
		// Nothing to search for.
		{in: "😀？！…", terms: nil},
		{in: "what is the", terms: nil},
	}
	for _, c := range cases {
		q := Parse(c.in)
		if !reflect.DeepEqual(q.Terms, c.terms) {
			t.Errorf("%q: terms %q, want %q", c.in, q.Terms, c.terms)
		}
		if g := groupNames(q); !reflect.DeepEqual(g, c.groups) {
			t.Errorf("%q: groups %q, want %q", c.in, g, c.groups)
		}
		s := q.Scope
		if s.National != c.national || !reflect.DeepEqual(s.Provinces, c.provs) || !reflect.DeepEqual(s.Places, c.places) || !reflect.DeepEqual(s.Years, c.years) {
			t.Errorf("%q: scope %+v, want national=%v provinces=%v places=%v years=%v", c.in, s, c.national, c.provs, c.places, c.years)
		}
	}
}

func TestParseTranslations(t *testing.T) {
	q := Parse("What is the plan for elderly care?")
	if len(q.Groups) != 3 {
		t.Fatalf("groups %+v", q.Groups)
	}
	// The dictionary's central sense comes first: 老人 for elderly, 计划 for plan.
	if q.Groups[0].Translations[0] != "计划" || !slices.Contains(q.Groups[1].Translations, "老人") {
		t.Errorf("translations %+v", q.Groups)
	}
	// The English word stays an alternative: documents may use it (GDP).
	if alts := Parse("GDP").Groups[0].Alternatives(); alts[len(alts)-1] != "gdp" || !slices.Contains(alts, "生产总值") {
		t.Errorf("GDP alternatives %q", alts)
	}
	// A plural whose exact key is a name ("jobs": Steve Jobs) falls back
	// to the singular's common words; a name needs a capital.
	if tr := Parse("new jobs").Groups[1].Translations; slices.Contains(tr, "乔布斯") || !slices.Contains(tr, "工作") {
		t.Errorf("jobs → %q", tr)
	}
	if !reflect.DeepEqual(q.Dropped, []string{"What", "is", "the", "for"}) {
		t.Errorf("dropped %q", q.Dropped)
	}
	if d := q.Describe(); !strings.Contains(d, "plan → 计划") || !strings.Contains(d, "CC-CEDICT") {
		t.Errorf("describe %q", d)
	}
	if d := Parse("经济增长目标").Describe(); d != "" {
		t.Errorf("a Chinese question searched as typed needs no notice, got %q", d)
	}
}

func TestParseLongQuestion(t *testing.T) {
	q := Parse(strings.Repeat("经济增长目标，", 300)) // 2,100 characters
	if !q.Truncated || utf8.RuneCountInString(q.Text) != MaxRunes || !strings.Contains(q.Describe(), "1000") {
		t.Errorf("truncated=%v len=%d describe=%q", q.Truncated, utf8.RuneCountInString(q.Text), q.Describe())
	}
}

// FuzzParse: any input parses without panicking; every term and
// translation is non-empty valid UTF-8; the parse is deterministic.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"北京市2026年经济增长", "long-term care insurance", "ＧＤＰ２０２６", "經濟", "😀", "\xff\xfe", "a-'b", "1.2.3%", "PM2.5x", "'s", "-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := Parse(s)
		for _, term := range q.Terms {
			if term == "" || !utf8.ValidString(term) {
				t.Fatalf("%q: bad term %q", s, term)
			}
		}
		for _, g := range q.Groups {
			if g.English == "" || len(g.Translations) == 0 {
				t.Fatalf("%q: bad group %+v", s, g)
			}
		}
		if !reflect.DeepEqual(q, Parse(s)) {
			t.Fatalf("%q: parse is not deterministic", s)
		}
	})
}
