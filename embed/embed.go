// Package embed turns text into vectors through a locally run model server.
package embed

import (
	"context"
	"errors"
	"fmt"
	"github.com/reportsearch/reportsearch/schema"
	"slices"
)

// Errors that callers act on rather than just print. Returned errors wrap
// them with the details, so test with errors.Is.
var (
	// ErrUnreachable: the model server could not be reached at all (nothing
	// listening, host unknown). Callers may fall back to lexical search.
	ErrUnreachable = errors.New("model server unreachable")
	// ErrModelMissing: the server answers but does not have the model.
	ErrModelMissing = errors.New("model not available")
)

// Embedder embeds documents (chunks) and queries. Implementations add the
// model's document or query instruction themselves, so callers pass raw text.
type Embedder interface {
	// EmbedDocuments returns one vector per text, in order. When some texts
	// fail and others succeed it returns the vectors it has (nil for the
	// failed ones) and an *ItemErrors naming each failure by index.
	EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error)
	// EmbedQuery embeds a search query.
	EmbedQuery(ctx context.Context, text string) ([]float32, error)
	// Info describes the model; it may ask the server (name, digest, dims).
	Info(ctx context.Context) (ModelInfo, error)
}

// ModelInfo identifies what made a vector (see schema.ModelInfo: the
// snapshot stores it).
type ModelInfo = schema.ModelInfo

// ItemErrors reports the inputs of a batch that could not be embedded.
type ItemErrors struct {
	Errs map[int]error
}

// Indices returns the failed inputs' indices in increasing order.
func (e *ItemErrors) Indices() []int {
	idx := make([]int, 0, len(e.Errs))
	for i := range e.Errs {
		idx = append(idx, i)
	}
	slices.Sort(idx)
	return idx
}

// Error names the first failed input (by index, so the message is the same
// from run to run).
func (e *ItemErrors) Error() string {
	idx := e.Indices()
	if len(idx) == 0 {
		return "no inputs failed"
	}
	return fmt.Sprintf("%d input(s) could not be embedded (e.g. input %d: %v)", len(idx), idx[0], e.Errs[idx[0]])
}
