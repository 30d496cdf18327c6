// Package chunk turns government work reports into paragraph chunks that can
// be cited: every chunk knows its file, report, heading path, paragraph number
// and where in the source text it came from.
package chunk

import (
	"fmt"

	"github.com/reportsearch/reportsearch/schema"
)

// Version changes whenever chunking output changes for the same input and
// options, so that stores built by an older chunker are rebuilt rather than
// mixed with new chunks.
const Version = "1"

// Chunk is one retrievable passage (see schema.Chunk: the snapshot stores
// it, so its fields are part of the file format).
type Chunk = schema.Chunk

// Options controls chunk sizes (see schema.ChunkOptions: a collection's
// manifest stores them).
type Options = schema.ChunkOptions

// DefaultOptions fit every embedding model we know of (512-token BERT
// models included, with room for a query instruction).
func DefaultOptions() Options { return Options{MaxRunes: 400, MinRunes: 40} }

// Fingerprint names the chunker version and options in a form that is safe in
// collection names and file names, e.g. "chunk-v1-max400-min40". Two runs
// with the same fingerprint produce the same chunks for the same input.
func Fingerprint(opt Options) string {
	return fmt.Sprintf("chunk-v%s-max%d-min%d", Version, opt.MaxRunes, opt.MinRunes)
}
