package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/urfave/cli/v2"

	"github.com/reportsearch/reportsearch/chunk"
	"github.com/reportsearch/reportsearch/embed"
	"github.com/reportsearch/reportsearch/retrieve"
	"github.com/reportsearch/reportsearch/store"
)

func defaultChunkOptions() chunk.Options { return chunk.DefaultOptions() }

// settings are the global flags, read once per command.
type settings struct {
	dataDir    string
	host       string
	model      string // "auto" or a name
	collection string
	store      string // "" / "chromem", or "weaviate://host:port"
	opts       chunk.Options
}

func readSettings(c *cli.Context) (settings, error) {
	s := settings{
		dataDir:    c.String("data-dir"),
		host:       c.String("ollama-host"),
		model:      strings.TrimSpace(c.String("model")),
		collection: c.String("collection"),
		store:      c.String("store"),
		opts:       chunk.Options{MaxRunes: c.Int("max-runes"), MinRunes: c.Int("min-runes")},
	}
	if err := s.opts.Validate(); err != nil {
		return s, err
	}
	if _, err := parseStore(s.store); err != nil {
		return s, err
	}
	if s.collection != "" {
		// Checked before anything is opened, so a bad name is a usage
		// error (exit 2) and nothing outside the data dir is touched.
		if err := store.ValidateName(s.collection); err != nil {
			return s, fmt.Errorf("--collection: %w", err)
		}
	}
	if s.model == "" {
		s.model = "auto"
	}
	return s, nil
}

// notices prints each distinct notice once per process on stderr.
var noticeOnce sync.Map

func notice(w io.Writer, msg string) {
	if msg == "" {
		return
	}
	if _, dup := noticeOnce.LoadOrStore(msg, true); !dup {
		fmt.Fprintln(w, "reportsearch:", safeText(msg))
	}
}

// newEmbedder makes the Ollama embedder for model. Queries use few retries:
// when the server is down, search falls back to lexical at once.
func newEmbedder(s settings, model string, forQueries bool) (*embed.Ollama, error) {
	opt := embed.DefaultOllamaOptions()
	if forQueries {
		opt.Retries = 0
	}
	return embed.NewOllama(s.host, model, opt)
}

// resolveIndexModel decides which model an index run embeds with. It returns
// the embedder (nil when none can be used, with the reason in notice) and
// the model description stored in the collection.
func resolveIndexModel(ctx context.Context, s settings) (emb embed.Embedder, info embed.ModelInfo, why string, err error) {
	name := s.model
	if name == "auto" {
		installed, lerr := embed.ListModels(ctx, s.host)
		if lerr != nil {
			// Keep using the model of the newest collection, so its vectors
			// stay and the pending ones are embedded once Ollama is back.
			if prev := newestCollection(s, ""); prev != nil && prev.Manifest.Model.Name != "" {
				return nil, prev.Manifest.Model, fmt.Sprintf("indexing lexical only: %v; the collection keeps model %s and its pending chunks are embedded by the next `index` once Ollama answers", lerr, prev.Manifest.Model.Name), nil
			}
			return nil, embed.ModelInfo{}, fmt.Sprintf("indexing lexical only: %v. For dense search start Ollama, then `reportsearch model pull bge-m3` and `reportsearch index` again", lerr), nil
		}
		name = embed.PickModel(installed)
		if name == "" {
			return nil, embed.ModelInfo{}, "indexing lexical only: the Ollama server has no embedding model. For dense search run `reportsearch model pull bge-m3` and `reportsearch index` again", nil
		}
	}
	o, err := newEmbedder(s, name, false)
	if err != nil {
		return nil, embed.ModelInfo{}, "", err
	}
	info, ierr := o.Info(ctx)
	if ierr != nil {
		if errors.Is(ierr, embed.ErrUnreachable) || errors.Is(ierr, embed.ErrModelMissing) {
			info = embed.ProfileFor(name)
			return nil, info, fmt.Sprintf("indexing lexical only: %v", ierr), nil
		}
		return nil, embed.ModelInfo{}, "", ierr
	}
	return o, info, "", nil
}

// collectionFor names the collection of a model under the current chunker
// settings, unless --collection names one.
func collectionFor(s settings, model string) string {
	if s.collection != "" {
		return s.collection
	}
	return store.CollectionName(canonicalModel(model), chunk.Fingerprint(s.opts))
}

// canonicalModel makes "bge-m3" and "bge-m3:latest" one model, as Ollama does.
func canonicalModel(name string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(name)), ":latest")
}

// newestCollection returns the most recently updated readable collection
// made with the current chunker settings (any model when model is "").
func newestCollection(s settings, model string) *store.Info {
	infos, err := store.List(s.dataDir)
	if err != nil {
		return nil
	}
	fp := chunk.Fingerprint(s.opts)
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

// openIndex opens the collection a search should use: --collection, else
// the collection of --model, else the newest one with these chunker settings.
func openIndex(ctx context.Context, s settings) (*retrieve.Index, error) {
	dir, err := collectionDir(s)
	if err != nil {
		return nil, err
	}
	return openDir(ctx, s, dir)
}

// collectionDir picks the folder of the collection a search should use (see
// openIndex), without opening it.
func collectionDir(s settings) (string, error) {
	switch {
	case s.collection != "":
		return store.Dir(s.dataDir, s.collection)
	case s.model != "auto":
		return store.Dir(s.dataDir, collectionFor(s, s.model))
	}
	in := newestCollection(s, "")
	if in == nil {
		// A damaged collection is not "nothing indexed": say what is
		// wrong with it and how to rebuild.
		infos, _ := store.List(s.dataDir)
		for _, bad := range infos {
			if bad.Err != nil {
				return "", bad.Err
			}
		}
		return "", fmt.Errorf("nothing is indexed in %s yet: run `reportsearch index PATH...` first", s.dataDir)
	}
	return in.Dir, nil
}

// openDir opens the collection in exactly this folder. serve reloads with
// it, so a server follows the folder it opened (a copy of a collection is
// not its original).
func openDir(ctx context.Context, s settings, dir string) (*retrieve.Index, error) {
	snap, err := store.Load(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no collection at %s: run `reportsearch index PATH...` first (with the same --model and chunk settings)", dir)
	}
	if err != nil {
		return nil, err
	}
	vi, err := vectorBackend(ctx, s.store, dir, snap)
	if err != nil {
		return nil, err
	}
	return retrieve.FromSnapshotWith(ctx, snap, embedderFor(s, snap), vi)
}

// recoveryHint is the advice printed under an error that says a stored
// snapshot is damaged; the store's errors name the file and the problem,
// the command line knows the way out.
func recoveryHint(err error) string {
	if !store.IsDamaged(err) {
		return ""
	}
	return "recover with `reportsearch index --rebuild PATH...` (with the same --model/--collection), which rewrites the collection from the source files; a damaged snapshot that is not a regular file is moved aside, not deleted"
}

// embedderFor returns the query embedder matching a collection's vectors:
// same model, prefixes and text form. nil when the collection has none.
func embedderFor(s settings, snap *store.Snapshot) embed.Embedder {
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
