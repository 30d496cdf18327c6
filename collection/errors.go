package collection

import (
	"errors"
	"fmt"

	"github.com/reportsearch/reportsearch/chunk"
)

// The errors and notices of this package say what is wrong, never which
// command puts it right: the command line, the server and eval each have
// their own way out to offer (cmd/reportsearch adds it by errors.As on
// these types). The fields carry what that advice needs to name.

// NotIndexedError: the data dir holds no collection at all.
type NotIndexedError struct {
	DataDir string
}

func (e *NotIndexedError) Error() string {
	return fmt.Sprintf("nothing is indexed in %s yet", e.DataDir)
}

// NoMatchingError: the data dir holds collections, but none made with the
// chunk settings of the search.
type NoMatchingError struct {
	DataDir string
	Chunk   chunk.Options
}

func (e *NoMatchingError) Error() string {
	return fmt.Sprintf("no collection in %s was made with these chunk settings (max-runes %d, min-runes %d)", e.DataDir, e.Chunk.MaxRunes, e.Chunk.MinRunes)
}

// MissingError: no collection is at Dir (an explicit name or folder that
// was never indexed).
type MissingError struct {
	Dir string
}

func (e *MissingError) Error() string {
	return fmt.Sprintf("no collection at %s", e.Dir)
}

// EmptyError is the error for a collection with no chunks: searching it
// could only answer "no results".
type EmptyError struct {
	Name string
}

func (e *EmptyError) Error() string {
	return fmt.Sprintf("collection %s is empty", e.Name)
}

// PinError: the pinned default collection cannot be used. A pin naming a
// collection that is gone is an error, never silently another collection.
type PinError struct {
	Name    string // the pinned name; "" when the pin could not be read
	DataDir string
	Err     error // why; nil when the pinned collection no longer exists
}

func (e *PinError) Error() string {
	switch {
	case e.Err == nil:
		return fmt.Sprintf("the pinned default collection %s no longer exists in %s", e.Name, e.DataDir)
	case e.Name == "":
		return fmt.Sprintf("reading the pinned default collection: %v", e.Err)
	}
	return fmt.Sprintf("the pinned default collection: %v", e.Err)
}

func (e *PinError) Unwrap() error { return e.Err }

// OutOfSyncError is a notice: the vector backend holds another number of
// vectors than the collection has embedded chunks (an index run that did
// not finish syncing, or a backend shared with another data dir). Search
// goes on; hits for chunks the snapshot lacks are dropped.
type OutOfSyncError struct {
	Backend  string // the backend's class or collection, as it names itself
	Store    string // the --store URL
	Held     int
	Embedded int
}

func (e *OutOfSyncError) Error() string {
	return fmt.Sprintf("%s holds %d vectors, the collection %d embedded chunks", e.Backend, e.Held, e.Embedded)
}

// BackendFallbackError is a notice: the vector backend could not be
// opened for search, so dense search uses the in-memory index built from
// the snapshot (which holds every vector). Err says why.
type BackendFallbackError struct {
	Err error
}

func (e *BackendFallbackError) Error() string {
	return fmt.Sprintf("%v; dense search uses the in-memory index built from the snapshot instead", e.Err)
}

func (e *BackendFallbackError) Unwrap() error { return e.Err }

// SyncError: an index run saved its snapshot but could not bring the
// vector backend in line with it. Nothing is lost: the next index run
// syncs again.
type SyncError struct {
	Backend string
	Err     error
}

func (e *SyncError) Error() string {
	return fmt.Sprintf("syncing vectors to %s: %v (the snapshot is saved)", e.Backend, e.Err)
}

func (e *SyncError) Unwrap() error { return e.Err }

// ErrNoEmbeddingModel: the Ollama server answers but has no embedding
// model installed.
var ErrNoEmbeddingModel = errors.New("the Ollama server has no embedding model")

// LexicalOnlyError is a notice: an index run goes on lexically because no
// embedding model can be used. Err says why (embed.ErrUnreachable,
// embed.ErrModelMissing or ErrNoEmbeddingModel). Kept names the model the
// collection keeps, whose pending chunks the next run embeds; "" when the
// collection has none.
type LexicalOnlyError struct {
	Err  error
	Kept string
}

func (e *LexicalOnlyError) Error() string {
	if e.Kept != "" {
		return fmt.Sprintf("indexing lexical only: %v; the collection keeps model %s and its pending chunks are embedded by the next index run once Ollama answers", e.Err, e.Kept)
	}
	return fmt.Sprintf("indexing lexical only: %v", e.Err)
}

func (e *LexicalOnlyError) Unwrap() error { return e.Err }
