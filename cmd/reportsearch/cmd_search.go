package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/urfave/cli/v2"

	"github.com/reportsearch/reportsearch/collection"
	"github.com/reportsearch/reportsearch/progress"
	"github.com/reportsearch/reportsearch/retrieve"
	"github.com/reportsearch/reportsearch/server"
	"github.com/reportsearch/reportsearch/year"
)

// searchFlags are shared by search, context and eval run.
func searchFlags() []cli.Flag {
	d := retrieve.DefaultOptions()
	return []cli.Flag{
		&cli.StringFlag{Name: "mode", Value: string(d.Mode), Usage: "dense, lexical, hybrid, or auto (hybrid when vectors and a model are there)"},
		&cli.StringSliceFlag{Name: "report", Usage: "only these reports: a province (浙江, Zhejiang), part of a title, or a report key; repeatable"},
		&cli.StringFlag{Name: "year", Usage: "only reports of this year (2019)"},
		&cli.StringFlag{Name: "years", Usage: "only reports of these years, inclusive (2010-2019)"},
		&cli.StringFlag{Name: "report-policy", Value: string(d.Regions), Usage: "when a question names a province: off, filter or boost its report"},
		&cli.StringFlag{Name: "fusion", Value: d.Fusion.Method, Usage: "hybrid fusion: rrf or weighted"},
		&cli.Float64Flag{Name: "rrf-k", Value: d.Fusion.RRFK, Usage: "RRF rank constant"},
		&cli.Float64Flag{Name: "dense-weight", Value: d.Fusion.DenseWeight, DefaultText: "by model",
			Usage: fmt.Sprintf("dense share of the fused score (0..1); by model: %g for models trained for retrieval (bge-m3, qwen3-embedding, ...), %g for others", retrieve.RetrievalModelWeight, retrieve.OtherModelWeight)},
		&cli.IntFlag{Name: "depth", Value: d.Depth, Usage: "candidates per retriever before fusion"},
	}
}

func searchOptions(c *cli.Context, k int) (retrieve.Options, error) {
	mode, err := retrieve.ParseMode(c.String("mode"))
	if err != nil {
		return retrieve.Options{}, err
	}
	pol := retrieve.ReportPolicy(c.String("report-policy"))
	switch pol {
	case retrieve.ReportOff, retrieve.ReportFilter, retrieve.ReportBoost:
	default:
		return retrieve.Options{}, fmt.Errorf("--report-policy: want off, filter or boost, got %q", pol)
	}
	f := retrieve.Fusion{Method: c.String("fusion"), RRFK: c.Float64("rrf-k"), DenseWeight: c.Float64("dense-weight")}
	if f.Method != "rrf" && f.Method != "weighted" {
		return retrieve.Options{}, fmt.Errorf("--fusion: want rrf or weighted, got %q", f.Method)
	}
	// -1 is the library's "by model"; typed out, it is a mistake.
	if c.IsSet("dense-weight") && f.DenseWeight < 0 {
		return retrieve.Options{}, fmt.Errorf("--dense-weight: want a number from 0 to 1, got %g", f.DenseWeight)
	}
	opt := retrieve.Options{K: k, Mode: mode, Reports: c.StringSlice("report"), Regions: pol, Fusion: f, Depth: c.Int("depth")}
	if opt.Years, err = yearsFlag(c); err != nil {
		return retrieve.Options{}, err
	}
	// The library's rules (NaN and infinite numbers too), named by flag.
	if err := opt.Validate(); err != nil {
		var oe *retrieve.OptionError
		if errors.As(err, &oe) {
			flag := map[string]string{"method": "--fusion", "dense_weight": "--dense-weight", "rrf_k": "--rrf-k", "depth": "--depth", "years": "--years"}[oe.Field]
			if flag == "" {
				flag = oe.Field
			}
			return retrieve.Options{}, fmt.Errorf("%s: %s", flag, oe.Msg)
		}
		return retrieve.Options{}, err
	}
	return opt, nil
}

// yearsFlag reads --year and --years (at most one of them).
func yearsFlag(c *cli.Context) (year.Range, error) {
	y, ys := c.String("year"), c.String("years")
	if y != "" && ys != "" {
		return year.Range{}, fmt.Errorf("--year and --years: give one of them")
	}
	name, v := "--year", y
	if ys != "" {
		name, v = "--years", ys
	}
	if v == "" {
		return year.Range{}, nil
	}
	r, err := year.ParseRange(v)
	if err != nil {
		return year.Range{}, fmt.Errorf("%s: %v", name, err)
	}
	if name == "--year" && r.From != r.To {
		return year.Range{}, fmt.Errorf("--year: one year (2019); for a range use --years %s", v)
	}
	return r, nil
}

