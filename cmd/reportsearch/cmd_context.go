package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/reportsearch/reportsearch/evidence"
	"github.com/reportsearch/reportsearch/retrieve"
)

func contextCommand() *cli.Command {
	d := evidence.DefaultOptions()
	return &cli.Command{
		Name:      "context",
		Usage:     "pack the best evidence for a question under a character budget, with numbered citations",
		ArgsUsage: `"question"`,
		Flags: append(searchFlags(),
			&cli.IntFlag{Name: "budget", Value: d.Budget, Usage: "most characters of passage text"},
			&cli.IntFlag{Name: "candidates", Value: d.Candidates, Usage: "search results considered"},
			&cli.IntFlag{Name: "neighbours", Value: d.Neighbours, Usage: "paragraphs on each side that may be added from the same section"},
			&cli.BoolFlag{Name: "json", Usage: "machine-readable output"},
		),
		Action: func(c *cli.Context) error {
			query := strings.TrimSpace(strings.Join(c.Args().Slice(), " "))
			if retrieve.Blank(query) { // control characters only count as empty too
				return cli.Exit(`context needs a question, e.g. reportsearch context "养老服务有哪些新举措" --budget 1500`, 2)
			}
			s, err := readSettings(c)
			if err != nil {
				return cli.Exit(err, 2)
			}
			sopt, err := searchOptions(c, c.Int("candidates"))
			if err != nil {
				return cli.Exit(err, 2)
			}
			ix, err := openIndex(c.Context, s)
			if err != nil {
				return err
			}
			p, err := evidence.Build(c.Context, ix, query, sopt, evidence.Options{Budget: c.Int("budget"), Candidates: c.Int("candidates"), Neighbours: c.Int("neighbours")})
			if err != nil {
				return cli.Exit(err, 2)
			}
			if c.Bool("json") {
				return writeJSON(os.Stdout, p)
			}
			notice(os.Stderr, p.Notice)
			fmt.Print(p.Text())
			return nil
		},
	}
}
