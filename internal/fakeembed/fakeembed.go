// Package fakeembed is a small deterministic embed.Embedder for unit tests:
// the same text always gets the same vector, with no model server. It counts
// the texts it embedded so tests can prove that vectors were reused rather
// than recomputed, and can be told to fail (a whole call after a number of
// calls, or single texts, as embed.Ollama reports them) and to take time.
package fakeembed

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"math"
	"sync"
	"time"

	"github.com/reportsearch/reportsearch/embed"
)

// Embedder is a fake embed.Embedder. The zero value is not usable: use New.
type Embedder struct {
	Model embed.ModelInfo

	mu       sync.Mutex
	embedded int // texts embedded by EmbedDocuments
	queries  int // EmbedQuery calls
	calls    int
	// FailAfter, when > 0, makes every EmbedDocuments call after the first
	// FailAfter ones fail as a whole, as a server that went away would.
	FailAfter int
	// FailText, when set, fails the texts it is true for, alone: the call
	// returns nil for them and an *embed.ItemErrors naming each, as
	// embed.Ollama does for inputs the server refuses.
	FailText func(text string) bool
	// Delay is how long each EmbedDocuments call takes (cut short when the
	// context is done).
	Delay time.Duration
	// OnCall, when set, is called at the start of every EmbedDocuments call
	// with its 1-based number (e.g. to cancel a context mid-run).
	OnCall func(n int)
}

// ErrFake is what a call past FailAfter returns; ErrFakeText is the error
// of a text FailText fails.
var (
	ErrFake     = errors.New("fakeembed: failing as told")
	ErrFakeText = errors.New("fakeembed: this text fails, as told")
)

// New returns a fake of the given dimension, named name.
func New(name string, dims int) *Embedder {
	return &Embedder{Model: embed.ModelInfo{Name: name, Digest: "sha256:fake-" + name, Dims: dims}}
}

// Vector is the fake's vector for text: unit length, derived from SHA-256,
// so distinct texts get (practically) distinct vectors.
func Vector(text string, dims int) []float32 {
	v := make([]float32, dims)
	var norm float64
	for i := 0; i < dims; i += 8 {
		h := sha256.Sum256([]byte{byte(i), byte(i >> 8)})
		h = sha256.Sum256(append(h[:], text...))
		for j := 0; j < 8 && i+j < dims; j++ {
			x := float64(int32(binary.BigEndian.Uint32(h[4*j:]))) / math.MaxInt32
			v[i+j] = float32(x)
			norm += x * x
		}
	}
	if norm > 0 {
		for i := range v {
			v[i] = float32(float64(v[i]) / math.Sqrt(norm))
		}
	}
	return v
}

// EmbedDocuments returns one vector per text.
func (e *Embedder) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	e.mu.Lock()
	e.calls++
	n := e.calls
	on := e.OnCall
	e.mu.Unlock()
	if on != nil {
		on(n)
	}
	if e.Delay > 0 {
		select {
		case <-time.After(e.Delay):
		case <-ctx.Done():
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if e.FailAfter > 0 && n > e.FailAfter {
		return nil, ErrFake
	}
	out := make([][]float32, len(texts))
	var items *embed.ItemErrors
	for i, t := range texts {
		if e.FailText != nil && e.FailText(t) {
			if items == nil {
				items = &embed.ItemErrors{Errs: map[int]error{}}
			}
			items.Errs[i] = ErrFakeText
			continue
		}
		out[i] = Vector(t, e.Model.Dims)
	}
	e.mu.Lock()
	e.embedded += len(texts)
	if items != nil {
		e.embedded -= len(items.Errs)
	}
	e.mu.Unlock()
	if items != nil {
		return out, items
	}
	return out, nil
}

// EmbedQuery returns the vector of the query text.
func (e *Embedder) EmbedQuery(ctx context.Context, text string) ([]float32, error) {
	e.mu.Lock()
	e.queries++
	e.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return Vector(text, e.Model.Dims), nil
}

// Info describes the fake model.
func (e *Embedder) Info(context.Context) (embed.ModelInfo, error) { return e.Model, nil }

// Queries is the number of EmbedQuery calls so far.
func (e *Embedder) Queries() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.queries
}

// Embedded is the number of texts embedded so far.
func (e *Embedder) Embedded() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.embedded
}

var _ embed.Embedder = (*Embedder)(nil)
