package chunk

import (
	"context"
	"fmt"
	"github.com/reportsearch/reportsearch/year"
	"path"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// FileChunks reads, decodes and splits one file. name is what goes into
// Chunk.File and IDs (the path relative to the indexed root, slash
// separated); when empty, path itself is used.
func FileChunks(path, name string, opt Options) ([]Chunk, error) {
	text, _, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	if name == "" {
		name = path
	}
	return Split(name, text, opt)
}

// Split cuts the decoded text of file into chunks, in text order.
//
// A file holds one report, or several when it has numbered "N.…政府工作报告"
// lines (and, for article collections, when a "（来源：…）" note is followed by
// more text). Each line is a paragraph unless it is noise (see isNoise), a
// report title, or a heading (一、 （一） 1. （1） ①, Markdown #, whole-line
// bold); headings become the Headings of the chunks below them and are never
// chunks themselves, except a heading with nothing under it, which is kept as
// a paragraph so that no text is lost. A paragraph line that stops
// mid-sentence is joined with the next (page-break repair). Paragraphs longer
// than opt.MaxRunes are split into balanced parts at sentence ends; ones
// shorter than opt.MinRunes are merged with a neighbour of the same section.
//
// Coverage: every non-whitespace character of text is in exactly one chunk's
// Text, or is a heading or title line shown in the Headings or Report of the
// next chunk, or is on a noise line. text[c.Start:c.End] holds c.Text, plus
// whitespace and noise lines only.
func Split(file, text string, opt Options) ([]Chunk, error) {
	return SplitContext(context.Background(), file, text, opt)
}

// SplitContext is Split that gives up, returning ctx.Err(), when ctx is
// done: a file of tens of megabytes takes seconds to split.
func SplitContext(ctx context.Context, file, text string, opt Options) ([]Chunk, error) {
	if err := opt.Validate(); err != nil {
		return nil, err
	}
	if !utf8.ValidString(text) {
		return nil, fmt.Errorf("chunk: %s: %w", file, errNotUTF8)
	}
	var out []Chunk
	for ri, seg := range splitReports(scanLines(text)) {
		title, region := seg.title, ""
		if seg.boundary {
			region = regionOf(title)
		}
		if title == "" {
			title = strings.TrimSuffix(path.Base(file), path.Ext(file))
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		yr := year.Of(title, segmentHead(seg))
		paras := paragraphs(seg)
		for pi, p := range mergeTiny(paras, opt) {
			if pi%256 == 0 && ctx.Err() != nil {
				return nil, ctx.Err()
			}
			base := Chunk{
				ID:          fmt.Sprintf("%s#%d.%d", file, ri, pi+1),
				File:        file,
				Report:      title,
				ReportIndex: ri,
				Region:      region,
				Headings:    p.headings(),
				Paragraph:   pi + 1,
				Year:        yr,
			}
			if p.n <= opt.MaxRunes {
				base.Text, base.Start, base.End = p.text, p.segs[0].start, p.segs[len(p.segs)-1].end
				out = append(out, base)
				continue
			}
			for k, pc := range p.split(opt.MaxRunes) {
				c := base
				c.ID = fmt.Sprintf("%s.%d", base.ID, k+1)
				c.Part = k + 1
				c.Text, c.Start, c.End = pc.text, pc.start, pc.end
				out = append(out, c)
			}
		}
	}
	numberLines(text, out)
	return out, nil
}

// segmentHead is the first lines of a report, where its date line is.
func segmentHead(sg segment) string {
	var b strings.Builder
	for i, l := range sg.lines {
		if i >= 12 {
			break
		}
		b.WriteString(l.s)
		b.WriteByte('\n')
	}
	return b.String()
}

// numberLines sets each chunk's Line. Chunks are in text order (Start never
// decreases), so the line breaks are counted once, from chunk to chunk, not
// from the start of the text for every chunk.
func numberLines(text string, cs []Chunk) {
	line, at := 1, 0
	for i := range cs {
		if cs[i].Start < at { // never happens (see Split's coverage rule); stay right if it does
			line, at = 1, 0
		}
		line += lineBreaks(text[at:cs[i].Start])
		at = cs[i].Start
		cs[i].Line = line
	}
}

// lineBreaks counts the line ends in s as scanLines sees them: "\n",
// "\r\n" and a lone "\r" are one each.
func lineBreaks(s string) int {
	return strings.Count(s, "\n") + strings.Count(s, "\r") - strings.Count(s, "\r\n")
}

// heading is an entry of the heading path while a report is read.
type heading struct {
	text      string
	level     int
	title     bool // the report title: reported as Chunk.Report, not in Headings
	used      bool // some paragraph came under it
	converted bool // nothing came under it, so it was emitted as a paragraph
}

// seg is a source range of a paragraph; text[ts:] of the paragraph text
// starts at source offset start.
type seg struct{ start, end, ts int }

type para struct {
	segs    []seg
	text    string
	n       int // runes
	path    []*heading
	section int
}

func (p *para) headings() []string {
	hs := []string{}
	for _, h := range p.path {
		if !h.title && !h.converted {
			hs = append(hs, h.text)
		}
	}
	return hs
}

func (p *para) add(l line) {
	p.segs = append(p.segs, seg{start: l.start, end: l.end, ts: len(p.text)})
	p.text += l.s
	p.n += l.n
}

// paragraphs reads one report: keeps the heading path, repairs page breaks,
// and turns headings that head nothing into paragraphs.
func paragraphs(sg segment) []*para {
	var (
		entries []*para // paragraphs, and a placeholder where each heading was
		slot    = map[*heading]*para{}
		lineOf  = map[*heading]line{}
		stack   []*heading
		section int
		open    *para // paragraph that may still continue on the next line
	)
	pathCopy := func() []*heading { return append([]*heading(nil), stack...) }
	markUsed := func() {
		for _, h := range stack {
			h.used = true
		}
	}
	pop := func(level int) {
		for len(stack) > 0 && stack[len(stack)-1].level >= level {
			h := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			section++
			if h.used {
				continue
			}
			// Nothing came under it: keep its text as a paragraph, in place,
			// standing alone in a section of its own.
			h.converted = true
			markUsed()
			p := slot[h]
			p.path, p.section = pathCopy(), section
			p.add(lineOf[h])
			section++
		}
	}
	push := func(h *heading, l line) {
		stack = append(stack, h)
		section++
		lineOf[h], slot[h] = l, &para{}
		entries = append(entries, slot[h])
	}
	for i, l := range sg.lines {
		if i == sg.titleAt {
			open = nil
			pop(0)
			push(&heading{text: sg.title, level: 0, title: true}, l)
			continue
		}
		c := classify(l.s)
		switch c.kind {
		case kindNoise:
			continue // e.g. a page number between two halves of a paragraph
		case kindHeading:
			open = nil
			pop(c.level)
			push(&heading{text: c.head, level: c.level}, l)
			continue
		}
		if open != nil && c.level == 0 {
			last := open.segs[len(open.segs)-1]
			if t := open.text[last.ts:]; continues(t, utf8.RuneCountInString(t)) {
				open.add(l) // page-break repair: the newline and blank go
				continue
			}
		}
		if c.level > 0 { // a numbered or bold-led paragraph starts a new item
			pop(c.level)
			if c.head != "" {
				h := &heading{text: headingText(c.head), level: c.level, used: true}
				stack = append(stack, h)
				section++
			}
		}
		markUsed()
		open = &para{path: pathCopy(), section: section}
		open.add(l)
		entries = append(entries, open)
	}
	pop(0)
	paras := entries[:0]
	for _, p := range entries {
		if len(p.segs) > 0 {
			paras = append(paras, p)
		}
	}
	return paras
}

// join appends q to p as a separate line of text.
func (p *para) join(q *para) {
	p.text += "\n"
	p.n++
	for _, sg := range q.segs {
		sg.ts += len(p.text)
		p.segs = append(p.segs, sg)
	}
	p.text += q.text
	p.n += q.n
}

// mergeTiny joins a paragraph shorter than opt.MinRunes to the next one of
// its section ("各位代表：" belongs to what follows), or failing that to the
// previous one. A merge must not make a paragraph need splitting that did not
// already; a tiny paragraph next to one that is split anyway just rides along
// with the nearest part.
func mergeTiny(paras []*para, opt Options) []*para {
	var out []*para
	canMerge := func(a, b *para) bool {
		return a.section == b.section &&
			(a.n+1+b.n <= opt.MaxRunes || a.n > opt.MaxRunes || b.n > opt.MaxRunes)
	}
	backward := func() {
		if k := len(out); k >= 2 && out[k-1].n < opt.MinRunes && canMerge(out[k-2], out[k-1]) {
			out[k-2].join(out[k-1])
			out = out[:k-1]
		}
	}
	for _, p := range paras {
		if k := len(out); k > 0 && out[k-1].n < opt.MinRunes && canMerge(out[k-1], p) {
			out[k-1].join(p)
			continue
		}
		backward()
		out = append(out, p)
	}
	backward()
	return out
}

type piece struct {
	text       string
	start, end int
}

// srcOffset maps a byte offset of p.text to the source text. end selects
// the segment an offset on a segment boundary belongs to.
func (p *para) srcOffset(off int, end bool) int {
	for i := len(p.segs) - 1; i >= 0; i-- {
		s := p.segs[i]
		if off > s.ts || (!end && off == s.ts) {
			return s.start + off - s.ts
		}
	}
	return p.segs[0].start
}

// split cuts a long paragraph into the fewest parts of at most limit runes,
// as even as possible, at sentence ends. A sentence longer than limit is cut at
// commas, and a clause longer still into equal hard cuts. When sentence ends
// alone leave a part under half the average (a short sentence next to a
// long one), long sentences are opened at commas too.
func (p *para) split(limit int) []piece {
	sentences := cutAfter(p.text, 0, len(p.text), terminals)
	best := partition(p.units(sentences, limit, limit), limit)
	if k := len(best); k > 1 && minSize(best)*2*k < p.n {
		if alt := partition(p.units(sentences, limit/2, limit), limit); len(alt) == k && minSize(alt) > minSize(best) {
			best = alt
		}
	}
	var out []piece
	for _, g := range best {
		t := p.text[g.from:g.to]
		trimmed := strings.TrimLeftFunc(t, unicode.IsSpace)
		from := g.from + len(t) - len(trimmed)
		trimmed = strings.TrimRightFunc(trimmed, unicode.IsSpace)
		if trimmed == "" {
			continue
		}
		out = append(out, piece{text: trimmed, start: p.srcOffset(from, false), end: p.srcOffset(from+len(trimmed), true)})
	}
	return out
}

// units breaks sentences longer than open at commas, and clauses longer than
// limit into hard cuts of limit/8 runes, so that every unit fits in limit
// runes.
func (p *para) units(sentences []span, open, limit int) []span {
	var units []span
	step := max(1, limit/8)
	for _, s := range sentences {
		if s.n <= open {
			units = append(units, s)
			continue
		}
		for _, c := range cutAfter(p.text, s.from, s.to, "，、,：:") {
			if c.n <= limit {
				units = append(units, c)
				continue
			}
			// Small equal pieces, so that the partition can pack them as
			// tightly as runes allow: there is no better place to cut.
			k := (c.n + step - 1) / step
			pos := c.from
			for j := 0; j < k; j++ {
				want := c.n*(j+1)/k - c.n*j/k
				end := pos
				for m := 0; m < want; m++ {
					_, w := utf8.DecodeRuneInString(p.text[end:])
					end += w
				}
				units = append(units, span{pos, end, want})
				pos = end
			}
		}
	}
	return units
}

// partition groups units (each at most limit runes) into the fewest groups of
// at most limit runes, then finds the smallest capacity that still needs no
// more groups: balanced parts rather than 400+10.
func partition(units []span, limit int) []span {
	group := func(capacity int) []span {
		var gs []span
		for _, u := range units {
			if k := len(gs); k > 0 && gs[k-1].n+u.n <= capacity {
				gs[k-1].to, gs[k-1].n = u.to, gs[k-1].n+u.n
				continue
			}
			gs = append(gs, u)
		}
		return gs
	}
	k := len(group(limit))
	largest := 0
	for _, u := range units {
		largest = max(largest, u.n)
	}
	capacity := largest + sort.Search(limit-largest+1, func(i int) bool { return len(group(largest+i)) <= k })
	return group(capacity)
}

func minSize(gs []span) int {
	m := gs[0].n
	for _, g := range gs {
		m = min(m, g.n)
	}
	return m
}

type span struct{ from, to, n int }

// cutAfter splits text[from:to] after each rune in set, keeping closing
// quotes and brackets with the sentence they close.
func cutAfter(text string, from, to int, set string) []span {
	var out []span
	start, n := from, 0
	for i := from; i < to; {
		r, w := utf8.DecodeRuneInString(text[i:])
		i += w
		n++
		if !strings.ContainsRune(set, r) {
			continue
		}
		for i < to {
			r2, w2 := utf8.DecodeRuneInString(text[i:])
			if !strings.ContainsRune("”’\"'）)」』】》…"+set, r2) {
				break
			}
			i += w2
			n++
		}
		out = append(out, span{start, i, n})
		start, n = i, 0
	}
	if start < to {
		out = append(out, span{start, to, n})
	}
	return out
}
