package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/reportsearch/reportsearch/collection"
	"github.com/reportsearch/reportsearch/embed"
	"github.com/reportsearch/reportsearch/indexer"
	"github.com/reportsearch/reportsearch/retrieve"
	"github.com/reportsearch/reportsearch/store"
	"github.com/reportsearch/reportsearch/store/weaviate"
)

func TestReorderArgs(t *testing.T) {
	cases := []struct {
		in, want string // space-separated; "_" stands for a space inside one argument
		path     string
	}{
		// Flags after the question (issue 11.1).
		{`search 低空经济 -k 2 --json --mode lexical`, `search -k 2 --json --mode lexical -- 低空经济`, "reportsearch search"},
		{`search --json 低空经济 -k 2`, `search --json -k 2 -- 低空经济`, "reportsearch search"},
		{`search -k 2 --json 低空经济 --mode lexical`, `search -k 2 --json --mode lexical -- 低空经济`, "reportsearch search"},
		{`search 北京 经济 增长 -n 3`, `search -n 3 -- 北京 经济 增长`, "reportsearch search"},
		{`search q --k=2 --json=false`, `search --k=2 --json=false -- q`, "reportsearch search"},
		{`search q -k -5`, `search -k -5 -- q`, "reportsearch search"}, // a value may start with "-"
		{`search --report 浙江 q --report 北京`, `search --report 浙江 --report 北京 -- q`, "reportsearch search"},
		{`search 增长 --fusion rrf --rrf-k 10`, `search --fusion rrf --rrf-k 10 -- 增长`, "reportsearch search"},
		// Global flags after the command move before it.
		{`search --data-dir D q`, `--data-dir D search -- q`, "reportsearch search"},
		{`search q --collection c -k 1`, `--collection c search -k 1 -- q`, "reportsearch search"},
		{`index --model m d1 d2 --rebuild`, `--model m index --rebuild -- d1 d2`, "reportsearch index"},
		{`--model m index d`, `--model m index -- d`, "reportsearch index"},
		{`status --data-dir=D --json`, `--data-dir=D status --json`, "reportsearch status"},
		// "--" ends flags: what follows is the question, even "-k".
		{`search -- -k 2`, `search -- -k 2`, "reportsearch search"},
		{`search --json -- --mode x`, `search --json -- --mode x`, "reportsearch search"},
		{`search a -- -b --json`, `search -- a -b --json`, "reportsearch search"},
		{`search -`, `search -- -`, "reportsearch search"},
		// Subcommands.
		{`eval run --questions f --mode lexical`, `eval run --questions f --mode lexical`, "reportsearch eval run"},
		{`eval run --mode lexical --data-dir D --questions f`, `--data-dir D eval run --mode lexical --questions f`, "reportsearch eval run"},
		{`model pull bge-m3 --ollama-host H`, `--ollama-host H model pull -- bge-m3`, "reportsearch model pull"},
		{`model import DIR NAME --ollama-host=H`, `--ollama-host=H model import -- DIR NAME`, "reportsearch model import"},
		{`bench index corpus --batch 8 --json`, `bench index --batch 8 --json -- corpus`, "reportsearch bench index"},
		{`eval compare a.json b.json --format markdown`, `eval compare --format markdown -- a.json b.json`, "reportsearch eval compare"},
		// Help: the question is dropped (urfave would take it for a topic),
		// help topics pass through, and -v after a command is not --version.
		{`search 增长 --help`, `search --help`, "reportsearch search"},
		{`search -h 增长 -k 2`, `search -h -k 2`, "reportsearch search"},
		{`help search`, `help search`, "reportsearch"},
		{`eval help run`, `eval help run`, "reportsearch eval"},
		{`--help`, `--help`, "reportsearch"},
		{`-v`, `-v`, "reportsearch"},
		{``, ``, "reportsearch"},
		// `search help` searches for "help": leaf commands have no help command.
		{`search help`, `search -- help`, "reportsearch search"},
	}
	for _, tc := range cases {
		got, path, err := reorderArgs(newApp(), argv(tc.in))
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if want := argv(tc.want); !slices.Equal(got, want) {
			t.Errorf("%q:\n got %q\nwant %q", tc.in, got, want)
		}
		if path != tc.path {
			t.Errorf("%q: path %q, want %q", tc.in, path, tc.path)
		}
	}
}

