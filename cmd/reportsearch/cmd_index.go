package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/reportsearch/reportsearch/collection"
	"github.com/reportsearch/reportsearch/indexer"
	"github.com/reportsearch/reportsearch/lexical"
	"github.com/reportsearch/reportsearch/store"

	"github.com/reportsearch/reportsearch/internal/bytesize"
)

func indexCommand() *cli.Command {
	return &cli.Command{
		Name:      "index",
		Usage:     "chunk, embed and store reports (incremental: only new or changed chunks are embedded)",
		ArgsUsage: "PATH...",
		UsageText: usageText("reportsearch index [options] PATH...",
			"reportsearch index ../shared/corpus",
			"reportsearch --model bge-m3 index ../shared/corpus --json"),
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "rebuild", Usage: "ignore the stored collection and build it anew (recovers a damaged store)"},
			&cli.StringFlag{Name: "lexical", Value: indexer.DefaultLexical, Usage: "lexical tokenizer: " + fmt.Sprint(lexical.TokenizerNames())},
			&cli.BoolFlag{Name: "context-header", Value: true, Usage: "embed each chunk with its report title and heading path"},
			&cli.DurationFlag{Name: "checkpoint", Value: 10 * time.Second, Usage: "how often embedded vectors are saved"},
			&cli.BoolFlag{Name: "json", Usage: "print the run's statistics as JSON"},
			&cli.BoolFlag{Name: "follow-symlinks", Usage: "follow symbolic links that point outside the folders named (by default they are skipped and listed)"},
			&cli.StringFlag{Name: "max-file-size", Value: "64MiB", Usage: "skip (and list) files larger than this: bytes, or a number with KiB, MiB or GiB"},
			&cli.BoolFlag{Name: "verbose", Usage: "say on stderr what is being done (walking, reading each file, each indexing phase)"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return cli.Exit("index needs at least one file or folder (e.g. reportsearch index ../shared/corpus)", 2)
			}
			s, err := readSettings(c)
			if err != nil {
				return cli.Exit(err, 2)
			}
			maxSize, err := bytesize.Parse(c.String("max-file-size"))
			if err != nil {
				return cli.Exit(fmt.Sprintf("--max-file-size: %v", err), 2)
			}
			var trace io.Writer
			if c.Bool("verbose") {
				trace = prefixWriter{os.Stderr}
			}
			res, err := collection.Index(c.Context, s, c.Args().Slice(), collection.IndexOptions{
				ContextHeader: c.Bool("context-header"), Lexical: c.String("lexical"),
				Checkpoint: c.Duration("checkpoint"), Rebuild: c.Bool("rebuild"),
				FollowSymlinks: c.Bool("follow-symlinks"), MaxFileSize: maxSize, Trace: trace,
				Progress: os.Stderr, Log: os.Stderr,
				Read: func(set *indexer.Set) { reportSkipped(os.Stderr, set, c.String("max-file-size")) },
			})
			switch collection.StageOf(err) {
			case collection.StageRead:
				if c.Context.Err() != nil {
					return cli.Exit("interrupted while reading the files; nothing was changed", 130)
				}
				return cli.Exit(err, 2)
			case collection.StageModel:
				if c.Context.Err() != nil {
					// Ctrl-C while asking Ollama about the model.
					return cli.Exit("interrupted before indexing began; nothing was changed", 130)
				}
				return errors.Unwrap(err)
			case collection.StageName:
				return cli.Exit(errors.Unwrap(err), 2)
			}
			if err != nil {
				err = errors.Unwrap(err) // the indexer's or the sync's own error
			}
			if c.Bool("json") {
				writeIndexJSON(os.Stdout, res, err)
			} else {
				printIndexSummary(os.Stderr, s, res, err)
			}
			return indexExit(res, err)
		},
	}
}

// writeIndexJSON prints the run's statistics, and its error with the way
// out as reportError would print them under each other.
func writeIndexJSON(w io.Writer, res collection.Result, err error) {
	out := struct {
		Collection string `json:"collection"`
		Model      string `json:"model"`
		indexer.Stats
		Error string `json:"error,omitempty"`
	}{res.Name, res.Model.Name, res.Stats, ""}
	if err != nil {
		out.Error = err.Error()
		if h := recoveryHint(err); h != "" {
			out.Error += "; " + h
		}
	}
	writeJSON(w, out)
}

// printIndexSummary says what the run left in the collection. A run that
// failed before saving changed nothing: no summary.
func printIndexSummary(w io.Writer, s settings, res collection.Result, err error) {
	st := res.Stats
	if !st.Saved {
		return
	}
	what := "lexical only"
	if res.Model.Name != "" {
		what = "model " + res.Model.Name
	}
	// After a failed save the counts are those of the last snapshot saved
	// (see indexer.Stats), so say so.
	head := res.Name
	if err != nil && !errors.Is(err, indexer.ErrInterrupted) {
		head = res.Name + " (as last saved)"
	}
	fmt.Fprintf(w, "%s: %d files, %d chunks (%d new or changed, %d unchanged, %d removed), %d embedded, %d pending, %s, %.1fs\n",
		head, st.Files, st.Chunks, st.Added, st.Reused, st.Removed, st.Embedded, st.Pending, what, st.Elapsed.Seconds())
	for _, f := range st.Failed {
		fmt.Fprintln(w, "reportsearch: not embedded:", safeText(f))
	}
	notice(w, pinNotice(s.DataDir, res.Name))
}

// indexExit is the run's exit: 130 interrupted (saying what was kept), 1
// failed, 3 when the collection is usable but something was skipped.
func indexExit(res collection.Result, err error) error {
	st := res.Stats
	switch {
	case errors.Is(err, indexer.ErrInterrupted) && !st.Saved:
		return cli.Exit(fmt.Sprintf("%v; the stored collection is unchanged", err), 130)
	case errors.Is(err, indexer.ErrInterrupted):
		return cli.Exit(fmt.Sprintf("interrupted: %d chunks embedded and saved, %d pending; run the same index command again to finish", st.Embedded, st.Pending), 130)
	case err != nil && !st.Saved && !errors.Is(err, store.ErrLocked):
		return fmt.Errorf("%w; the collection was not changed", err)
	case err != nil:
		return err
	case len(st.Failed) > 0 || (res.Set != nil && len(res.Set.Errors) > 0):
		// The collection is usable; the exit code tells scripts that
		// something was skipped.
		return cli.Exit("", 3)
	}
	return nil
}

// reportSkipped lists the files an index run could not read or skipped.
func reportSkipped(w io.Writer, set *indexer.Set, maxSize string) {
	for _, e := range set.Errors {
		fmt.Fprintln(w, "reportsearch: skipped:", safeText(e))
	}
	if set.TooLarge > 0 {
		notice(w, fmt.Sprintf("%s over --max-file-size %s and skipped; raise it to index them", filesWere(set.TooLarge), maxSize))
	}
	if set.NoExtractor > 0 {
		notice(w, fmt.Sprintf("%s skipped for want of pdftotext: install Debian's poppler-utils and poppler-data (scripts/deps.sh pdf does), then index again", filesWere(set.NoExtractor)))
	}
}

func filesWere(n int) string {
	if n == 1 {
		return "1 file was"
	}
	return fmt.Sprintf("%d files were", n)
}

// prefixWriter writes each --verbose line with the program's name, like
// every other message on stderr.
type prefixWriter struct{ w io.Writer }

func (p prefixWriter) Write(b []byte) (int, error) {
	if _, err := fmt.Fprintf(p.w, "reportsearch: %s", b); err != nil {
		return 0, err
	}
	return len(b), nil
}
