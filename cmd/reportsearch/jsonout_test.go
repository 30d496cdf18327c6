package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// leafCommands are the commands that run something, by their full path.
func leafCommands() map[string]*cli.Command {
	out := map[string]*cli.Command{}
	var walk func(prefix string, cmds []*cli.Command)
	walk = func(prefix string, cmds []*cli.Command) {
		for _, c := range cmds {
			name := strings.TrimSpace(prefix + " " + c.Name)
			if len(c.Subcommands) > 0 {
				walk(name, c.Subcommands)
				continue
			}
			out[name] = c
		}
	}
	walk("", newApp().Commands)
	return out
}

// Issue 11.6: --json everywhere. serve is a server: its answers are JSON.
func TestEveryCommandHasJSON(t *testing.T) {
	for name, c := range leafCommands() {
		if name == "serve" {
			continue
		}
		found := false
		for _, f := range c.Flags {
			for _, n := range f.Names() {
				found = found || n == "json"
			}
		}
		if !found {
			t.Errorf("%s has no --json", name)
		}
	}
}

// Issue 11.6: every command's help shows an example command line.
func TestEveryCommandHasExamples(t *testing.T) {
	for name, c := range leafCommands() {
		_, ex, ok := strings.Cut(c.UsageText, "Examples:")
		found := false
		for _, line := range strings.Split(ex, "\n") {
			line = strings.TrimSpace(line)
			// "reportsearch [global flags] bench index ...": the words of
			// the command in order.
			rest, inOrder := line, strings.HasPrefix(line, "reportsearch ")
			for _, w := range strings.Fields(name) {
				i := strings.Index(rest, " "+w+" ")
				if i < 0 && strings.HasSuffix(rest, " "+w) {
					i = len(rest) - len(w) - 1
				}
				if i < 0 {
					inOrder = false
					break
				}
				rest = rest[i+len(w)+1:]
			}
			found = found || inOrder
		}
		if !ok || !found {
			t.Errorf("%s: the help has no example (UsageText %q)", name, c.UsageText)
		}
	}
}

func TestFormatOf(t *testing.T) {
	flags := func(format string, asJSON bool) (func(string) string, func(string) bool) {
		return func(string) string { return format }, func(string) bool { return asJSON }
	}
	for _, c := range []struct {
		format string
		asJSON bool
		want   string
		bad    bool
	}{
		{"table", false, "table", false},
		{"markdown", false, "markdown", false},
		{"table", true, "json", false}, // --json with the default --format
		{"json", true, "json", false},
		{"markdown", true, "", true},
		{"csv", false, "", true},
	} {
		got, err := formatOf(flags(c.format, c.asJSON))
		if got != c.want || (err != nil) != c.bad {
			t.Errorf("--format %s --json=%v: got %q, %v", c.format, c.asJSON, got, err)
		}
		if err != nil {
			if ue, ok := err.(usageError); !ok || ue.ExitCode() != exitUsage {
				t.Errorf("--format %s --json=%v: want a usage error, got %T", c.format, c.asJSON, err)
			}
		}
	}
}

// The file-only eval commands with --json, through the real binary.
func TestEvalJSONE2E(t *testing.T) {
	data := t.TempDir()
	out := filepath.Join(t.TempDir(), "sq")
	im := rs(t, data, deadOllama, "eval", "import-squad", filepath.Join("..", "..", "eval", "testdata", "squad-mini.json"), out, "--json")
	if ds := decodeJSON[DatasetOutput](t, im.stdout); im.code != 0 || ds.Out != out || ds.Passages == 0 || ds.Questions == 0 || ds.Skipped == nil {
		t.Fatalf("import-squad --json: exit %d %s %s", im.code, im.stderr, im.stdout)
	}

	bad := filepath.Join(t.TempDir(), "q.jsonl")
	if err := os.WriteFile(bad, []byte(`{"id":"q1","query":""}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ck := rs(t, data, deadOllama, "eval", "check", bad, "--json")
	co := decodeJSON[CheckOutput](t, ck.stdout)
	if ck.code != exitFailure || co.OK || co.Errors == 0 || len(co.Issues) == 0 || co.Issues[0].Line != 1 || co.Issues[0].Severity != "error" {
		t.Fatalf("eval check --json on a bad file: exit %d %+v", ck.code, co)
	}
	good := rs(t, data, deadOllama, "eval", "check", filepath.Join("..", "..", "eval", "testdata", "dev.jsonl"), "--json")
	if co := decodeJSON[CheckOutput](t, good.stdout); good.code != 0 || !co.OK || co.Issues == nil {
		t.Fatalf("eval check --json on dev.jsonl: exit %d %s", good.code, good.stdout)
	}
}
