package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/reportsearch/reportsearch/chunk"
	"github.com/reportsearch/reportsearch/collection"
	"github.com/reportsearch/reportsearch/eval"
	"github.com/reportsearch/reportsearch/indexer"
	"github.com/reportsearch/reportsearch/internal/atomicfile"
	"github.com/reportsearch/reportsearch/retrieve"
	"github.com/reportsearch/reportsearch/store"
)

func evalCommand() *cli.Command {
	return &cli.Command{
		Name:  "eval",
		Usage: "measure retrieval quality: run question sets, score run files, compare runs",
		Subcommands: []*cli.Command{
			evalRunCommand(),
			evalScoreCommand(),
			evalCompareCommand(),
			evalShowCommand(),
			evalPlotCommand(),
			evalCheckCommand(),
			evalImportSQuADCommand(),
			evalImportBEIRCommand(),
		},
	}
}

// evalSource is what a run evaluates: questions and the index to ask.
type evalSource struct {
	questions []eval.Question
	index     *retrieve.Index
	name      string // dataset or question file name, for the report
}

func evalRunCommand() *cli.Command {
	return &cli.Command{
		Name:  "run",
		Usage: "answer every question of a set and report Recall, Precision, Hit, MRR, nDCG and MAP with confidence intervals",
		UsageText: usageText("reportsearch eval run [options] (--questions FILE | --squad FILE | --beir DIR)",
			"reportsearch eval run --questions eval/testdata/dev.jsonl --mode hybrid --out hybrid.json",
			"reportsearch eval run --beir eval/testdata/beir-mini --mode lexical --json"),
		Description: `Question sources (one of):
  --questions FILE   quote-anchored JSONL over an indexed corpus (e.g. eval/testdata/dev.jsonl);
                     --index PATH brings the corpus's collection up to date first
  --squad FILE       SQuAD-style JSON (e.g. CMRC 2018) as passage retrieval
  --beir DIR         a BEIR folder (corpus.jsonl, queries.jsonl, qrels/SPLIT.tsv)
Datasets are indexed into their own collection (cached: vectors are reused).`,
		Flags: append(searchFlags(),
			&cli.StringFlag{Name: "questions", Usage: "quote-anchored question file (JSONL)"},
			&cli.StringSliceFlag{Name: "index", Usage: "index these paths before running (incremental)"},
			&cli.StringFlag{Name: "squad", Usage: "SQuAD-style JSON benchmark"},
			&cli.StringFlag{Name: "beir", Usage: "BEIR benchmark folder"},
			&cli.StringFlag{Name: "split", Value: "test", Usage: "BEIR qrels split"},
			&cli.StringFlag{Name: "ks", Value: "1,5,10,20", Usage: "cut-offs k"},
			&cli.StringFlag{Name: "name", Usage: "name of this run in reports (default: mode and model)"},
			&cli.StringFlag{Name: "out", Usage: "also write the JSON report here (for eval compare)"},
			&cli.StringFlag{Name: "run", Usage: "also write a TREC run file here"},
			&cli.IntFlag{Name: "limit", Usage: "only the first N questions (0: all)"},
			&cli.BoolFlag{Name: "per-question", Usage: "list every question, worst first"},
			&cli.BoolFlag{Name: "strict", Usage: "refuse (exit 2) when a question has an answer no chunk can match, instead of excluding the question"},
			&cli.BoolFlag{Name: "allow-partial", Usage: "run dense or hybrid even when only some chunks have vectors (the report is flagged PARTIAL)"},
			formatFlag(),
			jsonFlag(),
		),
		Action: func(c *cli.Context) error {
			s, err := readSettings(c)
			if err != nil {
				return cli.Exit(err, 2)
			}
			format, err := formatOf(c.String, c.Bool)
			if err != nil {
				return err
			}
			ks, err := eval.ParseKs(c.String("ks"))
			if err != nil {
				return cli.Exit(err, 2)
			}
			maxK := 0
			for _, k := range ks {
				maxK = max(maxK, k)
			}
			opt, err := searchOptions(c, maxK)
			if err != nil {
				return cli.Exit(err, 2)
			}
			src, err := loadEvalSource(c, s)
			if err != nil {
				return err
			}
			qs := src.questions
			if n := c.Int("limit"); n > 0 && n < len(qs) {
				qs = qs[:n]
			}
			// A dense or hybrid run on a collection that only partly has
			// vectors (an index still embedding, or cut short) would be
			// labelled as such while measuring part of it.
			cov := src.index.Coverage()
			partial := cov.Partial() && opt.Mode != retrieve.Lexical
			if partial && !c.Bool("allow-partial") {
				return cli.Exit(fmt.Sprintf("collection %s: only %d of %d chunks have vectors (indexing is in progress or was cut short), so a %s run would measure part of it. Finish indexing (run the same index command again), or use --mode lexical, or --allow-partial to run anyway with the report flagged PARTIAL",
					src.index.Manifest.Name, cov.Embedded, cov.Chunks, opt.Mode), 2)
			}
			qs, excluded, unm, err := judgeable(src.index, qs, c.Bool("strict"))
			if err != nil {
				return err
			}
			rep, run, err := runQuestions(c.Context, src.index, qs, opt, ks)
			if err != nil {
				return err
			}
			rep.Excluded, rep.Unmatchable = excluded, unm
			rep.Collection = &eval.CollectionState{Chunks: cov.Chunks, Embedded: cov.Embedded, Partial: partial && rep.Settings["mode"] != string(retrieve.Lexical)}
			rep.Name = c.String("name")
			if rep.Name == "" {
				rep.Name = fmt.Sprintf("%s/%s", rep.Settings["mode"], orNone(src.index.Manifest.Model.Name))
			}
			if rep.Collection.Partial {
				rep.Name += " (PARTIAL)"
				fmt.Fprintf(os.Stderr, "reportsearch: WARNING: dense search covered only %d of %d chunks; the report is flagged PARTIAL\n", cov.Embedded, cov.Chunks)
			}
			rep.Settings["questions"] = src.name
			rep.Settings["collection"] = src.index.Manifest.Name
			// Written whole or not at all: a report cut short by Ctrl-C
			// would fail `eval compare` later, far from its cause.
			if p := c.String("run"); p != "" {
				err := atomicfile.Write(p, 0o644, func(w io.Writer) error {
					return eval.WriteRun(w, run, strings.ReplaceAll(rep.Name, " ", "_"))
				})
				if err != nil {
					return err
				}
			}
			if p := c.String("out"); p != "" {
				if err := atomicfile.Write(p, 0o644, rep.WriteJSON); err != nil {
					return err
				}
			}
			if err := writeReport(os.Stdout, rep, format); err != nil {
				return err
			}
			if c.Bool("per-question") {
				return rep.WriteQuestionTable(os.Stdout, qs, "")
			}
			return nil
		},
	}
}

