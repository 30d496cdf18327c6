package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/reportsearch/reportsearch/indexer"
	"github.com/reportsearch/reportsearch/retrieve"
	"github.com/reportsearch/reportsearch/store"
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
		{live, fmt.Errorf("%w: no report matches %q", retrieve.ErrBadRequest, "火星"), 2, "reportsearch: no report matches \"火星\"\nsee 'reportsearch search --help'\n"},
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
// out, and the hint says nothing for errors it has no remedy for.
func TestRecoveryHint(t *testing.T) {
	if h := recoveryHint(store.ErrCorrupt); !strings.Contains(h, "reportsearch index --rebuild") {
		t.Errorf("damaged: %q", h)
	}
	if h := recoveryHint(fmt.Errorf("x: %w", &indexer.UnfinishedError{Err: errors.New("e")})); h != "run the same index command again to finish" {
		t.Errorf("unfinished: %q", h)
	}
	if h := recoveryHint(&retrieve.UnknownReportsError{Reports: []string{"x"}}); !strings.Contains(h, "reportsearch status --reports") {
		t.Errorf("unknown report: %q", h)
	}
	if h := recoveryHint(errors.New("plain")); h != "" {
		t.Errorf("plain error: %q", h)
	}
}
