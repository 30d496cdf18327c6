package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/urfave/cli/v2"

	"github.com/reportsearch/reportsearch/chunk"
	"github.com/reportsearch/reportsearch/collection"
	"github.com/reportsearch/reportsearch/retrieve"
)

// maxAround is the most neighbours `show` prints on each side.
const maxAround = 20

// ShowOutput is the JSON of `show --json`: a stable interface, documented in
// the README. Fields are only ever added.
type ShowOutput struct {
	Collection string `json:"collection"`
	ID         string `json:"id"`
	// Citation names the chunk asked for: report › headings, paragraph,
	// file:line and byte span.
	Citation string `json:"citation"`
	// Chunks are the chunk and its neighbours of the same report, in text
	// order; Shown marks the one asked for.
	Chunks []ShownChunk `json:"chunks"`
}

// ShownChunk is a stored chunk with the path it was read from.
type ShownChunk struct {
	chunk.Chunk
	Source string `json:"source,omitempty"`
	Shown  bool   `json:"shown,omitempty"`
}

func showCommand() *cli.Command {
	return &cli.Command{
		Name:      "show",
		Usage:     "print a chunk (by the ID search prints) with its neighbours and its citation",
		ArgsUsage: "ID",
		UsageText: usageText("reportsearch show [options] ID",
			"reportsearch show 'beijing.txt#0.12'",
			"reportsearch show 'beijing.txt#0.12' --around 3 --json"),
		Description: "IDs are those of `search` (and of `context --json`). The chunk is marked with a bar; --around N adds\n" +
			"N paragraphs of the same report before and after it. IDs contain #: quote them in the shell.",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "around", Value: 1, Usage: fmt.Sprintf("neighbours on each side, of the same report (0 to %d)", maxAround)},
			&cli.BoolFlag{Name: "json", Usage: "machine-readable output"},
			colorFlag(),
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 || strings.TrimSpace(c.Args().First()) == "" {
				return usagef(`show needs one chunk ID, as search prints it, e.g. reportsearch show 'beijing.txt#0.12'`)
			}
			id := c.Args().First()
			if err := inRange(c, "around", 0, maxAround); err != nil {
				return err
			}
			color, err := colorFor(c, os.Stdout)
			if err != nil {
				return err
			}
			s, err := readSettings(c)
			if err != nil {
				return cli.Exit(err, 2)
			}
			ix, _, err := collection.Open(c.Context, s)
			if err != nil {
				return err
			}
			out, err := showChunk(ix, id, c.Int("around"))
			if err != nil {
				return err
			}
			if c.Bool("json") {
				return writeJSON(os.Stdout, out)
			}
			printShow(os.Stdout, out, color)
			return nil
		},
	}
}

// showChunk gathers what `show` prints; an unknown ID is a usage error
// that says which IDs the file does have, or which file was meant.
func showChunk(ix *retrieve.Index, id string, around int) (ShowOutput, error) {
	target, ok := ix.Chunk(id)
	if !ok {
		return ShowOutput{}, cli.Exit(unknownID(ix, id), exitUsage)
	}
	out := ShowOutput{Collection: ix.Manifest.Name, ID: id, Chunks: []ShownChunk{}}
	for _, n := range ix.Neighbours(id, around, around) {
		if n.Headings == nil {
			n.Headings = []string{}
		}
		out.Chunks = append(out.Chunks, ShownChunk{Chunk: n, Source: ix.Source(n.ID), Shown: n.ID == id})
	}
	out.Citation = citation(target, ix.Source(id), func(s string) string { return s })
	return out, nil
}

// unknownID is the message for an ID the collection does not hold.
func unknownID(ix *retrieve.Index, id string) string {
	msg := fmt.Sprintf("no chunk with ID %q in collection %s", id, ix.Manifest.Name)
	file, hasHash := id, false
	if i := strings.LastIndex(id, "#"); i >= 0 {
		file, hasHash = id[:i], true // a file name may hold # itself; the last one starts the number
	}
	if ids := ix.IDsOf(file); len(ids) > 0 {
		return fmt.Sprintf("%s; %s has %d chunks, %s to %s", msg, file, len(ids), ids[0], ids[len(ids)-1])
	}
	var files []string
	seen := map[string]bool{}
	for _, r := range ix.Reports() {
		if !seen[r.File] {
			seen[r.File] = true
			files = append(files, r.File)
		}
	}
	if m := nearest(file, files); m != "" && hasHash {
		if ids := ix.IDsOf(m); len(ids) > 0 {
			return fmt.Sprintf("%s; did you mean %s (%s to %s)?", msg, m, ids[0], ids[len(ids)-1])
		}
	}
	return msg + "; IDs look like FILE#REPORT.PARAGRAPH, as search prints them (`reportsearch status --reports` lists the files)"
}

// paraLabel is "¶12", or "¶12.2" for the second part of a split paragraph.
func paraLabel(c chunk.Chunk) string {
	if c.Part > 0 {
		return fmt.Sprintf("¶%d.%d", c.Paragraph, c.Part)
	}
	return fmt.Sprintf("¶%d", c.Paragraph)
}

// citation is "report › headings, ¶N, file:line (bytes S-E)", every part
// from the corpus passed through esc.
func citation(c chunk.Chunk, source string, esc func(string) string) string {
	where := esc(c.Report)
	for _, h := range c.Headings {
		where += " › " + esc(h)
	}
	loc := location(c.File, source, c.Line, c.Start, c.End)
	if c.Line > 0 {
		loc += fmt.Sprintf(" (bytes %d-%d)", c.Start, c.End)
	}
	if p := strings.TrimSpace(pageLabel(c.Page, c.PageEnd)); p != "" {
		return fmt.Sprintf("%s, %s, %s, %s", where, p, paraLabel(c), esc(loc))
	}
	return fmt.Sprintf("%s, %s, %s", where, paraLabel(c), esc(loc))
}

// printShow is the text output of show: the heading path (again wherever
// it changes), each paragraph under its number, the shown one marked with
// a bar (and bold when color is on), then the citation.
func printShow(w io.Writer, out ShowOutput, color bool) {
	width := 0
	for _, c := range out.Chunks {
		width = max(width, utf8.RuneCountInString(paraLabel(c.Chunk)))
	}
	prev := "\x00"
	for _, c := range out.Chunks {
		if h := headingPath(c.Report, c.Headings); h != prev {
			if prev != "\x00" {
				fmt.Fprintln(w)
			}
			fmt.Fprintln(w, h)
			prev = h
		}
		gutter := "  "
		if c.Shown {
			gutter = "▌ "
		}
		label := paraLabel(c.Chunk)
		pad := strings.Repeat(" ", width-utf8.RuneCountInString(label))
		indent := strings.Repeat(" ", width+2)
		for i, line := range strings.Split(safeText(c.Text), "\n") {
			if i == 0 {
				line = label + pad + "  " + line
			} else {
				line = indent + line
			}
			if c.Shown && color {
				line = boldOn + line + colorOff
			}
			fmt.Fprintln(w, gutter+line)
		}
	}
	fmt.Fprintf(w, "\ncite: %s\nid:   %s\n", citationLine(out), safeLine(out.ID))
}

// citationLine is the shown chunk's citation escaped for the terminal.
func citationLine(out ShowOutput) string {
	for _, c := range out.Chunks {
		if c.Shown {
			return citation(c.Chunk, c.Source, safeLine)
		}
	}
	return safeLine(out.Citation)
}
