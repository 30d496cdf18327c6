package main

// The "eval" subcommands that work on files alone (no index): checking a
// question set, importing benchmarks, showing, comparing and plotting saved
// reports.

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/reportsearch/reportsearch/eval"
	evalplot "github.com/reportsearch/reportsearch/eval/plot"
)

// evalCheckCommand is "eval check FILE [--corpus DIR]".
func evalCheckCommand() *cli.Command {
	return &cli.Command{
		Name:      "check",
		Usage:     "validate a question set (JSONL), its quotes against a corpus folder",
		ArgsUsage: "FILE",
		UsageText: usageText("reportsearch eval check [options] FILE",
			"reportsearch eval check eval/testdata/dev.jsonl --corpus ../shared/corpus",
			"reportsearch eval check my-questions.jsonl --strict --json"),
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "corpus", Usage: "folder of .txt/.md corpus files; without it quotes are not looked up"},
			&cli.BoolFlag{Name: "strict", Usage: "fail on warnings too"},
			&cli.BoolFlag{Name: "json", Usage: "machine-readable output"},
		},
		Action: func(c *cli.Context) error {
			a, err := interspersed(c)
			if err != nil || len(a.args) != 1 {
				return cli.Exit("usage: eval check FILE [--corpus DIR] [--strict]", 2)
			}
			var corpus eval.Corpus
			if dir := a.String("corpus"); dir != "" {
				var err error
				if corpus, err = eval.LoadCorpus(dir); err != nil {
					return cli.Exit(err, 1)
				}
			}
			file := a.args[0]
			issues, err := eval.CheckFile(file, corpus)
			if err != nil {
				return cli.Exit(err, 1)
			}
			if a.Bool("json") {
				out := checkOutput(file, issues, len(corpus), a.Bool("strict"))
				if err := writeJSON(c.App.Writer, out); err != nil {
					return err
				}
				if !out.OK {
					return cli.Exit("", 1)
				}
				return nil
			}
			errs := 0
			for _, is := range issues {
				fmt.Fprintln(c.App.Writer, is)
				if is.Severity == eval.Error {
					errs++
				}
			}
			warns := len(issues) - errs
			switch {
			case errs > 0 || (a.Bool("strict") && warns > 0):
				return cli.Exit(fmt.Sprintf("%s: %d error(s), %d warning(s)", file, errs, warns), 1)
			case corpus == nil:
				fmt.Fprintf(c.App.Writer, "%s: ok (%d warning(s)); quotes not checked: no --corpus\n", file, warns)
			default:
				fmt.Fprintf(c.App.Writer, "%s: ok (%d warning(s)), quotes checked against %d corpus files\n", file, warns, len(corpus))
			}
			return nil
		},
	}
}

// evalImportSQuADCommand is "eval import-squad FILE OUT_DIR".
func evalImportSQuADCommand() *cli.Command {
	return &cli.Command{
		Name:      "import-squad",
		Usage:     "turn SQuAD-style JSON (e.g. CMRC 2018) into a BEIR folder for passage retrieval",
		ArgsUsage: "FILE OUT_DIR",
		UsageText: usageText("reportsearch eval import-squad [options] FILE OUT_DIR",
			"reportsearch eval import-squad cmrc2018_dev.json cmrc-beir",
			"reportsearch eval run --beir cmrc-beir --mode lexical   # then evaluate it"),
		Flags: []cli.Flag{splitFlag(), &cli.BoolFlag{Name: "json", Usage: "machine-readable output"}},
		Action: func(c *cli.Context) error {
			a, err := interspersed(c)
			if err != nil || len(a.args) != 2 {
				return cli.Exit("usage: eval import-squad FILE OUT_DIR [--split test]", 2)
			}
			ds, err := eval.ImportSQuAD(a.args[0])
			if err != nil {
				return cli.Exit(err, 1)
			}
			return writeDataset(c, ds, a.args[1], a.String("split"), a.Bool("json"))
		},
	}
}

