package retrieve

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/reportsearch/reportsearch/lexical"
)

// matched returns the words of a result's text that the query's terms hit,
// for highlighting: Result.Matched. terms are lexical index terms (the
// collection tokenizer's tokens of the query; more may be added, e.g. the
// translation of an English question).
//
// The rules, each for a reason:
//   - A term counts only if the text's own tokens hold it too, so that what
//     is shown is what the lexical score counted (a lone 粮 in a bigram
//     index does not match the 粮 of 粮食).
//   - Terms are found in the text as written: the text is folded the way the
//     tokenizer folds it (NFKC, lower case) rune by rune, and a hit maps back
//     to the runes it came from, so a query's "ai" marks the text's "ＡＩ".
//   - Han terms match anywhere; Latin words and numbers only as whole words
//     (the tokenizer's word rule), so "ai" does not mark "said".
//   - Overlapping and adjacent hits merge into one span: the bigrams 低空,
//     空经, 经济 show as 低空经济, not as three pairs.
//   - A span of one Han character is kept only when that character was a
//     query term by itself, not a piece of a longer term (the unigrams of a
//     bigram+unigram index would otherwise mark every 经 and 济), and a
//     span of only % or ‰ is dropped.
//
// The result is the distinct span texts, longest first (then in text
// order): a highlighter that marks them in this order marks 低空经济 whole
// before a shorter span could claim part of it.
func matched(tok lexical.Tokenizer, terms []string, text string) []string {
	if len(terms) == 0 || text == "" {
		return []string{}
	}
	have := map[string]bool{}
	for _, t := range tok.Tokens(text) {
		have[t] = true
	}
	var hit []string
	seen := map[string]bool{}
	for _, t := range terms {
		if t != "" && have[t] && !seen[t] {
			seen[t] = true
			hit = append(hit, t)
		}
	}
	if len(hit) == 0 {
		return []string{}
	}

	f := foldText(text)
	covered := make([]bool, len(text))
	for _, t := range hit {
		// Han terms, and % ‰, match wherever they are; words only whole.
		first, _ := utf8.DecodeRuneInString(t)
		anywhere := !latin(first)
		for from := 0; from < len(f.s); {
			i := strings.Index(f.s[from:], t)
			if i < 0 {
				break
			}
			a, b := from+i, from+i+len(t)
			_, w := utf8.DecodeRuneInString(f.s[a:])
			from = a + w
			if !anywhere && !wholeWord(f.s, a, b) {
				continue
			}
			for j := f.start[a]; j < f.end[b-1]; j++ {
				covered[j] = true
			}
		}
	}

	var spans []string
	for i := 0; i < len(text); {
		if !covered[i] {
			i++
			continue
		}
		j := i
		for j < len(text) && covered[j] {
			j++
		}
		if s := text[i:j]; keepSpan(s, terms) {
			spans = append(spans, s)
		}
		i = j
	}
	sort.SliceStable(spans, func(i, j int) bool {
		return utf8.RuneCountInString(spans[i]) > utf8.RuneCountInString(spans[j])
	})
	out := []string{}
	dup := map[string]bool{}
	for _, s := range spans {
		if !dup[s] {
			dup[s] = true
			out = append(out, s)
		}
	}
	return out
}

// keepSpan applies the last rule of matched.
func keepSpan(s string, terms []string) bool {
	if strings.Trim(s, "%‰％") == "" {
		return false
	}
	r, n := utf8.DecodeRuneInString(s)
	if n != len(s) || !isCJK(r) {
		return true
	}
	folded := lexical.Normalize(s)
	for _, t := range terms {
		if utf8.RuneCountInString(t) > 1 && strings.Contains(t, folded) {
			return false
		}
	}
	return true
}

// folded is a text folded rune by rune as the tokenizer folds it, with the
// source span of every folded byte.
type folded struct {
	s          string
	start, end []int // byte i of s came from text[start[i]:end[i]]
}

func foldText(text string) folded {
	var b strings.Builder
	b.Grow(len(text))
	f := folded{start: make([]int, 0, len(text)), end: make([]int, 0, len(text))}
	for i := 0; i < len(text); {
		r, w := utf8.DecodeRuneInString(text[i:])
		var n string
		switch {
		case r == utf8.RuneError && w == 1:
			n = "\uFFFD" // an invalid byte matches no term
		case r < utf8.RuneSelf:
			n = string(unicode.ToLower(r))
		case r >= 0x4e00 && r <= 0x9fff: // CJK Unified Ideographs fold to themselves
			n = text[i : i+w]
		default:
			n = lexical.Normalize(string(r))
		}
		b.WriteString(n)
		for range len(n) {
			f.start = append(f.start, i)
			f.end = append(f.end, i+w)
		}
		i += w
	}
	f.s = b.String()
	return f
}

// wholeWord reports whether s[a:b] is a whole Latin word or number as the
// tokenizer cuts them: not continued by a letter, digit or mark (Han and
// kana end a Latin word), nor by a '.' between digits.
func wholeWord(s string, a, b int) bool {
	if a > 0 {
		p, w := utf8.DecodeLastRuneInString(s[:a])
		if latin(p) {
			return false
		}
		if p == '.' && a-w > 0 {
			if pp, _ := utf8.DecodeLastRuneInString(s[:a-w]); unicode.IsDigit(pp) {
				if r, _ := utf8.DecodeRuneInString(s[a:]); unicode.IsDigit(r) {
					return false
				}
			}
		}
	}
	if b < len(s) {
		q, w := utf8.DecodeRuneInString(s[b:])
		if latin(q) {
			return false
		}
		if q == '.' && b+w < len(s) {
			last, _ := utf8.DecodeLastRuneInString(s[:b])
			if next, _ := utf8.DecodeRuneInString(s[b+w:]); unicode.IsDigit(last) && unicode.IsDigit(next) {
				return false
			}
		}
	}
	return true
}

func latin(r rune) bool {
	return (unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r)) && !isCJK(r)
}

// isCJK is the lexical tokenizer's rule for what goes into bigrams.
func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}
