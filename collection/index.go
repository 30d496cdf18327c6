package collection

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/reportsearch/reportsearch/embed"
	"github.com/reportsearch/reportsearch/indexer"
	"github.com/reportsearch/reportsearch/store"
)

// IndexOptions are the options of one index run.
type IndexOptions struct {
	ContextHeader  bool          // embed each chunk with its report title and heading path
	Lexical        string        // lexical tokenizer (indexer.DefaultLexical)
	Checkpoint     time.Duration // how often embedded vectors are saved
	Rebuild        bool          // ignore the stored collection
	FollowSymlinks bool
	MaxFileSize    int64
	Trace          io.Writer // --verbose lines
	Progress       io.Writer // the progress bar
	Log            io.Writer // the indexer's own messages

	// Read, when set, is called with the files read, before the model is
	// chosen: the command lists what was skipped there.
	Read func(*indexer.Set)
	// Use, when set, is the embedding used instead of asking Ollama for
	// s.Model: tests give a fake embedder, or none for lexical only.
	Use *Embedding
	// Collection, when set, names the collection for the model chosen
	// (datasets name theirs); otherwise NameFor does.
	Collection func(model string) string
}

// Embedding is an embedder and the model it stands for; a nil Embedder
// indexes lexically, recording Info as the collection's model.
type Embedding struct {
	Embedder embed.Embedder
	Info     embed.ModelInfo
}

// Stage says which step of an index run an error comes from; the command
// gives each its own exit code.
type Stage int

const (
	StageRead  Stage = iota + 1 // reading the files: nothing was changed
	StageModel                  // choosing the model: nothing was changed
	StageName                   // the collection's name or folder is not valid
	StageRun                    // the indexer run (see indexer.Stats.Saved)
	StageSync                   // syncing the vector backend: the snapshot is saved
)

// StageError is an index-run error with its stage. Its text is the error's.
type StageError struct {
	Stage Stage
	Err   error
}

func (e *StageError) Error() string { return e.Err.Error() }
func (e *StageError) Unwrap() error { return e.Err }

// StageOf returns the stage of an error from Index, 0 when it has none.
func StageOf(err error) Stage {
	var se *StageError
	if errors.As(err, &se) {
		return se.Stage
	}
	return 0
}

// Result is what an index run did.
type Result struct {
	Name  string          // the collection
	Dir   string          // its folder
	Model embed.ModelInfo // the model stored in the collection ("" name: lexical only)
	Set   *indexer.Set    // the files read
	Stats indexer.Stats
}

// Index reads paths and indexes them into the collection of s (see IndexSet).
func Index(ctx context.Context, s Settings, paths []string, o IndexOptions) (Result, error) {
	set, err := indexer.ReadFilesWith(ctx, paths, indexer.ReadOptions{
		Chunk: s.Chunk, FollowSymlinks: o.FollowSymlinks, MaxFileSize: o.MaxFileSize, Trace: o.Trace,
	})
	if err == nil {
		err = ctx.Err() // interrupted while reading: index nothing
	}
	if err != nil {
		return Result{}, &StageError{StageRead, err}
	}
	if o.Read != nil {
		o.Read(set)
	}
	return IndexSet(ctx, s, set, o)
}

// IndexSet indexes a set of chunks already read: it picks the model (a
// notice says when it falls back to lexical only), runs the indexer and
// syncs the vector backend.
func IndexSet(ctx context.Context, s Settings, set *indexer.Set, o IndexOptions) (Result, error) {
	res := Result{Set: set}
	var emb embed.Embedder
	var model embed.ModelInfo
	if o.Use != nil {
		emb, model = o.Use.Embedder, o.Use.Info
	} else {
		var why *LexicalOnlyError
		var err error
		if emb, model, why, err = ResolveModel(ctx, s); err != nil {
			return res, &StageError{StageModel, err}
		}
		if why != nil { // not a nil *LexicalOnlyError in a non-nil error
			s.notice(why)
		}
	}
	res.Model = model
	if o.Collection != nil {
		res.Name = o.Collection(model.Name)
	} else {
		res.Name = NameFor(s, model.Name)
	}
	var err error
	if res.Dir, err = store.Dir(s.DataDir, res.Name); err != nil {
		return res, &StageError{StageName, err}
	}
	cfg := indexer.Config{
		Dir: res.Dir, Options: s.Chunk, ContextHeader: o.ContextHeader,
		Lexical: o.Lexical, Checkpoint: o.Checkpoint, Rebuild: o.Rebuild,
		Progress: o.Progress, Log: o.Log, Trace: o.Trace,
	}
	res.Stats, err = indexer.Run(ctx, cfg, emb, model, set)
	if err != nil {
		return res, &StageError{StageRun, err}
	}
	if err := Sync(ctx, s, res.Dir, nil); err != nil {
		if ctx.Err() != nil {
			// Interrupted while syncing: the snapshot is whole and the
			// next run syncs what this one did not.
			err = fmt.Errorf("%w while syncing vectors to %s", indexer.ErrInterrupted, s.Store)
		}
		return res, &StageError{StageSync, err}
	}
	return res, nil
}

// ResolveModel decides which model an index run embeds with. It returns
// the embedder (nil when none can be used, with the reason in why) and the
// model description stored in the collection.
func ResolveModel(ctx context.Context, s Settings) (emb embed.Embedder, info embed.ModelInfo, why *LexicalOnlyError, err error) {
	name := s.Model
	if name == "auto" || name == "" {
		installed, lerr := embed.ListModels(ctx, s.Host)
		if lerr != nil {
			// Keep using the model of the newest collection, so its vectors
			// stay and the pending ones are embedded once Ollama is back.
			if prev := Newest(s, ""); prev != nil && prev.Manifest.Model.Name != "" {
				return nil, prev.Manifest.Model, &LexicalOnlyError{Err: lerr, Kept: prev.Manifest.Model.Name}, nil
			}
			return nil, embed.ModelInfo{}, &LexicalOnlyError{Err: lerr}, nil
		}
		name = embed.PickModel(installed)
		if name == "" {
			return nil, embed.ModelInfo{}, &LexicalOnlyError{Err: ErrNoEmbeddingModel}, nil
		}
	}
	o, err := newEmbedder(s, name, false)
	if err != nil {
		return nil, embed.ModelInfo{}, nil, err
	}
	info, ierr := o.Info(ctx)
	if ierr != nil {
		if errors.Is(ierr, embed.ErrUnreachable) || errors.Is(ierr, embed.ErrModelMissing) {
			info = embed.ProfileFor(name)
			return nil, info, &LexicalOnlyError{Err: ierr}, nil
		}
		return nil, embed.ModelInfo{}, nil, ierr
	}
	return o, info, nil, nil
}