// judgeable leaves out the questions that no chunk of the collection can
// ever match (quote in no chunk, file not indexed), as trec_eval leaves out
// questions without judgments, and says so on stderr; with strict it
// refuses instead, naming file:line of each item.
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
		for _, u := range unm {
			fmt.Fprintln(os.Stderr, "reportsearch:", u)
		}
		return nil, nil, nil, cli.Exit(fmt.Sprintf("--strict: %d answer(s) can never be matched in collection %s (listed above); fix the question set (eval check --corpus DIR) or index the files it names", len(unm), ix.Manifest.Name), 2)
	}
	kept, excluded = eval.ExcludeUnjudgeable(qs, unm)
	if len(kept) == 0 {
		for _, u := range unm {
			fmt.Fprintln(os.Stderr, "reportsearch:", u)
		}
		return nil, nil, nil, cli.Exit(fmt.Sprintf("no question can be matched in collection %s (listed above): is it the collection of this question set's corpus?", ix.Manifest.Name), 2)
	}
	fmt.Fprintf(os.Stderr, "reportsearch: %d answer(s) can never be matched (no chunk holds them); %d question(s) with no matchable answer are left out of the scores (listed in the report; --strict refuses instead)\n", len(unm), len(excluded))
	return kept, excluded, unm, nil
}

