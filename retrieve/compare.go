package retrieve

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/reportsearch/reportsearch/query"
	"github.com/reportsearch/reportsearch/year"
)

// CompareBy says what a comparison's rows are.
type CompareBy string

const (
	ByReport CompareBy = "report"
	ByYear   CompareBy = "year"
)

// DefaultMinCover is the share of the question's weight a row's passage
// must hold to count as an answer; below it the row is "not found".
// Calibrated on eval/testdata/compare.jsonl (see the README there): the
// value with the best F1 of rows over the labelled reports (lexical
// search, 33 reports: precision 0.93, recall 0.75, 42% of rows not found;
// tuned and measured on the same ten questions, there is no held-out set).
const DefaultMinCover = 0.65

// CompareOptions control Compare.
type CompareOptions struct {
	By CompareBy `json:"by"`
	// Search are the options of each row's search; K is how many
	// candidates of each row are weighed (the one holding most of the
	// question wins), Reports and Years restrict the rows.
	Search Options `json:"search"`
	// MinCover is the threshold of a found row (DefaultMinCover when 0).
	MinCover float64 `json:"min_cover"`
}

// Row is one report's (or year's) answer.
type Row struct {
	// Label is the report's title, or the year.
	Label  string `json:"label"`
	Region string `json:"region,omitempty"`
	Year   int    `json:"year,omitempty"`
	// Reports are the report keys of the row.
	Reports []string `json:"reports"`
	Found   bool     `json:"found"`
	// Cover is the share of the question's weight (IDF of its character
	// bigrams) that the passage holds.
	Cover  float64 `json:"cover"`
	Result *Result `json:"result,omitempty"`
}

// Compare finds the best passage of each report (or of each year) for the
// question. Rows come in a stable order: the national report first, then
// the provinces in the usual order (query.Provinces), then the other
// reports as stored; by year, years ascending (reports of unknown year
// are left out). A row whose best passage holds less than MinCover of the
// question is not found and keeps no passage: a table of least bad
// paragraphs would mislead.
func (ix *Index) Compare(ctx context.Context, question string, opt CompareOptions) ([]Row, error) {
	if Blank(question) {
		return nil, BadRequestf("the query is empty (white space and control characters only)")
	}
	if opt.By == "" {
		opt.By = ByReport
	}
	if opt.By != ByReport && opt.By != ByYear {
		return nil, &OptionError{"by", fmt.Sprintf("want report or year, got %q", opt.By)}
	}
	if opt.MinCover == 0 {
		opt.MinCover = DefaultMinCover
	}
	if !(opt.MinCover > 0 && opt.MinCover <= 1) {
		return nil, &OptionError{"min_cover", fmt.Sprintf("want a number above 0 and at most 1, got %g", opt.MinCover)}
	}
	so := opt.Search
	if so.K < 1 {
		so.K = 3
	}
	if err := so.Validate(); err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(ix.reports))
	for _, r := range ix.reports {
		keys = append(keys, r.Key)
	}
	if len(so.Reports) > 0 {
		if keys = ix.matchReports(so.Reports); len(keys) == 0 {
			return nil, &UnknownReportsError{Reports: so.Reports}
		}
	}
	if !so.Years.Empty() {
		var err error
		if keys, err = ix.yearReports(so.Years, keys, true); err != nil {
			return nil, err
		}
	}
	rows := ix.compareRows(keys, opt.By)
	weights := ix.questionWeights(question)
	so.Years = year.Range{}
	so.Regions = ReportOff
	var qv queryVector // the question is embedded once for all rows
	for i := range rows {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		so.Reports = rows[i].Reports
		res, _, err := ix.search(ctx, question, so, &qv)
		if err != nil {
			return nil, err
		}
		best, bestCover := -1, -1.0
		for j := range res {
			if c := cover(weights, res[j].Text); c > bestCover {
				best, bestCover = j, c
			}
		}
		if best < 0 {
			continue
		}
		rows[i].Cover = bestCover
		if bestCover >= opt.MinCover {
			r := res[best]
			r.Rank = 1
			rows[i].Found, rows[i].Result = true, &r
		}
	}
	return rows, nil
}

// compareRows groups keys into rows, in the order Compare documents.
func (ix *Index) compareRows(keys []string, by CompareBy) []Row {
	byKey := map[string]Report{}
	for _, r := range ix.reports {
		byKey[r.Key] = r
	}
	if by == ByYear {
		groups := map[int][]string{}
		for _, k := range keys {
			if y := byKey[k].Year; y != 0 {
				groups[y] = append(groups[y], k)
			}
		}
		var ys []int
		for y := range groups {
			ys = append(ys, y)
		}
		sort.Ints(ys)
		rows := make([]Row, len(ys))
		for i, y := range ys {
			rows[i] = Row{Label: strconv.Itoa(y), Year: y, Reports: groups[y]}
		}
		return rows
	}
	order := func(k string) int {
		if ix.national[k] {
			return 0
		}
		reg := byKey[k].Region
		for i, p := range query.Provinces {
			if reg != "" && reg == p.Short {
				return i + 1
			}
		}
		return len(query.Provinces) + 1
	}
	sorted := append([]string(nil), keys...)
	sort.SliceStable(sorted, func(i, j int) bool {
		oi, oj := order(sorted[i]), order(sorted[j])
		if oi != oj {
			return oi < oj
		}
		return byKey[sorted[i]].Year < byKey[sorted[j]].Year
	})
	rows := make([]Row, len(sorted))
	for i, k := range sorted {
		r := byKey[k]
		rows[i] = Row{Label: r.Title, Region: r.Region, Year: r.Year, Reports: []string{k}}
	}
	return rows
}

// questionWeights weighs each distinct token of the question (character
// bigrams for the bigram tokenizer) by its IDF over the collection's
// chunks, so that 低空 counts for more than 如何 or 发展. The weights come
// in token order: cover sums them, and a sum in map order would differ in
// its last digits from run to run (and so would compare's JSON).
func (ix *Index) questionWeights(question string) []tokenWeight {
	pq := parseQuery(question)
	toks := map[string]bool{}
	for _, t := range ix.lex.Tokenizer().Tokens(strings.Join(pq.Terms, " ")) {
		toks[t] = true
	}
	for _, g := range pq.Groups {
		for _, t := range ix.lex.Tokenizer().Tokens(g.Translations[0]) {
			toks[t] = true
		}
	}
	n := len(ix.records)
	var w []tokenWeight
	for _, t := range slices.Sorted(maps.Keys(toks)) {
		df := 0
		for i := range ix.records {
			if strings.Contains(ix.records[i].Text, t) {
				df++
			}
		}
		if df == 0 {
			continue // in no chunk: no row can hold it, it only lowers every row alike
		}
		w = append(w, tokenWeight{t, math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))})
	}
	return w
}

type tokenWeight struct {
	token  string
	weight float64
}

// cover is the share of the weights whose tokens occur in text.
func cover(w []tokenWeight, text string) float64 {
	var have, all float64
	for _, tw := range w {
		all += tw.weight
		if strings.Contains(text, tw.token) {
			have += tw.weight
		}
	}
	if all == 0 {
		return 0
	}
	return have / all
}
