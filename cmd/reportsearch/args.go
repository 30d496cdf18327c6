package main

// Command-line handling that urfave/cli v2 does not do for us:
//
//   - Flags in any position. v2, like Go's flag package, stops at the first
//     positional argument, so `search "问题" -k 2` would search for
//     `问题 -k 2`. reorderArgs moves every flag in front of the positional
//     arguments of its command, and global flags typed after the command in
//     front of the command, before urfave parses anything. It reads which
//     flags take a value from the app's own definitions, so new commands and
//     flags need nothing here.
//   - One rule for usage errors: exit code 2, a one-line message and a hint
//     naming the command's --help on stderr, nothing on stdout. urfave's own
//     defaults print the whole help to stdout and exit 1 (bad flag) or 3
//     (unknown command).

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/reportsearch/reportsearch/retrieve"
)

// Exit codes of every command (documented in the README).
const (
	exitOK          = 0
	exitFailure     = 1   // the command could not do its work
	exitUsage       = 2   // the command line is wrong; nothing was done
	exitSkipped     = 3   // done, but some input was skipped (index)
	exitNoResults   = 4   // search or context ran and found nothing
	exitInterrupted = 130 // Ctrl-C or SIGTERM
)

// usageError is a mistake in the command line. It is an ExitCoder with
// code 2, like the cli.Exit(…, 2) the actions return.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }
func (e usageError) ExitCode() int { return exitUsage }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

// level is one command on the command line (the app itself first) with the
// flag arguments that belong to it.
type level struct {
	name string     // as typed (a name or an alias); "" for the app
	own  []cli.Flag // the command's flags, which its subcommands inherit
	// help (and the app's version) flags count only where they are typed:
	// `search Q -v` is not the app's --version.
	local []cli.Flag
	subs  []*cli.Command
	// action says whether the command runs something of its own when no
	// subcommand is named (then a positional argument is not a command).
	action bool
	args   []string
}

func appLevel(app *cli.App) *level {
	l := &level{own: app.Flags, subs: app.Commands, action: app.Action != nil}
	if !app.HideHelp && cli.HelpFlag != nil {
		l.local = append(l.local, cli.HelpFlag)
	}
	if !app.HideVersion && cli.VersionFlag != nil {
		l.local = append(l.local, cli.VersionFlag)
	}
	return l
}

func commandLevel(c *cli.Command, typed string) *level {
	l := &level{name: typed, own: c.Flags, subs: c.Subcommands, action: c.Action != nil || len(c.Subcommands) == 0}
	if !c.HideHelp && cli.HelpFlag != nil {
		l.local = append(l.local, cli.HelpFlag)
	}
	return l
}

// findFlag looks name up among flags; takesValue is false for boolean flags.
func findFlag(flags []cli.Flag, name string) (takesValue, ok bool) {
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				if d, ok := f.(cli.DocGenerationFlag); ok {
					return d.TakesValue(), true
				}
				return true, true
			}
		}
	}
	return false, false
}

func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}

// commandPath is how the hint names a command: "reportsearch eval run".
func commandPath(app *cli.App, levels []*level) string {
	parts := []string{app.Name}
	for _, l := range levels[1:] {
		parts = append(parts, l.name)
	}
	return strings.Join(parts, " ")
}

