package retrieve

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/reportsearch/reportsearch/chunk"
	"github.com/reportsearch/reportsearch/store"
	"github.com/reportsearch/reportsearch/year"
)

// yearIndex: national reports of 2019 and 2025 (one from a record with its
// year, one stored before years were recorded: its year is in its date
// line), a 2026 provincial report, and a resolution of unknown year.
func yearIndex(t *testing.T) *Index {
	t.Helper()
	c := func(id, file string, ri, y int, report, region, text string) store.Record {
		return store.Record{Chunk: chunk.Chunk{ID: id, File: file, ReportIndex: ri, Year: y, Report: report, Region: region, Paragraph: 1, Text: text}}
	}
	recs := []store.Record{
		c("n#0.1", "n", 0, 2019, "2019年中华人民共和国国务院政府工作报告", "", "城镇新增就业1100万人以上，国内生产总值增长6-6.5%"),
		c("n#0.2", "n", 0, 2019, "2019年中华人民共和国国务院政府工作报告", "", "推进老旧小区改造"),
		c("n#1.1", "n", 1, 0, "政府工作报告", "全国", "——2025年3月5日在第十四届全国人民代表大会第三次会议上"),
		c("n#1.2", "n", 1, 0, "政府工作报告", "全国", "城镇新增就业1200万人以上，国内生产总值增长5%左右"),
		c("p#0.1", "p", 0, 2026, "北京市政府工作报告", "北京市", "城镇新增就业26万人，地区生产总值增长5%左右"),
		c("q#0.1", "q", 0, 0, "决议", "", "城镇新增就业 会议同意"),
	}
	return lexicalIndex(t, recs)
}

func TestReportYearsOnOpen(t *testing.T) {
	ix := yearIndex(t)
	var got []int
	for _, r := range ix.Reports() {
		got = append(got, r.Year)
	}
	if want := []int{2019, 2025, 2026, 0}; !reflect.DeepEqual(got, want) {
		t.Errorf("report years %v, want %v", got, want)
	}
}

func TestYearsOption(t *testing.T) {
	ix := yearIndex(t)
	ctx := context.Background()
	reportsOf := func(res []Result) []string {
		var out []string
		for _, r := range res {
			out = append(out, r.ID[:3])
		}
		return out
	}
	opt := DefaultOptions()
	opt.K = 10
	opt.Years = year.Range{From: 2019, To: 2019}
	res, _, err := ix.Search(ctx, "城镇新增就业", opt)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if !strings.HasPrefix(r.ID, "n#0") {
			t.Errorf("--year 2019 returned %s", r.ID)
		}
	}
	opt.Years = year.Range{From: 2020, To: 2026}
	res, _, _ = ix.Search(ctx, "城镇新增就业", opt)
	if got := reportsOf(res); len(got) != 2 || contains(got, "n#0") || contains(got, "q#0") {
		t.Errorf("2020-2026: %v, want the 2025 and 2026 reports only", got)
	}
	// With an explicit report filter the two intersect.
	opt.Reports = []string{"北京"}
	res, _, _ = ix.Search(ctx, "城镇新增就业", opt)
	if got := reportsOf(res); !reflect.DeepEqual(got, []string{"p#0"}) {
		t.Errorf("北京 2020-2026: %v", got)
	}
	opt.Reports = nil
	opt.Years = year.Range{From: 2000, To: 2010}
	_, _, err = ix.Search(ctx, "城镇新增就业", opt)
	if !errors.Is(err, ErrBadRequest) || !strings.Contains(err.Error(), "2019, 2025-2026") {
		t.Errorf("no report of 2000-2010: %v, want a bad request listing the years there are", err)
	}
	opt.Years = year.Range{From: 2019, To: 2010}
	if _, _, err := ix.Search(ctx, "x", opt); !errors.Is(err, ErrBadRequest) {
		t.Errorf("reversed range: %v", err)
	}
}

// A year named in the question steers (boosts, or filters under the filter
// policy) to the reports of that year, through query.Parse's Scope.Years.
func TestYearScope(t *testing.T) {
	ix := yearIndex(t)
	ctx := context.Background()
	cases := []struct {
		q       string
		reports []string
		notice  string
	}{
		{"2019年城镇新增就业目标", []string{"n#0"}, "year 2019"},
		{"2025年全国城镇新增就业", []string{"n#1"}, "year 2025"},
		// A province and a year: the province's report of that year.
		{"北京 2026年 城镇新增就业", []string{"p#0"}, "year 2026"},
		// A year no report has: no year steering (the province still steers).
		{"北京 2001年 城镇新增就业", []string{"p#0"}, "province"},
		{"1990年城镇新增就业", nil, ""},
	}
	for _, c := range cases {
		opt := DefaultOptions()
		opt.K = 10
		res, info, err := ix.Search(ctx, c.q, opt)
		if err != nil {
			t.Fatalf("%q: %v", c.q, err)
		}
		if !reflect.DeepEqual(info.Reports, c.reports) {
			t.Errorf("%q: steered to %v, want %v (notice %q)", c.q, info.Reports, c.reports, info.Notice)
		}
		if !strings.Contains(info.Notice, c.notice) {
			t.Errorf("%q: notice %q, want %q", c.q, info.Notice, c.notice)
		}
		if len(c.reports) > 0 && (len(res) == 0 || !strings.HasPrefix(res[0].ID, c.reports[0])) {
			t.Errorf("%q: first result %v", c.q, res)
		}
	}
}

func TestYearList(t *testing.T) {
	got := YearList(map[int]bool{1954: true, 1955: true, 1956: true, 1964: true, 2025: true, 2026: true})
	if got != "1954-1956, 1964, 2025-2026" {
		t.Errorf("YearList = %q", got)
	}
}
