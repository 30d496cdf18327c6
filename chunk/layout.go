package chunk

// This file reads the layout of a decoded file: lines, report boundaries,
// titles, headings and noise. split.go turns the result into chunks.

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// line is one non-blank source line; start and end are the byte offsets of
// its trimmed content in the decoded text.
type line struct {
	start, end int
	s          string
	n          int // runes
}

// scanLines splits text at \n, \r\n and lone \r and drops blank lines.
func scanLines(text string) []line {
	var out []line
	for i := 0; i < len(text); {
		j := strings.IndexAny(text[i:], "\r\n")
		next := len(text)
		if j >= 0 {
			j += i
			next = j + 1
			if text[j] == '\r' && next < len(text) && text[next] == '\n' {
				next++
			}
		} else {
			j = len(text)
		}
		raw := text[i:j]
		s := strings.TrimLeftFunc(raw, unicode.IsSpace)
		start := i + len(raw) - len(s)
		s = strings.TrimRightFunc(s, unicode.IsSpace)
		if s != "" {
			out = append(out, line{start: start, end: start + len(s), s: s, n: utf8.RuneCountInString(s)})
		}
		i = next
	}
	return out
}

// isWord: letters, numbers of any kind, and Han characters (〇 and the
// Suzhou numerals are Han but neither letters nor digits to unicode).
func isWord(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.Is(unicode.Han, r)
}

var rePageNumber = regexp.MustCompile(`^[-—–－·•\s]*(第\s*)?\d{1,4}(\s*页)?(\s*[/／]\s*\d{1,4})?[-—–－·•\s]*$`)

// isNoise: a line that carries no words. Lines without a single letter or
// digit (`_`, `**`, `—`, rows of dots), and stray page numbers ("12",
// "- 12 -", "第3页", "3/12"). Noise never becomes a chunk; it is skipped
// (and a paragraph broken by it is joined across it).
func isNoise(s string) bool {
	if !strings.ContainsFunc(s, isWord) {
		return true
	}
	return rePageNumber.MatchString(s)
}

var reMarkdown = regexp.MustCompile(`^(#{1,6})[ \t\p{Zs}]*([^#\s].*)$`)

// stripMarkdown removes a leading ATX "#" run and returns the # count.
func stripMarkdown(s string) (string, int) {
	if m := reMarkdown.FindStringSubmatch(s); m != nil {
		return strings.TrimSpace(m[2]), len(m[1])
	}
	return s, 0
}

// wholeBold returns the inside of a line that is bold from end to end.
func wholeBold(s string) (string, bool) {
	if len(s) > 4 && strings.HasPrefix(s, "**") && strings.HasSuffix(s, "**") && !strings.Contains(s[2:len(s)-2], "**") {
		in := strings.TrimSpace(s[2 : len(s)-2])
		return in, in != ""
	}
	return s, false
}

// headingText is how a heading line appears in Chunk.Headings: markup gone.
func headingText(s string) string {
	s, _ = stripMarkdown(s)
	return strings.TrimSpace(strings.ReplaceAll(s, "**", ""))
}

// Heading levels. Markdown headings without a numbering marker use their #
// count (1–6), so they sit above the numbered levels of Chinese documents:
// 一、 > （一） > 1. > （1） > ①; a bold line or lead-in with no marker is
// below them all.
const (
	levelChapter = 10 // 一、
	levelSection = 11 // （一）
	levelItem    = 12 // 1.
	levelSub     = 13 // （1）
	levelCircled = 14 // ①
	levelBold    = 15 // **…**
)

var markerRes = []struct {
	re    *regexp.Regexp
	level int
}{
	{regexp.MustCompile(`^[一二三四五六七八九十]{1,3}[、．.]`), levelChapter},
	{regexp.MustCompile(`^[（(][一二三四五六七八九十]{1,3}[）)]`), levelSection},
	{regexp.MustCompile(`^\d{1,2}[.．、]`), levelItem},
	{regexp.MustCompile(`^[（(]\d{1,2}[）)]`), levelSub},
	{regexp.MustCompile(`^[①-⑳]`), levelCircled},
}

var reBareNumeral = regexp.MustCompile(`^[一二三四五六七八九十]{1,3}$`)

// marker returns the level and byte length of a numbering marker at the
// start of s, or 0, 0. "1.5倍" is a number, not a marker.
func marker(s string) (level, size int) {
	for _, m := range markerRes {
		loc := m.re.FindStringIndex(s)
		if loc == nil {
			continue
		}
		if m.level == levelItem {
			if r, _ := utf8.DecodeRuneInString(s[loc[1]:]); unicode.IsDigit(r) {
				return 0, 0
			}
		}
		return m.level, loc[1]
	}
	return 0, 0
}

