// Package collection owns the two sequences every user of a collection
// repeats: opening one for search (choose it, load its snapshot, attach the
// vector backend and the query embedder) and indexing files into one (read
// them, pick the model, run the indexer, sync the vector backend). The
// command, the server, eval, the benchmarks and the tests all go through it,
// so the rules below hold for each of them alike:
//
//   - which collection answers is decided in one place, Choose;
//   - a collection with no chunks is never opened for search;
//   - hits of a vector backend for chunks the snapshot does not hold are
//     dropped before search sees them;
//   - an index run that cannot reach Ollama still indexes lexically, keeping
//     the model of the collection so its pending chunks are embedded later.
package collection

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/reportsearch/reportsearch/chunk"
	"github.com/reportsearch/reportsearch/embed"
	"github.com/reportsearch/reportsearch/retrieve"
	"github.com/reportsearch/reportsearch/store"
)

// Settings say where collections live and which one is meant.
type Settings struct {
	DataDir string
	Host    string        // Ollama host
	Model   string        // "auto" or a model name
	Name    string        // collection name; "" derives it from model and chunk settings
	Store   string        // vector store URL: "" / "chromem", or "weaviate://host:port"
	Chunk   chunk.Options // chunker settings

	// Notice receives what a run went on despite (a fallback taken, a
	// backend out of sync), as an error saying what happened: one of the
	// typed notices of this package, so the caller can add its own way out
	// (see errors.go); nil drops them.
	Notice func(error)
	// Log receives progress lines of a backend sync; nil drops them.
	Log io.Writer
}

func (s Settings) notice(n error) {
	if s.Notice != nil && n != nil {
		s.Notice(n)
	}
}

func (s Settings) log() io.Writer {
	if s.Log == nil {
		return io.Discard
	}
	return s.Log
}

// NameFor names the collection of a model under the chunk settings, unless
// s.Name names one.
func NameFor(s Settings, model string) string {
	if s.Name != "" {
		return s.Name
	}
	return store.CollectionName(CanonicalModel(model), chunk.Fingerprint(s.Chunk))
}

// CanonicalModel makes "bge-m3" and "bge-m3:latest" one model, as Ollama does.
func CanonicalModel(name string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(name)), ":latest")
}

// Newest returns the most recently updated readable collection made with
// the chunk settings (any model when model is "").
func Newest(s Settings, model string) *store.Info {
	infos, err := store.List(s.DataDir)
	if err != nil {
		return nil
	}
	fp := chunk.Fingerprint(s.Chunk)
	for i := range infos {
		in := &infos[i]
		if in.Err != nil || in.Manifest.Chunker != fp {
			continue
		}
		if model != "" && in.Manifest.Model.Name != model {
			continue
		}
		return in
	}
	return nil
}

// Why says which rule of Choose picked a collection; the command words it
// (in its flags' terms) for its stderr line and `collections`.
type Why int

const (
	WhyFlag   Why = iota + 1 // named by Settings.Name
	WhyModel                 // the collection of Settings.Model with the chunk settings
	WhyPinned                // the pinned default
	WhyNewest                // the newest non-empty collection with the chunk settings
)

// String names the rule for logs and tests; users read the command's words.
func (w Why) String() string {
	switch w {
	case WhyFlag:
		return "name"
	case WhyModel:
		return "model"
	case WhyPinned:
		return "pinned"
	case WhyNewest:
		return "newest"
	}
	return fmt.Sprintf("Why(%d)", int(w))
}

