package lexical

import (
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"ＡＢＣ１２３　，ＧＤＰ": "abc123 ,gdp", // full-width letters, digits, space, comma
		"（一）５％":       "(一)5%",
		"Ｃｈｉｎａ２０２６":   "china2026",
		"\u2160":      "i", // Roman numeral one
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTokens(t *testing.T) {
	cases := []struct {
		tok  Tokenizer
		in   string
		want []string
	}{
		// Mixed Chinese, full-width Latin, numbers, percent, decimals.
		{Bigram(), "２０２６年ＧＤＰ增长５％左右，ＣＰＩ涨幅3.5%。",
			[]string{"2026", "年", "gdp", "增长", "5", "%", "左右", "cpi", "涨幅", "3.5", "%"}},
		{Bigram(), "新质生产力", []string{"新质", "质生", "生产", "产力"}},
		// A one-character run is a unigram; full-width brackets separate.
		{Bigram(), "（一）坚持内需", []string{"一", "坚持", "持内", "内需"}},
		// A list number's dot is a separator, a version's dots are not.
		{Bigram(), "1.医疗 v2.5.4版本 COVID-19", []string{"1", "医疗", "v2.5.4", "版本", "covid", "19"}},
		{Bigram(), "滕政发〔2024〕8号", []string{"滕政", "政发", "2024", "8", "号"}},
		{Bigram(), "\xff中\xfe", []string{"中"}},
		{Bigram(), "  ，。！  ", []string{}},
		{BigramUnigram(), "新质生 5G", []string{"新", "新质", "质", "质生", "生", "5g"}},
		// gse output depends on its dictionary, pinned by go.mod (v0.80.3).
		{GSE(), "因地制宜发展新质生产力", []string{"制宜", "因地制宜", "发展", "新质", "生产", "生产力"}},
		{GSE(), "国内生产总值增长５％左右", []string{"国内", "生产", "总值", "生产总值", "增长", "5", "%", "左右"}},
		{GSEBigram(), "因地制宜发展新质生产力", []string{
			"因地", "地制", "制宜", "宜发", "发展", "展新", "新质", "质生", "生产", "产力",
			"因地制宜", "生产力"}},
	}
	for _, c := range cases {
		got := c.tok.Tokens(c.in)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s.Tokens(%q)\n got %q\nwant %q", c.tok.Name(), c.in, got, c.want)
		}
	}
}

func TestTokenizerByName(t *testing.T) {
	for _, name := range TokenizerNames() {
		tok, err := TokenizerByName(name)
		if err != nil || tok.Name() != name {
			t.Errorf("TokenizerByName(%q) = %v, %v", name, tok, err)
		}
	}
	_, err := TokenizerByName("jieba")
	if err == nil || !strings.Contains(err.Error(), `"jieba"`) || !strings.Contains(err.Error(), "bigram+unigram") {
		t.Errorf("TokenizerByName(jieba) error = %v, want one naming the input and the known names", err)
	}
}

func FuzzTokenize(f *testing.F) {
	for _, s := range []string{
		"", "２０２６年ＧＤＰ增长５％左右", "3.5.", "..1..2", "a\u0301b", "\xff\xfe中", "日本語テキスト한국어",
		"稳步推进城市更新，加快老旧小区改造。", "①②③ ㈠ ﬀ ẞ İ", "1.2.3.4.5", "%%‰",
	} {
		f.Add(s)
	}
	toks := []Tokenizer{Bigram(), BigramUnigram(), GSE(), GSEBigram()}
	f.Fuzz(func(t *testing.T, s string) {
		if n := Normalize(s); Normalize(n) != n {
			t.Errorf("Normalize not idempotent on %q: %q then %q", s, n, Normalize(n))
		}
		for _, tok := range toks {
			got := tok.Tokens(s)
			for _, w := range got {
				if w == "" || !utf8.ValidString(w) || strings.ContainsFunc(w, unicode.IsSpace) {
					t.Fatalf("%s.Tokens(%q) has bad token %q in %q", tok.Name(), s, w, got)
				}
			}
			// Tokenising normalised text changes nothing: callers may
			// normalise first.
			if again := tok.Tokens(Normalize(s)); !slices.Equal(got, again) {
				t.Fatalf("%s: Tokens(%q) = %q but Tokens(Normalize) = %q", tok.Name(), s, got, again)
			}
		}
	})
}
