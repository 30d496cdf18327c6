package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/urfave/cli/v2"

	"github.com/reportsearch/reportsearch/chunk"
	"github.com/reportsearch/reportsearch/embed"
	"github.com/reportsearch/reportsearch/indexer"
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

// openIndex opens the collection a search should use (see chooseCollection).
func openIndex(ctx context.Context, s settings) (*retrieve.Index, error) {
	ix, _, err := openChosen(ctx, s)
	return ix, err
}

// openChosen is openIndex that also says why that collection was chosen,
// for the line that tells the user which collection answered.
func openChosen(ctx context.Context, s settings) (*retrieve.Index, string, error) {
	dir, why, err := chooseCollection(s)
	if err != nil {
		return nil, "", err
	}
	ix, err := openDir(ctx, s, dir)
	return ix, why, err
}

// Why a collection was chosen, as the stderr line and `collections` say it.
const (
	whyFlag   = "named by --collection"
	whyModel  = "the collection of --model with these chunk settings"
	whyPinned = "the default, pinned with `reportsearch collections use`"
	whyNewest = "the newest non-empty collection with these chunk settings"
)

// chooseCollection picks the collection search, context, serve and eval
// use, in this order:
//
//  1. --collection NAME (or REPORTSEARCH_COLLECTION);
//  2. --model M: the collection of M with the current chunk settings;
//  3. the default pinned with `collections use NAME` (a pin naming a
//     collection that is gone is an error, never silently another one);
//  4. the newest collection made with the current chunk settings that
//     holds at least one chunk.
//
// An empty collection is never chosen by rule 4: a search of it can only
// say "no results", which reads as "the corpus does not say" when the truth
// is "you searched the wrong collection". When the only candidates are
// empty, the error names the newest and says to index into it.
func chooseCollection(s settings) (dir string, why string, err error) {
	switch {
	case s.collection != "":
		dir, err = namedDir(s.dataDir, s.collection)
		return dir, whyFlag, err
	case s.model != "auto":
		dir, err = namedDir(s.dataDir, collectionFor(s, s.model))
		return dir, whyModel, err
	}
	pinned, err := store.ReadDefault(s.dataDir)
	if err != nil {
		return "", "", fmt.Errorf("reading the pinned default collection: %w; pin one with `reportsearch collections use NAME`, or unpin with `reportsearch collections use --auto`", err)
	}
	if pinned != "" {
		dir, err := namedDir(s.dataDir, pinned)
		if err != nil {
			return "", "", fmt.Errorf("the pinned default collection: %w; pin another with `reportsearch collections use NAME`, or unpin with `reportsearch collections use --auto`", err)
		}
		if _, err := os.Stat(filepath.Join(dir, store.SnapshotName)); errors.Is(err, os.ErrNotExist) {
			return "", "", fmt.Errorf("the default collection %s (pinned with `reportsearch collections use`) no longer exists in %s: pin another with `reportsearch collections use NAME`, or unpin with `reportsearch collections use --auto`", pinned, s.dataDir)
		}
		return dir, whyPinned, nil
	}
	infos, err := store.List(s.dataDir)
	if err != nil {
		return "", "", err
	}
	fp := chunk.Fingerprint(s.opts)
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
			return in.Dir, whyNewest, nil
		}
	}
	switch {
	case damaged != nil:
		// A damaged collection is not "nothing indexed": say what is
		// wrong with it and how to rebuild.
		return "", "", damaged.Err
	case empty != nil:
		return "", "", emptyCollection(filepath.Base(empty.Dir))
	case len(infos) > 0:
		return "", "", fmt.Errorf("no collection in %s was made with these chunk settings (--max-runes %d --min-runes %d): `reportsearch collections` lists them; choose one with --collection NAME or `reportsearch collections use NAME`", s.dataDir, s.opts.MaxRunes, s.opts.MinRunes)
	}
	return "", "", fmt.Errorf("nothing is indexed in %s yet: run `reportsearch index PATH...` first", s.dataDir)
}

// emptyCollection is the error for a collection with no chunks: searching
// it could only answer "no results".
func emptyCollection(name string) error {
	return fmt.Errorf("collection %s is empty: index some files into it (`reportsearch --collection %s index PATH...`), or choose another with --collection NAME; `reportsearch collections` lists them", name, name)
}

// namedDir is the folder of a collection named on the command line or by
// the pin; store.Dir refuses names that are not one safe folder name.
func namedDir(dataDir, name string) (string, error) {
	return store.Dir(dataDir, name)
}

// openDir opens the collection in exactly this folder. serve reloads with
// it, so a server follows the folder it opened (a copy of a collection is
// not its original). A collection with no chunks is an error, whoever chose it.
func openDir(ctx context.Context, s settings, dir string) (*retrieve.Index, error) {
	snap, err := store.Load(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no collection at %s: run `reportsearch index PATH...` first (with the same --model and chunk settings)", dir)
	}
	if err != nil {
		return nil, err
	}
	if len(snap.Records) == 0 {
		return nil, emptyCollection(filepath.Base(dir))
	}
	vi, err := vectorBackend(ctx, s.store, dir, snap)
	if err != nil {
		return nil, err
	}
	return retrieve.FromSnapshotWith(ctx, snap, embedderFor(s, snap), vi)
}

// recoveryHint is the advice printed under an error: the libraries' errors
// say what is wrong (typed or wrapped, so the server can say it its own
// way), and only the command line knows which command is the way out.
// Several can apply (a missing model stopped an index run: pull it, then
// run again); they are given in the order to follow.
func recoveryHint(err error) string {
	var hints []string
	if store.IsDamaged(err) {
		hints = append(hints, "recover with `reportsearch index --rebuild PATH...` (with the same --model/--collection), which rewrites the collection from the source files; a damaged snapshot that is not a regular file is moved aside, not deleted")
	}
	if m := embed.MissingModel(err); m != "" {
		hints = append(hints, fmt.Sprintf("run `reportsearch model pull %s` (or `reportsearch model import DIR %s` for a local Hugging Face folder)", m, m))
	}
	if retrieve.IsNoVectors(err) {
		hints = append(hints, "run `reportsearch index` with a model (--model) to give the collection vectors")
	}
	if errors.As(err, new(*retrieve.UnknownReportsError)) {
		hints = append(hints, "see `reportsearch status --reports` for the reports of the collection")
	}
	if errors.As(err, new(*indexer.UnfinishedError)) {
		hints = append(hints, "run the same index command again to finish")
	}
	return strings.Join(hints, "; ")
}

// noticeFallback adds, under the notice of a search that fell back from
// dense to lexical, how to get dense search back.
func noticeFallback(w io.Writer, ix *retrieve.Index) {
	err := ix.Fallback()
	if err == nil {
		return
	}
	hint := recoveryHint(err)
	if hint == "" {
		hint = fmt.Sprintf("for dense search start Ollama (or set OLLAMA_HOST) with model %q and run `reportsearch index` again", ix.Manifest.Model.Name)
	}
	notice(w, hint)
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
