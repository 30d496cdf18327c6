package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/reportsearch/reportsearch/chunk"
	"github.com/reportsearch/reportsearch/collection"
	"github.com/reportsearch/reportsearch/eval"
	"github.com/reportsearch/reportsearch/eval/harness"
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
			res, err := harness.Run(c.Context, src.index, src.questions, harness.Options{
				Search: opt, Ks: ks, Limit: c.Int("limit"),
				Strict: c.Bool("strict"), AllowPartial: c.Bool("allow-partial"),
				Name: c.String("name"), Source: src.name,
				Notice: func(n string) {
					notice(os.Stderr, n)
					noticeFallback(os.Stderr, src.index)
				},
			})
			if err != nil {
				return evalRunError(err)
			}
			rep, run := res.Report, res.Run
			if len(res.Unmatchable) > 0 {
				fmt.Fprintf(os.Stderr, "reportsearch: %d answer(s) can never be matched (no chunk holds them); %d question(s) with no matchable answer are left out of the scores (listed in the report; --strict refuses instead)\n", len(res.Unmatchable), len(rep.Excluded))
			}
			if rep.Collection.Partial {
				fmt.Fprintf(os.Stderr, "reportsearch: WARNING: dense search covered only %d of %d chunks; the report is flagged PARTIAL\n", rep.Collection.Embedded, rep.Collection.Chunks)
			}
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
				return rep.WriteQuestionTable(os.Stdout, res.Questions, "")
			}
			return nil
		},
	}
}

// evalRunError says a refused run in the command line's words: what is
// wrong, and the way out, with exit 2 (the question set or the flags must
// change, not the machine).
func evalRunError(err error) error {
	var partial *harness.PartialError
	var unm *harness.UnmatchableError
	switch {
	case errors.As(err, &partial):
		return cli.Exit(fmt.Sprintf("%v. Finish indexing (run the same index command again), or use --mode lexical, or --allow-partial to run anyway with the report flagged PARTIAL", partial), 2)
	case errors.As(err, &unm):
		for _, u := range unm.Items {
			fmt.Fprintln(os.Stderr, "reportsearch:", u)
		}
		if unm.None {
			return cli.Exit(fmt.Sprintf("%v (listed above): is it the collection of this question set's corpus?", unm), 2)
		}
		return cli.Exit(fmt.Sprintf("--strict: %v (listed above); fix the question set (eval check --corpus DIR) or index the files it names", unm), 2)
	}
	return err
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
