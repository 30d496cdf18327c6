package lexical

import (
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/go-ego/gse"
	"golang.org/x/text/unicode/norm"
)

// Tokenizer turns text into index terms. Documents and queries must go
// through the same Tokenizer; an Index records its tokenizer's Name and
// refuses to be decoded with another.
//
// Implementations must be safe for concurrent use and must never return an
// empty string as a token.
type Tokenizer interface {
	Name() string
	Tokens(text string) []string
}

// Tokenizer names accepted by TokenizerByName.
const (
	NameBigram        = "bigram"
	NameBigramUnigram = "bigram+unigram"
	NameGSE           = "gse"
	NameGSEBigram     = "gse+bigram"
)

// TokenizerNames lists the names TokenizerByName accepts, cheapest first.
func TokenizerNames() []string {
	return []string{NameBigram, NameBigramUnigram, NameGSE, NameGSEBigram}
}

// TokenizerByName returns the built-in tokenizer with that name.
func TokenizerByName(name string) (Tokenizer, error) {
	switch name {
	case NameBigram:
		return Bigram(), nil
	case NameBigramUnigram:
		return BigramUnigram(), nil
	case NameGSE:
		return GSE(), nil
	case NameGSEBigram:
		return GSEBigram(), nil
	}
	return nil, fmt.Errorf("lexical: unknown tokenizer %q (known: %s)", name, strings.Join(TokenizerNames(), ", "))
}

// Bigram emits overlapping character bigrams for every CJK run, as Lucene's
// CJKAnalyzer does; a run of one character is emitted as a unigram. It needs
// no dictionary, so it never mis-segments a new term such as 新质生产力.
func Bigram() Tokenizer { return cjkTokenizer{name: NameBigram, run: bigrams} }

// BigramUnigram emits every CJK character as well as every bigram, so that
// one-character query words (粮, 税) can still match, at the price of a larger
// index and noisier scores.
func BigramUnigram() Tokenizer { return cjkTokenizer{name: NameBigramUnigram, run: bigramsUnigrams} }

// GSE segments CJK runs with the go-ego/gse dictionary in search mode (the
// words plus their in-dictionary 2- and 3-character parts, with HMM for
// unknown words), like jieba's cut_for_search. The dictionary (simplified
// Chinese) is loaded once, on first use; see LoadGSE.
func GSE() Tokenizer { return cjkTokenizer{name: NameGSE, run: gseWords} }

// GSEBigram emits the bigrams of every CJK run plus the dictionary words of
// more than two characters, so a query sharing a long word with a document
// gets a bonus over bigram overlap alone. Two-character words are left out:
// they are bigrams already and would be counted twice.
func GSEBigram() Tokenizer { return cjkTokenizer{name: NameGSEBigram, run: gseBigrams} }

// cjkTokenizer is the common shape of every built-in tokenizer: normalise,
// cut Latin words and numbers whole, and hand each CJK run to run.
type cjkTokenizer struct {
	name string
	run  func(cjk []rune, out []string) []string
}

func (t cjkTokenizer) Name() string { return t.name }

func (t cjkTokenizer) Tokens(text string) []string { return scan(text, t.run) }

// Normalize folds text the way every tokenizer sees it: NFKC (full-width
// letters, digits and punctuation become half-width, ideographic space a
// space, compatibility ideographs unified) and lower case.
func Normalize(text string) string {
	// Invalid bytes become U+FFFD first: NFKC leaves the text after an
	// invalid byte unnormalised (a ligature such as "և" stays whole), so a
	// second pass would change it again (found by FuzzTokenize).
	out := strings.Map(unicode.ToLower, norm.NFKC.String(strings.ToValidUTF8(text, "\uFFFD")))
	// Lowering can leave text NFKC would change: "T" + U+0308 has no
	// precomposed capital, but its lower case "t" + U+0308 composes to
	// U+1E97, so a second Normalize would differ (found by FuzzTokenize).
	// One more pass settles it; the check costs little on text that needs
	// none, which is nearly all.
	if !norm.NFKC.IsNormalString(out) {
		out = strings.Map(unicode.ToLower, norm.NFKC.String(out))
	}
	return out
}

func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

func isWord(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r)
}

// scan normalises text and splits it into CJK runs, handed to cjk, and
// Latin/number words, emitted whole. A '.' between two digits stays inside a
// word (3.5, 1.2.3); '%' and '‰' are tokens of their own so that "5%" matches
// both "5" and the percent sign. Everything else (punctuation, symbols,
// spaces, invalid UTF-8) separates tokens.
func scan(text string, cjk func([]rune, []string) []string) []string {
	rs := []rune(Normalize(text))
	out := make([]string, 0, len(rs))
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case isCJK(r):
			j := i + 1
			for j < len(rs) && isCJK(rs[j]) {
				j++
			}
			out = cjk(rs[i:j], out)
			i = j
		case r == '%' || r == '‰':
			out = append(out, string(r))
			i++
		case isWord(r) && !unicode.IsMark(r):
			j := i + 1
			for j < len(rs) {
				c := rs[j]
				if isWord(c) && !isCJK(c) {
					j++
					continue
				}
				if c == '.' && j+1 < len(rs) && unicode.IsDigit(rs[j-1]) && unicode.IsDigit(rs[j+1]) {
					j += 2
					continue
				}
				break
			}
			out = append(out, string(rs[i:j]))
			i = j
		default:
			i++
		}
	}
	return out
}

func bigrams(run []rune, out []string) []string {
	if len(run) == 1 {
		return append(out, string(run))
	}
	for i := 0; i+1 < len(run); i++ {
		out = append(out, string(run[i:i+2]))
	}
	return out
}

func bigramsUnigrams(run []rune, out []string) []string {
	for i := range run {
		out = append(out, string(run[i]))
		if i+1 < len(run) {
			out = append(out, string(run[i:i+2]))
		}
	}
	return out
}

func gseWords(run []rune, out []string) []string {
	for _, w := range segmenter().CutSearch(string(run), true) {
		if w = strings.TrimSpace(w); w != "" && utf8.ValidString(w) {
			out = append(out, w)
		}
	}
	return out
}

func gseBigrams(run []rune, out []string) []string {
	out = bigrams(run, out)
	if len(run) < 3 {
		return out
	}
	for _, w := range segmenter().CutSearch(string(run), true) {
		if utf8.RuneCountInString(w) > 2 && strings.TrimSpace(w) == w {
			out = append(out, w)
		}
	}
	return out
}

var (
	gseOnce sync.Once
	gseSeg  gse.Segmenter
	gseErr  error
)

// LoadGSE loads the gse dictionary if it is not loaded yet. It takes a few
// seconds and about 130 MB of heap, once per process; call it at start-up to
// pay that before the first query and to see a load error as an error. The
// gse tokenizers call it themselves and panic if it fails, which only a
// broken build of gse can cause, since the dictionary is embedded.
func LoadGSE() error {
	gseOnce.Do(func() {
		gseSeg.SkipLog = true
		if err := gseSeg.LoadDictEmbed("zh_s"); err != nil {
			gseErr = fmt.Errorf("lexical: loading the gse dictionary: %w", err)
		}
	})
	return gseErr
}

func segmenter() *gse.Segmenter {
	if err := LoadGSE(); err != nil {
		panic(err)
	}
	return &gseSeg
}