func orNone(s string) string {
	if s == "" {
		return "no-model"
	}
	return s
}

// runQuestions asks every question, one at a time so that latencies are
// those of a single user, and evaluates the rankings.
func runQuestions(ctx context.Context, ix *retrieve.Index, qs []eval.Question, opt retrieve.Options, ks []int) (eval.Report, eval.Run, error) {
	run := eval.Run{}
	lat := map[string]time.Duration{}
	mode := opt.Mode
	for _, q := range qs {
		if ctx.Err() != nil {
			return eval.Report{}, nil, ctx.Err()
		}
		t0 := time.Now()
		res, info, err := ix.Search(ctx, q.Query, opt)
		if err != nil {
			return eval.Report{}, nil, fmt.Errorf("question %s: %w", q.ID, err)
		}
		lat[q.ID] = time.Since(t0)
		mode = info.Mode
		if info.Notice != "" {
			notice(os.Stderr, info.Notice)
			noticeFallback(os.Stderr, ix)
		}
		hits := make([]eval.Hit, len(res))
		for i, r := range res {
			hits[i] = eval.Hit{ID: r.ID, File: filepath.Base(r.File), Text: r.Text, Score: r.Score, Year: r.Year}
		}
		run[q.ID] = hits
	}
	rep := eval.Evaluate(qs, run, nil, ks)
	rep.SetLatencies(lat)
	rep.Settings = map[string]string{
		"mode":          string(mode),
		"model":         orNone(ix.Manifest.Model.Name),
		"chunker":       ix.Manifest.Chunker,
		"lexical":       ix.Manifest.Lexical,
		"context":       strconv.FormatBool(ix.Manifest.ContextHeader),
		"report_policy": string(opt.Regions),
	}
	if mode == retrieve.Hybrid {
		f := ix.ResolveFusion(opt.Fusion)
		rep.Settings["fusion"] = fmt.Sprintf("%s k=%g w=%g", f.Method, f.RRFK, f.DenseWeight)
	}
	return rep, run, nil
}

// loadEvalSource reads the questions and opens (indexing first where asked
// or needed) the collection they are asked of.
func loadEvalSource(c *cli.Context, s settings) (evalSource, error) {
	n := 0
	for _, f := range []string{"questions", "squad", "beir"} {
		if c.String(f) != "" {
			n++
		}
	}
	if n != 1 {
		return evalSource{}, cli.Exit("eval run needs exactly one of --questions, --squad or --beir", 2)
	}
	if q := c.String("questions"); q != "" {
		qs, err := eval.LoadQuestions(q)
		if err != nil {
			return evalSource{}, err
		}
		if paths := c.StringSlice("index"); len(paths) > 0 {
			if err := indexPaths(c, s, paths); err != nil {
				return evalSource{}, err
			}
		}
		ix, _, err := collection.Open(c.Context, s)
		if err != nil {
			return evalSource{}, err
		}
		return evalSource{questions: qs, index: ix, name: filepath.Base(q)}, nil
	}
	var ds eval.Dataset
	var err error
	var name string
	if f := c.String("squad"); f != "" {
		ds, err = eval.ImportSQuAD(f)
		name = strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))
	} else {
		ds, err = eval.ImportBEIR(c.String("beir"), c.String("split"))
		name = filepath.Base(filepath.Clean(c.String("beir")))
	}
	if err != nil {
		return evalSource{}, err
	}
	ix, err := indexDataset(c, s, name, ds)
	if err != nil {
		return evalSource{}, err
	}
	return evalSource{questions: ds.Questions, index: ix, name: name}, nil
}

