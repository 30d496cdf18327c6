package main

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/reportsearch/reportsearch/collection"
	"github.com/reportsearch/reportsearch/evidence"
	"github.com/reportsearch/reportsearch/progress"
	"github.com/reportsearch/reportsearch/server"
)

// maxNeighbours is the HTTP API's limit on neighbours (server.go's
// handleContext), which has no named constant there.
const maxNeighbours = 5

// terminalPack is p with everything from the corpus escaped for the
// terminal, for the text output (Pack.Text keeps the format in one place).
func terminalPack(p evidence.Pack) evidence.Pack {
	ps := make([]evidence.Passage, len(p.Passages))
	for i, x := range p.Passages {
		x.Report, x.File, x.Text = safeLine(x.Report), safeLine(x.File), safeText(x.Text)
		x.Headings = append([]string(nil), x.Headings...)
		for j, h := range x.Headings {
			x.Headings[j] = safeLine(h)
		}
		ps[i] = x
	}
	p.Passages = ps
	return p
}

// ContextOutput is the JSON of `context --json`: the evidence pack and the
// collection that answered (fields are only ever added).
type ContextOutput struct {
	evidence.Pack
	Collection string `json:"collection"`
	Model      string `json:"model,omitempty"`
}

func contextCommand() *cli.Command {
	d := evidence.DefaultOptions()
	return &cli.Command{
		Name:      "context",
		Usage:     "pack the best evidence for a question under a character budget, with numbered citations",
		ArgsUsage: questionUsage,
		UsageText: usageText("reportsearch context [options] "+questionUsage,
			`reportsearch context "老人看病报销有什么新变化" --budget 1500`,
			`reportsearch context "养老服务有哪些新举措" --json`),
		Flags: append(searchFlags(),
			&cli.IntFlag{Name: "budget", Value: d.Budget, Usage: fmt.Sprintf("most characters of passage text (1 to %d)", server.MaxBudget)},
			&cli.IntFlag{Name: "candidates", Value: d.Candidates, Usage: fmt.Sprintf("search results considered (1 to %d)", server.MaxK)},
			&cli.IntFlag{Name: "neighbours", Value: d.Neighbours, Usage: fmt.Sprintf("paragraphs on each side that may be added from the same section (0 to %d)", maxNeighbours)},
			&cli.BoolFlag{Name: "json", Usage: "machine-readable output"},
		),
		Action: func(c *cli.Context) error {
			query, err := questionArg(c, `context needs a question, e.g. reportsearch context "养老服务有哪些新举措" --budget 1500`)
			if err != nil {
				return err
			}
			s, err := readSettings(c)
			if err != nil {
				return cli.Exit(err, 2)
			}
			for _, r := range []struct {
				name   string
				lo, hi int
			}{{"budget", 1, server.MaxBudget}, {"candidates", 1, server.MaxK}, {"neighbours", 0, maxNeighbours}} {
				if err := inRange(c, r.name, r.lo, r.hi); err != nil {
					return err
				}
			}
			sopt, err := searchOptions(c, c.Int("candidates"))
			if err != nil {
				return cli.Exit(err, 2)
			}
			ix, why, err := collection.Open(c.Context, s)
			if err != nil {
				return err
			}
			if !c.Bool("json") {
				announceCollection(os.Stderr, progress.IsTerminal(os.Stderr), ix.Manifest, why)
			}
			p, err := evidence.Build(c.Context, ix, query, sopt, evidence.Options{Budget: c.Int("budget"), Candidates: c.Int("candidates"), Neighbours: c.Int("neighbours")})
			if err != nil {
				return err // reportError: a retrieve.ErrBadRequest exits 2, a failure 1
			}
			if c.Bool("json") {
				if err := writeJSON(os.Stdout, ContextOutput{Pack: p, Collection: ix.Manifest.Name, Model: ix.Manifest.Model.Name}); err != nil {
					return err
				}
				return noResults(len(p.Passages))
			}
			notice(os.Stderr, p.Notice)
			noticeFallback(os.Stderr, ix)
			fmt.Print(terminalPack(p).Text())
			return noResults(len(p.Passages))
		},
	}
}