// SearchOutput is the JSON of `search --json`: a stable interface, documented
// in the README. Fields are only ever added.
type SearchOutput struct {
	Query      string            `json:"query"`
	Mode       retrieve.Mode     `json:"mode"`
	Collection string            `json:"collection"`
	Model      string            `json:"model,omitempty"`
	Reports    []string          `json:"reports,omitempty"`
	Notice     string            `json:"notice,omitempty"`
	Results    []retrieve.Result `json:"results"`
}

func searchCommand() *cli.Command {
	return &cli.Command{
		Name:      "search",
		Usage:     "find the paragraphs that best answer a question (Chinese or English)",
		ArgsUsage: questionUsage,
		UsageText: usageText("reportsearch search [options] "+questionUsage,
			`reportsearch search "北京市2026年经济增长的预期目标是多少"`,
			`reportsearch search "数字经济" -k 10 --report 浙江 --json`),
		Flags: append(searchFlags(),
			&cli.IntFlag{Name: "k", Aliases: []string{"n"}, Value: 5, Usage: fmt.Sprintf("number of results (1 to %d)", server.MaxK)},
			&cli.BoolFlag{Name: "json", Usage: "machine-readable output"},
			colorFlag(),
		),
		Action: func(c *cli.Context) error {
			query, err := questionArg(c, `search needs a question, e.g. reportsearch search "北京市2026年经济增长的预期目标是多少"`)
			if err != nil {
				return err
			}
			s, err := readSettings(c)
			if err != nil {
				return cli.Exit(err, 2)
			}
			if err := inRange(c, "k", 1, server.MaxK); err != nil {
				return err
			}
			opt, err := searchOptions(c, c.Int("k"))
			if err != nil {
				return cli.Exit(err, 2)
			}
			color, err := colorFor(c, os.Stdout)
			if err != nil {
				return err
			}
			ix, why, err := collection.Open(c.Context, s)
			if err != nil {
				return err
			}
			if !c.Bool("json") {
				announceCollection(os.Stderr, progress.IsTerminal(os.Stderr), ix.Manifest, why)
			}
			res, info, err := ix.Search(c.Context, query, opt)
			if err != nil {
				return err // reportError: a retrieve.ErrBadRequest (e.g. --report matches nothing) exits 2
			}
			if c.Bool("json") {
				if err := writeJSON(os.Stdout, SearchOutput{Query: query, Mode: info.Mode, Collection: ix.Manifest.Name,
					Model: ix.Manifest.Model.Name, Reports: info.Reports, Notice: info.Notice, Results: res}); err != nil {
					return err
				}
				return noResults(len(res))
			}
			notice(os.Stderr, info.Notice)
			noticeFallback(os.Stderr, ix)
			printResults(os.Stdout, res, color)
			return noResults(len(res))
		},
	}
}

// questionUsage is the ArgsUsage of the commands that take a question; the
// limit is the HTTP API's, so a question works the same in both.
var questionUsage = fmt.Sprintf(`"question" (at most %d characters)`, server.MaxQueryRunes)

// questionArg joins the positional arguments into the question and checks
// it against the HTTP API's limits; empty is a usage error saying example.
func questionArg(c *cli.Context, example string) (string, error) {
	query := strings.TrimSpace(strings.Join(c.Args().Slice(), " "))
	switch n := utf8.RuneCountInString(query); {
	case retrieve.Blank(query): // control characters alone count as empty too
		return "", usageError{example}
	case !utf8.ValidString(query):
		return "", usagef("the question is not valid UTF-8 text")
	case n > server.MaxQueryRunes:
		return "", usagef("the question is %d characters long; at most %d are allowed", n, server.MaxQueryRunes)
	}
	return query, nil
}

// inRange checks an integer flag against the limits shared with the HTTP API.
func inRange(c *cli.Context, name string, lo, hi int) error {
	if v := c.Int(name); v < lo || v > hi {
		return usagef("%s must be from %d to %d, got %d", dashed(name), lo, hi, v)
	}
	return nil
}

// printResults is the text output of search. Everything from the corpus
// (titles, headings, file names, text) is escaped for the terminal; matched
// words are marked when color is on.
// noResults is the exit of a search that found n results: exit code 4 when
// there are none (the notice has said why), so scripts can tell "nothing
// found" from success and from failure.
func noResults(n int) error {
	if n > 0 {
		return nil
	}
	return cli.Exit("", exitNoResults)
}

func printResults(w io.Writer, res []retrieve.Result, color bool) {
	if len(res) == 0 {
		fmt.Fprintln(w, "no results")
	}
	for _, r := range res {
		printResult(w, r, color)
	}
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
