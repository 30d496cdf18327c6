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
	"github.com/reportsearch/reportsearch/store/weaviate"
)

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
		Notice:  func(n error) { noticeWithHint(os.Stderr, n) },
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

// noticeWithHint prints a notice of the collection package (what a run went
// on despite) and, on the next line, the way out of it.
func noticeWithHint(w io.Writer, n error) {
	notice(w, n.Error())
	notice(w, recoveryHint(n))
}

// withHint is an error and its way out on one line, for where the command
// shows an error as a field (`collections`, JSON output).
func withHint(err error) string {
	if h := recoveryHint(err); h != "" {
		return err.Error() + ": " + h
	}
	return err.Error()
}

// whyText words the rule that chose a collection, in the flags' terms.
func whyText(why collection.Why) string {
	switch why {
	case collection.WhyFlag:
		return "named by --collection"
	case collection.WhyModel:
		return "the collection of --model with these chunk settings"
	case collection.WhyPinned:
		return "the default, pinned with `reportsearch collections use`"
	case collection.WhyNewest:
		return "the newest non-empty collection with these chunk settings"
	}
	return ""
}

// Hints that more than one error shares.
const (
	hintStartOllama   = "start Ollama with `ollama serve` (or scripts/ollama-up.sh), or set OLLAMA_HOST to its address"
	hintStartWeaviate = "start Weaviate with `eval \"$(scripts/weaviate-up.sh)\"`, or use the in-memory store (--store \"\")"
	hintListThem      = "`reportsearch collections` lists them"
)

// recoveryHint is the advice printed under an error: the libraries' errors
// say what is wrong (typed or wrapped, so the server can say it its own
// way), and only the command line knows which command is the way out.
// Several can apply (a missing model stopped an index run: pull it, then
// run again); they are given in the order to follow.
func recoveryHint(err error) string {
	var hints []string
	var (
		empty    *collection.EmptyError
		pin      *collection.PinError
		lexical  *collection.LexicalOnlyError
		outOfSyn *collection.OutOfSyncError
	)
	switch {
	case store.IsDamaged(err):
		hints = append(hints, "recover with `reportsearch index --rebuild PATH...` (with the same --model/--collection), which rewrites the collection from the source files; a damaged snapshot that is not a regular file is moved aside, not deleted")
	case errors.As(err, new(*collection.NotIndexedError)):
		hints = append(hints, "run `reportsearch index PATH...` first")
	case errors.As(err, new(*collection.MissingError)):
		hints = append(hints, "run `reportsearch index PATH...` first (with the same --model and chunk settings)")
	case errors.As(err, new(*collection.NoMatchingError)):
		hints = append(hints, hintListThem+"; choose one with --collection NAME or `reportsearch collections use NAME`")
	case errors.As(err, &empty):
		hints = append(hints, fmt.Sprintf("index some files into it (`reportsearch --collection %s index PATH...`), or choose another with --collection NAME; %s", empty.Name, hintListThem))
	case errors.As(err, &pin):
		which := "another"
		if pin.Name == "" {
			which = "one"
		}
		hints = append(hints, fmt.Sprintf("pin %s with `reportsearch collections use NAME`, or unpin with `reportsearch collections use --auto`", which))
	}
	if m := embed.MissingModel(err); m != "" {
		hints = append(hints, fmt.Sprintf("run `reportsearch model pull %s` (or `reportsearch model import DIR %s` for a local Hugging Face folder)", m, m))
	}
	if errors.Is(err, embed.ErrUnreachable) {
		hints = append(hints, hintStartOllama)
	}
	if errors.Is(err, weaviate.ErrUnreachable) {
		hints = append(hints, hintStartWeaviate)
	}
	if errors.As(err, &lexical) && lexical.Kept == "" {
		switch {
		case errors.Is(err, collection.ErrNoEmbeddingModel):
			hints = append(hints, "for dense search run `reportsearch model pull bge-m3`, then `reportsearch index` again")
		case errors.Is(err, embed.ErrUnreachable):
			hints = append(hints, "then, for dense search, run `reportsearch model pull bge-m3` and `reportsearch index` again")
		}
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
	if errors.As(err, new(*collection.SyncError)) {
		hints = append(hints, "run the same index command again to sync")
	}
	if errors.As(err, &outOfSyn) {
		hints = append(hints, fmt.Sprintf("run `reportsearch --store %s index PATH...` to sync it", outOfSyn.Store))
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
