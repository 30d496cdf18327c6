package embed

import (
	"strings"
	"testing"
	"unicode"
)

func TestBareModelName(t *testing.T) {
	for in, want := range map[string]string{
		"bge-m3":                              "bge-m3",
		"bge-m3:latest":                       "bge-m3",
		"BGE-M3:567m":                         "bge-m3",
		"hf.co/BAAI/bge-large-zh-v1.5:latest": "bge-large-zh-v1.5",
		"quentinz/bge-small-zh-v1.5":          "bge-small-zh-v1.5",
		" nomic-embed-text ":                  "nomic-embed-text",
	} {
		if got := BareModelName(in); got != want {
			t.Errorf("BareModelName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestInstructionsFor(t *testing.T) {
	qwenQuery := "Instruct: Given a web search query, retrieve relevant passages that answer the query\nQuery:"
	cases := []struct {
		model      string
		query, doc string
		known      bool
	}{
		{"bge-large-zh-v1.5", bgeZhQuery, "", true},
		{"quentinz/bge-small-zh-v1.5:latest", bgeZhQuery, "", true},
		{"bge-base-zh", bgeZhQuery, "", true},
		{"bge-m3", "", "", true},
		{"bge-m3:latest", "", "", true},
		{"multilingual-e5-large", "query: ", "passage: ", true},
		{"e5-small-v2", "query: ", "passage: ", true},
		{"nomic-embed-text:v1.5", "search_query: ", "search_document: ", true},
		{"qwen3-embedding:0.6b", qwenQuery, "", true},
		{"dengcao/Qwen3-Embedding-0.6B:Q8_0", qwenQuery, "", true},
		{"zh-charbag-256", "", "", true},
		{"all-minilm", "", "", true},
		{"llama3.2", "", "", false},
		{"bge-large-en-v1.5", "", "", false}, // English BGE: not the Chinese instruction
	}
	for _, c := range cases {
		got, known := InstructionsFor(c.model)
		if got.Query != c.query || got.Document != c.doc || known != c.known {
			t.Errorf("InstructionsFor(%q) = %+v, %v; want query %q doc %q known %v", c.model, got, known, c.query, c.doc, c.known)
		}
	}
}

func TestParseTextForm(t *testing.T) {
	for in, want := range map[string]TextForm{"raw": TextRaw, "ASCII-Punct": TextASCIIPunct, " auto": TextAuto, "": TextAuto} {
		got, err := ParseTextForm(in)
		if err != nil || got != want {
			t.Errorf("ParseTextForm(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseTextForm("ascii"); err == nil || !strings.Contains(err.Error(), `"ascii"`) {
		t.Errorf("ParseTextForm(ascii) error = %v, want one naming the value", err)
	}
}

func TestASCIIPunct(t *testing.T) {
	cases := map[string]string{
		"稳步推进城市更新，加快老旧小区改造。":      "稳步推进城市更新,加快老旧小区改造.",
		"（一）坚持内需主导；扩大消费！":         "(一)坚持内需主导;扩大消费!",
		"“十五五”规划《纲要》、【提纲】？":       `"十五五"规划<纲要>,[提纲]?`,
		"增长５％左右：就业……":             "增长５%左右:就业......",
		"中国—东盟·合作　※注":             "中国-东盟-合作  注",
		"plain ASCII, unchanged.": "plain ASCII, unchanged.",
		"２０２６年":                   "２０２６年", // full-width digits are not punctuation
	}
	for in, want := range cases {
		if got := ASCIIPunct(in); got != want {
			t.Errorf("ASCIIPunct(%q) = %q, want %q", in, got, want)
		}
	}
}

// Whatever the input, no non-ASCII punctuation may survive: that is the
// whole point of the form.
func TestASCIIPunctLeavesNoWidePunct(t *testing.T) {
	var b strings.Builder
	for r := rune(0x80); r < 0x10000; r++ {
		if unicode.IsPunct(r) {
			b.WriteRune(r)
			b.WriteRune('字')
		}
	}
	for _, r := range ASCIIPunct(b.String()) {
		if r >= 0x80 && unicode.IsPunct(r) {
			t.Fatalf("ASCIIPunct left %q (U+%04X)", r, r)
		}
	}
}

func TestTextFormApply(t *testing.T) {
	s := "经济，增长。"
	if got := TextRaw.Apply(s); got != s {
		t.Errorf("raw changed the text: %q", got)
	}
	if got := TextASCIIPunct.Apply(s); got != "经济,增长." {
		t.Errorf("ascii-punct gave %q", got)
	}
}

func TestIsWordPiece(t *testing.T) {
	cases := []struct {
		info map[string]any
		want bool
	}{
		{map[string]any{"general.architecture": "bert", "tokenizer.ggml.model": "bert"}, true},
		{map[string]any{"general.architecture": "bert"}, true},
		{map[string]any{"general.architecture": "bert", "tokenizer.ggml.model": "t5"}, false}, // bge-m3
		{map[string]any{"general.architecture": "nomic-bert", "tokenizer.ggml.model": "bert"}, true},
		{map[string]any{"general.architecture": "qwen3", "tokenizer.ggml.model": "gpt2"}, false},
		{map[string]any{}, false},
	}
	for _, c := range cases {
		if got := IsWordPiece(c.info); got != c.want {
			t.Errorf("IsWordPiece(%v) = %v, want %v", c.info, got, c.want)
		}
	}
}

func TestProfileFor(t *testing.T) {
	cases := []struct {
		model, query, form string
	}{
		{"bge-large-zh-v1.5", bgeZhQuery, "ascii-punct"},
		{"bge-m3", "", "raw"},
		{"zh-charbag-256:latest", "", "ascii-punct"},
		{"qwen3-embedding:0.6b", "Instruct: Given a web search query, retrieve relevant passages that answer the query\nQuery:", "raw"},
		{"some-new-model", "", "raw"},
	}
	for _, c := range cases {
		p := ProfileFor(c.model)
		if p.Name != c.model || p.QueryPrefix != c.query || p.TextForm != c.form || p.Dims != 0 || p.Digest != "" {
			t.Errorf("ProfileFor(%q) = %+v, want query %q form %s", c.model, p, c.query, c.form)
		}
	}
}
