package main

// Highlighting the words a question hit, and where a result is, for people
// reading at a terminal.

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/urfave/cli/v2"

	"github.com/reportsearch/reportsearch/progress"
	"github.com/reportsearch/reportsearch/retrieve"
)

// ANSI bold red for matched words, as grep and ripgrep mark matches; bold
// alone marks the chunk `show` is about.
const (
	markOn   = "\x1b[1;31m"
	boldOn   = "\x1b[1m"
	colorOff = "\x1b[0m"
)

func colorFlag() cli.Flag {
	return &cli.StringFlag{Name: "color", Value: "auto", Usage: "highlight matched words: auto (on a terminal, unless NO_COLOR is set), always or never"}
}

// colorOn decides --color: auto means the output is a terminal (tty),
// NO_COLOR (https://no-color.org) is unset or empty, and TERM is not "dumb".
func colorOn(mode string, tty bool, getenv func(string) string) (bool, error) {
	switch mode {
	case "always":
		return true, nil
	case "never":
		return false, nil
	case "auto", "":
		return tty && getenv("NO_COLOR") == "" && getenv("TERM") != "dumb", nil
	}
	return false, usagef("--color must be auto, always or never, got %q", mode)
}

// colorFor reads the --color flag of c for output to w.
func colorFor(c *cli.Context, w io.Writer) (bool, error) {
	return colorOn(c.String("color"), progress.IsTerminal(w), os.Getenv)
}

// highlight prints text for a terminal with every occurrence of terms
// marked (when on). terms are tried in order, longest first as
// Result.Matched lists them, and a place marked once is not marked again.
// Escaping comes first and marking after: each piece of text is escaped by
// itself (escape is safeText or safeLine), and the only raw escape
// sequences in the output are our own, between pieces.
func highlight(text string, terms []string, on bool, escape func(string) string) string {
	if !on || len(terms) == 0 {
		return escape(text)
	}
	marked := make([]bool, len(text))
	for _, t := range terms {
		if t == "" {
			continue
		}
		for from := 0; ; {
			i := strings.Index(text[from:], t)
			if i < 0 {
				break
			}
			a, b := from+i, from+i+len(t)
			free := true
			for j := a; j < b && free; j++ {
				free = !marked[j]
			}
			if free {
				for j := a; j < b; j++ {
					marked[j] = true
				}
				from = b
			} else {
				from = a + 1
				for from < len(text) && !isRuneStart(text[from]) {
					from++
				}
			}
		}
	}
	var out strings.Builder
	for i := 0; i < len(text); {
		j := i
		for j < len(text) && marked[j] == marked[i] {
			j++
		}
		if marked[i] {
			out.WriteString(markOn + escape(text[i:j]) + colorOff)
		} else {
			out.WriteString(escape(text[i:j]))
		}
		i = j
	}
	return out.String()
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// location is where a result is, in a form editors and terminals jump to:
// path:line, the path as the user can open it (relative to the working
// directory when the source is under it, else absolute), or the stored file
// name when the source path is unknown. Without a line (a collection
// indexed before lines were recorded) it is the path and the byte span.
// It is not escaped: safeLine it for the terminal.
func location(file, source string, line, start, end int) string {
	p := file
	if source != "" {
		p = source
		if wd, err := os.Getwd(); err == nil {
			if rel, err := filepath.Rel(wd, source); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				p = rel
			}
		}
	}
	if line > 0 {
		return fmt.Sprintf("%s:%d", p, line)
	}
	return fmt.Sprintf("%s (bytes %d-%d)", p, start, end)
}

// pageLabel is "  p. 12" or "  p. 12–13" for a chunk of a paged source
// (PDF), "" otherwise: the page a reader turns to, beside file:line, which
// refers to the extracted text.
func pageLabel(page, end int) string {
	switch {
	case page <= 0:
		return ""
	case end > page:
		return fmt.Sprintf("  p. %d–%d", page, end)
	}
	return fmt.Sprintf("  p. %d", page)
}

// headingPath is "report › heading › heading", escaped for one line.
func headingPath(report string, headings []string) string {
	where := safeLine(report)
	for _, h := range headings {
		where += " › " + safeLine(h)
	}
	return where
}

// printResult is one search result in the text output.
func printResult(w io.Writer, r retrieve.Result, color bool) {
	fmt.Fprintf(w, "%d. [%.4f] %s\n   %s%s  ¶%d  %s\n   %s\n\n", r.Rank, r.Score, headingPath(r.Report, r.Headings),
		safeLine(location(r.File, r.Source, r.Line, r.Start, r.End)), pageLabel(r.Page, r.PageEnd), r.Paragraph, safeLine(r.ID),
		highlight(snippet(r.Text, r.Matched, 220), r.Matched, color, safeText))
}

// snippet is text cut to n runes. When the longest matched word (the first
// of matched) would fall past the cut, the cut starts a little before it,
// marked with "…", so the reader sees why the result was found.
func snippet(text string, matched []string, n int) string {
	// A result is three lines: line breaks inside a chunk (a record's
	// content, a table row) become spaces in its snippet. Matched words
	// hold none, so they are still found.
	text = strings.Join(strings.Fields(strings.ReplaceAll(text, "\r", "\n")), " ")
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	first := -1
	if len(matched) > 0 && matched[0] != "" {
		first = strings.Index(text, matched[0])
	}
	lead := n / 4 // runes of context kept before the match
	if first < 0 || utf8.RuneCountInString(text[:first]) < n-lead {
		return clip(text, n)
	}
	r := []rune(text)
	from := utf8.RuneCountInString(text[:first]) - lead
	from = min(from, len(r)-n+1) // the … takes a place
	return "…" + clip(string(r[from:]), n-1)
}
