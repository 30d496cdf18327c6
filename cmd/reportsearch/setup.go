package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/urfave/cli/v2"

	"github.com/reportsearch/reportsearch/chunk"
	"github.com/reportsearch/reportsearch/collection"
	"github.com/reportsearch/reportsearch/embed"
	"github.com/reportsearch/reportsearch/indexer"
	"github.com/reportsearch/reportsearch/retrieve"
	"github.com/reportsearch/reportsearch/store"
)

func defaultChunkOptions() chunk.Options { return chunk.DefaultOptions() }

// settings are the global flags, read once per command: what the
// collection package needs to open or index a collection.
type settings = collection.Settings

func readSettings(c *cli.Context) (settings, error) {
	s := settings{
		DataDir: c.String("data-dir"),
		Host:    c.String("ollama-host"),
		Model:   strings.TrimSpace(c.String("model")),
		Name:    c.String("collection"),
		Store:   c.String("store"),
		Chunk:   chunk.Options{MaxRunes: c.Int("max-runes"), MinRunes: c.Int("min-runes")},
		Notice:  func(msg string) { notice(os.Stderr, msg) },
		Log:     os.Stderr,
	}
	if err := s.Chunk.Validate(); err != nil {
		return s, err
	}
	if _, err := collection.ParseStore(s.Store); err != nil {
		return s, storeError(err)
	}
	if s.Name != "" {
		// Checked before anything is opened, so a bad name is a usage
		// error (exit 2) and nothing outside the data dir is touched.
		if err := store.ValidateName(s.Name); err != nil {
			return s, fmt.Errorf("--collection: %w", err)
		}
	}
	if s.Model == "" {
		s.Model = "auto"
	}
	return s, nil
}

// storeError says a bad --store value in the flag's words.
func storeError(err error) error {
	var unknown *store.UnknownBackendError
	var noAddr *store.NoAddressError
	switch {
	case errors.As(err, &unknown):
		return fmt.Errorf("unknown --store %q: use %s", unknown.URL, strings.Join(unknown.Known, " or "))
	case errors.As(err, &noAddr):
		return fmt.Errorf("--store %q names no server (want %s)", noAddr.URL, noAddr.Usage)
	}
	return err
}

// notices prints each distinct notice once per process on stderr.
var noticeOnce sync.Map

func notice(w io.Writer, msg string) {
	if msg == "" {
		return
	}
	if _, dup := noticeOnce.LoadOrStore(msg, true); !dup {
		fmt.Fprintln(w, "reportsearch:", safeText(msg))
	}
}

// recoveryHint is the advice printed under an error: the libraries' errors
// say what is wrong (typed or wrapped, so the server can say it its own
// way), and only the command line knows which command is the way out.
// Several can apply (a missing model stopped an index run: pull it, then
// run again); they are given in the order to follow.
func recoveryHint(err error) string {
	var hints []string
	if store.IsDamaged(err) {
		hints = append(hints, "recover with `reportsearch index --rebuild PATH...` (with the same --model/--collection), which rewrites the collection from the source files; a damaged snapshot that is not a regular file is moved aside, not deleted")
	}
	if m := embed.MissingModel(err); m != "" {
		hints = append(hints, fmt.Sprintf("run `reportsearch model pull %s` (or `reportsearch model import DIR %s` for a local Hugging Face folder)", m, m))
	}
	if retrieve.IsNoVectors(err) {
		hints = append(hints, "run `reportsearch index` with a model (--model) to give the collection vectors")
	}
	if errors.As(err, new(*retrieve.UnknownReportsError)) {
		hints = append(hints, "see `reportsearch status --reports` for the reports of the collection")
	}
	if errors.As(err, new(*indexer.UnfinishedError)) {
		hints = append(hints, "run the same index command again to finish")
	}
	return strings.Join(hints, "; ")
}

// noticeFallback adds, under the notice of a search that fell back from
// dense to lexical, how to get dense search back.
func noticeFallback(w io.Writer, ix *retrieve.Index) {
	err := ix.Fallback()
	if err == nil {
		return
	}
	hint := recoveryHint(err)
	if hint == "" {
		hint = fmt.Sprintf("for dense search start Ollama (or set OLLAMA_HOST) with model %q and run `reportsearch index` again", ix.Manifest.Model.Name)
	}
	notice(w, hint)
}
