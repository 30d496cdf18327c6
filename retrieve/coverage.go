package retrieve

import (
	"errors"
	"fmt"

	"github.com/reportsearch/reportsearch/chunk"
	"github.com/reportsearch/reportsearch/embed"
)

// errNoVectors is a dense search of a collection that has no vectors (not
// embedded yet, or a rebuild has not reached them). It counts as the model
// being unavailable for the collection, so hybrid search falls back to
// lexical and the server answers 503, but says what is really missing.
var errNoVectors error = noVectorsError{}

// IsNoVectors reports whether err is a dense search of a collection that
// has no vectors yet (the remedy, indexing with a model, is the caller's
// to state).
func IsNoVectors(err error) bool { return errors.As(err, new(noVectorsError)) }

type noVectorsError struct{}

func (noVectorsError) Error() string {
	return "the collection has no vectors yet"
}

func (noVectorsError) Is(target error) bool { return target == embed.ErrModelMissing }

// Coverage is how much of the collection dense search can reach: chunks
// without a vector (an index run still embedding, cut short, or some chunks
// failed) are found only lexically. Answers from such a collection must say
// so rather than pass for answers from all of it.
type Coverage struct {
	Chunks   int `json:"chunks"`
	Embedded int `json:"embedded"`
}

// Partial tells whether some chunks, but not all, have vectors.
func (c Coverage) Partial() bool { return c.Embedded > 0 && c.Embedded < c.Chunks }

// Notice is the sentence a search adds when dense search used a partial
// collection ("" otherwise).
func (c Coverage) Notice() string {
	if !c.Partial() {
		return ""
	}
	return fmt.Sprintf("dense search covers %d of %d chunks; indexing is in progress or incomplete", c.Embedded, c.Chunks)
}

// Coverage reports the index's chunks and how many of them dense search can
// find: those the collection holds a vector for, and no more than the
// vector backend holds (a Weaviate class may lag behind the snapshot, or
// hold vectors the snapshot has since dropped).
func (ix *Index) Coverage() Coverage {
	return Coverage{Chunks: ix.Len(), Embedded: min(ix.withVectors, ix.Embedded(), ix.Len())}
}

// EachChunk calls fn with every chunk of the collection, in stored order.
func (ix *Index) EachChunk(fn func(c *chunk.Chunk)) {
	for i := range ix.records {
		fn(&ix.records[i].Chunk)
	}
}

// addNotice appends msg to the notice of info.
func (info *Info) addNotice(msg string) {
	switch {
	case msg == "":
	case info.Notice == "":
		info.Notice = msg
	default:
		info.Notice += "; " + msg
	}
}
