package evidence

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/reportsearch/reportsearch/chunk"
	"github.com/reportsearch/reportsearch/lexical"
	"github.com/reportsearch/reportsearch/retrieve"
	"github.com/reportsearch/reportsearch/store"
)

// para is one paragraph of the hand-built collection. Every paragraph has
// its own characters, so a query made of one paragraph's text finds that
// paragraph (and, through shared bigrams, nothing else unless said so).
type para struct {
	report   int
	headings []string
	n, part  int
	text     string
}

var (
	secReview = []string{"一、回顾"}
	secTasks  = []string{"二、任务"}
	titles    = []string{"甲报告", "乙报告"}
)

// paras is two reports of one file, in source order. Report 0 has two
// sections; paragraph 5 was split into two parts. Report 1 holds p2's text
// again with a space in it, which packing must drop as a duplicate.
var paras = []para{
	{0, secReview, 1, 0, "春风化雨润物无声"},
	{0, secReview, 2, 0, "星辰大海征途漫漫"},
	{0, secReview, 3, 0, "山高水长源远流长"},
	{0, secTasks, 4, 0, "金戈铁马气吞山河"},
	{0, secTasks, 5, 1, "龙腾虎跃百舸争流"},
	{0, secTasks, 5, 2, "鹏程万里扶摇直上"},
	{0, secTasks, 6, 0, "海阔天空鱼跃鸢飞"},
	{1, secReview, 1, 0, "星辰大海 征途漫漫"},
	{1, secReview, 2, 0, "雪月风花诗酒年华"},
}

const file = "a.txt"