// reorderArgs rewrites args (os.Args) so that urfave/cli v2 sees each flag
// before the positional arguments of the command it belongs to:
//
//	reportsearch search "低空经济" -k 2 --data-dir D
//	→ reportsearch --data-dir D search -k 2 -- 低空经济
//
// A flag belongs to the innermost command named so far that defines it (a
// command's flag shadows a global one of the same name). Positional
// arguments keep their order and go after "--", so none is ever taken for a
// flag; "--" typed by the user ends flags. An unknown flag, a flag without
// its value, or an unknown command is a usage error. It also returns the
// command path ("reportsearch search") for the usage hint, as far as it was
// read.
func reorderArgs(app *cli.App, args []string) ([]string, string, error) {
	if len(args) == 0 {
		return args, app.Name, nil
	}
	levels := []*level{appLevel(app)}
	var positional []string
	dashdash, wantsHelp := false, false
	for i := 1; i < len(args); i++ {
		tok := args[i]
		cur := levels[len(levels)-1]
		if !dashdash && tok == "--" {
			dashdash = true
			continue
		}
		if !dashdash && len(tok) > 1 && tok[0] == '-' {
			name, _, hasValue := strings.Cut(strings.TrimPrefix(tok[1:], "-"), "=")
			var owner *level
			takes := false
			if t, ok := findFlag(cur.local, name); ok {
				owner, takes = cur, t
			}
			for j := len(levels) - 1; j >= 0 && owner == nil; j-- {
				if t, ok := findFlag(levels[j].own, name); ok {
					owner, takes = levels[j], t
				}
			}
			if owner == nil || name == "" || strings.HasPrefix(name, "-") {
				return nil, commandPath(app, levels), unknownFlag(tok, name, levels)
			}
			owner.args = append(owner.args, tok)
			if !takes && isHelpFlag(name) {
				wantsHelp = true
			}
			if takes && !hasValue {
				if i+1 >= len(args) {
					return nil, commandPath(app, levels), usagef("flag %s needs a value", flagDisplay(tok))
				}
				i++
				owner.args = append(owner.args, args[i])
			}
			continue
		}
		// A positional argument: the name of a subcommand while the current
		// command has subcommands and none was named yet.
		if len(cur.subs) > 0 && len(positional) == 0 && !dashdash {
			if tok == "help" && !cur.action {
				return helpArgs(app, args[0], levels, args[i:])
			}
			if sub := findCommand(cur.subs, tok); sub != nil {
				levels = append(levels, commandLevel(sub, tok))
				continue
			}
			if !cur.action {
				return nil, commandPath(app, levels), unknownCommand(tok, cur.subs, commandPath(app, levels))
			}
		}
		positional = append(positional, tok)
	}
	out := joinLevels(args[0], levels)
	// urfave would read the question as a help topic: `search Q --help`
	// asks for search's help.
	if len(positional) > 0 && !wantsHelp {
		out = append(out, "--")
		out = append(out, positional...)
	}
	return out, commandPath(app, levels), nil
}

// helpArgs handles `reportsearch [cmd] help [topic]`, which urfave answers
// with its help command; an unknown topic is a usage error here rather than
// urfave's "No help topic" with exit code 3.
func helpArgs(app *cli.App, prog string, levels []*level, rest []string) ([]string, string, error) {
	path := commandPath(app, levels)
	cur := levels[len(levels)-1]
	if len(rest) > 1 && !strings.HasPrefix(rest[1], "-") && findCommand(cur.subs, rest[1]) == nil {
		return nil, path, unknownCommand(rest[1], cur.subs, path)
	}
	return append(joinLevels(prog, levels), rest...), path, nil
}

// joinLevels is the command line up to the innermost command, each command
// followed by its flags.
func joinLevels(prog string, levels []*level) []string {
	out := []string{prog}
	for i, l := range levels {
		if i > 0 {
			out = append(out, l.name)
		}
		out = append(out, l.args...)
	}
	return out
}

func isHelpFlag(name string) bool {
	if cli.HelpFlag == nil {
		return false
	}
	for _, n := range cli.HelpFlag.Names() {
		if n == name {
			return true
		}
	}
	return false
}

// dashed is a flag name as the help shows it: -k, --budget.
func dashed(name string) string {
	if len([]rune(name)) == 1 {
		return "-" + name
	}
	return "--" + name
}

func flagDisplay(tok string) string {
	name, _, _ := strings.Cut(tok, "=")
	return name
}

func unknownFlag(tok, name string, levels []*level) error {
	var names []string
	for _, l := range levels {
		for _, f := range l.own {
			names = append(names, f.Names()...)
		}
	}
	for _, f := range levels[len(levels)-1].local {
		names = append(names, f.Names()...)
	}
	msg := fmt.Sprintf("unknown flag %s", safeText(flagDisplay(tok)))
	switch s := nearest(name, names); {
	case len(levels[len(levels)-1].subs) > 0:
		msg += "; a subcommand's flags go after its name"
	case s != "":
		msg += fmt.Sprintf(" (did you mean %s?)", dashed(s))
	default:
		msg += "; arguments that start with - go after --"
	}
	return usageError{msg}
}

func unknownCommand(tok string, subs []*cli.Command, path string) error {
	var names []string
	for _, c := range subs {
		if !c.Hidden {
			names = append(names, c.Names()...)
		}
	}
	msg := fmt.Sprintf("%q is not a command of %s", safeText(tok), path)
	if s := nearest(tok, names); s != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", s)
	}
	return usageError{msg}
}

