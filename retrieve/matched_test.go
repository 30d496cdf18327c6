package retrieve

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/reportsearch/reportsearch/lexical"
)

func TestMatched(t *testing.T) {
	bu, bi := lexical.BigramUnigram(), lexical.Bigram()
	cases := []struct {
		name  string
		tok   lexical.Tokenizer
		query string
		text  string
		want  []string
	}{
		{"overlapping bigrams merge into the word", bu, "低空经济发展", "大力发展新兴产业，壮大低空经济。",
			[]string{"低空经济", "发展"}},
		{"adjacent terms merge; longest first, then text order", bi, "经济 增长 目标", "经济增长的预期目标是5%左右，目标明确。",
			[]string{"经济增长", "目标"}},
		{"unigrams of a longer term alone are not marked", bu, "低空经济", "经过研究，空中走廊与济南合作。",
			[]string{}},
		{"a one-character query word is marked", bu, "粮 税", "稳定粮食生产，落实减税政策。",
			[]string{"粮", "税"}},
		{"a lone unigram a bigram index does not hold is not marked", bi, "粮", "稳定粮食生产。",
			[]string{}},
		{"Latin words whole, in the text's own form", bu, "ai 5G", "推进ＡＩ与5G融合，said不算，5GW也不算。",
			[]string{"ＡＩ", "5G"}},
		{"a number with its percent sign; a lone % is dropped", bu, "增长5%", "增长5%左右，另有3%。",
			[]string{"增长5%"}},
		{"a decimal is one word", bu, "3.5", "增长3.5%，而13.5和3.5.1不是。",
			[]string{"3.5"}},
		{"nothing in common", bu, "养老", "建设共同富裕示范区", []string{}},
		{"invalid UTF-8 and controls do not break it", bu, "经济", "经济\xff\x1b[31m经济", []string{"经济"}},
	}
	for _, c := range cases {
		got := matched(c.tok, c.tok.Tokens(c.query), c.text)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: matched(%q, %q) = %q, want %q", c.name, c.query, c.text, got, c.want)
		}
	}
}

// TestSearchFillsMatchedAndLine: results carry the matched words (never
// null in JSON), the line and the source path of the stored record.
func TestSearchFillsMatchedAndLine(t *testing.T) {
	ix := smallIndex(t)
	ix.records[0].Line, ix.records[0].Source = 7, "/corpus/f"
	opt := DefaultOptions()
	opt.Regions = ReportOff
	res, _, err := ix.Search(context.Background(), "地区生产总值", opt)
	if err != nil || len(res) != 2 {
		t.Fatalf("%v %+v", err, res)
	}
	for _, r := range res {
		if !reflect.DeepEqual(r.Matched, []string{"地区生产总值"}) {
			t.Errorf("%s: matched %q", r.ID, r.Matched)
		}
		if r.ID == "f#0.1" && (r.Line != 7 || r.Source != "/corpus/f") {
			t.Errorf("%s: line %d source %q", r.ID, r.Line, r.Source)
		}
	}
}

// BenchmarkMatched is the cost matched adds to each result of a search: one
// corpus-sized chunk (about 400 characters) and a typical question.
func BenchmarkMatched(b *testing.B) {
	text := strings.Repeat("加快构建现代化产业体系，绿色食品加工主导产业不断做强，低空经济等新兴产业培育取得新进展。", 9)
	for _, tok := range []lexical.Tokenizer{lexical.BigramUnigram(), lexical.GSEBigram()} {
		b.Run(tok.Name(), func(b *testing.B) {
			terms := tok.Tokens("低空经济等新兴产业有哪些新进展")
			b.ResetTimer()
			for range b.N {
				matched(tok, terms, text)
			}
		})
	}
}
