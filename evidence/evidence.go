// Package evidence packs retrieved paragraphs into a character budget for a
// language model prompt: the best chunks first, widened with neighbouring
// paragraphs of the same section while the budget allows, duplicates
// dropped, adjacent chunks merged, grouped by report and in source order,
// each passage numbered for citation.
package evidence

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/reportsearch/reportsearch/chunk"
	"github.com/reportsearch/reportsearch/retrieve"
)

// Options of a pack.
type Options struct {
	// Budget is the most characters (runes) of passage text in the pack.
	Budget int `json:"budget"`
	// Candidates is how many search results are considered.
	Candidates int `json:"candidates"`
	// Neighbours is how many paragraphs on each side of a chosen chunk may
	// be added, within the same section.
	Neighbours int `json:"neighbours"`
}

// DefaultOptions suit a prompt of a few thousand tokens.
func DefaultOptions() Options { return Options{Budget: 2000, Candidates: 20, Neighbours: 1} }

// Passage is one citable piece of evidence: one chunk or several adjacent
// chunks of the same report.
type Passage struct {
	// N is the citation number, [N] in the text form.
	N        int      `json:"n"`
	File     string   `json:"file"`
	Report   string   `json:"report"`
	Headings []string `json:"headings"`
	// Paragraphs is the first and last paragraph number covered.
	Paragraphs [2]int `json:"paragraphs"`
	// Start and End are byte offsets into the file's UTF-8 text.
	Start int      `json:"start"`
	End   int      `json:"end"`
	IDs   []string `json:"ids"`
	// Score is the best search score among the passage's chunks; Rank the
	// best search rank (0 for a passage made only of added neighbours).
	Score float64 `json:"score"`
	Rank  int     `json:"rank"`
	Text  string  `json:"text"`
	Query string  `json:"query"`
}

// Pack is the result of packing.
type Pack struct {
	Query    string        `json:"query"`
	Budget   int           `json:"budget"`
	Used     int           `json:"used"`
	Mode     retrieve.Mode `json:"mode"`
	Notice   string        `json:"notice,omitempty"`
	Passages []Passage     `json:"passages"`
}

type picked struct {
	c     chunk.Chunk
	score float64
	rank  int
	order int // position of the chunk within its report, for source order
}