// nearest returns the candidate closest to s by edit distance, if it is
// close enough to be what was meant (at most a third of its letters off).
func nearest(s string, candidates []string) string {
	best, bestD := "", 0
	for _, c := range candidates {
		d := editDistance(strings.ToLower(s), strings.ToLower(c))
		if d*3 > max(len([]rune(c)), 3) {
			continue
		}
		if best == "" || d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// configureApp makes every command follow the usage-error rule: flag
// parsing errors and missing required flags become usageErrors (urfave
// would print the whole help to stdout and exit 1), leaf commands get no
// `help` subcommand (so `search help` searches for "help"), and errors
// come back from RunContext to main instead of urfave exiting by itself.
func configureApp(app *cli.App) {
	app.OnUsageError = onUsageError
	// main reports every error in one place (reportError).
	app.ExitErrHandler = func(*cli.Context, error) {}
	// reorderArgs refuses unknown commands before urfave sees them; this is
	// for any path it does not cover.
	app.CommandNotFound = func(c *cli.Context, name string) {
		fmt.Fprintf(app.ErrWriter, "reportsearch: %q is not a command\n", safeText(name))
		cli.OsExiter(exitUsage)
	}
	var walk func(cmds []*cli.Command)
	walk = func(cmds []*cli.Command) {
		for _, c := range cmds {
			c.OnUsageError = onUsageError
			if len(c.Subcommands) == 0 {
				c.HideHelpCommand = true
			}
			requireFlags(c)
			walk(c.Subcommands)
		}
	}
	walk(app.Commands)
}

func onUsageError(_ *cli.Context, err error, _ bool) error {
	// Go's flag package words it `invalid value "x" for flag -depth: parse
	// error`; name the flag as the help does (--depth).
	msg := strings.TrimSuffix(err.Error(), ": parse error")
	if head, name, ok := strings.Cut(msg, " for flag -"); ok {
		msg = head + " for flag " + dashed(name)
	}
	return usageError{safeText(msg)}
}

// requireFlags moves the check of Required flags into the action, so a
// missing one is a usage error rather than urfave's help dump with exit 1.
func requireFlags(c *cli.Command) {
	var required []string
	for _, f := range c.Flags {
		if r, ok := f.(cli.RequiredFlag); ok && r.IsRequired() {
			required = append(required, f.Names()[0])
			setNotRequired(f)
		}
	}
	if len(required) == 0 || c.Action == nil {
		return
	}
	action := c.Action
	c.Action = func(ctx *cli.Context) error {
		for _, name := range required {
			if !ctx.IsSet(name) {
				return usagef("%s is required", dashed(name))
			}
		}
		return action(ctx)
	}
}

func setNotRequired(f cli.Flag) {
	switch f := f.(type) {
	case *cli.StringFlag:
		f.Required = false
	case *cli.StringSliceFlag:
		f.Required = false
	case *cli.IntFlag:
		f.Required = false
	case *cli.BoolFlag:
		f.Required = false
	case *cli.PathFlag:
		f.Required = false
	case *cli.Float64Flag:
		f.Required = false
	case *cli.DurationFlag:
		f.Required = false
	}
}

// reportError prints err for the user and returns the process's exit code.
// Usage errors get a hint naming the command's help; errors after Ctrl-C
// exit 130. Everything is escaped for the terminal: messages carry file
// names.
func reportError(ctx context.Context, w io.Writer, err error, path string) int {
	if err == nil {
		return exitOK
	}
	code := exitFailure
	msg := err.Error()
	var ec cli.ExitCoder
	switch {
	case errors.As(err, &ec):
		code = ec.ExitCode()
	case errors.Is(err, retrieve.ErrBadRequest):
		code = exitUsage
	case ctx.Err() != nil && errors.Is(err, context.Canceled):
		code, msg = exitInterrupted, "interrupted"
	}
	if msg != "" {
		fmt.Fprintln(w, "reportsearch:", safeText(msg))
	}
	// One hint follows the error: the way out of this error when there is
	// one, else, for a usage error, where the command's help is.
	switch hint := recoveryHint(err); {
	case hint != "":
		fmt.Fprintln(w, "reportsearch:", safeText(hint))
	case code == exitUsage:
		fmt.Fprintf(w, "see '%s --help'\n", safeText(path))
	}
	return code
}