// Choose picks the collection search, context, serve and eval use, in this
// order:
//
//  1. s.Name (--collection NAME or REPORTSEARCH_COLLECTION);
//  2. s.Model M (not "auto"): the collection of M with the chunk settings;
//  3. the default pinned with `collections use NAME` (a pin naming a
//     collection that is gone is an error, never silently another one);
//  4. the newest collection made with the chunk settings that holds at
//     least one chunk.
//
// An empty collection is never chosen by rule 4: a search of it can only
// say "no results", which reads as "the corpus does not say" when the truth
// is "you searched the wrong collection". When the only candidates are
// empty, the error names the newest and says to index into it.
func Choose(s Settings) (dir string, why Why, err error) {
	switch {
	case s.Name != "":
		dir, err = store.Dir(s.DataDir, s.Name)
		return dir, WhyFlag, err
	case s.Model != "auto":
		dir, err = store.Dir(s.DataDir, NameFor(s, s.Model))
		return dir, WhyModel, err
	}
	pinned, err := store.ReadDefault(s.DataDir)
	if err != nil {
		return "", 0, &PinError{DataDir: s.DataDir, Err: err}
	}
	if pinned != "" {
		dir, err := store.Dir(s.DataDir, pinned)
		if err != nil {
			return "", 0, &PinError{Name: pinned, DataDir: s.DataDir, Err: err}
		}
		if _, err := os.Stat(filepath.Join(dir, store.SnapshotName)); errors.Is(err, os.ErrNotExist) {
			return "", 0, &PinError{Name: pinned, DataDir: s.DataDir}
		}
		return dir, WhyPinned, nil
	}
	infos, err := store.List(s.DataDir)
	if err != nil {
		return "", 0, err
	}
	fp := chunk.Fingerprint(s.Chunk)
	var damaged, empty *store.Info
	for i := range infos {
		in := &infos[i]
		switch {
		case in.Err != nil:
			if damaged == nil {
				damaged = in
			}
		case in.Manifest.Chunker != fp:
		case in.Manifest.Chunks == 0:
			if empty == nil {
				empty = in
			}
		default:
			return in.Dir, WhyNewest, nil
		}
	}
	switch {
	case damaged != nil:
		// A damaged collection is not "nothing indexed": say what is
		// wrong with it and how to rebuild.
		return "", 0, damaged.Err
	case empty != nil:
		return "", 0, &EmptyError{Name: filepath.Base(empty.Dir)}
	case len(infos) > 0:
		return "", 0, &NoMatchingError{DataDir: s.DataDir, Chunk: s.Chunk}
	}
	return "", 0, &NotIndexedError{DataDir: s.DataDir}
}

// Open opens the collection a search should use (see Choose) and says why
// it was chosen.
func Open(ctx context.Context, s Settings) (*retrieve.Index, Why, error) {
	dir, why, err := Choose(s)
	if err != nil {
		return nil, 0, err
	}
	ix, err := OpenDir(ctx, s, dir)
	return ix, why, err
}

// OpenDir opens the collection in exactly this folder. serve reloads with
// it, so a server follows the folder it opened (a copy of a collection is
// not its original). A collection with no chunks is an error, whoever
// chose it.
func OpenDir(ctx context.Context, s Settings, dir string) (*retrieve.Index, error) {
	snap, err := store.Load(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, &MissingError{Dir: dir}
	}
	if err != nil {
		return nil, err
	}
	if len(snap.Records) == 0 {
		return nil, &EmptyError{Name: filepath.Base(dir)}
	}
	return FromSnapshot(ctx, s, dir, snap)
}

// FromSnapshot makes the search index of a loaded snapshot of the
// collection in dir: its vector backend and query embedder attached.
func FromSnapshot(ctx context.Context, s Settings, dir string, snap *store.Snapshot) (*retrieve.Index, error) {
	vi, err := VectorBackend(ctx, s, dir, snap)
	if err != nil {
		return nil, err
	}
	return retrieve.FromSnapshotWith(ctx, snap, QueryEmbedder(s, snap), vi)
}

// newEmbedder makes the Ollama embedder for model. Queries use no retries:
// when the server is down, search falls back to lexical at once.
func newEmbedder(s Settings, model string, forQueries bool) (*embed.Ollama, error) {
	opt := embed.DefaultOllamaOptions()
	if forQueries {
		opt.Retries = 0
	}
	return embed.NewOllama(s.Host, model, opt)
}

// QueryEmbedder returns the query embedder matching a collection's vectors:
// same model, prefixes and text form. nil when the collection has none.
func QueryEmbedder(s Settings, snap *store.Snapshot) embed.Embedder {
	name := snap.Manifest.Model.Name
	if name == "" || snap.Manifest.Embedded == 0 {
		return nil
	}
	o, err := newEmbedder(s, name, true)
	if err != nil {
		return nil
	}
	o.UseInfo(snap.Manifest.Model)
	return o
}
