package main

// The "eval" subcommands that work on files alone (no index): checking a
// question set, importing benchmarks, comparing saved reports.

import (
	"flag"
	"fmt"
	"io"
	"strconv"

	"github.com/urfave/cli/v2"

	"github.com/reportsearch/reportsearch/eval"
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
			"reportsearch eval compare lexical.json hybrid.json",
			"reportsearch eval compare lexical.json hybrid.json --format markdown"),
		Flags: []cli.Flag{formatFlag(), jsonFlag()},
		Action: func(c *cli.Context) error {
			a, err := interspersed(c)
			if err != nil || len(a.args) < 2 {
				return cli.Exit("usage: eval compare BASELINE.json OTHER.json ... [--format table|markdown|json] [--json]", 2)
			}
			format, err := formatOf(a.String, a.Bool)
			if err != nil {
				return err
			}
			var reports []eval.Report
			for _, f := range a.args {
				r, err := eval.LoadReport(f)
				if err != nil {
					return cli.Exit(err, 1)
				}
				reports = append(reports, r)
			}
			cmp, err := eval.Compare(reports...)
			if err != nil {
				return cli.Exit(err, 1)
			}
			switch format {
			case "table":
				err = cmp.WriteTable(c.App.Writer)
			case "markdown":
				err = cmp.WriteMarkdown(c.App.Writer)
			case "json":
				err = cmp.WriteJSON(c.App.Writer)
			default:
				return cli.Exit(fmt.Sprintf("--format %q: want table, markdown or json", a.String("format")), 2)
			}
			return err
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