// Build searches and packs.
func Build(ctx context.Context, ix *retrieve.Index, query string, sopt retrieve.Options, opt Options) (Pack, error) {
	if opt.Budget <= 0 {
		return Pack{}, retrieve.BadRequestf("budget must be a positive number of characters, got %d", opt.Budget)
	}
	if opt.Candidates <= 0 {
		opt.Candidates = DefaultOptions().Candidates
	}
	sopt.K = opt.Candidates
	res, info, err := ix.Search(ctx, query, sopt)
	if err != nil {
		return Pack{}, err
	}
	p := Pack{Query: query, Budget: opt.Budget, Mode: info.Mode, Notice: info.Notice}

	chosen := map[string]*picked{}
	seenText := map[string]bool{}
	used := 0
	take := func(c chunk.Chunk, score float64, rank int) bool {
		if _, ok := chosen[c.ID]; ok {
			return false
		}
		key := squash(c.Text)
		if seenText[key] {
			return false // the same paragraph stands in two places
		}
		n := utf8.RuneCountInString(c.Text)
		if used+n > opt.Budget {
			return false
		}
		used += n
		seenText[key] = true
		chosen[c.ID] = &picked{c: c, score: score, rank: rank}
		return true
	}
	// First the best chunks, then, with what budget is left, their
	// neighbours in the same section, nearest first, best chunk first.
	var hits []retrieve.Result
	for _, r := range res {
		c, _ := ix.Chunk(r.ID)
		if take(c, r.Score, r.Rank) {
			hits = append(hits, r)
		}
	}
	for d := 1; d <= opt.Neighbours; d++ {
		for _, r := range hits {
			for _, n := range ix.Neighbours(r.ID, d, d) {
				if sameSection(n, r) && abs(n.Paragraph-r.Paragraph) <= d {
					take(n, 0, 0)
				}
			}
		}
	}
	p.Used = used

	// Group by report (best report first), merge chunks that are adjacent in
	// the source, and keep source order inside each report.
	byReport := map[string][]*picked{}
	var reportOrder []string
	best := map[string]float64{}
	for _, r := range res {
		if pk, ok := chosen[r.ID]; ok {
			key := fmt.Sprintf("%s#%d", pk.c.File, pk.c.ReportIndex)
			if _, ok := best[key]; !ok {
				best[key] = r.Score
				reportOrder = append(reportOrder, key)
			}
		}
	}
	for _, pk := range chosen {
		key := fmt.Sprintf("%s#%d", pk.c.File, pk.c.ReportIndex)
		byReport[key] = append(byReport[key], pk)
	}
	for _, key := range reportOrder {
		list := byReport[key]
		sort.Slice(list, func(i, j int) bool { return list[i].c.Start < list[j].c.Start })
		var cur *Passage
		var last chunk.Chunk
		for _, pk := range list {
			if cur != nil && adjacent(ix, last, pk.c) {
				cur.End = pk.c.End
				cur.Paragraphs[1] = pk.c.Paragraph
				cur.IDs = append(cur.IDs, pk.c.ID)
				cur.Text += joiner(last, pk.c) + pk.c.Text
				if pk.rank > 0 && (cur.Rank == 0 || pk.rank < cur.Rank) {
					cur.Rank, cur.Score = pk.rank, pk.score
				}
			} else {
				if cur != nil {
					p.Passages = append(p.Passages, *cur)
				}
				h := pk.c.Headings
				if h == nil {
					h = []string{}
				}
				cur = &Passage{File: pk.c.File, Report: pk.c.Report, Headings: h,
					Paragraphs: [2]int{pk.c.Paragraph, pk.c.Paragraph}, Start: pk.c.Start, End: pk.c.End,
					IDs: []string{pk.c.ID}, Score: pk.score, Rank: pk.rank, Text: pk.c.Text, Query: query}
			}
			last = pk.c
		}
		if cur != nil {
			p.Passages = append(p.Passages, *cur)
		}
	}
	for i := range p.Passages {
		p.Passages[i].N = i + 1
	}
	if p.Passages == nil {
		p.Passages = []Passage{}
	}
	return p, nil
}

// Text renders the pack for a prompt: numbered passages with their source.
func (p Pack) Text() string {
	var b strings.Builder
	for _, ps := range p.Passages {
		where := ps.Report
		if len(ps.Headings) > 0 {
			where += " › " + strings.Join(ps.Headings, " › ")
		}
		para := fmt.Sprintf("¶%d", ps.Paragraphs[0])
		if ps.Paragraphs[1] != ps.Paragraphs[0] {
			para = fmt.Sprintf("¶%d–%d", ps.Paragraphs[0], ps.Paragraphs[1])
		}
		fmt.Fprintf(&b, "[%d] %s (%s %s, bytes %d-%d)\n%s\n\n", ps.N, where, ps.File, para, ps.Start, ps.End, ps.Text)
	}
	return b.String()
}

func sameSection(c chunk.Chunk, r retrieve.Result) bool {
	if c.File != r.File || c.Report != r.Report || len(c.Headings) != len(r.Headings) {
		return false
	}
	for i := range c.Headings {
		if c.Headings[i] != r.Headings[i] {
			return false
		}
	}
	return true
}

// adjacent says b directly follows a in the same report: the next part of
// the same paragraph or the next paragraph. It asks the index for the chunk
// after a (records are stored in source order) rather than comparing
// paragraph numbers: a chunk does not know whether it is the last part of a
// split paragraph, so part 1 of ¶5 and ¶6 would look adjacent while part 2
// of ¶5 is missing between them.
func adjacent(ix *retrieve.Index, a, b chunk.Chunk) bool {
	if a.File != b.File || a.ReportIndex != b.ReportIndex {
		return false
	}
	next := ix.Neighbours(a.ID, 0, 1)
	return len(next) == 2 && next[1].ID == b.ID
}

// joiner keeps the parts of one paragraph together and paragraphs apart.
func joiner(a, b chunk.Chunk) string {
	if a.Paragraph == b.Paragraph {
		return ""
	}
	return "\n"
}

func squash(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