func TestReorderArgsRefuses(t *testing.T) {
	cases := []struct {
		in, msg, path string
	}{
		{`search q --bogus`, "unknown flag --bogus", "reportsearch search"},
		{`search q --jsn`, "did you mean --json?", "reportsearch search"},
		{`search q --bogus=1`, "unknown flag --bogus", "reportsearch search"},
		{`search q -k`, "flag -k needs a value", "reportsearch search"},
		{`search q --mode`, "flag --mode needs a value", "reportsearch search"},
		{`--data-dir`, "flag --data-dir needs a value", "reportsearch"},
		{`search ---k 2 q`, "unknown flag ---k", "reportsearch search"},
		{`search q -v`, "unknown flag -v", "reportsearch search"},
		{`search 增长 -3%`, "unknown flag -3%; arguments that start with - go after --", "reportsearch search"},
		{`search 增长 -k2`, "unknown flag -k2 (did you mean -k?)", "reportsearch search"},
		{`serch q`, `"serch" is not a command of reportsearch (did you mean search?)`, "reportsearch"},
		{`indx d`, `(did you mean index?)`, "reportsearch"},
		{`frobnicate`, `"frobnicate" is not a command of reportsearch`, "reportsearch"},
		{`eval rn`, `"rn" is not a command of reportsearch eval (did you mean run?)`, "reportsearch eval"},
		{`help serch`, `"serch" is not a command of reportsearch`, "reportsearch"},
		{`eval --mode lexical run`, "a subcommand's flags go after its name", "reportsearch eval"},
	}
	for _, tc := range cases {
		got, path, err := reorderArgs(newApp(), argv(tc.in))
		var ue usageError
		if !errors.As(err, &ue) {
			t.Errorf("%q: want a usage error, got %v (args %q)", tc.in, err, got)
			continue
		}
		if !strings.Contains(ue.msg, tc.msg) || strings.Contains(ue.msg, "\n") {
			t.Errorf("%q: message %q, want one line containing %q", tc.in, ue.msg, tc.msg)
		}
		if path != tc.path {
			t.Errorf("%q: path %q, want %q", tc.in, path, tc.path)
		}
	}
}

// A command's flag shadows a global flag of the same name; a global flag is
// found from any depth.
func TestReorderArgsShadowing(t *testing.T) {
	app := &cli.App{
		Name:  "app",
		Flags: []cli.Flag{&cli.StringFlag{Name: "model"}, &cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}}},
		Commands: []*cli.Command{
			{Name: "a", Flags: []cli.Flag{&cli.BoolFlag{Name: "model"}}, Action: func(*cli.Context) error { return nil }},
			{Name: "g", Subcommands: []*cli.Command{
				{Name: "leaf", Aliases: []string{"l"}, Flags: []cli.Flag{&cli.IntFlag{Name: "n"}}, Action: func(*cli.Context) error { return nil }},
			}},
		},
	}
	for _, tc := range []struct{ in, want string }{
		{`a x --model y`, `a --model -- x y`},                     // a's --model is boolean: y is a word
		{`g l x -q --model m -n 3`, `-q --model m g l -n 3 -- x`}, // alias kept as typed
	} {
		got, _, err := reorderArgs(app, argv(tc.in))
		if err != nil || !slices.Equal(got, argv(tc.want)) {
			t.Errorf("%q: got %q, %v; want %q", tc.in, got, err, argv(tc.want))
		}
	}
}

func TestNearest(t *testing.T) {
	cands := []string{"index", "search", "context", "status", "serve", "model", "eval", "bench"}
	for in, want := range map[string]string{"serch": "search", "indx": "index", "evl": "eval", "SEARCH": "search", "statsu": "status", "xyz": "", "": ""} {
		if got := nearest(in, cands); got != want {
			t.Errorf("nearest(%q) = %q, want %q", in, got, want)
		}
	}
}

// argv splits a test case into os.Args, with the program name first.
func argv(s string) []string {
	out := []string{"reportsearch"}
	for _, f := range strings.Fields(s) {
		out = append(out, strings.ReplaceAll(f, "_", " "))
	}
	return out
}

func TestReportError(t *testing.T) {
	live := context.Background()
	stopped, cancel := context.WithCancel(context.Background())
	cancel()
	cases := []struct {
		ctx  context.Context
		err  error
		code int
		out  string
	}{
		{live, nil, 0, ""},
		{live, usagef("-k must be from 1 to 100, got 0"), 2, "reportsearch: -k must be from 1 to 100, got 0\nsee 'reportsearch search --help'\n"},
		{live, cli.Exit("index needs a path", 2), 2, "reportsearch: index needs a path\nsee 'reportsearch search --help'\n"},
		{live, retrieve.BadRequestf("no report matches %q", "火星"), 2, "reportsearch: no report matches \"火星\"\nsee 'reportsearch search --help'\n"},
		{live, cli.Exit("", 3), 3, ""},
		{live, cli.Exit("interrupted: 10 chunks saved", 130), 130, "reportsearch: interrupted: 10 chunks saved\n"},
		{stopped, fmt.Errorf("embedding: %w", context.Canceled), 130, "reportsearch: interrupted\n"},
		{live, fmt.Errorf("embedding: %w", context.Canceled), 1, "reportsearch: embedding: context canceled\n"},
		{live, errors.New("open esc\x1b[31m.txt: permission denied"), 1, "reportsearch: open esc\\x1b[31m.txt: permission denied\n"},
		// The libraries' typed errors get the command line's remedy under them.
		{live, &retrieve.UnknownReportsError{Reports: []string{"火星"}}, 2, "reportsearch: no report matches \"火星\"\nreportsearch: see `reportsearch status --reports` for the reports of the collection\n"},
		{live, &indexer.UnfinishedError{Err: errors.New("cannot reach Ollama"), Embedded: 3, Pending: 7}, 1, "reportsearch: cannot reach Ollama; the 3 chunks embedded so far are saved and 7 are pending\nreportsearch: run the same index command again to finish\n"},
		{live, fmt.Errorf("lexical index of c: %w: %w", store.ErrCorrupt, errors.New("bad")), 1, "reportsearch: lexical index of c: " + store.ErrCorrupt.Error() + ": bad\nreportsearch: " + recoveryHint(store.ErrCorrupt) + "\n"},
	}
	for _, tc := range cases {
		var w strings.Builder
		if code := reportError(tc.ctx, &w, tc.err, "reportsearch search"); code != tc.code || w.String() != tc.out {
			t.Errorf("%v: exit %d, printed %q; want %d, %q", tc.err, code, w.String(), tc.code, tc.out)
		}
	}
}

