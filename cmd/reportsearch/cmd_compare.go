package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/reportsearch/reportsearch/collection"
	"github.com/reportsearch/reportsearch/progress"
	"github.com/reportsearch/reportsearch/retrieve"
)

// CompareOutput is the JSON of `compare --format json` and of POST
// /compare's rows: fields are only ever added.
type CompareOutput struct {
	Query      string         `json:"query"`
	By         string         `json:"by"`
	Collection string         `json:"collection"`
	MinCover   float64        `json:"min_cover"`
	Rows       []retrieve.Row `json:"rows"`
}

func compareCommand() *cli.Command {
	return &cli.Command{
		Name:      "compare",
		Usage:     "the best passage of each report (or each year) for a question, as a table",
		ArgsUsage: questionUsage,
		UsageText: usageText("reportsearch compare [options] "+questionUsage,
			`reportsearch compare "低空经济"`,
			`reportsearch compare "城镇新增就业目标" --by year --format markdown`),
		Flags: append(searchFlags(),
			&cli.StringFlag{Name: "by", Value: "report", Usage: "one row per report or per year"},
			&cli.StringFlag{Name: "format", Value: "table", Usage: "table, markdown, csv or json"},
			&cli.BoolFlag{Name: "json", Usage: "machine-readable output (the same as --format json)"},
			&cli.IntFlag{Name: "candidates", Value: 3, Usage: "passages of each row weighed (1 to 20)"},
			&cli.Float64Flag{Name: "min-cover", Value: retrieve.DefaultMinCover, Usage: "share of the question a passage must hold (0..1], below it the row is \"not found\""},
		),
		Action: func(c *cli.Context) error {
			question, err := questionArg(c, `compare needs a question, e.g. reportsearch compare "低空经济"`)
			if err != nil {
				return err
			}
			s, err := readSettings(c)
			if err != nil {
				return cli.Exit(err, 2)
			}
			if err := inRange(c, "candidates", 1, 20); err != nil {
				return err
			}
			format := c.String("format")
			if c.Bool("json") {
				if c.IsSet("format") && format != "json" {
					return cli.Exit(fmt.Errorf("--json and --format %s: give one of them", format), 2)
				}
				format = "json"
			}
			switch format {
			case "table", "markdown", "csv", "json":
			default:
				return cli.Exit(fmt.Errorf("--format: want table, markdown, csv or json, got %q", format), 2)
			}
			by := retrieve.CompareBy(c.String("by"))
			if by != retrieve.ByReport && by != retrieve.ByYear {
				return cli.Exit(fmt.Errorf("--by: want report or year, got %q", by), 2)
			}
			mc := c.Float64("min-cover")
			if !(mc > 0 && mc <= 1) {
				return cli.Exit(fmt.Errorf("--min-cover: want a number above 0 and at most 1, got %g", mc), 2)
			}
			opt, err := searchOptions(c, c.Int("candidates"))
			if err != nil {
				return cli.Exit(err, 2)
			}
			ix, why, err := collection.Open(c.Context, s)
			if err != nil {
				return err
			}
			if format != "json" {
				announceCollection(os.Stderr, progress.IsTerminal(os.Stderr), ix.Manifest, why)
			}
			rows, err := ix.Compare(c.Context, question, retrieve.CompareOptions{By: by, Search: opt, MinCover: mc})
			if err != nil {
				return err
			}
			out := CompareOutput{Query: question, By: string(by), Collection: ix.Manifest.Name, MinCover: mc, Rows: rows}
			return writeCompare(os.Stdout, format, out)
		},
	}
}

// notFound is what a row without an answer shows.
const notFound = "not found"

func writeCompare(w io.Writer, format string, out CompareOutput) error {
	if format == "json" {
		return writeJSON(w, out)
	}
	head := []string{out.By, "cover", "passage", "where"}
	cells := func(r retrieve.Row) []string {
		if !r.Found {
			return []string{r.Label, fmt.Sprintf("%.2f", r.Cover), notFound, ""}
		}
		res := r.Result
		where := res.ID
		if r.Result.Report != r.Label {
			where = res.Report + " " + res.ID
		}
		return []string{r.Label, fmt.Sprintf("%.2f", r.Cover), res.Text, where}
	}
	switch format {
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write(head)
		for _, r := range out.Rows {
			cw.Write(cells(r))
		}
		cw.Flush()
		return cw.Error()
	case "markdown":
		md := func(s string) string {
			s = strings.ReplaceAll(strings.ReplaceAll(s, "\n", " "), "|", "\\|")
			return s
		}
		fmt.Fprintf(w, "| %s |\n|---|---|---|---|\n", strings.Join(head, " | "))
		for _, r := range out.Rows {
			cs := cells(r)
			for i := range cs {
				cs[i] = md(cs[i])
			}
			fmt.Fprintf(w, "| %s |\n", strings.Join(cs, " | "))
		}
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	found := 0
	for _, r := range out.Rows {
		cs := cells(r)
		cs[0] = safeLine(clip(cs[0], 16))
		cs[2] = safeLine(clip(strings.ReplaceAll(cs[2], "\n", " "), 60))
		cs[3] = safeLine(cs[3])
		if r.Found {
			found++
		}
		fmt.Fprintln(tw, strings.Join(cs, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "%d of %d rows found (min cover %s)\n", found, len(out.Rows), strconv.FormatFloat(out.MinCover, 'f', -1, 64))
	return err
}