// evalImportBEIRCommand is "eval import-beir DIR OUT_DIR": it checks a BEIR
// folder and writes it normalized (string IDs, judged queries only, plus
// questions.jsonl).
func evalImportBEIRCommand() *cli.Command {
	return &cli.Command{
		Name:      "import-beir",
		Usage:     "check a BEIR folder and write it normalized, with questions.jsonl",
		ArgsUsage: "DIR OUT_DIR",
		UsageText: usageText("reportsearch eval import-beir [options] DIR OUT_DIR",
			"reportsearch eval import-beir downloads/scifact scifact --split test",
			"reportsearch eval import-beir eval/testdata/beir-mini /tmp/beir-mini --json"),
		Flags: []cli.Flag{splitFlag(), &cli.BoolFlag{Name: "json", Usage: "machine-readable output"}},
		Action: func(c *cli.Context) error {
			a, err := interspersed(c)
			if err != nil || len(a.args) != 2 {
				return cli.Exit("usage: eval import-beir DIR OUT_DIR [--split test]", 2)
			}
			ds, err := eval.ImportBEIR(a.args[0], a.String("split"))
			if err != nil {
				return cli.Exit(err, 1)
			}
			return writeDataset(c, ds, a.args[1], a.String("split"), a.Bool("json"))
		},
	}
}

func splitFlag() cli.Flag {
	return &cli.StringFlag{Name: "split", Value: "test", Usage: "qrels split: reads/writes qrels/SPLIT.tsv"}
}

func writeDataset(c *cli.Context, ds eval.Dataset, out, split string, asJSON bool) error {
	if err := eval.WriteBEIR(ds, out, split); err != nil {
		return cli.Exit(err, 1)
	}
	if asJSON {
		return writeJSON(c.App.Writer, DatasetOutput{Out: out, Split: split, Passages: len(ds.Passages),
			Questions: len(ds.Questions), Skipped: append([]string{}, ds.Skipped...)})
	}
	for _, s := range ds.Skipped {
		fmt.Fprintln(c.App.ErrWriter, "skipped:", s)
	}
	fmt.Fprintf(c.App.Writer, "%s: %d passages, %d questions (%d skipped)\n", out, len(ds.Passages), len(ds.Questions), len(ds.Skipped))
	return nil
}

// evalCompareCommand is "eval compare A.json B.json … [--format F]": the
// first report is the baseline each other one is tested against.
func evalCompareCommand() *cli.Command {
	return &cli.Command{
		Name:      "compare",
		Usage:     "compare saved eval reports side by side, with paired tests against the first",
		ArgsUsage: "BASELINE.json OTHER.json ...",
		UsageText: usageText("reportsearch eval compare [options] BASELINE.json OTHER.json ...",
			"reportsearch eval compare lex.json dense.json hybrid.json",
			"reportsearch eval compare lex.json hybrid.json --per-question"),
		Description: `Runs are named by the --name given to "eval run"; where two share a name,
by their file name (without .json). Text tables fit in 100 columns: metrics
are rows; each run is a column (mean, and for the baseline its 95% CI),
followed by its difference from the baseline with a 95% CI and the p-value of
a paired randomisation test. More runs than fit wrap into further tables.`,
		Flags: []cli.Flag{formatFlag(), jsonFlag(),
			&cli.BoolFlag{Name: "per-question", Usage: "also list, per question, the rank of the first relevant chunk in every run (questions ranked alike are counted, not listed)"},
		},
		Action: func(c *cli.Context) error {
			a, err := interspersed(c)
			if err != nil {
				return cli.Exit(fmt.Sprintf("eval compare: %v", err), 2)
			}
			if len(a.args) < 2 {
				return cli.Exit("usage: eval compare BASELINE.json OTHER.json ... [--format table|markdown|json] [--json] [--per-question]", 2)
			}
			format, err := formatOf(a.String, a.Bool)
			if err != nil {
				return err
			}
			if format == "json" && a.Bool("per-question") {
				return cli.Exit("eval compare: --per-question is a text listing; with --json, read per_question from the report files", 2)
			}
			reports, err := loadReports(a.args)
			if err != nil {
				return err
			}
			cmp, err := eval.Compare(reports...)
			if err != nil {
				return cli.Exit(err, 1)
			}
			w := c.App.Writer
			switch format {
			case "table":
				err = cmp.WriteTable(w)
			case "markdown":
				err = cmp.WriteMarkdown(w)
			case "json":
				err = cmp.WriteJSON(w)
			}
			if err == nil && a.Bool("per-question") {
				fmt.Fprintln(w)
				err = eval.WriteQuestionRanks(w, reports)
			}
			return err
		},
	}
}

