// Package extract turns an input file into the documents the chunker splits:
// plain text as it is, and (registered by their own files in this package)
// formats whose text must be extracted first (PDF, HTML, DOCX) or that hold
// many documents (JSONL, JSON arrays).
//
// Invariants every Format keeps:
//   - Document.Text is valid UTF-8, and every offset in a Document
//     (PageStarts) and every chunk offset derived from it refers to Text,
//     the extracted text, not to the file's bytes.
//   - A Format never reads more than the file given (the caller has already
//     checked that it is a regular file within the size limit) and honours
//     ctx: an external extractor is killed when ctx is done.
//   - A file that cannot be extracted gives an error naming the file (and the
//     record or page where it applies); a multi-document file with some bad
//     records returns the good documents and a *RecordErrors naming the rest.
package extract

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
)

// Document is one text to chunk, with what the file said about it.
type Document struct {
	// Title is the document's title when the format states it (a JSONL
	// record's title, an HTML <title>/<h1>, PDF metadata); "" lets the
	// chunker find titles in the text, as it does for plain text.
	Title string
	// Text is the extracted UTF-8 text: paragraphs separated by blank
	// lines, headings on lines of their own.
	Text string
	// Year is the year the document is about or was delivered in (0 when
	// unknown to the format; the chunker may still find it in the text).
	Year int
	// URL is where the document was published, when known.
	URL string
	// Meta keeps other fields of the source (a JSONL record's extra keys).
	Meta map[string]string
	// PageStarts[i] is the byte offset in Text where page i+1 begins (PDF);
	// nil for formats without pages.
	PageStarts []int
	// Record is the 1-based line (JSONL) or element (JSON array) number the
	// document came from; 0 for single-document files.
	Record int
	// Line is the 1-based line of the file where the document's record
	// begins, for formats whose Text is not the file's own lines (JSON):
	// chunks then cite that line, so an editor opens the record, while their
	// offsets stay offsets into Text. 0 when the chunk's own line in Text is
	// the right citation (text, extracted PDF/HTML/DOCX text).
	Line int
}

// Format reads one kind of file.
type Format struct {
	// Name is what errors and `status` call it ("pdf", "jsonl").
	Name string
	// Exts are the lower-case file extensions, with the dot, that a folder
	// walk collects for this format.
	Exts []string
	// Read extracts the documents of the file at path, whose content is
	// data (already read, within the size limit).
	Read func(ctx context.Context, path string, data []byte) ([]Document, error)
}

var formats = map[string]*Format{} // by extension

// Register adds a format; a second format for an extension panics, since
// which one reads a file must never depend on init order.
func Register(f *Format) {
	for _, e := range f.Exts {
		if prev, dup := formats[e]; dup {
			panic(fmt.Sprintf("extract: %s registered by %s and %s", e, prev.Name, f.Name))
		}
		formats[e] = f
	}
}

// ForPath is the format that reads path by its extension, or nil.
func ForPath(path string) *Format {
	return formats[strings.ToLower(filepath.Ext(path))]
}

// Exts lists every registered extension, sorted.
func Exts() []string {
	var out []string
	for e := range formats {
		out = append(out, e)
	}
	sort.Strings(out)
	return out
}

// RecordError is one bad record of a multi-document file.
type RecordError struct {
	Path   string
	Record int // 1-based line or element number
	Err    error
}

func (e *RecordError) Error() string { return fmt.Sprintf("%s:%d: %v", e.Path, e.Record, e.Err) }
func (e *RecordError) Unwrap() error { return e.Err }

// RecordErrors is returned, with the good documents, when some records of a
// file could not be read.
type RecordErrors []*RecordError

func (es RecordErrors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "; ")
}

// ErrNoText is wrapped by formats whose file holds no extractable text (a
// scanned PDF without a text layer, an HTML page with no article body).
var ErrNoText = errors.New("no extractable text")