const (
	terminals     = "。！？；!?;…"
	continuations = "，、,（(《“‘—/+-"
)

// headingLike: short, and no sentence goes on after a sentence end. A line
// ending in a comma or an opening bracket is a broken paragraph, not a
// heading.
func headingLike(s string, max int) bool {
	n := utf8.RuneCountInString(s)
	if n == 0 || n > max {
		return false
	}
	last, size := utf8.DecodeLastRuneInString(s)
	if strings.ContainsRune(continuations, last) || last == '：' || last == ':' {
		return false
	}
	return !strings.ContainsAny(s[:len(s)-size], terminals)
}

type kind int

const (
	kindPara kind = iota
	kindHeading
	kindNoise
)

// class is what one line is.
type class struct {
	kind  kind
	level int    // heading level; for paragraphs the level of a leading marker (0: none)
	head  string // heading text, or a paragraph's lead-in sub-heading
}

// classify decides whether a line is noise, a heading or a paragraph, and
// for a paragraph that starts with a marker or a bold lead-in, what its own
// sub-heading is ("1. **强化政策协同。**建立…" → "1. 强化政策协同。").
func classify(s string) class {
	if isNoise(s) {
		return class{kind: kindNoise}
	}
	if t, hashes := stripMarkdown(s); hashes > 0 {
		t = strings.TrimSpace(strings.ReplaceAll(t, "**", ""))
		if utf8.RuneCountInString(t) <= 100 {
			if lv, _ := marker(t); lv > 0 {
				return class{kind: kindHeading, level: lv, head: t}
			}
			return class{kind: kindHeading, level: hashes, head: t}
		}
	}
	t, bold := wholeBold(s)
	if lv, _ := marker(t); lv > 0 {
		max := 40
		if lv >= levelItem {
			max = 30 // "1." also numbers list paragraphs; only short ones head a section
		}
		if headingLike(t, max) {
			return class{kind: kindHeading, level: lv, head: t}
		}
	}
	if reBareNumeral.MatchString(t) {
		return class{kind: kindHeading, level: levelChapter, head: t}
	}
	if bold && headingLike(t, 40) {
		return class{kind: kindHeading, level: levelBold, head: t}
	}
	lv, lead := leadIn(s)
	return class{kind: kindPara, level: lv, head: lead}
}

// leadIn finds a paragraph's own sub-heading: a bold run at its start
// ("**1.推进创新平台建设。**…", "1. **强化政策协同。**…") or, after a
// numbering marker, its first sentence when that is short. level is the
// marker's level (levelBold for a bold lead-in without one), 0 when the
// paragraph starts with neither.
func leadIn(s string) (level int, lead string) {
	const maxLead = 40
	if strings.HasPrefix(s, "**") {
		if end := strings.Index(s[2:], "**"); end > 0 {
			in := strings.TrimSpace(s[2 : 2+end])
			if lv, _ := marker(in); lv > 0 {
				level = lv
			} else {
				level = levelBold
			}
			if utf8.RuneCountInString(in) <= maxLead {
				lead = in
			}
			return level, lead
		}
	}
	level, size := marker(s)
	if level == 0 {
		return 0, ""
	}
	rest := strings.TrimLeftFunc(s[size:], unicode.IsSpace)
	if strings.HasPrefix(rest, "**") {
		if end := strings.Index(rest[2:], "**"); end > 0 {
			lead = headingText(s[:len(s)-len(rest)+2+end+2])
		}
	} else if i := strings.IndexAny(s, "。！？；：!?;:"); i > 0 {
		_, w := utf8.DecodeRuneInString(s[i:])
		lead = s[:i+w]
	}
	if utf8.RuneCountInString(lead) > maxLead {
		lead = ""
	}
	return level, lead
}

// continues reports whether a paragraph whose last line is s runs on into
// the next line: PDF extraction breaks paragraphs at page ends, leaving a
// line that stops mid-sentence. A line ending in a comma or an opening
// bracket always continues. One ending in a plain character continues when
// it is long (a filled line), has a sentence or clause (。，) before its end,
// or has an unclosed bracket or quote; short unpunctuated lines (titles, names,
// list rows like "李新云 县政协副主席") stand alone.
func continues(s string, n int) bool {
	last, size := utf8.DecodeLastRuneInString(s)
	if strings.ContainsRune(continuations, last) {
		return true
	}
	if !isWord(last) {
		return false
	}
	if n >= 45 || strings.ContainsAny(s[:len(s)-size], terminals+"，,") {
		return true
	}
	open := strings.Count(s, "（") + strings.Count(s, "(") - strings.Count(s, "）") - strings.Count(s, ")")
	return open > 0 || strings.Count(s, "《") > strings.Count(s, "》") || strings.Count(s, "“") > strings.Count(s, "”")
}