// loadReports reads report files and names the runs apart (eval.NameRuns).
func loadReports(files []string) ([]eval.Report, error) {
	var reports []eval.Report
	for _, f := range files {
		r, err := eval.LoadReport(f)
		if err != nil {
			return nil, cli.Exit(err, 1)
		}
		reports = append(reports, r)
	}
	eval.NameRuns(reports)
	return reports, nil
}

// evalShowCommand is "eval show REPORT.json [--per-question]": a saved
// report printed as "eval run" printed it.
func evalShowCommand() *cli.Command {
	return &cli.Command{
		Name:      "show",
		Usage:     "print a saved eval report (eval run --out), optionally question by question",
		ArgsUsage: "REPORT.json",
		UsageText: usageText("reportsearch eval show REPORT.json [--per-question [--metric M]] [--format table|markdown|json] [--json]",
			"reportsearch eval show lex.json",
			"reportsearch eval show lex.json --per-question --metric recall@5"),
		Flags: []cli.Flag{formatFlag(), jsonFlag(),
			&cli.BoolFlag{Name: "per-question", Usage: "list every question, worst first: rank of the first relevant chunk, the quote, what ranked above it"},
			&cli.StringFlag{Name: "metric", Usage: "metric of the per-question listing (default: ndcg@10, else nDCG at the largest cut-off)"},
		},
		Action: func(c *cli.Context) error {
			a, err := interspersed(c)
			if err != nil {
				return cli.Exit(fmt.Sprintf("eval show: %v", err), 2)
			}
			if len(a.args) != 1 {
				return cli.Exit("usage: eval show REPORT.json [--per-question [--metric M]] [--format table|markdown|json]", 2)
			}
			format, err := formatOf(a.String, a.Bool)
			if err != nil {
				return err
			}
			r, err := eval.LoadReport(a.args[0])
			if err != nil {
				return cli.Exit(err, 1)
			}
			if err := writeReport(c.App.Writer, r, format); err != nil {
				return err
			}
			if a.Bool("per-question") && format != "json" {
				fmt.Fprintln(c.App.Writer)
				if err := r.WriteQuestionTable(c.App.Writer, nil, a.String("metric")); err != nil {
					return cli.Exit(err, 2)
				}
			}
			return nil
		},
	}
}

