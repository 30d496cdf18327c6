// Package query turns a question as typed into a structured query: the
// Chinese words to search for, the Chinese translations of its English
// words and phrases (grouped per English word or phrase, for a Pirkola
// structured query), the scope it names (the whole country, a county or
// city), and the English stop words it dropped.
//
// Invariants: Parse never fails and never panics, whatever the input; it
// only drops what it lists in Dropped; every English word that is not a
// stop word ends up either in a Group or in Terms; and it loads the
// English dictionary only for a question that holds Latin letters.
package query

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/reportsearch/reportsearch/query/cedict"
)

// MaxRunes bounds the part of a question that is parsed: a question is a
// sentence or two; a pasted page is cut here rather than turned into
// thousands of query terms.
const MaxRunes = 1000

// maxPhrase is the longest English phrase looked up whole, in words.
const maxPhrase = 4

// Query is a parsed question.
type Query struct {
	// Text is the question folded: NFKC (full-width ＧＤＰ２０２６ becomes
	// GDP2026) and traditional characters mapped to simplified ones.
	Text string
	// Terms are what to match as they are, in order: Chinese runs with
	// question words cut out, numbers, and Latin words the dictionary does
	// not know (PM2.5, 5G).
	Terms []string
	// Groups are the English words and phrases that were translated, one
	// per query term: a document matching any translation matches the term.
	Groups []Group
	// Dropped are the English stop words left out (what, how, the ...).
	Dropped []string
	Scope   Scope
	// Simplified is set when traditional characters were mapped.
	Simplified bool
	// Truncated is set when the question was longer than MaxRunes.
	Truncated bool
}

// Group is one English word or phrase and its Chinese translations, best
// first. Alternatives holds the translations and the English word itself
// (a document may use the abbreviation: GDP).
type Group struct {
	English      string
	Translations []string
}

// Alternatives are the strings any of which matches the group.
func (g Group) Alternatives() []string {
	return append(append([]string(nil), g.Translations...), g.English)
}

// Scope is what a question is about.
type Scope struct {
	// National: the whole country (全国, 国家, 国务院, national, China's).
	National bool
	// Provinces are the provinces named, by short name (浙江).
	Provinces []string
	// Places are counties and cities named (full Chinese names: 滕州市).
	Places []string
	// Years named ("2025年", "in 2019"). retrieve steers a question to
	// the reports of these years under its report policy (issue 13); a
	// year relative to a report ("last year") is not resolved.
	Years []int
}

// Translated reports whether any English word was translated.
func (q Query) Translated() bool { return len(q.Groups) > 0 }

// Describe says in one line how the question was understood, for a notice.
// It is "" when there is nothing to say (a Chinese question searched as
// typed).
func (q Query) Describe() string {
	var parts []string
	if len(q.Groups) > 0 {
		var gs []string
		for _, g := range q.Groups {
			gs = append(gs, fmt.Sprintf("%s → %s", g.English, strings.Join(g.Translations, "/")))
		}
		parts = append(parts, "translated (CC-CEDICT): "+strings.Join(gs, "; "))
	}
	if q.Simplified {
		parts = append(parts, "traditional characters read as simplified")
	}
	if len(q.Dropped) > 0 {
		parts = append(parts, "ignored: "+strings.Join(q.Dropped, " "))
	}
	if q.Truncated {
		parts = append(parts, fmt.Sprintf("only the first %d characters were used", MaxRunes))
	}
	return strings.Join(parts, "; ")
}

// Parse reads a question.
func Parse(text string) Query {
	var q Query
	text = norm.NFKC.String(text)
	if utf8.RuneCountInString(text) > MaxRunes {
		text = string([]rune(text)[:MaxRunes])
		q.Truncated = true
	}
	text = strings.ToValidUTF8(text, " ")
	if hasHan(text) {
		if s := cedict.Simplify(text); s != text {
			q.Simplified = true
			text = s
		}
	}
	q.Text = text
	var latin []word
	flushLatin := func() {
		if len(latin) > 0 {
			q.english(latin)
			latin = latin[:0]
		}
	}
	for _, t := range split(text) {
		switch t.kind {
		case han:
			flushLatin()
			q.chinese(t.s)
		case latinWord:
			latin = append(latin, word{t.s, strings.ToLower(t.s)})
		case number:
			flushLatin()
			q.Terms = append(q.Terms, t.s)
		case sep:
			// Punctuation ends an English phrase ("care, insurance").
			if t.s != " " {
				flushLatin()
			}
		}
	}
	flushLatin()
	q.Scope = scopeOf(text)
	return q
}

type kind int

const (
	sep kind = iota
	han
	latinWord
	number
)

type token struct {
	s    string
	kind kind
}

func hasHan(s string) bool { return strings.IndexFunc(s, isHan) >= 0 }

func isHan(r rune) bool { return unicode.Is(unicode.Han, r) }

// split cuts folded text into Han runs, Latin words (letters, with inner
// apostrophes and hyphens: long-term, China's), numbers (digits with inner
// '.' and a trailing '%': 4.5%), and separators; every space or
// punctuation mark is one separator token, runs of spaces one " ".
func split(text string) []token {
	rs := []rune(text)
	var out []token
	for i := 0; i < len(rs); {
		r := rs[i]
		j := i + 1
		switch {
		case isHan(r):
			for j < len(rs) && isHan(rs[j]) {
				j++
			}
			out = append(out, token{string(rs[i:j]), han})
		case unicode.IsDigit(r):
			for j < len(rs) && (unicode.IsDigit(rs[j]) || rs[j] == '.' && j+1 < len(rs) && unicode.IsDigit(rs[j+1])) {
				j++
			}
			if j < len(rs) && (rs[j] == '%' || rs[j] == '‰') {
				j++
			}
			// A number glued to letters is one term: PM2.5, 5G, H7N9.
			if j < len(rs) && unicode.IsLetter(rs[j]) && !isHan(rs[j]) || i > 0 && isLatin(rs[i-1]) {
				for j < len(rs) && (isLatin(rs[j]) || unicode.IsDigit(rs[j]) || rs[j] == '.') {
					j++
				}
				out = append(out, token{string(rs[i:j]), number})
				break
			}
			out = append(out, token{string(rs[i:j]), number})
		case isLatin(r):
			for j < len(rs) && (isLatin(rs[j]) || (rs[j] == '\'' || rs[j] == '-') && j+1 < len(rs) && isLatin(rs[j+1])) {
				j++
			}
			if j < len(rs) && unicode.IsDigit(rs[j]) { // PM2.5
				for j < len(rs) && (isLatin(rs[j]) || unicode.IsDigit(rs[j]) || rs[j] == '.' && j+1 < len(rs) && unicode.IsDigit(rs[j+1])) {
					j++
				}
				out = append(out, token{string(rs[i:j]), number})
				break
			}
			out = append(out, token{string(rs[i:j]), latinWord})
		case unicode.IsSpace(r):
			for j < len(rs) && unicode.IsSpace(rs[j]) {
				j++
			}
			out = append(out, token{" ", sep})
		default:
			out = append(out, token{string(r), sep})
		}
		i = j
	}
	return out
}

func isLatin(r rune) bool { return r < 0x250 && unicode.IsLetter(r) }
