// Package chunk turns government work reports into paragraph chunks that can
// be cited: every chunk knows its file, report, heading path, paragraph number
// and where in the source text it came from.
package chunk

import "fmt"

// Version changes whenever chunking output changes for the same input and
// options, so that stores built by an older chunker are rebuilt rather than
// mixed with new chunks.
const Version = "1"

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
	// GB18030 where the file was not UTF-8): the half-open span that holds the
	// chunk's text. A repaired page break makes the span include the break.
	Start int `json:"start"`
	End   int `json:"end"`
	// Line is the 1-based line of Start in the same text (a line ends at
	// "\n", "\r\n" or a lone "\r"), for a file:line an editor can jump to.
	// Zero in collections stored before it existed; the next index fills it.
	Line int `json:"line,omitempty"`
	// Year is the report's year (package year: from its title or the date
	// line under it, or the record it came from); 0 when unknown.
	Year int `json:"year,omitempty"`
	// URL is where the report was published, when its source said so.
	URL string `json:"url,omitempty"`
}

// Options controls chunk sizes. Sizes are in runes (characters), which for
// Chinese text is close to the token count of most embedding models.
type Options struct {
	// MaxRunes is the hard upper bound of a chunk's text; longer paragraphs are
	// split at sentence ends (。！？；), and at commas or hard cuts only when a
	// single sentence is longer still.
	MaxRunes int `json:"max_runes"`
	// MinRunes: a paragraph shorter than this is merged into the next (else
	// the previous) paragraph of the same section, joined by "\n", when the
	// result stays within MaxRunes or that neighbour is split anyway.
	MinRunes int `json:"min_runes"`
}

// DefaultOptions fit every embedding model we know of (512-token BERT
// models included, with room for a query instruction).
func DefaultOptions() Options { return Options{MaxRunes: 400, MinRunes: 40} }

// Validate reports options the chunker cannot honour: a MaxRunes below 50
// would cut most sentences apart, and MinRunes must leave room to merge.
func (o Options) Validate() error {
	if o.MaxRunes < 50 {
		return fmt.Errorf("chunk: invalid options: MaxRunes is %d, want >= 50", o.MaxRunes)
	}
	if o.MinRunes < 0 || o.MinRunes >= o.MaxRunes {
		return fmt.Errorf("chunk: invalid options: MinRunes is %d, want 0 <= MinRunes < MaxRunes (%d)", o.MinRunes, o.MaxRunes)
	}
	return nil
}

// Fingerprint names the chunker version and options in a form that is safe in
// collection names and file names, e.g. "chunk-v1-max400-min40". Two runs
// with the same fingerprint produce the same chunks for the same input.
func Fingerprint(opt Options) string {
	return fmt.Sprintf("chunk-v%s-max%d-min%d", Version, opt.MaxRunes, opt.MinRunes)
}
