package retrieve

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/reportsearch/reportsearch/chunk"
	"github.com/reportsearch/reportsearch/store"
)

// scopeIndex: the national report, two provincial ones (湖南 names 平江
// once, in passing) and a county plan that names 平江 in most paragraphs
// but not in its title.
func scopeIndex(t *testing.T) *Index {
	t.Helper()
	c := func(id, file string, ri int, report, region, text string) store.Record {
		return store.Record{Chunk: chunk.Chunk{ID: id, File: file, ReportIndex: ri, Report: report, Region: region, Paragraph: 1, Text: text}}
	}
	recs := []store.Record{
		c("r#0.1", "r", 0, "政府工作报告", "全国", "城镇新增就业1200万人以上"),
		c("r#0.2", "r", 0, "政府工作报告", "全国", "推进老旧小区改造"),
		c("r#1.1", "r", 1, "湖南省政府工作报告", "湖南省", "城镇新增就业70万人，平江抽水蓄能电站开工"),
		c("r#1.2", "r", 1, "湖南省政府工作报告", "湖南省", "推行长期护理保险制度"),
		c("r#1.3", "r", 1, "湖南省政府工作报告", "湖南省", "地区生产总值增长5%"),
		c("r#2.1", "r", 2, "浙江省政府工作报告", "浙江省", "城镇新增就业100万人"),
		c("p#0.1", "p", 0, "担当好稳增长挑大梁的责任实施方案", "", "平江县全年地区生产总值增长5%左右"),
		c("p#0.2", "p", 0, "担当好稳增长挑大梁的责任实施方案", "", "平江新增就业5000人"),
	}
	return lexicalIndex(t, recs)
}

func TestScope(t *testing.T) {
	ix := scopeIndex(t)
	cases := []struct {
		q       string
		reports []string // boosted report keys
		first   string   // report of the first result
		notice  string
	}{
		// The whole country steers to the national report, in Chinese and English.
		{"全国城镇新增就业", []string{"r#0"}, "政府工作报告", "the whole country"},
		{"employment nationwide", []string{"r#0"}, "政府工作报告", "nationwide → 全国"},
		// A province named wins over a national word.
		{"湖南 国家 城镇新增就业", []string{"r#1"}, "湖南省政府工作报告", "province 湖南"},
		// A county steers to the report that is about it, not to a
		// provincial report that names it once.
		{"平江 新增就业", []string{"p#0"}, "担当好稳增长挑大梁的责任实施方案", "平江县"},
		{"Pingjiang County GDP growth", []string{"p#0"}, "担当好稳增长挑大梁的责任实施方案", "pingjiang → 平江县"},
		// No scope: nothing boosted.
		{"城镇新增就业", nil, "", ""},
	}
	for _, c := range cases {
		opt := DefaultOptions()
		res, info, err := ix.Search(context.Background(), c.q, opt)
		if err != nil {
			t.Fatalf("%q: %v", c.q, err)
		}
		if !reflect.DeepEqual(info.Reports, c.reports) {
			t.Errorf("%q: boosted %v, want %v (notice %q)", c.q, info.Reports, c.reports, info.Notice)
		}
		if c.first != "" && (len(res) == 0 || res[0].Report != c.first) {
			t.Errorf("%q: first result %+v, want from %s", c.q, res, c.first)
		}
		if !strings.Contains(info.Notice, c.notice) {
			t.Errorf("%q: notice %q, want it to contain %q", c.q, info.Notice, c.notice)
		}
	}
	// Filter policy: only the scope's reports.
	opt := DefaultOptions()
	opt.Regions = ReportFilter
	res, info, _ := ix.Search(context.Background(), "全国城镇新增就业", opt)
	for _, r := range res {
		if r.Report != "政府工作报告" {
			t.Errorf("filter: %+v", r)
		}
	}
	if !strings.Contains(info.Notice, "searched only") {
		t.Errorf("filter notice %q", info.Notice)
	}
}

// An English question finds Chinese text through its translations; before
// issue 12 it found nothing at all.
func TestEnglishQuestionLexical(t *testing.T) {
	ix := scopeIndex(t)
	opt := DefaultOptions()
	opt.Mode = Lexical
	res, info, err := ix.Search(context.Background(), "long-term care insurance", opt)
	if err != nil || len(res) == 0 || res[0].ID != "r#1.2" {
		t.Fatalf("got %v %+v", err, res)
	}
	if !strings.Contains(info.Notice, "long term → 长期") || !strings.Contains(info.Notice, "insurance → 保险") {
		t.Errorf("notice %q", info.Notice)
	}
	// Highlights are the Chinese words the translations matched (they were
	// empty: only the question's own tokens were looked for).
	if !slices.ContainsFunc(res[0].Matched, func(m string) bool { return strings.Contains(m, "保险") }) {
		t.Errorf("matched %q, want the translation 保险 marked in %q", res[0].Matched, res[0].Text)
	}
}

// --report 全国 / 国务院 / national names the national report.
func TestReportFilterNational(t *testing.T) {
	ix := scopeIndex(t)
	for _, f := range []string{"全国", "国务院", "national", "National"} {
		if got := ix.matchReports([]string{f}); !reflect.DeepEqual(got, []string{"r#0"}) {
			t.Errorf("%q: %v", f, got)
		}
	}
	if got := ix.matchReports([]string{"湖南"}); !reflect.DeepEqual(got, []string{"r#1"}) {
		t.Errorf("湖南: %v", got)
	}
}

// Odd questions give a search (maybe empty), never an error or a panic;
// folded forms find what the plain form finds.
func TestOddQuestions(t *testing.T) {
	ix := scopeIndex(t)
	opt := DefaultOptions()
	opt.Mode = Lexical
	for _, q := range []string{"😀？！…", "!!!", "ＧＤＰ２０２６", "湖南ＧＤＰ增長", "Hunan 地区生产总值 growth", strings.Repeat("地区生产总值增长，", 200), "\xff\xfe增长"} {
		if _, _, err := ix.Search(context.Background(), q, opt); err != nil {
			t.Errorf("%.40q: %v", q, err)
		}
	}
	// Traditional characters find the simplified text.
	res, info, _ := ix.Search(context.Background(), "長期護理保險", opt)
	if len(res) == 0 || res[0].ID != "r#1.2" || !strings.Contains(info.Notice, "traditional") {
		t.Errorf("traditional: %+v %q", res, info.Notice)
	}
}
