package retrieve

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/reportsearch/reportsearch/query"
	"github.com/reportsearch/reportsearch/store"
	"github.com/reportsearch/reportsearch/year"
)

// minPlaceChunks is how many chunks of a report must name a county or
// city for the report to be about it: a single mention is in passing (a
// provincial report listing its cities).
const minPlaceChunks = 2

// scopeReports finds the reports a question is about, and says why: the
// reports of the provinces it names; the reports about the counties and
// cities it names (see placeReports); and, when it names neither, the
// national report(s) if it asks about the whole country. Which report is
// national, provincial or local comes from the reports' titles and text.
func (ix *Index) scopeReports(q query.Query) (keys []string, why string) {
	var reasons []string
	seen := map[string]bool{}
	add := func(k string) {
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	if regs := q.Scope.Provinces; len(regs) > 0 {
		n := len(keys)
		for _, r := range ix.reports {
			if r.Region != "" && contains(regs, r.Region) {
				add(r.Key)
			}
		}
		if len(keys) > n {
			reasons = append(reasons, "province "+strings.Join(regs, ", "))
		}
	}
	for _, p := range q.Scope.Places {
		if ks := ix.placeReports(p); len(ks) > 0 {
			for _, k := range ks {
				add(k)
			}
			reasons = append(reasons, p)
		}
	}
	if len(keys) == 0 && q.Scope.National {
		for _, r := range ix.reports {
			if ix.national[r.Key] {
				add(r.Key)
			}
		}
		if len(keys) > 0 {
			reasons = append(reasons, "the whole country")
		}
	}
	if len(q.Scope.Years) > 0 {
		// A year named steers to the reports of that year, within the
		// places named when some of their reports are of that year.
		var yk []string
		for _, r := range ix.reports {
			if r.Year != 0 && containsInt(q.Scope.Years, r.Year) && (len(keys) == 0 || seen[r.Key]) {
				yk = append(yk, r.Key)
			}
		}
		if len(yk) > 0 {
			keys = yk
			var ys []string
			for _, y := range q.Scope.Years {
				ys = append(ys, strconv.Itoa(y))
			}
			reasons = append(reasons, "year "+strings.Join(ys, ", "))
		}
	}
	if len(keys) == 0 {
		return nil, ""
	}
	var titles []string
	for _, k := range keys {
		titles = append(titles, ix.reportTitle(k))
	}
	return keys, fmt.Sprintf("scope: %s (%s)", strings.Join(reasons, "; "), strings.Join(titles, ", "))
}

func (ix *Index) reportTitle(key string) string {
	for _, r := range ix.reports {
		if r.Key == key {
			return r.Title
		}
	}
	return key
}

// placeReports finds the reports about a county or city (full name, e.g.
// 滕州市): those whose title names it, else those with the highest share
// of chunks naming it (full or short name), at least minPlaceChunks of
// them, and at least half the best report's share. A county's own plan
// names it in most paragraphs; a provincial report that lists it does so
// once or twice among hundreds.
//
// The answer is cached per place: the index never changes, and finding it
// reads every chunk's text.
func (ix *Index) placeReports(full string) []string {
	if v, ok := ix.placeCache.Load(full); ok {
		return v.([]string)
	}
	keys := ix.findPlaceReports(full)
	ix.placeCache.Store(full, keys)
	return keys
}

func (ix *Index) findPlaceReports(full string) []string {
	short := strings.TrimRight(full, "县市区旗")
	if len([]rune(short)) < 2 {
		short = full
	}
	var keys []string
	for _, r := range ix.reports {
		if strings.Contains(r.Title, full) || strings.Contains(r.Title, short) {
			keys = append(keys, r.Key)
		}
	}
	if len(keys) > 0 {
		return keys
	}
	count := map[string]int{}
	for i := range ix.records {
		c := &ix.records[i].Chunk
		if strings.Contains(c.Text, short) {
			count[store.ReportKey(c.File, c.ReportIndex)]++
		}
	}
	share := map[string]float64{}
	best := 0.0
	for _, r := range ix.reports {
		if count[r.Key] >= minPlaceChunks {
			share[r.Key] = float64(count[r.Key]) / float64(r.Chunks)
			best = max(best, share[r.Key])
		}
	}
	for _, r := range ix.reports {
		if s, ok := share[r.Key]; ok && s >= best/2 {
			keys = append(keys, r.Key)
		}
	}
	return keys
}

func containsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// yearReports is the reports of the years in r, among within when
// restricted (an explicit report filter), else among all. No report of
// those years is a bad request that lists the years there are.
func (ix *Index) yearReports(r year.Range, within []string, restricted bool) ([]string, error) {
	in := map[string]bool{}
	for _, k := range within {
		in[k] = true
	}
	var keys []string
	have := map[int]bool{}
	for _, rep := range ix.reports {
		if restricted && !in[rep.Key] {
			continue
		}
		if rep.Year != 0 {
			have[rep.Year] = true
		}
		if r.Contains(rep.Year) {
			keys = append(keys, rep.Key)
		}
	}
	if len(keys) == 0 {
		return nil, BadRequestf("no report of %s (reports of: %s)", r, YearList(have))
	}
	return keys, nil
}

// YearList names a set of years compactly: "1954-1960, 1964, 2026".
func YearList(set map[int]bool) string {
	var ys []int
	for y := range set {
		ys = append(ys, y)
	}
	if len(ys) == 0 {
		return "none of a known year"
	}
	sort.Ints(ys)
	var parts []string
	for i := 0; i < len(ys); {
		j := i
		for j+1 < len(ys) && ys[j+1] == ys[j]+1 {
			j++
		}
		if j > i {
			parts = append(parts, fmt.Sprintf("%d-%d", ys[i], ys[j]))
		} else {
			parts = append(parts, strconv.Itoa(ys[i]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}
