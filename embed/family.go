package embed

import (
	"fmt"
	"path"
	"strings"
	"unicode"
)

// Instructions are the texts a model family expects before a query and
// before a document. Models trained with instructions retrieve noticeably
// worse without them; models trained without them are hurt by them.
type Instructions struct {
	Query    string `json:"query"`
	Document string `json:"document"`
}

// FamilyRule maps model names to their instructions. Pattern is a path.Match
// glob over the bare model name: lower case, without namespace ("hf.co/BAAI/")
// and without tag (":latest", ":567m").
type FamilyRule struct {
	Pattern      string
	Instructions Instructions
	// WordPiece: the family uses a BERT WordPiece tokenizer. Only a guess
	// for when the server cannot be asked (ProfileFor); TextAuto asks it.
	WordPiece bool
	// Retrieval: the family was trained for passage retrieval in Chinese
	// (or multilingually) and its model cards report strong retrieval
	// scores. Hybrid search trusts such models with an equal share of the
	// fused score; others get a lexical-leaning share (see
	// retrieve.DenseWeightFor).
	Retrieval bool
}

// bgeZhQuery is the BGE Chinese retrieval instruction from the BAAI model cards.
const bgeZhQuery = "为这个句子生成表示以用于检索相关文章："

// Families is the table consulted by InstructionsFor, first match wins.
// Callers may replace or extend it before creating an embedder; an
// Options.Instructions override beats it for a single embedder.
var Families = []FamilyRule{
	// bge-m3 is trained without instructions (its card says so).
	{Pattern: "bge-m3*", Instructions: Instructions{}, Retrieval: true},
	{Pattern: "bge-*zh*", Instructions: Instructions{Query: bgeZhQuery}, WordPiece: true, Retrieval: true},
	{Pattern: "multilingual-e5*", Instructions: Instructions{Query: "query: ", Document: "passage: "}, Retrieval: true},
	{Pattern: "e5-*", Instructions: Instructions{Query: "query: ", Document: "passage: "}, WordPiece: true},
	{Pattern: "nomic-embed-text*", Instructions: Instructions{Query: "search_query: ", Document: "search_document: "}, WordPiece: true},
	// The Qwen3-Embedding card builds queries as
	// f'Instruct: {task}\nQuery:{query}' (no space after the colon);
	// documents go in bare.
	{Pattern: "qwen3-embedding*", Instructions: Instructions{
		Query: "Instruct: Given a web search query, retrieve relevant passages that answer the query\nQuery:",
	}, Retrieval: true},
	{Pattern: "mxbai-embed-large*", Instructions: Instructions{Query: "Represent this sentence for searching relevant passages: "}, WordPiece: true},
	// BERT-family models trained without instructions.
	{Pattern: "m3e*", WordPiece: true, Retrieval: true},
	{Pattern: "text2vec*", WordPiece: true, Retrieval: true},
	{Pattern: "*minilm*", WordPiece: true},
	{Pattern: "zh-charbag*", WordPiece: true},
}

// BareModelName lower-cases name and strips its namespace and tag:
// "hf.co/BAAI/bge-m3:latest" → "bge-m3".
func BareModelName(name string) string {
	n := strings.ToLower(strings.TrimSpace(name))
	if i := strings.LastIndex(n, "/"); i >= 0 {
		n = n[i+1:]
	}
	if i := strings.Index(n, ":"); i >= 0 {
		n = n[:i]
	}
	return n
}

// InstructionsFor returns the instructions of the first rule in Families
// that matches model, and false when none does (unknown models get none).
func InstructionsFor(model string) (Instructions, bool) {
	r, ok := ruleFor(model)
	return r.Instructions, ok
}

func ruleFor(model string) (FamilyRule, bool) {
	bare := BareModelName(model)
	for _, r := range Families {
		if ok, _ := path.Match(r.Pattern, bare); ok {
			return r, true
		}
	}
	return FamilyRule{}, false
}

// TrainedForRetrieval reports whether model belongs to a family marked
// Retrieval in Families. Unknown models, English-only ones and the test
// fixture are not.
func TrainedForRetrieval(model string) bool {
	r, _ := ruleFor(model)
	return r.Retrieval
}

