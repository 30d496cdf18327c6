package query

import (
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/reportsearch/reportsearch/query/cedict"
)

// chinese adds a Han run to Terms as it is. Cutting out question words
// (多少, 什么, 几个, 吗 ...) was measured on the dev set and did not help
// (README notes, issue 12): the quantity words also match the figures that
// answer them ("组建10个"), and bigram idf already weighs the rest down.
func (q *Query) chinese(run string) { q.Terms = append(q.Terms, run) }

// stopWords is a general English stop list (function words, auxiliaries,
// question words, and vague quantifiers), not tuned to any question set.
var stopWords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a about above after again against all am an and any are as at be been
	before being below between both but by can could did do does doing down during each few for from
	further had has have having he her here hers herself him himself his how i if in into is it its itself
	just me more most my myself no nor not now of off on once only or other our ours ourselves out over own
	same she should so some such than that the their theirs them themselves then there these they this those
	through to too under until up very was we were what when where which while who whom whose why will with
	would you your yours yourself yourselves shall may might must also much many whether what's how's
	there's let's get got`) {
		stopWords[w] = true
	}
}

type word struct {
	orig, lower string
}

// english translates a run of Latin words: the longest phrase first, a
// phrase never starting or ending with a stop word; stop words on their own
// are dropped; words the dictionary does not know are kept as terms.
func (q *Query) english(ws []word) {
	for i := range ws {
		ws[i].lower = strings.TrimSuffix(strings.TrimSuffix(ws[i].lower, "'s"), "'")
	}
	for i := 0; i < len(ws); {
		if stopWords[ws[i].lower] || ws[i].lower == "" {
			q.Dropped = append(q.Dropped, ws[i].orig)
			i++
			continue
		}
		done := false
		for l := min(maxPhrase, len(ws)-i); l >= 1 && !done; l-- {
			if l > 1 && stopWords[ws[i+l-1].lower] {
				continue
			}
			var parts []string
			for _, w := range ws[i : i+l] {
				parts = append(parts, w.lower)
			}
			key := cedict.NormalizeKey(strings.Join(parts, " "))
			tr := translate(key, l == 1 && capitalised(ws[i].orig))
			if p := provinceByEnglish(key); p != "" {
				tr = []string{p} // CC-CEDICT's province entries cross-reference instead of glossing
			}
			if len(tr) > 0 {
				q.Groups = append(q.Groups, Group{English: key, Translations: tr})
				i += l
				done = true
			}
		}
		if !done {
			q.Terms = append(q.Terms, ws[i].lower)
			i++
		}
	}
}

func capitalised(s string) bool { return s != "" && s[0] >= 'A' && s[0] <= 'Z' }

// translate looks a key up, and its singular when the key itself gives no
// common word ("jobs" is Steve Jobs; "job" is 工作). A name is used only for
// a capitalised word, and then only the dictionary's first: a name refers
// to one thing.
func translate(key string, capital bool) []string {
	var names []string
	for _, k := range append([]string{key}, singulars(key)...) {
		var common []string
		for _, t := range cedict.English(k) {
			if t.Name {
				names = append(names, t.Word)
			} else {
				common = append(common, t.Word)
			}
		}
		if len(common) > 0 {
			return common
		}
	}
	if capital && len(names) > 0 {
		return names[:1]
	}
	return nil
}

// singulars are the possible singulars of a plural last word.
func singulars(key string) []string {
	switch {
	case strings.HasSuffix(key, "ies"):
		return []string{strings.TrimSuffix(key, "ies") + "y"}
	case strings.HasSuffix(key, "ses"), strings.HasSuffix(key, "xes"), strings.HasSuffix(key, "ches"), strings.HasSuffix(key, "shes"):
		return []string{strings.TrimSuffix(key, "es"), strings.TrimSuffix(key, "s")}
	case strings.HasSuffix(key, "s") && !strings.HasSuffix(key, "ss"):
		return []string{strings.TrimSuffix(key, "s")}
	}
	return nil
}

// nationalZh and nationalEn name the country as a whole.
var (
	nationalZh = []string{"全国", "国家", "国务院", "中央", "我国"}
	nationalEn = []string{"national", "nationally", "nationwide", "china", "china's", "the country", "the state council", "central government"}
)

func scopeOf(text string) Scope {
	var s Scope
	lower := strings.ToLower(text)
	for _, w := range nationalZh {
		if strings.Contains(text, w) {
			s.National = true
		}
	}
	for _, w := range nationalEn {
		if containsWord(lower, w) {
			s.National = true
		}
	}
	s.Provinces = ProvincesIn(text)
	s.Places = placesIn(text, lower)
	for _, t := range split(text) {
		if t.kind == number && len(t.s) == 4 {
			if y, err := strconv.Atoi(t.s); err == nil && y >= 1949 && y <= 2100 {
				s.Years = append(s.Years, y)
			}
		}
	}
	return s
}

// containsWord reports whether w occurs in s between non-letters.
func containsWord(s, w string) bool {
	if w == "" {
		return false
	}
	for i := 0; ; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return false
		}
		j += i
		end := j + len(w)
		if (j == 0 || !isASCIILetter(s[j-1])) && (end == len(s) || !isASCIILetter(s[end])) {
			return true
		}
		i = j + 1
	}
}

func isASCIILetter(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }

func isProvince(name string) bool {
	for _, p := range Provinces {
		if name == p.Full || name == p.Short {
			return true
		}
	}
	return false
}

// placeIndex finds gazetteer names in a text without scanning the whole
// gazetteer: Chinese names by their first character, English names by word.
type placeIndex struct {
	byRune map[rune][]placeName
	byWord map[string][]string // English name → full names
	maxEn  int                 // longest English name, in words
}

type placeName struct{ name, full string }

var (
	placeIdxOnce sync.Once
	placeIdx     placeIndex
)

func places() *placeIndex {
	placeIdxOnce.Do(func() {
		placeIdx = placeIndex{byRune: map[rune][]placeName{}, byWord: map[string][]string{}}
		for _, p := range cedict.Places() {
			if isProvince(p.Full) {
				continue
			}
			for _, n := range []string{p.Full, p.Short} {
				if n != "" {
					r, _ := utf8.DecodeRuneInString(n)
					placeIdx.byRune[r] = append(placeIdx.byRune[r], placeName{n, p.Full})
				}
			}
			if p.English != "" {
				placeIdx.byWord[p.English] = append(placeIdx.byWord[p.English], p.Full)
				placeIdx.maxEn = max(placeIdx.maxEn, len(strings.Fields(p.English)))
			}
		}
	})
	return &placeIdx
}

// placesIn returns the full names of the counties and cities a text names:
// by full name, by short name where that is not a common word, or by
// English name as whole words.
func placesIn(text, lower string) []string {
	ix := places()
	var out []string
	add := func(full string) {
		for _, f := range out {
			if f == full {
				return
			}
		}
		out = append(out, full)
	}
	for i, r := range text {
		for _, n := range ix.byRune[r] {
			if strings.HasPrefix(text[i:], n.name) {
				add(n.full)
			}
		}
	}
	words := strings.FieldsFunc(lower, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r == '\'') })
	for i := range words {
		for l := 1; l <= ix.maxEn && i+l <= len(words); l++ {
			key := strings.TrimSuffix(strings.Join(words[i:i+l], " "), "'s")
			for _, full := range ix.byWord[key] {
				add(full)
			}
		}
	}
	return out
}