// testIndex builds the collection as the indexer stores it: a snapshot with
// records in source order and its encoded lexical index, opened without a
// model (lexical search).
func testIndex(t *testing.T) *retrieve.Index {
	t.Helper()
	tok := lexical.Bigram()
	lex := lexical.New(tok, lexical.Params{})
	snap := &store.Snapshot{Manifest: store.Manifest{Name: "evidence-test", Lexical: tok.Name(), Chunks: len(paras)}}
	off := 0
	for _, p := range paras {
		id := fmt.Sprintf("%s#%d.%d", file, p.report, p.n)
		if p.part > 0 {
			id += fmt.Sprintf(".%d", p.part)
		}
		c := chunk.Chunk{ID: id, File: file, Report: titles[p.report], ReportIndex: p.report,
			Headings: p.headings, Paragraph: p.n, Part: p.part, Text: p.text, Start: off, End: off + len(p.text)}
		off = c.End + 2 // paragraphs are separated by a blank line in the file
		snap.Records = append(snap.Records, store.Record{Chunk: c})
		lex.Add(c.ID, c.Text)
	}
	var b bytes.Buffer
	if err := lex.Encode(&b); err != nil {
		t.Fatal(err)
	}
	snap.Lexical = b.Bytes()
	ix, err := retrieve.FromSnapshot(context.Background(), snap, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func build(t *testing.T, ix *retrieve.Index, query string, opt Options) Pack {
	t.Helper()
	sopt := retrieve.DefaultOptions()
	sopt.Mode = retrieve.Lexical
	p, err := Build(context.Background(), ix, query, sopt, opt)
	if err != nil {
		t.Fatalf("Build(%q, %+v): %v", query, opt, err)
	}
	return p
}

func ids(p Pack) [][]string {
	var out [][]string
	for _, ps := range p.Passages {
		out = append(out, ps.IDs)
	}
	return out
}

func same(a, b [][]string) bool { return fmt.Sprint(a) == fmt.Sprint(b) }

// checkPack verifies what holds for every pack: numbering, no chunk twice,
// Used equal to the characters of the chunks packed and within the budget,
// the passage text made of exactly those chunks, passages of one report
// together and in source order.
func checkPack(t *testing.T, ix *retrieve.Index, p Pack) {
	t.Helper()
	seen := map[string]bool{}
	used := 0
	reportDone := map[string]bool{}
	lastReport := ""
	lastEnd := -1
	for i, ps := range p.Passages {
		if ps.N != i+1 {
			t.Errorf("passage %d is numbered %d", i+1, ps.N)
		}
		var parts []string
		for j, id := range ps.IDs {
			if seen[id] {
				t.Errorf("chunk %s is packed twice", id)
			}
			seen[id] = true
			c, ok := ix.Chunk(id)
			if !ok {
				t.Fatalf("passage %d cites unknown chunk %s", ps.N, id)
			}
			used += utf8.RuneCountInString(c.Text)
			if j > 0 {
				prev, _ := ix.Chunk(ps.IDs[j-1])
				if prev.Paragraph != c.Paragraph {
					parts = append(parts, "\n")
				}
			}
			parts = append(parts, c.Text)
		}
		if got := strings.Join(parts, ""); ps.Text != got {
			t.Errorf("passage %d text %q, want its chunks joined: %q", ps.N, ps.Text, got)
		}
		key := fmt.Sprintf("%s#%s", ps.File, ps.Report)
		if key != lastReport {
			if reportDone[key] {
				t.Errorf("report %s comes back after another report's passages", key)
			}
			reportDone[lastReport] = true
			lastReport, lastEnd = key, -1
		}
		if ps.Start <= lastEnd {
			t.Errorf("passage %d starts at %d, before the end %d of the previous passage of its report", ps.N, ps.Start, lastEnd)
		}
		lastEnd = ps.End
	}
	if used != p.Used {
		t.Errorf("Used is %d, the packed chunks hold %d characters", p.Used, used)
	}
	if p.Used > p.Budget {
		t.Errorf("Used %d is over the budget %d", p.Used, p.Budget)
	}
}

func TestNeighboursMergedInSourceOrder(t *testing.T) {
	ix := testIndex(t)
	// p2 is hit; p1 and p3 are its neighbours in the same section; the copy
	// of p2 in report 1 is dropped.
	p := build(t, ix, "星辰大海征途漫漫", Options{Budget: 100, Candidates: 10, Neighbours: 1})
	checkPack(t, ix, p)
	want := [][]string{{"a.txt#0.1", "a.txt#0.2", "a.txt#0.3"}}
	if !same(ids(p), want) {
		t.Fatalf("passages %v, want %v", ids(p), want)
	}
	ps := p.Passages[0]
	if ps.Text != "春风化雨润物无声\n星辰大海征途漫漫\n山高水长源远流长" || ps.Paragraphs != [2]int{1, 3} || ps.Rank != 1 || ps.Score <= 0 {
		t.Errorf("merged passage: %+v", ps)
	}
	first, _ := ix.Chunk("a.txt#0.1")
	last, _ := ix.Chunk("a.txt#0.3")
	if ps.Start != first.Start || ps.End != last.End {
		t.Errorf("merged passage spans bytes %d-%d, want %d-%d", ps.Start, ps.End, first.Start, last.End)
	}
	if p.Used != 24 {
		t.Errorf("Used %d, want 3 chunks of 8 characters", p.Used)
	}
}

func TestNeighboursStayInSection(t *testing.T) {
	ix := testIndex(t)
	// p3 closes section 一; p4, the next paragraph, opens section 二.
	p := build(t, ix, "山高水长源远流长", Options{Budget: 100, Candidates: 10, Neighbours: 2})
	checkPack(t, ix, p)
	want := [][]string{{"a.txt#0.1", "a.txt#0.2", "a.txt#0.3"}}
	if !same(ids(p), want) {
		t.Fatalf("passages %v, want %v (nothing from section 二)", ids(p), want)
	}
	// Neighbours 0 adds nothing.
	p = build(t, ix, "山高水长源远流长", Options{Budget: 100, Candidates: 10, Neighbours: 0})
	if want := [][]string{{"a.txt#0.3"}}; !same(ids(p), want) {
		t.Fatalf("neighbours 0: passages %v, want %v", ids(p), want)
	}
}

func TestSplitParagraph(t *testing.T) {
	ix := testIndex(t)
	// Both parts of paragraph 5: one passage, the parts joined without a
	// break, covering paragraph 5 only.
	p := build(t, ix, "龙腾虎跃百舸争流鹏程万里扶摇直上", Options{Budget: 100, Candidates: 10})
	checkPack(t, ix, p)
	if want := [][]string{{"a.txt#0.5.1", "a.txt#0.5.2"}}; !same(ids(p), want) {
		t.Fatalf("passages %v, want %v", ids(p), want)
	}
	if ps := p.Passages[0]; ps.Text != "龙腾虎跃百舸争流鹏程万里扶摇直上" || ps.Paragraphs != [2]int{5, 5} {
		t.Errorf("split paragraph passage: %+v", ps)
	}
	// The first part and the next paragraph, without the second part in
	// between, are not adjacent: merging them would hide the gap.
	p = build(t, ix, "龙腾虎跃百舸争流海阔天空鱼跃鸢飞", Options{Budget: 100, Candidates: 10})
	checkPack(t, ix, p)
	if want := [][]string{{"a.txt#0.5.1"}, {"a.txt#0.6"}}; !same(ids(p), want) {
		t.Fatalf("passages %v, want %v (two passages: part 5.2 is missing between them)", ids(p), want)
	}
}

func TestDuplicateTextDropped(t *testing.T) {
	ix := testIndex(t)
	p := build(t, ix, "星辰大海征途漫漫", Options{Budget: 100, Candidates: 10})
	checkPack(t, ix, p)
	texts := map[string]bool{}
	for _, ps := range p.Passages {
		k := squash(ps.Text)
		if texts[k] {
			t.Errorf("text %q packed twice", ps.Text)
		}
		texts[k] = true
	}
	if want := [][]string{{"a.txt#0.2"}}; !same(ids(p), want) {
		t.Fatalf("passages %v, want %v (report 1's copy dropped)", ids(p), want)
	}
}

func TestGroupedByReport(t *testing.T) {
	ix := testIndex(t)
	// Report 1's paragraph is the best hit; report 0 has two hits that are
	// not adjacent. Report 1 comes first, then report 0's two passages in
	// source order whatever their scores.
	q := "雪月风花诗酒年华雪月风花诗酒年华 山高水长源远流长 春风化雨"
	p := build(t, ix, q, Options{Budget: 100, Candidates: 10})
	checkPack(t, ix, p)
	want := [][]string{{"a.txt#1.2"}, {"a.txt#0.1"}, {"a.txt#0.3"}}
	if !same(ids(p), want) {
		t.Fatalf("passages %v, want %v", ids(p), want)
	}
	if p.Passages[0].Report != "乙报告" || p.Passages[1].Report != "甲报告" {
		t.Errorf("reports in order %q, %q", p.Passages[0].Report, p.Passages[1].Report)
	}
	if p.Passages[1].Rank < p.Passages[2].Rank {
		t.Fatalf("the test wants p3 to rank above p1, got ranks %d and %d", p.Passages[1].Rank, p.Passages[2].Rank)
	}
}

func TestBudget(t *testing.T) {
	ix := testIndex(t)
	q := "星辰大海征途漫漫 雪月风花诗酒年华 金戈铁马"
	full := build(t, ix, q, Options{Budget: 1000, Candidates: 10, Neighbours: 1})
	checkPack(t, ix, full)
	if full.Used < 32 {
		t.Fatalf("the query should pack at least 4 chunks, used %d", full.Used)
	}
	for budget := 1; budget <= full.Used; budget++ {
		p := build(t, ix, q, Options{Budget: budget, Candidates: 10, Neighbours: 1})
		checkPack(t, ix, p)
		// Every chunk here is 8 characters, so a budget that is a multiple
		// of 8 is filled to the last character, and others leave less than
		// one chunk unused.
		if p.Used > budget || budget-p.Used >= 8 {
			t.Errorf("budget %d: used %d", budget, p.Used)
		}
	}
	if p := build(t, ix, q, Options{Budget: 7, Candidates: 10}); len(p.Passages) != 0 || p.Used != 0 {
		t.Errorf("budget below one chunk packed %v", ids(p))
	}
	sopt := retrieve.DefaultOptions()
	if _, err := Build(context.Background(), ix, q, sopt, Options{Budget: 0}); !errors.Is(err, retrieve.ErrBadRequest) {
		t.Errorf("budget 0: want ErrBadRequest, got %v", err)
	}
}

func TestText(t *testing.T) {
	ix := testIndex(t)
	p := build(t, ix, "雪月风花诗酒年华雪月风花诗酒年华 山高水长 春风化雨润物无声", Options{Budget: 100, Candidates: 10, Neighbours: 1})
	checkPack(t, ix, p)
	txt := p.Text()
	blocks := strings.Split(strings.TrimSuffix(txt, "\n\n"), "\n\n")
	if len(blocks) != len(p.Passages) {
		t.Fatalf("%d blocks for %d passages:\n%s", len(blocks), len(p.Passages), txt)
	}
	for i, ps := range p.Passages {
		head, body, _ := strings.Cut(blocks[i], "\n")
		if !strings.HasPrefix(head, fmt.Sprintf("[%d] %s › %s (%s ¶", i+1, ps.Report, ps.Headings[0], ps.File)) {
			t.Errorf("block %d heads %q", i+1, head)
		}
		if !strings.HasSuffix(head, fmt.Sprintf(", bytes %d-%d)", ps.Start, ps.End)) {
			t.Errorf("block %d lacks its byte span: %q", i+1, head)
		}
		para := fmt.Sprintf("¶%d,", ps.Paragraphs[0])
		if ps.Paragraphs[1] != ps.Paragraphs[0] {
			para = fmt.Sprintf("¶%d–%d,", ps.Paragraphs[0], ps.Paragraphs[1])
		}
		if !strings.Contains(head, para) {
			t.Errorf("block %d lacks %q: %q", i+1, para, head)
		}
		if body != ps.Text {
			t.Errorf("block %d body %q, want %q", i+1, body, ps.Text)
		}
	}
	if (Pack{}).Text() != "" {
		t.Error("an empty pack renders text")
	}
}
