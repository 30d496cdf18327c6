// Package harness asks a question set of a collection and scores the
// answers: what `reportsearch eval run` does between reading its flags and
// printing, usable from Go (benchmarks, tests, a notebook of one's own).
//
// Rules, each an error of its own type so that every caller can say it its
// own way:
//   - A dense or hybrid run on a collection only some of whose chunks have
//     vectors would measure part of it under the whole's name: it is
//     refused (*PartialError) unless Options.AllowPartial, and then the
//     report is flagged (Report.Collection.Partial, "(PARTIAL)" in its name).
//   - A question whose answers no chunk of the collection can ever match
//     (quote in no chunk, file not indexed) is left out of the scores and
//     listed, as trec_eval leaves out questions without judgments; with
//     Options.Strict the run is refused instead (*UnmatchableError), and it
//     is always refused when no question is left.
//   - Questions are asked one at a time, so latencies are a single user's.
package harness

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	"github.com/reportsearch/reportsearch/chunk"
	"github.com/reportsearch/reportsearch/eval"
	"github.com/reportsearch/reportsearch/retrieve"
)

// Options of one run.
type Options struct {
	Search retrieve.Options
	Ks     []int // cut-offs; Search.K must be at least the largest
	// Limit, when > 0, asks only the first Limit questions.
	Limit        int
	Strict       bool
	AllowPartial bool
	// Name names the run in reports; "" gives "MODE/MODEL".
	Name string
	// Source names the question set (Settings["questions"]).
	Source string
	// Notice, when set, receives each search's notice (a fallback taken).
	Notice func(notice string)
}

// Result is a scored run.
type Result struct {
	Report eval.Report
	Run    eval.Run
	// Questions are the questions scored, in order.
	Questions []eval.Question
	// Unmatchable lists the answers no chunk can match; the questions left
	// with none are in Report.Excluded.
	Unmatchable []eval.Unmatchable
}

// PartialError refuses a dense or hybrid run on a partly embedded
// collection.
type PartialError struct {
	Collection       string
	Mode             retrieve.Mode
	Embedded, Chunks int
}

func (e *PartialError) Error() string {
	return fmt.Sprintf("collection %s: only %d of %d chunks have vectors (indexing is in progress or was cut short), so a %s run would measure part of it",
		e.Collection, e.Embedded, e.Chunks, e.Mode)
}

// UnmatchableError refuses a question set with answers that can never be
// matched: any such answer under Strict, or (None) every question.
type UnmatchableError struct {
	Collection string
	Items      []eval.Unmatchable
	None       bool // no question is left to score
}

func (e *UnmatchableError) Error() string {
	if e.None {
		return fmt.Sprintf("no question can be matched in collection %s", e.Collection)
	}
	return fmt.Sprintf("%d answer(s) can never be matched in collection %s", len(e.Items), e.Collection)
}

// Run asks qs of ix and scores the answers.
func Run(ctx context.Context, ix *retrieve.Index, qs []eval.Question, o Options) (Result, error) {
	if o.Limit > 0 && o.Limit < len(qs) {
		qs = qs[:o.Limit]
	}
	cov := ix.Coverage()
	partial := cov.Partial() && o.Search.Mode != retrieve.Lexical
	if partial && !o.AllowPartial {
		return Result{}, &PartialError{Collection: ix.Manifest.Name, Mode: o.Search.Mode, Embedded: cov.Embedded, Chunks: cov.Chunks}
	}
	qs, excluded, unm, err := judgeable(ix, qs, o.Strict)
	if err != nil {
		return Result{}, err
	}
	res, err := ask(ctx, ix, qs, o)
	if err != nil {
		return Result{}, err
	}
	rep := &res.Report
	rep.Excluded = excluded
	res.Unmatchable, rep.Unmatchable = unm, unm
	rep.Collection = &eval.CollectionState{Chunks: cov.Chunks, Embedded: cov.Embedded,
		Partial: partial && rep.Settings["mode"] != string(retrieve.Lexical)}
	rep.Name = o.Name
	if rep.Name == "" {
		rep.Name = fmt.Sprintf("%s/%s", rep.Settings["mode"], orNone(ix.Manifest.Model.Name))
	}
	if rep.Collection.Partial {
		rep.Name += " (PARTIAL)"
	}
	rep.Settings["questions"] = o.Source
	rep.Settings["collection"] = ix.Manifest.Name
	res.Questions = qs
	return res, nil
}

// judgeable leaves out the questions no chunk of ix can ever match, or
// refuses (see the package rules).
func judgeable(ix *retrieve.Index, qs []eval.Question, strict bool) (kept []eval.Question, excluded []string, unm []eval.Unmatchable, err error) {
	var chunks []eval.Hit
	ix.EachChunk(func(ch *chunk.Chunk) {
		chunks = append(chunks, eval.Hit{ID: ch.ID, File: filepath.Base(ch.File), Text: ch.Text})
	})
	unm = eval.FindUnmatchable(qs, chunks)
	if len(unm) == 0 {
		return qs, nil, nil, nil
	}
	if strict {
		return nil, nil, nil, &UnmatchableError{Collection: ix.Manifest.Name, Items: unm}
	}
	kept, excluded = eval.ExcludeUnjudgeable(qs, unm)
	if len(kept) == 0 {
		return nil, nil, nil, &UnmatchableError{Collection: ix.Manifest.Name, Items: unm, None: true}
	}
	return kept, excluded, unm, nil
}

// ask asks every question, one at a time, and evaluates the rankings.
func ask(ctx context.Context, ix *retrieve.Index, qs []eval.Question, o Options) (Result, error) {
	run := eval.Run{}
	lat := map[string]time.Duration{}
	mode := o.Search.Mode
	for _, q := range qs {
		if ctx.Err() != nil {
			return Result{}, ctx.Err()
		}
		t0 := time.Now()
		res, info, err := ix.Search(ctx, q.Query, o.Search)
		if err != nil {
			return Result{}, fmt.Errorf("question %s: %w", q.ID, err)
		}
		lat[q.ID] = time.Since(t0)
		mode = info.Mode
		if info.Notice != "" && o.Notice != nil {
			o.Notice(info.Notice)
		}
		hits := make([]eval.Hit, len(res))
		for i, r := range res {
			hits[i] = eval.Hit{ID: r.ID, File: filepath.Base(r.File), Text: r.Text, Score: r.Score, Year: r.Year}
		}
		run[q.ID] = hits
	}
	rep := eval.Evaluate(qs, run, nil, o.Ks)
	rep.SetLatencies(lat)
	rep.Settings = map[string]string{
		"mode":          string(mode),
		"model":         orNone(ix.Manifest.Model.Name),
		"chunker":       ix.Manifest.Chunker,
		"lexical":       ix.Manifest.Lexical,
		"context":       strconv.FormatBool(ix.Manifest.ContextHeader),
		"report_policy": string(o.Search.Regions),
	}
	if mode == retrieve.Hybrid {
		f := ix.ResolveFusion(o.Search.Fusion)
		rep.Settings["fusion"] = fmt.Sprintf("%s k=%g w=%g", f.Method, f.RRFK, f.DenseWeight)
	}
	return Result{Report: rep, Run: run}, nil
}

func orNone(s string) string {
	if s == "" {
		return "no-model"
	}
	return s
}