// indexPaths runs an incremental index of paths with the current settings.
func indexPaths(c *cli.Context, s settings, paths []string) error {
	_, err := collection.Index(c.Context, s, paths, collection.IndexOptions{
		ContextHeader: true, Lexical: indexer.DefaultLexical, Progress: os.Stderr,
		// The same list as index prints, control characters escaped (the
		// file names are untrusted); eval reads with index's default limit.
		Read: func(set *indexer.Set) {
			reportSkipped(os.Stderr, set, fmt.Sprintf("%dMiB", chunk.DefaultMaxFileSize>>20))
		},
	})
	return errors.Unwrap(err)
}

// indexDataset stores a benchmark's passages as a collection of their own,
// one passage a chunk, and opens it.
func indexDataset(c *cli.Context, s settings, name string, ds eval.Dataset) (*retrieve.Index, error) {
	set := &indexer.Set{Unreadable: map[string]bool{}}
	for i, p := range ds.Passages {
		set.Records = append(set.Records, store.Record{Chunk: chunk.Chunk{
			ID: p.ID, File: name, Report: p.Title, ReportIndex: i, Paragraph: 1,
			Text: p.Text, Start: 0, End: len(p.Text), Headings: []string{},
		}})
	}
	// A passage is embedded as it is: datasets have no headings to add.
	res, err := collection.IndexSet(c.Context, s, set, collection.IndexOptions{
		ContextHeader: false, Lexical: indexer.DefaultLexical, Progress: os.Stderr,
		Collection: func(model string) string {
			if s.Name != "" {
				return s.Name
			}
			return name + "--" + store.CollectionName(collection.CanonicalModel(model), "dataset")
		},
	})
	if err != nil {
		return nil, errors.Unwrap(err)
	}
	return collection.OpenDir(c.Context, s, res.Dir)
}

func evalScoreCommand() *cli.Command {
	return &cli.Command{
		Name:      "score",
		Usage:     "score an existing TREC run file (qid Q0 docid rank score tag) against a question set",
		ArgsUsage: "RUNFILE",
		UsageText: usageText("reportsearch eval score [options] --questions FILE RUNFILE",
			"reportsearch eval score --questions eval/testdata/dev.jsonl other-system.trec",
			"reportsearch eval score --questions eval/testdata/dev.jsonl lexical.trec --json"),
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "questions", Required: true, Usage: "quote-anchored JSONL; chunk texts come from the collection search would use"},
			&cli.StringFlag{Name: "ks", Value: "1,5,10,20", Usage: "cut-offs k"},
			&cli.StringFlag{Name: "name", Usage: "name of this run in reports"},
			&cli.StringFlag{Name: "out", Usage: "also write the JSON report here"},
			formatFlag(),
			jsonFlag(),
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return cli.Exit("eval score needs one run file", 2)
			}
			s, err := readSettings(c)
			if err != nil {
				return cli.Exit(err, 2)
			}
			format, err := formatOf(c.String, c.Bool)
			if err != nil {
				return err
			}
			ks, err := eval.ParseKs(c.String("ks"))
			if err != nil {
				return cli.Exit(err, 2)
			}
			qs, err := eval.LoadQuestions(c.String("questions"))
			if err != nil {
				return err
			}
			run, err := eval.LoadRun(c.Args().First())
			if err != nil {
				return err
			}
			ix, _, err := collection.Open(c.Context, s)
			if err != nil {
				return err
			}
			lookup := map[string]eval.Hit{}
			for _, hits := range run {
				for _, h := range hits {
					if ch, ok := ix.Chunk(h.ID); ok {
						lookup[h.ID] = eval.Hit{ID: ch.ID, File: filepath.Base(ch.File), Text: ch.Text}
					}
				}
			}
			rep, err := eval.Score(qs, run, lookup, ks)
			if err != nil {
				return err
			}
			rep.Name = c.String("name")
			if rep.Name == "" {
				rep.Name = filepath.Base(c.Args().First())
			}
			if p := c.String("out"); p != "" {
				if err := atomicfile.Write(p, 0o644, rep.WriteJSON); err != nil {
					return err
				}
			}
			return writeReport(os.Stdout, rep, format)
		},
	}
}
