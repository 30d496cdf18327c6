// Package schema holds the types a collection's snapshot stores on disk:
// the chunk of a report, the model that embedded it, and the manifest and
// records of a snapshot (store/format.go gives the byte layout).
//
// It imports nothing but the standard library, so code that reads a
// snapshot or describes a model (the store, a vector backend, a tool of
// one's own) need not import the chunker, the document extractors or the
// Ollama client. The packages that give these types their behaviour name
// them by alias: chunk.Chunk, chunk.Options, embed.ModelInfo,
// store.Manifest and store.Record are these types, not copies.
//
// Invariant: the snapshot gob-encodes these types, and gob matches fields
// by name. Adding a field is compatible; renaming, removing or retyping one
// changes the file format and needs a new store.FormatVersion, which
// store's TestFormatFields enforces.
package schema

import (
	"fmt"
	"time"
)

// Chunk is one retrievable passage. Text is the paragraph as read (page-break
// repairs joined, whitespace trimmed); heading lines are metadata, never part
// of Text (a heading with nothing under it is kept as a paragraph instead).
type Chunk struct {
	// ID is stable for the same file content and options:
	// "<file>#<report>.<paragraph>" plus ".<part>" when a long paragraph was split.
	ID string `json:"id"`
	// File is the path as given to the chunker (slash-separated, relative to
	// the indexed root where there is one).
	File string `json:"file"`
	// Report is the title of the report the chunk belongs to; ReportIndex is
	// its 0-based position among the reports of File.
	Report      string `json:"report"`
	ReportIndex int    `json:"report_index"`
	// Region is a cheap hint for multi-report files whose titles name the
	// issuing government: "北京市" for "北京市政府工作报告", "全国" for the bare
	// national "政府工作报告". Empty when the title names no such report.
	Region string `json:"region,omitempty"`
	// Headings is the heading path, outermost first (e.g. "二、2026年政府工作任务",
	// "（一）坚持内需主导"), Markdown markup removed. A numbered or bold
	// lead-in that opens a paragraph ("1. **强化政策协同。**建立…") heads
	// that paragraph and the ones after it until the next item: it is the
	// last entry here and stays in the paragraph's Text too.
	Headings []string `json:"headings"`
	// Paragraph is the 1-based paragraph number within the report; Part is 0
	// for a whole paragraph and 1.. for the pieces of a split one.
	Paragraph int    `json:"paragraph"`
	Part      int    `json:"part"`
	Text      string `json:"text"`
	// Start and End are byte offsets into the file's UTF-8 text (after decoding
	// GB18030 where the file was not UTF-8; for PDF, HTML and DOCX files, into
	// the text extracted from them, see package extract, with Page/PageEnd
	// pointing into the PDF itself): the half-open span that holds the
	// chunk's text. A repaired page break makes the span include the break.
	Start int `json:"start"`
	End   int `json:"end"`
	// Line is the 1-based line of Start in the same text (a line ends at
	// "\n", "\r\n" or a lone "\r"), for a file:line an editor can jump to.
	// Zero in collections stored before it existed; the next index fills it.
	Line int `json:"line,omitempty"`
	// Page and PageEnd are the 1-based pages of the source on which the
	// chunk starts and ends (a PDF's pages); both zero for formats without
	// pages. Start and End still refer to the extracted text.
	Page    int `json:"page,omitempty"`
	PageEnd int `json:"page_end,omitempty"`
	// Year is the year the report is about, when the source states it (a
	// JSONL record's year) or the title names it; 0 when unknown.
	Year int `json:"year,omitempty"`
	// URL is where the source was published, when known.
	URL string `json:"url,omitempty"`
}

// ChunkOptions controls chunk sizes. Sizes are in runes (characters), which for
// Chinese text is close to the token count of most embedding models.
type ChunkOptions struct {
	// MaxRunes is the hard upper bound of a chunk's text; longer paragraphs are
	// split at sentence ends (。！？；), and at commas or hard cuts only when a
	// single sentence is longer still.
	MaxRunes int `json:"max_runes"`
	// MinRunes: a paragraph shorter than this is merged into the next (else
	// the previous) paragraph of the same section, joined by "\n", when the
	// result stays within MaxRunes or that neighbour is split anyway.
	MinRunes int `json:"min_runes"`
}

// Validate reports options the chunker cannot honour: a MaxRunes below 50
// would cut most sentences apart, and MinRunes must leave room to merge.
func (o ChunkOptions) Validate() error {
	if o.MaxRunes < 50 {
		return fmt.Errorf("chunk: invalid options: MaxRunes is %d, want >= 50", o.MaxRunes)
	}
	if o.MinRunes < 0 || o.MinRunes >= o.MaxRunes {
		return fmt.Errorf("chunk: invalid options: MinRunes is %d, want 0 <= MinRunes < MaxRunes (%d)", o.MinRunes, o.MaxRunes)
	}
	return nil
}

// ModelInfo identifies what made a vector, so a store can tell when its
// vectors are stale.
type ModelInfo struct {
	Name   string `json:"name"`
	Digest string `json:"digest"`
	Dims   int    `json:"dims"`
	// QueryPrefix and DocumentPrefix are the instructions put before a query
	// or a document; TextForm names any rewriting of the text before it is
	// sent ("ascii-punct" for WordPiece models, see Ollama's tokenizer bug).
	QueryPrefix    string `json:"query_prefix"`
	DocumentPrefix string `json:"document_prefix"`
	TextForm       string `json:"text_form"`
}

// Manifest says what a collection holds and what made its vectors. Vectors are
// only comparable with query vectors from the same model, prefixes and text
// form, so any change there means re-embedding.
type Manifest struct {
	Name string `json:"name"`
	// Model is empty (Name "") for a collection indexed without a model.
	Model ModelInfo `json:"model"`
	// Chunker is chunk.Fingerprint of the options used; Options are kept to
	// re-chunk the same way.
	Chunker string       `json:"chunker"`
	Options ChunkOptions `json:"options"`
	// Embedding input settings that are part of the vector's meaning.
	ContextHeader bool `json:"context_header"`
	// Lexical names the tokenizer of the stored lexical index.
	Lexical string `json:"lexical"`
	// Complete is false for a checkpoint written while an index run was still
	// embedding: search works on it, the next index finishes it.
	Complete bool      `json:"complete"`
	Updated  time.Time `json:"updated"`
	Chunks   int       `json:"chunks"`
	Embedded int       `json:"embedded"`
	// Files and Reports count the distinct files and reports of the
	// chunks, so listing collections need not read the chunks. Both are 0
	// in snapshots written before they existed (and in empty ones).
	Files   int `json:"files,omitempty"`
	Reports int `json:"reports,omitempty"`
}

// Record is a chunk as stored: the chunk, where it came from and its vector.
type Record struct {
	Chunk
	// Source is the absolute path the chunk was read from, so chunks whose
	// file is gone can be deleted. Empty for chunks that came from a dataset.
	Source string
	// Hash identifies the exact text that was (or is to be) embedded; a vector
	// is reused across runs only when the hash matches.
	Hash string
	// Vector is nil until the chunk has been embedded.
	Vector []float32
}