// TestRecoveryHint: each library error kind gets the command that is the way
// out, found through wrapping, and the hint says nothing for errors it has no
// remedy for. The library's own text names no command (the server shows it
// to HTTP clients): the advice is all here.
func TestRecoveryHint(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("search: %w", err) }
	unreachable := fmt.Errorf("%w at http://127.0.0.1:1: connection refused", embed.ErrUnreachable)
	cases := []struct {
		name string
		err  error
		want string // the whole hint, or, with want prefixed "~", a part of it
	}{
		{"damaged", store.ErrCorrupt, "~reportsearch index --rebuild"},
		{"unfinished", &indexer.UnfinishedError{Err: errors.New("e")}, "run the same index command again to finish"},
		{"unknown report", &retrieve.UnknownReportsError{Reports: []string{"x"}}, "see `reportsearch status --reports` for the reports of the collection"},
		{"plain", errors.New("plain"), ""},
		{"nothing indexed", &collection.NotIndexedError{DataDir: "/d"}, "run `reportsearch index PATH...` first"},
		{"no collection at dir", &collection.MissingError{Dir: "/d/c"}, "run `reportsearch index PATH...` first (with the same --model and chunk settings)"},
		{"other chunk settings", &collection.NoMatchingError{DataDir: "/d"}, "`reportsearch collections` lists them; choose one with --collection NAME or `reportsearch collections use NAME`"},
		{"empty", &collection.EmptyError{Name: "old"}, "index some files into it (`reportsearch --collection old index PATH...`), or choose another with --collection NAME; `reportsearch collections` lists them"},
		{"pin gone", &collection.PinError{Name: "gone", DataDir: "/d"}, "pin another with `reportsearch collections use NAME`, or unpin with `reportsearch collections use --auto`"},
		{"pin unreadable", &collection.PinError{DataDir: "/d", Err: errors.New("permission denied")}, "pin one with `reportsearch collections use NAME`, or unpin with `reportsearch collections use --auto`"},
		{"ollama unreachable", unreachable, hintStartOllama},
		{"weaviate unreachable", fmt.Errorf("%w at http://127.0.0.1:1: refused", weaviate.ErrUnreachable), hintStartWeaviate},
		{"search fell back from weaviate", &collection.BackendFallbackError{Err: fmt.Errorf("%w at h", weaviate.ErrUnreachable)}, hintStartWeaviate},
		{"sync failed", &collection.SyncError{Backend: "Weaviate", Err: fmt.Errorf("%w at h", weaviate.ErrUnreachable)}, hintStartWeaviate + "; run the same index command again to sync"},
		{"backend out of sync", &collection.OutOfSyncError{Backend: "Weaviate class C", Store: "weaviate://h:1", Held: 1, Embedded: 2}, "run `reportsearch --store weaviate://h:1 index PATH...` to sync it"},
		{"lexical only, no model installed", &collection.LexicalOnlyError{Err: collection.ErrNoEmbeddingModel}, "for dense search run `reportsearch model pull bge-m3`, then `reportsearch index` again"},
		{"lexical only, Ollama down", &collection.LexicalOnlyError{Err: unreachable}, hintStartOllama + "; then, for dense search, run `reportsearch model pull bge-m3` and `reportsearch index` again"},
		{"lexical only, Ollama down, model kept", &collection.LexicalOnlyError{Err: unreachable, Kept: "bge-m3"}, hintStartOllama},
		{"unfinished, Ollama down", &indexer.UnfinishedError{Err: unreachable}, hintStartOllama + "; run the same index command again to finish"},
	}
	for _, tc := range cases {
		h := recoveryHint(wrap(tc.err))
		if part, ok := strings.CutPrefix(tc.want, "~"); ok && !strings.Contains(h, part) || !ok && h != tc.want {
			t.Errorf("%s: hint %q, want %q", tc.name, h, tc.want)
		}
		if msg := tc.err.Error(); strings.Contains(msg, "reportsearch") || strings.Contains(msg, "`") || strings.Contains(msg, "scripts/") {
			t.Errorf("%s: the library's text %q names a command", tc.name, msg)
		}
	}
	// `collections` shows an error and its hint on one line, as the
	// error's text was before the advice moved here.
	if got := withHint(&collection.EmptyError{Name: "old"}); !strings.HasPrefix(got, "collection old is empty: index some files into it") {
		t.Errorf("withHint: %q", got)
	}
}