var (
	// "1.政府工作报告", "32.新疆维吾尔自治区政府工作报告": a short numbered line
	// naming a 政府工作报告. Numbered list items ("1.医疗卫生方面。…") do not
	// end in the phrase.
	reBoundary = regexp.MustCompile(`^\d{1,3}\s*[.．、]\s*([^。，,；;！？\s]{0,30}政府工作报告)$`)
	// "（来源：《求是》2026/04）" closes an article in collections of them.
	reSourceNote = regexp.MustCompile(`^[（(]\s*来源\s*[：:].{1,60}[）)]$`)
	reYear       = regexp.MustCompile(`^\d{4}年`)
	reDocNumber  = regexp.MustCompile(`[〔\[［(（]\d{4}[〕\]］)）]\s*\d+\s*号$`)
	reAttachment = regexp.MustCompile(`^附件\s*\d*$`)
)

// boundaryTitle returns the report title if s starts a report of a
// multi-report file, "" otherwise.
func boundaryTitle(s string) string {
	t, _ := wholeBold(headingText(s))
	if m := reBoundary.FindStringSubmatch(t); m != nil {
		return strings.TrimSpace(m[1])
	}
	return ""
}

// regionOf: "北京市政府工作报告" → "北京市"; the bare "政府工作报告" of a
// collection is the State Council's national report → "全国".
func regionOf(title string) string {
	r := reYear.ReplaceAllString(strings.TrimSuffix(title, "政府工作报告"), "")
	if r == "" {
		return "全国"
	}
	return r
}

// segment is one report: a range of lines and, where known, which line is
// its title.
type segment struct {
	lines    []line
	title    string
	titleAt  int // index into lines, -1 when the title was not found
	boundary bool
}

// splitReports cuts a file into reports: at numbered 政府工作报告 lines, and
// after a source note ("（来源：…）") that is followed by more text, which is
// how collections of articles end each one.
func splitReports(lines []line) []segment {
	var segs []segment
	cur := segment{titleAt: -1}
	afterNote := false
	flush := func() {
		for _, l := range cur.lines {
			if !isNoise(l.s) {
				segs = append(segs, cur)
				break
			}
		}
	}
	for _, l := range lines {
		if t := boundaryTitle(l.s); t != "" {
			flush()
			cur = segment{title: t, titleAt: 0, boundary: true}
		} else if afterNote && !isNoise(l.s) {
			flush()
			cur = segment{titleAt: -1}
		}
		cur.lines = append(cur.lines, l)
		if !isNoise(l.s) {
			afterNote = reSourceNote.MatchString(l.s)
		}
	}
	flush()
	for i := range segs {
		if !segs[i].boundary {
			segs[i].title, segs[i].titleAt = findTitle(segs[i].lines)
		}
	}
	return segs
}

// skippable lines come before a document's title without being it:
// letterheads, document numbers, attachment labels, run-together outlines.
func skippable(s string) bool {
	n := utf8.RuneCountInString(s)
	return (n <= 20 && (strings.HasSuffix(s, "文件") || strings.HasSuffix(s, "办公室"))) ||
		reDocNumber.MatchString(s) || reAttachment.MatchString(s) ||
		strings.HasPrefix(s, "【") || strings.HasPrefix(s, "(此件") || strings.HasPrefix(s, "（此件")
}

// titleLike: a short line with no sentence in it and no numbering marker.
func titleLike(s string) bool {
	if lv, _ := marker(s); lv > 0 {
		return false
	}
	n := utf8.RuneCountInString(s)
	return n >= 2 && n <= 60 && headingLike(s, 60) && !strings.ContainsAny(s, terminals)
}

// findTitle picks a report's title. In a Markdown document it is the first
// heading of the fewest #s that is not a letterhead ("# 滕州市人民政府文件"
// heads the paper, "# 滕州市县域经济…试点工作方案" names the document).
// Otherwise it is the first title-like line among the first few, after
// letterheads, document numbers and outlines ("【提纲】…").
func findTitle(lines []line) (string, int) {
	best, bestAt := 7, -1
	for i, l := range lines {
		t, hashes := stripMarkdown(l.s)
		t = strings.TrimSpace(strings.ReplaceAll(t, "**", ""))
		if hashes > 0 && hashes < best && titleLike(t) && !skippable(t) {
			best, bestAt = hashes, i
		}
	}
	if bestAt >= 0 {
		return headingText(lines[bestAt].s), bestAt
	}
	seen := 0
	for i, l := range lines {
		if isNoise(l.s) {
			continue
		}
		if seen++; seen > 8 {
			break
		}
		t, _ := wholeBold(l.s)
		if skippable(t) {
			continue
		}
		if titleLike(t) {
			return headingText(t), i
		}
		break
	}
	return "", -1
}
