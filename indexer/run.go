package indexer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"time"
	"unicode/utf8"

	"github.com/reportsearch/reportsearch/chunk"
	"github.com/reportsearch/reportsearch/embed"
	"github.com/reportsearch/reportsearch/lexical"
	"github.com/reportsearch/reportsearch/progress"
	"github.com/reportsearch/reportsearch/store"
)

// Run brings the collection in cfg.Dir up to date with set. emb may be nil
// (no model reachable): the collection is then searchable lexically and a
// later run with a model embeds it. model describes emb (or the intended
// model).
//
// The phases, in order: prepare (load the stored collection and plan what
// to keep, reuse and embed: plan.go), the lexical index, the first save,
// then embedding, saved at checkpoints and at the end. Embedding starts
// once the plan is made and runs ahead of the lexical build and the first
// save, so the model server is not idle meanwhile.
func Run(ctx context.Context, cfg Config, emb embed.Embedder, model embed.ModelInfo, set *Set) (Stats, error) {
	r := &run{cfg: cfg.withDefaults(), start: time.Now(),
		st: Stats{Files: countSources(set), FileErrors: set.Errors, LexicalOnly: emb == nil}}
	err := r.do(ctx, emb, model, set)
	return r.st, err
}

func (cfg Config) withDefaults() Config {
	if cfg.Group <= 0 {
		// The embedder returns nothing for a group cut short by Ctrl-C, and
		// a group of 256 is a minute of CPU embedding with bge-m3: small
		// groups keep what was finished and let --checkpoint be honoured.
		cfg.Group = 32
	}
	if cfg.Checkpoint <= 0 {
		cfg.Checkpoint = 10 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	if cfg.save == nil {
		cfg.save = store.Save
	}
	return cfg
}

// run is one Run in progress.
type run struct {
	cfg   Config
	start time.Time
	st    Stats
	// snap is what the run saves; its records gain vectors as they come.
	snap *store.Snapshot
	// onDisk is what the last successful save holds, so that a failed save
	// (a full disk) is reported as what is really there, not as what was
	// embedded in memory.
	onDisk struct{ chunks, vectors, mine int }
}

func (r *run) do(ctx context.Context, emb embed.Embedder, model embed.ModelInfo, set *Set) error {
	tok, err := lexical.TokenizerByName(r.cfg.Lexical)
	if err != nil {
		return err
	}
	lock, err := store.AcquireLock(r.cfg.Dir)
	if err != nil {
		return err
	}
	defer lock.Release()
	if r.cfg.Rebuild {
		// A snapshot that is a directory, a link or a FIFO cannot be
		// replaced by a rename; it is kept under a new name, not deleted.
		aside, err := store.MoveAsideDamaged(r.cfg.Dir)
		if err != nil {
			return err
		}
		if aside != "" {
			fmt.Fprintf(r.cfg.Log, "reportsearch: the damaged snapshot (not a regular file) was moved aside to %s\n", aside)
		}
	}
	pending, err := r.prepare(ctx, emb != nil, model, set, tok.Name())
	if err != nil {
		return err
	}
	// Embedding runs ahead of the lexical build and the first save: done
	// in between, they were 4% of a fresh index of the corpus.
	embedCtx, stopEmbedding := context.WithCancel(ctx)
	groups := embedAhead(embedCtx, emb, r.snap.Records, pending, r.cfg)
	defer func() {
		stopEmbedding()
		if groups != nil { // nil when there is nothing to embed; ranging over it would block
			for range groups { // let the goroutine finish before we return
			}
		}
	}()
	if err := r.buildLexical(ctx, tok); err != nil {
		return err
	}
	// A cancellation seen before the first save leaves the stored
	// collection untouched; one that arrives while saving is honoured
	// after it, since the snapshot written is whole.
	r.trace("saving the snapshot (%d chunks)", len(r.snap.Records))
	if ctx.Err() != nil {
		return interrupted("saving the snapshot")
	}
	if err := r.save(len(pending) == 0); err != nil {
		return err
	}
	if emb == nil || len(pending) == 0 {
		r.st.Elapsed = time.Since(r.start)
		if ctx.Err() != nil {
			return ErrInterrupted
		}
		return nil
	}
	r.trace("embedding %d chunks", len(pending))
	runErr, err := r.embed(ctx, groups, len(pending))
	stopEmbedding()
	if err != nil {
		return err
	}
	r.st.Pending = len(pendingIndexes(r.snap.Records))
	if err := r.save(r.st.Pending == 0); err != nil {
		return err
	}
	r.st.Elapsed = time.Since(r.start)
	if runErr != nil && !errors.Is(runErr, ErrInterrupted) {
		// Say that the work is not lost; the caller says how to finish it.
		return &UnfinishedError{Err: runErr, Embedded: r.st.Embedded, Pending: r.st.Pending}
	}
	return runErr
}

func (r *run) trace(format string, args ...any) {
	if r.cfg.Trace != nil {
		fmt.Fprintf(r.cfg.Trace, format+"\n", args...)
	}
}

// prepare loads the stored collection, plans the run's records (plan.go)
// and makes the snapshot to save. It returns the indexes of the records
// still to embed.
func (r *run) prepare(ctx context.Context, canEmbed bool, model embed.ModelInfo, set *Set, lexicalName string) ([]int, error) {
	r.trace("loading the stored collection")
	old, prior := loadPrior(ctx, r.cfg)
	if ctx.Err() != nil {
		return nil, interrupted("loading the stored collection")
	}
	if old.err != nil {
		return nil, old.err
	}
	model, sameModel, note := modelFor(prior.snap, model, canEmbed)
	if note != "" {
		fmt.Fprintln(r.cfg.Log, "reportsearch:", note)
	}
	p, err := plan(old.snap, set, reusableVectors(prior.snap, sameModel), sameModel, func(c *chunk.Chunk) string {
		return hashOf(model, EmbedText(c, r.cfg.ContextHeader))
	})
	if err != nil {
		return nil, err
	}
	for _, n := range p.notes {
		fmt.Fprintln(r.cfg.Log, "reportsearch:", n)
	}
	r.st.Added, r.st.Reused, r.st.Removed = p.added, p.reused, p.removed
	r.st.Chunks = len(p.recs)
	r.snap = &store.Snapshot{Manifest: store.Manifest{
		Name:          filepath.Base(r.cfg.Dir),
		Model:         model,
		Chunker:       chunk.Fingerprint(r.cfg.Options),
		Options:       r.cfg.Options,
		ContextHeader: r.cfg.ContextHeader,
		Lexical:       lexicalName,
	}, Records: p.recs}
	if pm := prior.snap.Manifest.Model; pm.Dims != 0 && model.Dims == 0 && sameModel {
		r.snap.Manifest.Model = pm
	}
	pending := pendingIndexes(p.recs)
	r.st.Pending = len(pending)
	return pending, nil
}

// buildLexical encodes the lexical index of the run's records.
func (r *run) buildLexical(ctx context.Context, tok lexical.Tokenizer) error {
	recs := r.snap.Records
	r.trace("building the lexical index of %d chunks", len(recs))
	// Build writes the encoding straight from the records, without an
	// in-memory index (which for a 200 MB file took over a gigabyte).
	var lb bytes.Buffer
	err := lexical.Build(ctx, &lb, tok, lexical.Params{}, len(recs), func(i int) (string, string) {
		return recs[i].ID, LexicalText(&recs[i].Chunk)
	})
	if ctx.Err() != nil {
		return interrupted("building the lexical index")
	}
	if err != nil {
		return err
	}
	// The buffer grew by doubling: keep an exact copy, so up to half of it
	// is not held through the save, the run's peak of memory.
	r.snap.Lexical = bytes.Clone(lb.Bytes())
	return nil
}

// save writes the snapshot, complete or as a checkpoint.
func (r *run) save(complete bool) error {
	r.snap.Manifest.Complete = complete
	r.snap.Manifest.Updated = time.Now().UTC()
	if err := r.cfg.save(r.cfg.Dir, r.snap); err != nil {
		if r.st.Saved {
			r.st.Chunks, r.st.Embedded, r.st.Pending = r.onDisk.chunks, r.onDisk.mine, r.onDisk.chunks-r.onDisk.vectors
		}
		return fmt.Errorf("saving the collection: %w", err)
	}
	r.st.Saved = true
	r.onDisk.chunks, r.onDisk.vectors, r.onDisk.mine = len(r.snap.Records), r.snap.Embedded(), r.st.Embedded
	return nil
}

// embed stores each group's vectors as embedAhead delivers them, saving at
// checkpoints. It returns why embedding stopped short (stopped: an
// interruption or a group that failed as a whole; the caller still saves
// what was embedded) or a checkpoint that could not be saved (err).
func (r *run) embed(ctx context.Context, groups <-chan embedded, pending int) (stopped, err error) {
	label := fmt.Sprintf("embedding (%d files)", r.st.Files)
	if r.st.Files == 1 {
		label = "embedding (1 file)"
	}
	bar := progress.NewCount(int64(pending), label, "chunks", r.cfg.Progress)
	lastSave := time.Now()
	delivered := 0
	for g := range groups {
		delivered += len(g.idx)
		r.st.EmbedRunes += g.runes
		r.st.EmbedSeconds += g.seconds
		var items *embed.ItemErrors
		if g.err != nil && !errors.As(g.err, &items) {
			if ctx.Err() != nil {
				stopped = ErrInterrupted
			} else {
				stopped = fmt.Errorf("embedding stopped: %w", g.err)
			}
			break
		}
		r.keep(g, items)
		bar.Add(int64(len(g.idx)))
		if time.Since(lastSave) >= r.cfg.Checkpoint {
			if err := r.save(false); err != nil {
				return nil, err
			}
			lastSave = time.Now()
		}
	}
	if stopped == nil && delivered < pending {
		// The embedding goroutine stops early only when ctx is done.
		stopped = ErrInterrupted
	}
	bar.Finish()
	return stopped, nil
}

// keep stores a group's vectors; an input the embedder gave no vector
// stays pending and is listed in Stats.Failed with the reason.
func (r *run) keep(g embedded, items *embed.ItemErrors) {
	recs := r.snap.Records
	for j, idx := range g.idx {
		if j < len(g.vecs) && g.vecs[j] != nil {
			recs[idx].Vector = g.vecs[j]
			r.st.Embedded++
			if r.snap.Manifest.Model.Dims == 0 {
				r.snap.Manifest.Model.Dims = len(g.vecs[j])
			}
			continue
		}
		reason := "no vector returned"
		if items != nil && items.Errs[j] != nil {
			reason = items.Errs[j].Error()
		}
		r.st.Failed = append(r.st.Failed, fmt.Sprintf("%s (%s): %s", recs[idx].ID, recs[idx].File, reason))
	}
}

// loadContext is store.Load that returns early, with ctx.Err(), when ctx is
// done: loading a large snapshot takes seconds and cannot be cut short
// inside. The abandoned load finishes in the background and is dropped.
func loadContext(ctx context.Context, dir string) (*store.Snapshot, error) {
	type loaded struct {
		s   *store.Snapshot
		err error
	}
	ch := make(chan loaded, 1)
	go func() {
		s, err := store.Load(dir)
		ch <- loaded{s, err}
	}()
	select {
	case l := <-ch:
		return l.s, l.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// embedded is one group's answer from embedAhead.
type embedded struct {
	idx     []int // indexes into the record slice
	vecs    [][]float32
	err     error
	runes   int
	seconds float64
}

// embedAhead embeds the pending records group by group in a goroutine,
// handing each result over as soon as it is there; the channel's buffer
// lets the next group be embedded while the caller stores the last one. It
// reads only the records' chunks, never their vectors, which the caller
// writes. The channel closes after the last group, after a group that
// failed as a whole, or when ctx is done; it is nil when there is nothing
// to embed.
func embedAhead(ctx context.Context, emb embed.Embedder, recs []store.Record, pending []int, cfg Config) chan embedded {
	if emb == nil || len(pending) == 0 {
		return nil
	}
	out := make(chan embedded, 1)
	go func() {
		defer close(out)
		for lo := 0; lo < len(pending) && ctx.Err() == nil; lo += cfg.Group {
			g := embedded{idx: pending[lo:min(lo+cfg.Group, len(pending))]}
			texts := make([]string, len(g.idx))
			for j, i := range g.idx {
				texts[j] = EmbedText(&recs[i].Chunk, cfg.ContextHeader)
				g.runes += utf8.RuneCountInString(texts[j])
			}
			t0 := time.Now()
			g.vecs, g.err = emb.EmbedDocuments(ctx, texts)
			g.seconds = time.Since(t0).Seconds()
			out <- g
			var items *embed.ItemErrors
			if g.err != nil && !errors.As(g.err, &items) {
				return
			}
		}
	}()
	return out
}

func pendingIndexes(recs []store.Record) []int {
	var p []int
	for i := range recs {
		if recs[i].Vector == nil {
			p = append(p, i)
		}
	}
	return p
}
