package main

import (
	"fmt"
	"image/color"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/reportsearch/reportsearch/collection"
	evalplot "github.com/reportsearch/reportsearch/eval/plot"
	"github.com/reportsearch/reportsearch/retrieve"
)

// TrendOutput is the JSON of `trend --json`: fields are only ever added.
type TrendOutput struct {
	Terms      []string              `json:"terms"`
	By         string                `json:"by"`
	Collection string                `json:"collection"`
	Groups     []retrieve.TrendGroup `json:"groups"`
}

func trendCommand() *cli.Command {
	return &cli.Command{
		Name:      "trend",
		Usage:     "how often terms occur per year (or per report), per 10,000 characters, as a table, a sparkline and a chart",
		ArgsUsage: "TERM...",
		UsageText: usageText("reportsearch trend [options] TERM...",
			`reportsearch trend 新质生产力 高质量发展 --out trend.png`,
			`reportsearch trend 低空经济 --by report --show`),
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "by", Value: "year", Usage: "one column per year or per report"},
			&cli.StringFlag{Name: "year", Usage: "only reports of this year"},
			&cli.StringFlag{Name: "years", Usage: "only reports of these years, inclusive (1978-2025)"},
			&cli.StringFlag{Name: "out", Usage: "write a chart to this .png or .svg file"},
			&cli.BoolFlag{Name: "show", Usage: "list the passages behind each count"},
			&cli.BoolFlag{Name: "json", Usage: "machine-readable output"},
		},
		Action: func(c *cli.Context) error {
			terms := c.Args().Slice()
			if len(terms) == 0 {
				return cli.Exit(`trend needs at least one term, e.g. reportsearch trend 新质生产力`, 2)
			}
			for _, t := range terms {
				if strings.TrimSpace(t) == "" {
					return cli.Exit("trend: an empty term", 2)
				}
			}
			by := retrieve.CompareBy(c.String("by"))
			if by != retrieve.ByYear && by != retrieve.ByReport {
				return cli.Exit(fmt.Errorf("--by: want year or report, got %q", by), 2)
			}
			out := c.String("out")
			format := strings.TrimPrefix(strings.ToLower(filepath.Ext(out)), ".")
			if out != "" && format != "png" && format != "svg" {
				return cli.Exit(fmt.Errorf("--out %s: want a .png or .svg file", out), 2)
			}
			yrs, err := yearsFlag(c)
			if err != nil {
				return cli.Exit(err, 2)
			}
			s, err := readSettings(c)
			if err != nil {
				return cli.Exit(err, 2)
			}
			ix, _, err := collection.Open(c.Context, s)
			if err != nil {
				return err
			}
			gs, err := ix.Trend(terms, by, yrs, c.Bool("show"))
			if err != nil {
				return err
			}
			if c.Bool("json") {
				if err := writeJSON(os.Stdout, TrendOutput{Terms: terms, By: string(by), Collection: ix.Manifest.Name, Groups: gs}); err != nil {
					return err
				}
			} else {
				printTrend(os.Stdout, terms, gs, c.Bool("show"))
			}
			if out != "" {
				if err := writeTrendChart(out, format, terms, by, gs); err != nil {
					return err
				}
				fmt.Fprintf(os.Stderr, "chart written to %s\n", out)
			}
			return nil
		},
	}
}

// printTrend prints the table (per 10,000 characters, count in brackets),
// a sparkline per term, and with show the passages behind each count.
func printTrend(w io.Writer, terms []string, gs []retrieve.TrendGroup, show bool) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	head := []string{"#", "", "chars"}
	for i, t := range terms {
		head = append(head, fmt.Sprintf("term %d %s", i+1, safeLine(t)))
	}
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for n, g := range gs {
		row := []string{strconv.Itoa(n + 1), safeLine(clip(g.Label, 16)), strconv.Itoa(g.Chars)}
		for i := range terms {
			row = append(row, fmt.Sprintf("%.2f (%d)", g.Per10k[i], g.Counts[i]))
		}
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	tw.Flush()
	fmt.Fprintln(w, "per 10,000 characters (occurrences)")
	for i, t := range terms {
		vs := make([]float64, len(gs))
		for j, g := range gs {
			vs[j] = g.Per10k[i]
		}
		span := ""
		if len(gs) > 0 {
			span = fmt.Sprintf("  %s … %s", safeLine(clip(gs[0].Label, 16)), safeLine(clip(gs[len(gs)-1].Label, 16)))
		}
		fmt.Fprintf(w, "term %d %s  |%s|%s\n", i+1, safeLine(t), retrieve.Sparkline(vs), span)
	}
	if !show {
		return
	}
	for i, t := range terms {
		for _, g := range gs {
			for _, h := range g.Hits[i] {
				fmt.Fprintf(w, "\n%s  %s ×%d  %s\n   %s\n", safeLine(t), safeLine(g.Label), h.N, safeLine(h.ID), safeText(clip(h.Text, 200)))
			}
		}
	}
}

// writeTrendChart draws one line per term. gonum/plot's fonts have no CJK
// glyphs, so the legend says "term 1", "term 2" (the table and sparklines
// print which term is which) and by report the X axis is the row number.
func writeTrendChart(file, format string, terms []string, by retrieve.CompareBy, gs []retrieve.TrendGroup) error {
	xLabel := "year"
	if by == retrieve.ByReport {
		xLabel = "report (row number in the table)"
	}
	p := evalplot.NewPlot("occurrences per 10,000 characters", xLabel, "per 10,000 characters")
	// Top left: terms are usually rare early and frequent late, so the
	// top right is where the lines are.
	p.Legend.Top, p.Legend.Left = true, true
	p.Legend.XOffs, p.Legend.YOffs = vg.Points(8), vg.Points(-4)
	colors := []color.NRGBA{{0x00, 0x72, 0xB2, 0xff}, {0xE6, 0x9F, 0x00, 0xff}, {0x00, 0x9E, 0x73, 0xff}, {0xCC, 0x79, 0xA7, 0xff}, {0x56, 0xB4, 0xE9, 0xff}, {0xD5, 0x5E, 0x00, 0xff}, {0x00, 0x00, 0x00, 0xff}}
	for i := range terms {
		xy := make(plotter.XYs, len(gs))
		for j, g := range gs {
			xy[j].X = float64(j + 1)
			if by == retrieve.ByYear {
				xy[j].X = float64(g.Year)
			}
			xy[j].Y = g.Per10k[i]
		}
		l, pts, err := plotter.NewLinePoints(xy)
		if err != nil {
			return err
		}
		l.Color, pts.Color = colors[i%len(colors)], colors[i%len(colors)]
		l.Width = vg.Points(1.5)
		pts.Radius = vg.Points(2)
		p.Add(l, pts)
		p.Legend.Add(fmt.Sprintf("term %d", i+1), l, pts)
	}
	p.Add(plotter.NewGrid())
	return evalplot.Save(p, file, format)
}
