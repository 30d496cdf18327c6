package retrieve

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/reportsearch/reportsearch/store"
	"github.com/reportsearch/reportsearch/year"
)

// TrendGroup is one column of a trend: a year, or a report.
type TrendGroup struct {
	Label   string   `json:"label"`
	Year    int      `json:"year,omitempty"`
	Reports []string `json:"reports"`
	// Chars is the number of characters of chunk text in the group.
	Chars int `json:"chars"`
	// Counts[i] is how often term i occurs; Per10k[i] the same per 10,000
	// characters.
	Counts []int        `json:"counts"`
	Per10k []float64    `json:"per_10k"`
	Hits   [][]TrendHit `json:"hits,omitempty"`
}

// TrendHit is one chunk behind a count.
type TrendHit struct {
	ID     string `json:"id"`
	Report string `json:"report"`
	N      int    `json:"n"`
	Text   string `json:"text"`
}

// Trend counts each term's occurrences in the chunk texts of each year (or
// report), in the order Compare uses (years ascending; by report the
// national report, provinces, others). Occurrences are counted as written
// (non-overlapping, case-sensitive); reports of unknown year are left out
// by year. withHits keeps the chunks behind each count.
func (ix *Index) Trend(terms []string, by CompareBy, years year.Range, withHits bool) ([]TrendGroup, error) {
	if len(terms) == 0 {
		return nil, BadRequestf("no term to count")
	}
	for _, t := range terms {
		if strings.TrimSpace(t) == "" {
			return nil, BadRequestf("an empty term")
		}
	}
	if by == "" {
		by = ByYear
	}
	if by != ByYear && by != ByReport {
		return nil, &OptionError{"by", fmt.Sprintf("want year or report, got %q", by)}
	}
	keys := make([]string, 0, len(ix.reports))
	for _, r := range ix.reports {
		keys = append(keys, r.Key)
	}
	if !years.Empty() {
		var err error
		if keys, err = ix.yearReports(years, keys, true); err != nil {
			return nil, err
		}
	}
	rows := ix.compareRows(keys, by)
	if by == ByYear && len(rows) == 0 {
		return nil, BadRequestf("no report of a known year to count by year (try by report)")
	}
	groupOf := map[string]int{}
	out := make([]TrendGroup, len(rows))
	for i, r := range rows {
		out[i] = TrendGroup{Label: r.Label, Year: r.Year, Reports: r.Reports, Counts: make([]int, len(terms)), Per10k: make([]float64, len(terms))}
		if withHits {
			out[i].Hits = make([][]TrendHit, len(terms))
		}
		for _, k := range r.Reports {
			groupOf[k] = i
		}
	}
	for i := range ix.records {
		c := &ix.records[i].Chunk
		g, ok := groupOf[store.ReportKey(c.File, c.ReportIndex)]
		if !ok {
			continue
		}
		out[g].Chars += utf8.RuneCountInString(c.Text)
		for ti, t := range terms {
			if n := strings.Count(c.Text, t); n > 0 {
				out[g].Counts[ti] += n
				if withHits {
					out[g].Hits[ti] = append(out[g].Hits[ti], TrendHit{ID: c.ID, Report: c.Report, N: n, Text: c.Text})
				}
			}
		}
	}
	for i := range out {
		for ti := range terms {
			if out[i].Chars > 0 {
				out[i].Per10k[ti] = float64(out[i].Counts[ti]) * 10000 / float64(out[i].Chars)
			}
		}
	}
	return out, nil
}

// Sparkline draws values as one line of block characters, lowest ▁ (and
// a space for exactly zero), highest █.
func Sparkline(values []float64) string {
	const bars = "▁▂▃▄▅▆▇█"
	rs := []rune(bars)
	var top float64
	for _, v := range values {
		top = max(top, v)
	}
	var b strings.Builder
	for _, v := range values {
		switch {
		case v <= 0:
			b.WriteRune(' ')
		default:
			b.WriteRune(rs[min(len(rs)-1, int(v/top*float64(len(rs)-1)+0.5))])
		}
	}
	return b.String()
}