// ProfileFor describes model from its name alone, for when the server
// cannot be asked: prefixes from Families, the text form TextAuto would
// most likely pick, no digest and no dimensions.
func ProfileFor(model string) ModelInfo {
	r, _ := ruleFor(model)
	form := TextRaw
	if r.WordPiece {
		form = TextASCIIPunct
	}
	return ModelInfo{Name: model, QueryPrefix: r.Instructions.Query, DocumentPrefix: r.Instructions.Document, TextForm: string(form)}
}

// TextForm says how text is rewritten before it is sent to the model. The
// stored chunk text is never changed.
type TextForm string

const (
	// TextRaw sends text as it is.
	TextRaw TextForm = "raw"
	// TextASCIIPunct maps non-ASCII punctuation to ASCII (，→, 。→. （→( …)
	// and drops marks that have no ASCII counterpart. It works around
	// Ollama's WordPiece tokenizer, which splits every non-ASCII punctuation
	// mark into byte-sized junk tokens (see PITFALLS.md).
	TextASCIIPunct TextForm = "ascii-punct"
	// TextAuto picks TextASCIIPunct for WordPiece (BERT-family) models and
	// TextRaw for the others, from what the server says about the model.
	TextAuto TextForm = "auto"
)

// ParseTextForm checks a text form given by a user (flag, config file).
func ParseTextForm(s string) (TextForm, error) {
	switch f := TextForm(strings.ToLower(strings.TrimSpace(s))); f {
	case TextRaw, TextASCIIPunct, TextAuto:
		return f, nil
	case "":
		return TextAuto, nil
	}
	return "", fmt.Errorf("text form %q: want raw, ascii-punct or auto", s)
}

// Apply rewrites s according to the form. TextAuto must be resolved first;
// it is treated as TextRaw here.
func (f TextForm) Apply(s string) string {
	if f == TextASCIIPunct {
		return ASCIIPunct(s)
	}
	return s
}

// asciiPunct holds the marks whose ASCII counterpart is not simply the
// full-width form (U+FF01–U+FF5E) shifted down.
var asciiPunct = map[rune]string{
	'，': ",", '、': ",", '。': ".", '．': ".", '｡': ".",
	'：': ":", '；': ";", '？': "?", '！': "!",
	'“': `"`, '”': `"`, '„': `"`, '‘': "'", '’': "'", '‚': "'",
	'「': `"`, '」': `"`, '『': `"`, '』': `"`, '〝': `"`, '〞': `"`,
	'《': "<", '》': ">", '〈': "<", '〉': ">", '«': `"`, '»': `"`,
	'（': "(", '）': ")", '【': "[", '】': "]", '〔': "[", '〕': "]",
	'〖': "[", '〗': "]", '［': "[", '］': "]", '｛': "{", '｝': "}",
	'—': "-", '–': "-", '‑': "-", '‐': "-", '―': "-", '－': "-", '〜': "~",
	'…': "...", '‥': "..", '·': "-", '・': "-", '•': "-",
	'％': "%", '＃': "#", '＆': "&", '＊': "*", '＠': "@", '＼': `\`, '／': "/", '＿': "_",
	'〃': `"`,
}

// ASCIIPunct maps every non-ASCII punctuation mark (Unicode category P, the
// set Ollama's WordPiece splits into bytes) to ASCII, and replaces marks
// with no ASCII counterpart (※ ‰ § …) by a space. The ideographic space
// becomes a plain space. Letters, digits and symbols are left alone: BERT
// vocabularies hold full-width digits as their own tokens.
func ASCIIPunct(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	changed := false
	for _, r := range s {
		if r < 0x80 {
			b.WriteRune(r)
			continue
		}
		if r == '\u3000' {
			b.WriteByte(' ')
			changed = true
			continue
		}
		if !unicode.IsPunct(r) {
			b.WriteRune(r)
			continue
		}
		changed = true
		if a, ok := asciiPunct[r]; ok {
			b.WriteString(a)
			continue
		}
		if r >= 0xFF01 && r <= 0xFF5E { // full-width ASCII punctuation
			b.WriteRune(r - 0xFEE0)
			continue
		}
		switch {
		case unicode.Is(unicode.Ps, r):
			b.WriteByte('(')
		case unicode.Is(unicode.Pe, r):
			b.WriteByte(')')
		case unicode.Is(unicode.Pi, r), unicode.Is(unicode.Pf, r):
			b.WriteByte('"')
		case unicode.Is(unicode.Pd, r):
			b.WriteByte('-')
		default:
			b.WriteByte(' ')
		}
	}
	if !changed {
		return s
	}
	return b.String()
}
