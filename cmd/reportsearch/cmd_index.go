package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/reportsearch/reportsearch/indexer"
	"github.com/reportsearch/reportsearch/lexical"
	"github.com/reportsearch/reportsearch/store"
)

func indexCommand() *cli.Command {
	return &cli.Command{
		Name:      "index",
		Usage:     "chunk, embed and store reports (incremental: only new or changed chunks are embedded)",
		ArgsUsage: "PATH...",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "rebuild", Usage: "ignore the stored collection and build it anew (recovers a damaged store)"},
			&cli.StringFlag{Name: "lexical", Value: indexer.DefaultLexical, Usage: "lexical tokenizer: " + fmt.Sprint(lexical.TokenizerNames())},
			&cli.BoolFlag{Name: "context-header", Value: true, Usage: "embed each chunk with its report title and heading path"},
			&cli.DurationFlag{Name: "checkpoint", Value: 10 * time.Second, Usage: "how often embedded vectors are saved"},
			&cli.BoolFlag{Name: "json", Usage: "print the run's statistics as JSON"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() == 0 {
				return cli.Exit("index needs at least one file or folder (e.g. reportsearch index ../shared/corpus)", 2)
			}
			s, err := readSettings(c)
			if err != nil {
				return cli.Exit(err, 2)
			}
			set, err := indexer.ReadFiles(c.Args().Slice(), s.opts)
			if err != nil {
				return cli.Exit(err, 2)
			}
			for _, e := range set.Errors {
				fmt.Fprintln(os.Stderr, "reportsearch: skipped:", safeText(e))
			}
			emb, model, why, err := resolveIndexModel(c.Context, s)
			if err != nil {
				if c.Context.Err() != nil {
					// Ctrl-C while asking Ollama about the model.
					return cli.Exit("interrupted before indexing began; nothing was changed", 130)
				}
				return err
			}
			notice(os.Stderr, why)
			name := collectionFor(s, model.Name)
			cfg := indexer.Config{
				Dir: store.Dir(s.dataDir, name), Options: s.opts, ContextHeader: c.Bool("context-header"),
				Lexical: c.String("lexical"), Checkpoint: c.Duration("checkpoint"), Rebuild: c.Bool("rebuild"),
				Progress: os.Stderr, Log: os.Stderr,
			}
			st, err := indexer.Run(c.Context, cfg, emb, model, set)
			if err == nil {
				err = syncBackend(c.Context, s.store, cfg.Dir, nil)
				if err != nil && c.Context.Err() != nil {
					// Ctrl-C while syncing: the snapshot is whole and the
					// next run syncs what this one did not.
					err = fmt.Errorf("%w while syncing vectors to %s", indexer.ErrInterrupted, s.store)
				}
			}
			if c.Bool("json") {
				out := struct {
					Collection string `json:"collection"`
					Model      string `json:"model"`
					indexer.Stats
					Error string `json:"error,omitempty"`
				}{name, model.Name, st, ""}
				if err != nil {
					out.Error = err.Error()
				}
				writeJSON(os.Stdout, out)
			} else if !errors.Is(err, store.ErrLocked) { // a refused run did nothing to summarise
				what := "lexical only"
				if model.Name != "" {
					what = "model " + model.Name
				}
				fmt.Fprintf(os.Stderr, "%s: %d files, %d chunks (%d new or changed, %d unchanged, %d removed), %d embedded, %d pending, %s, %.1fs\n",
					name, st.Files, st.Chunks, st.Added, st.Reused, st.Removed, st.Embedded, st.Pending, what, st.Elapsed.Seconds())
				for _, f := range st.Failed {
					fmt.Fprintln(os.Stderr, "reportsearch: not embedded:", safeText(f))
				}
				notice(os.Stderr, pinNotice(s.dataDir, name))
			}
			switch {
			case errors.Is(err, indexer.ErrInterrupted):
				return cli.Exit(fmt.Sprintf("interrupted: %d chunks embedded and saved, %d pending; run the same index command again to finish", st.Embedded, st.Pending), 130)
			case err != nil:
				return err
			case len(st.Failed) > 0 || len(set.Errors) > 0:
				// The collection is usable; the exit code tells scripts that
				// something was skipped.
				return cli.Exit("", 3)
			}
			return nil
		},
	}
}
