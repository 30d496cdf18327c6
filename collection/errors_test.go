package collection

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reportsearch/reportsearch/chunk"
	"github.com/reportsearch/reportsearch/embed"
	"github.com/reportsearch/reportsearch/store"
)

// noCommand fails when a library error tells its reader to run a command:
// the server shows these texts to HTTP clients, so the way out is the
// command's to add (cmd/reportsearch recoveryHint).
func noCommand(t *testing.T, what string, err error) {
	t.Helper()
	if msg := err.Error(); strings.Contains(msg, "reportsearch") || strings.Contains(msg, "--") || strings.Contains(msg, "`") {
		t.Errorf("%s: %q names a command or flag", what, msg)
	}
}

// saveEmpty saves a collection with no chunks made with chunker.
func saveEmpty(t *testing.T, s Settings, name, chunker string) {
	t.Helper()
	m := store.Manifest{Name: name, Chunker: chunker, Options: s.Chunk}
	if err := store.Save(filepath.Join(s.DataDir, name), &store.Snapshot{Manifest: m}); err != nil {
		t.Fatal(err)
	}
}

// Each way Choose and OpenDir can find nothing to search is a typed error
// that errors.As finds through wrapping, carrying what the command's advice
// names, and its text states the fact only.
func TestChooseTypedErrors(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("search: %w", err) }
	s := testSettings(t)

	_, _, err := Choose(s)
	var notIndexed *NotIndexedError
	if !errors.As(wrap(err), &notIndexed) || notIndexed.DataDir != s.DataDir || !strings.Contains(err.Error(), "nothing is indexed in "+s.DataDir) {
		t.Fatalf("empty data dir: %v, want a *NotIndexedError", err)
	}
	noCommand(t, "not indexed", err)

	saveEmpty(t, s, "other", "another chunker")
	_, _, err = Choose(s)
	var noMatch *NoMatchingError
	if !errors.As(wrap(err), &noMatch) || noMatch.Chunk != s.Chunk || noMatch.DataDir != s.DataDir {
		t.Fatalf("only another chunker's collection: %v, want a *NoMatchingError", err)
	}
	noCommand(t, "no matching", err)

	saveEmpty(t, s, "empty", chunk.Fingerprint(s.Chunk))
	_, _, err = Choose(s)
	var empty *EmptyError
	if !errors.As(wrap(err), &empty) || empty.Name != "empty" || err.Error() != "collection empty is empty" {
		t.Fatalf("only an empty collection: %v, want *EmptyError{empty}", err)
	}
	named := s
	named.Name = "empty"
	if _, _, err := Open(context.Background(), named); !errors.As(wrap(err), &empty) || empty.Name != "empty" {
		t.Fatalf("Open of the empty collection by name: %v, want *EmptyError", err)
	}
	_, err = OpenDir(context.Background(), s, filepath.Join(s.DataDir, "never"))
	var missing *MissingError
	if !errors.As(wrap(err), &missing) || missing.Dir != filepath.Join(s.DataDir, "never") {
		t.Fatalf("OpenDir of a folder never indexed: %v, want *MissingError", err)
	}
	noCommand(t, "missing", err)

	// Pins: gone, invalid, unreadable.
	var pin *PinError
	if err := store.SetDefault(s.DataDir, "gone"); err != nil {
		t.Fatal(err)
	}
	_, _, err = Choose(s)
	if !errors.As(wrap(err), &pin) || pin.Name != "gone" || pin.Err != nil || !strings.Contains(err.Error(), "default collection gone no longer exists") {
		t.Fatalf("pin of a missing collection: %v, want *PinError{gone}", err)
	}
	noCommand(t, "pin gone", err)
	if err := store.SetDefault(s.DataDir, "../x"); err != nil {
		t.Fatal(err)
	}
	_, _, err = Choose(s)
	if !errors.As(wrap(err), &pin) || pin.Name != "../x" || !errors.Is(err, store.ErrBadName) {
		t.Fatalf("pin of an invalid name: %v, want *PinError wrapping store.ErrBadName", err)
	}
	noCommand(t, "pin invalid", err)
}

// The notices of a run are typed too, and wrap their cause.
func TestNoticeTypes(t *testing.T) {
	cause := errors.New("connection refused")
	for _, n := range []error{
		&LexicalOnlyError{Err: ErrNoEmbeddingModel},
		&LexicalOnlyError{Err: cause, Kept: "bge-m3"},
		&BackendFallbackError{Err: cause},
		&SyncError{Backend: "Weaviate", Err: cause},
		&OutOfSyncError{Backend: "class X", Store: "weaviate://h:1", Held: 1, Embedded: 2},
	} {
		noCommand(t, fmt.Sprintf("%T", n), n)
	}
	var lex *LexicalOnlyError
	if err := fmt.Errorf("x: %w", &LexicalOnlyError{Err: cause, Kept: "bge-m3"}); !errors.As(err, &lex) || lex.Kept != "bge-m3" || !errors.Is(err, cause) {
		t.Errorf("LexicalOnlyError through wrapping: %v", err)
	}
	if err := fmt.Errorf("x: %w", &SyncError{Backend: "Weaviate", Err: cause}); !errors.Is(err, cause) {
		t.Errorf("SyncError does not wrap its cause: %v", err)
	}
}

// An index run with Ollama down goes on lexically with a typed notice that
// wraps embed.ErrUnreachable, and keeps the model of the newest collection.
func TestResolveModelUnreachable(t *testing.T) {
	s := testSettings(t)
	s.Host = "127.0.0.1:1" // nothing listens on port 1
	emb, _, why, err := ResolveModel(context.Background(), s)
	if err != nil || emb != nil || why == nil || !errors.Is(why, embed.ErrUnreachable) || why.Kept != "" {
		t.Fatalf("ResolveModel = %v, %v, %v; want a lexical-only notice wrapping ErrUnreachable", emb, why, err)
	}
	noCommand(t, "lexical only", why)
	m := store.Manifest{Name: "prev", Chunker: chunk.Fingerprint(s.Chunk), Options: s.Chunk, Model: embed.ModelInfo{Name: "bge-m3", Dims: 3}}
	rec := store.Record{Chunk: chunk.Chunk{ID: "f#0.1", File: "f", Text: "经济"}}
	if err := store.Save(filepath.Join(s.DataDir, "prev"), &store.Snapshot{Manifest: m, Records: []store.Record{rec}}); err != nil {
		t.Fatal(err)
	}
	_, info, why, err := ResolveModel(context.Background(), s)
	if err != nil || why == nil || why.Kept != "bge-m3" || info.Name != "bge-m3" {
		t.Fatalf("with a previous collection: %+v, %v, %v; want model bge-m3 kept", info, why, err)
	}
}