// evalPlotCommand is "eval plot RUN.json... --out DIR [--format F]".
func evalPlotCommand() *cli.Command {
	return &cli.Command{
		Name:      "plot",
		Usage:     "draw saved eval reports as pictures: recall@k curves, rank changes, results by question kind",
		ArgsUsage: "RUN.json [RUN.json ...]",
		Description: `Writes into --out, one file per picture and format:
  recall_at_k.png/.svg  recall@k for k = 1 ... as deep as retrieved, one line per run,
                        shaded: 95% bootstrap confidence interval
  rank_diff.png/.svg    (two runs or more) per question, rank of the first relevant chunk
                        in the second run minus in the first; below 0: the second is better
  by_kind.png/.svg      --metric per question kind, a bar per run, 95% CI whiskers
Labels are ASCII (the plotting fonts have no Chinese): a run whose name is not
is labelled by its file name.`,
		UsageText: usageText("reportsearch eval plot RUN.json [RUN.json ...] --out DIR [--format png|svg|both] [--metric M] [--max-k K] [--json]",
			"reportsearch eval plot lex.json hybrid.json --out plots",
			"reportsearch eval plot lex.json dense.json hybrid.json --out plots --format svg --metric hit@5"),
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print the files written as a JSON array"},
			&cli.StringFlag{Name: "out", Usage: "folder to write the pictures into (created if missing)"},
			&cli.StringFlag{Name: "format", Value: "both", Usage: "png, svg or both"},
			&cli.StringFlag{Name: "metric", Usage: "metric of the per-kind bars (default: recall@10, else recall, hit or ndcg at the largest cut-off)"},
			&cli.IntFlag{Name: "max-k", Usage: "draw recall@k up to this k (default: as deep as the runs retrieved)"},
		},
		Action: func(c *cli.Context) error {
			a, err := interspersed(c)
			if err != nil {
				return cli.Exit(fmt.Sprintf("eval plot: %v", err), 2)
			}
			if len(a.args) < 1 || a.String("out") == "" {
				return cli.Exit("usage: eval plot RUN.json [RUN.json ...] --out DIR [--format png|svg|both] [--metric M] [--max-k K]", 2)
			}
			var formats []string
			switch f := a.String("format"); f {
			case "both":
				formats = evalplot.Formats
			case "png", "svg":
				formats = []string{f}
			default:
				return cli.Exit(fmt.Sprintf("eval plot: --format %q: want png, svg or both", f), 2)
			}
			maxK, err := strconv.Atoi(a.String("max-k"))
			if err != nil || maxK < 0 {
				return cli.Exit(fmt.Sprintf("eval plot: --max-k %q: want a whole number ≥ 1", a.String("max-k")), 2)
			}
			reports, err := loadReports(a.args)
			if err != nil {
				return err
			}
			if m := a.String("metric"); m != "" {
				for _, r := range reports {
					if _, ok := r.Metrics[m]; !ok {
						return cli.Exit(fmt.Sprintf("eval plot: --metric %s: %s has no such metric (it has %s)", m, r.Name, strings.Join(r.MetricNames(), ", ")), 2)
					}
				}
			}
			files, err := evalplot.Write(a.String("out"), reports, evalplot.Options{Formats: formats, Metric: a.String("metric"), MaxK: maxK})
			if a.Bool("json") {
				if files == nil {
					files = []string{}
				}
				writeJSON(c.App.Writer, files)
			} else {
				for _, f := range files {
					fmt.Fprintln(c.App.Writer, f)
				}
			}
			if err != nil {
				return cli.Exit(fmt.Sprintf("eval plot: %v", err), 1)
			}
			if len(reports) == 1 {
				fmt.Fprintln(c.App.ErrWriter, "reportsearch: rank_diff needs two runs; not drawn")
			}
			return nil
		},
	}
}

// formatFlag is --format for commands that print reports ("eval run",
// "eval score", "eval compare").
func formatFlag() cli.Flag {
	return &cli.StringFlag{Name: "format", Value: "table", Usage: "table, markdown or json"}
}

// writeReport prints one report in the --format given; for "eval run" and
// "eval score".
func writeReport(w io.Writer, r eval.Report, format string) error {
	switch format {
	case "table":
		return r.WriteTable(w)
	case "markdown":
		return r.WriteMarkdown(w)
	case "json":
		return r.WriteJSON(w)
	}
	return cli.Exit(fmt.Sprintf("--format %q: want table, markdown or json", format), 2)
}

// parsedArgs holds a command's positional arguments and its flags, wherever
// they were typed.
type parsedArgs struct {
	c    *cli.Context
	fs   *flag.FlagSet
	args []string
}

// interspersed lets flags follow positional arguments, as in
// "eval check FILE --corpus DIR": urfave/cli v2 stops reading flags at the
// first argument and would hand "--corpus" over as one. It re-reads the
// arguments with the command's own flags.
func interspersed(c *cli.Context) (parsedArgs, error) {
	fs := flag.NewFlagSet(c.Command.Name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	for _, f := range c.Command.Flags {
		if err := f.Apply(fs); err != nil {
			return parsedArgs{}, err
		}
	}
	a := parsedArgs{c: c, fs: fs}
	rest := c.Args().Slice()
	for len(rest) > 0 {
		if err := fs.Parse(rest); err != nil {
			return parsedArgs{}, err
		}
		rest = fs.Args()
		if len(rest) > 0 {
			a.args = append(a.args, rest[0])
			rest = rest[1:]
		}
	}
	return a, nil
}

// String returns a flag's value: as typed after the arguments, else as
// cli parsed it before them (or its default).
func (a parsedArgs) String(name string) string {
	set := false
	a.fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	if set {
		return a.fs.Lookup(name).Value.String()
	}
	return a.c.String(name)
}

// Bool is String for boolean flags.
func (a parsedArgs) Bool(name string) bool {
	if b, err := strconv.ParseBool(a.String(name)); err == nil {
		return b
	}
	return a.c.Bool(name)
}
