package eval

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// TableWidth is the width, in terminal columns, that text tables and
// per-question listings are made to fit.
const TableWidth = 100

// AboveMax is how many of the hits ranked above the first relevant one a
// QuestionResult keeps (Above), and aboveRunes how much of their text.
const (
	AboveMax   = 3
	aboveRunes = 48
)

// RankedHit is a short record of one retrieved hit: enough to see what a
// retriever preferred over the answer.
type RankedHit struct {
	Rank  int     `json:"rank"`
	ID    string  `json:"id"`
	File  string  `json:"file,omitempty"`
	Text  string  `json:"text,omitempty"` // the first aboveRunes characters, whitespace collapsed
	Score float64 `json:"score"`
}

// describe fills what people read about a question (Kind, Query, Quote,
// RelevantRanks, Above) from the question, its hits and their judgment.
func describe(qr *QuestionResult, q Question, hits []Hit, j Judgment) {
	qr.Kind, qr.Query = q.Kind, q.Query
	if len(q.Qrels) == 0 && len(q.Answers) > 0 {
		qr.Quote = q.Answers[0].Quote
	}
	for i, g := range j.Grades {
		if g > 0 {
			qr.RelevantRanks = append(qr.RelevantRanks, i+1)
		}
	}
	n := len(hits)
	if qr.FirstRelevant > 0 {
		n = qr.FirstRelevant - 1
	}
	for i := range min(n, AboveMax) {
		h := hits[i]
		qr.Above = append(qr.Above, RankedHit{Rank: i + 1, ID: h.ID, File: h.File, Text: prefix(oneLine(h.Text), aboveRunes), Score: h.Score})
	}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func prefix(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// QuestionMetric is the metric per-question listings show by default:
// ndcg@10 when the report has it, else nDCG at the report's largest
// cut-off, else the first metric the report has ("" for none).
func (r Report) QuestionMetric() string {
	names := r.MetricNames()
	if slices.Contains(names, "ndcg@10") {
		return "ndcg@10"
	}
	best, bestK := "", -1
	for _, n := range names {
		fam, ks, _ := strings.Cut(n, "@")
		k, err := strconv.Atoi(ks)
		if fam == MetricNDCG && err == nil && k > bestK {
			best, bestK = n, k
		}
	}
	if best == "" && len(names) > 0 {
		best = names[0]
	}
	return best
}

// withQuestions fills Kind, Query and Quote of r's questions from qs where
// the report lacks them (reports written before they were stored).
func (r Report) withQuestions(qs []Question) Report {
	byID := make(map[string]Question, len(qs))
	for _, q := range qs {
		byID[q.ID] = q
	}
	per := slices.Clone(r.PerQuestion)
	for i := range per {
		q, ok := byID[per[i].ID]
		if !ok {
			continue
		}
		if per[i].Query == "" {
			per[i].Query = q.Query
		}
		if per[i].Kind == "" {
			per[i].Kind = q.Kind
		}
		if per[i].Quote == "" && len(q.Qrels) == 0 && len(q.Answers) > 0 {
			per[i].Quote = q.Answers[0].Quote
		}
	}
	r.PerQuestion = per
	return r
}

// depth is the number of hits the run retrieved per question (the longest
// list), which is the rank a miss lies beyond.
func (r Report) depth() int {
	d := 0
	for _, q := range r.PerQuestion {
		d = max(d, q.Retrieved)
	}
	for _, k := range r.Ks {
		d = max(d, k)
	}
	return d
}

func rankCell(rank int) string {
	if rank <= 0 {
		return "—"
	}
	return strconv.Itoa(rank)
}

// WriteQuestionTable lists every question of r, worst first, in
// TableWidth columns: its ID, kind, the rank of its first relevant hit
// ("—" when none was retrieved), how many of its relevant items were
// retrieved, the value of metric ("" for QuestionMetric) and its query; on
// the lines below, its quote and, when the first relevant hit is not at
// rank 1, the hits ranked above it. qs may be nil; it supplies queries and
// quotes that older reports lack. A metric the report does not have is an
// error, not a column of blanks.
func (r Report) WriteQuestionTable(w io.Writer, qs []Question, metric string) error {
	if metric == "" {
		metric = r.QuestionMetric()
	}
	if !slices.Contains(r.MetricNames(), metric) {
		return fmt.Errorf("per-question: the report has no metric %q (it has %s)", metric, strings.Join(r.MetricNames(), ", "))
	}
	r = r.withQuestions(qs)
	per := slices.Clone(r.PerQuestion)
	missRank := r.depth() + 1
	rankKey := func(q QuestionResult) int {
		if q.FirstRelevant <= 0 {
			return missRank
		}
		return q.FirstRelevant
	}
	slices.SortStableFunc(per, func(a, b QuestionResult) int {
		va, oka := a.Metrics[metric]
		vb, okb := b.Metrics[metric]
		switch {
		case oka != okb: // questions without relevant items last
			if oka {
				return -1
			}
			return 1
		case va != vb:
			if va < vb {
				return -1
			}
			return 1
		}
		return rankKey(b) - rankKey(a)
	})
	idW, kindW := width.StringWidth("id"), width.StringWidth("kind")
	for _, q := range per {
		idW = max(idW, width.StringWidth(q.ID))
		kindW = max(kindW, width.StringWidth(q.Kind))
	}
	kindW = min(kindW, 12)
	found := func(q QuestionResult) string {
		if q.Relevant == 0 {
			return "0/0"
		}
		n := len(q.RelevantRanks)
		if n == 0 && q.FirstRelevant > 0 { // older report: at least one
			return "≥1/" + strconv.Itoa(q.Relevant)
		}
		return fmt.Sprintf("%d/%d", n, q.Relevant)
	}
	foundW, metricW := width.StringWidth("found"), max(width.StringWidth(metric), 6)
	for _, q := range per {
		foundW = max(foundW, width.StringWidth(found(q)))
	}
	const rankW = 4
	lead := idW + 2 + kindW + 2 + rankW + 2 + foundW + 2 + metricW + 2
	queryW := max(TableWidth-lead, 20)
	indent := strings.Repeat(" ", idW+2)
	restW := max(TableWidth-idW-2, 30)

	bw := bufio.NewWriter(w)
	for _, l := range wrap(fmt.Sprintf("Per question, worst %s first. rank: of the first relevant chunk in the top %d (— = none retrieved); found: relevant items retrieved / relevant items; below: the answer's quote and what ranked above it.", metric, r.depth()), TableWidth) {
		fmt.Fprintln(bw, l)
	}
	line := func(id, kind, rank, fnd, val, query string) {
		fmt.Fprintf(bw, "%s  %s  %s  %s  %s  %s\n", padRight(id, idW), padRight(width.Truncate(kind, kindW, "…"), kindW),
			padLeft(rank, rankW), padLeft(fnd, foundW), padLeft(val, metricW), width.Truncate(query, queryW, "…"))
	}
	line("id", "kind", "rank", "found", metric, "query")
	for _, q := range per {
		v := "no rel."
		if x, ok := q.Metrics[metric]; ok {
			v = fmt.Sprintf("%.4f", x)
		}
		line(q.ID, q.Kind, rankCell(q.FirstRelevant), found(q), v, oneLine(q.Query))
		if q.Quote != "" {
			fmt.Fprintln(bw, strings.TrimRight(indent+width.Truncate("quote: "+oneLine(q.Quote), restW, "…"), " "))
		}
		if q.FirstRelevant != 1 {
			for _, h := range q.Above {
				fmt.Fprintln(bw, strings.TrimRight(indent+width.Truncate(fmt.Sprintf("#%-2d %s  %s", h.Rank, h.ID, h.Text), restW, "…"), " "))
			}
		}
	}
	return bw.Flush()
}

func padRight(s string, n int) string {
	return s + strings.Repeat(" ", max(0, n-width.StringWidth(s)))
}

func padLeft(s string, n int) string {
	return strings.Repeat(" ", max(0, n-width.StringWidth(s))) + s
}

// WriteQuestionRanks sets the per-question ranks of several runs (named
// uniquely, baseline first) side by side: for each question the rank of its
// first relevant hit in every run, questions whose ranks differ most from
// the baseline's first (a miss counts as one past the deepest list). The
// questions ranked alike in every run are counted, not listed.
func WriteQuestionRanks(w io.Writer, reports []Report) error {
	if len(reports) == 0 {
		return fmt.Errorf("per-question: no reports")
	}
	missRank := 0
	byRun := make([]map[string]QuestionResult, len(reports))
	for i, r := range reports {
		missRank = max(missRank, r.depth()+1)
		byRun[i] = make(map[string]QuestionResult, len(r.PerQuestion))
		for _, q := range r.PerQuestion {
			byRun[i][q.ID] = q
		}
	}
	key := func(q QuestionResult, ok bool) int {
		if !ok || q.FirstRelevant <= 0 {
			return missRank
		}
		return q.FirstRelevant
	}
	type row struct {
		q      QuestionResult
		ranks  []string
		change int
	}
	var rows []row
	same := 0
	seen := map[string]bool{}
	for _, r := range reports {
		for _, q := range r.PerQuestion {
			if seen[q.ID] || q.Relevant == 0 {
				continue
			}
			seen[q.ID] = true
			bq, bok := byRun[0][q.ID]
			base := key(bq, bok)
			rw := row{q: q}
			for i := range reports {
				x, ok := byRun[i][q.ID]
				cell := rankCell(x.FirstRelevant)
				if !ok {
					cell = "n/a"
				}
				rw.ranks = append(rw.ranks, cell)
				rw.change = max(rw.change, abs(key(x, ok)-base))
				if rw.q.Query == "" {
					rw.q.Query, rw.q.Kind = x.Query, x.Kind
				}
			}
			if rw.change == 0 {
				same++
				continue
			}
			rows = append(rows, rw)
		}
	}
	slices.SortStableFunc(rows, func(a, b row) int {
		if a.change != b.change {
			return b.change - a.change
		}
		return strings.Compare(a.q.ID, b.q.ID)
	})
	idW, kindW := width.StringWidth("id"), width.StringWidth("kind")
	for _, rw := range rows {
		idW = max(idW, width.StringWidth(rw.q.ID))
		kindW = max(kindW, width.StringWidth(rw.q.Kind))
	}
	kindW = min(kindW, 12)
	colW := make([]int, len(reports))
	heads := make([]string, len(reports))
	lead := idW + 2 + kindW
	for i, r := range reports {
		heads[i] = width.Truncate(r.Name, 14, "…")
		colW[i] = max(width.StringWidth(heads[i]), 4)
		lead += 2 + colW[i]
	}
	queryW := max(TableWidth-lead-2, 20)

	bw := bufio.NewWriter(w)
	for _, l := range wrap(fmt.Sprintf("Rank of the first relevant chunk per question (— = none retrieved), largest change from %s first.", reports[0].Name), TableWidth) {
		fmt.Fprintln(bw, l)
	}
	line := func(id, kind string, cells []string, query string) {
		var b strings.Builder
		b.WriteString(padRight(id, idW) + "  " + padRight(width.Truncate(kind, kindW, "…"), kindW))
		for i, c := range cells {
			b.WriteString("  " + padLeft(c, colW[i]))
		}
		b.WriteString("  " + width.Truncate(query, queryW, "…"))
		fmt.Fprintln(bw, strings.TrimRight(b.String(), " "))
	}
	line("id", "kind", heads, "query")
	for _, rw := range rows {
		line(rw.q.ID, rw.q.Kind, rw.ranks, oneLine(rw.q.Query))
	}
	fmt.Fprintf(bw, "%d question(s) ranked alike in every run are not listed.\n", same)
	return bw.Flush()
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
