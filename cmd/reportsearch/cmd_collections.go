package main

// Collection management: list the collections with what search would use,
// pin a default, remove one. Which collection a command uses is decided in
// one place, collection.Choose; this file shows and changes its
// inputs.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"
	"golang.org/x/term"

	"github.com/reportsearch/reportsearch/collection"
	"github.com/reportsearch/reportsearch/progress"
	"github.com/reportsearch/reportsearch/store"

	"github.com/reportsearch/reportsearch/internal/bytesize"
)

// CollectionsOutput is the JSON of `collections --json`: a stable
// interface, documented in the README. Fields are only ever added.
type CollectionsOutput struct {
	DataDir string `json:"data_dir"`
	// Default is the collection a search with these flags would use ("" when
	// it would fail: DefaultError says why), DefaultWhy the rule that chose it.
	Default      string `json:"default"`
	DefaultWhy   string `json:"default_why,omitempty"`
	DefaultError string `json:"default_error,omitempty"`
	// Pinned is the name pinned with `collections use` ("" for none).
	Pinned      string          `json:"pinned,omitempty"`
	Collections []CollectionRow `json:"collections"`
}

// CollectionRow describes one collection.
type CollectionRow struct {
	Name     string `json:"name"`
	Dir      string `json:"dir"`
	Model    string `json:"model"` // "" when indexed without a model
	Dims     int    `json:"dims,omitempty"`
	Chunks   int    `json:"chunks"`
	Embedded int    `json:"embedded"`
	Complete bool   `json:"complete"`
	// Files and Reports, with --files only: from the manifest, or counted
	// from the chunks of a collection last saved by an older reportsearch.
	Files     *int      `json:"files,omitempty"`
	Reports   *int      `json:"reports,omitempty"`
	SizeBytes int64     `json:"size_bytes"`
	Updated   time.Time `json:"updated"`
	Default   bool      `json:"default"`
	Error     string    `json:"error,omitempty"`
}

func collectionsCommand() *cli.Command {
	listFlags := func() []cli.Flag {
		return []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "machine-readable output"},
			&cli.BoolFlag{Name: "files", Usage: "also count files and reports (kept in the manifest; a collection last saved by an older reportsearch is read whole)"},
		}
	}
	list := func(c *cli.Context) error {
		if c.NArg() > 0 {
			return unknownCommand(c.Args().First(), c.Command.Subcommands, "reportsearch collections")
		}
		s, err := readSettings(c)
		if err != nil {
			return cli.Exit(err, 2)
		}
		out, err := listCollections(s, c.Bool("files"))
		if err != nil {
			return err
		}
		if c.Bool("json") {
			return writeJSON(os.Stdout, out)
		}
		printCollections(os.Stdout, out, c.Bool("files"))
		return nil
	}
	return &cli.Command{
		Name:  "collections",
		Usage: "list the collections and which one search uses; pin a default (use), remove one (rm)",
		Description: `With no subcommand, lists the collections: model, chunks, embedded, size, last indexed,
and (*) the one search, context and serve use with these flags.

Search uses: --collection NAME; else the collection of --model M; else the default
pinned with 'collections use NAME'; else the newest non-empty collection made with the
current chunk settings. An empty collection is never chosen by itself.

Examples:
   reportsearch collections
   reportsearch collections use lexical--1a2b3c4d
   reportsearch collections rm old-test --yes`,
		Flags:  listFlags(),
		Action: list,
		Subcommands: []*cli.Command{
			{
				Name:    "list",
				Aliases: []string{"ls"},
				Usage:   "list the collections (the same as plain `collections`)",
				UsageText: usageText("reportsearch collections list [--json]",
					"reportsearch collections list",
					"reportsearch collections list --json"),
				Flags:  listFlags(),
				Action: list,
			},
			{
				Name:      "use",
				Usage:     "pin the collection search, context and serve use when no --collection or --model is given",
				ArgsUsage: "NAME | --auto",
				UsageText: usageText("reportsearch collections use NAME | --auto [--json]",
					"reportsearch collections use zh-charbag-256--1a2b3c4d",
					"reportsearch collections use --auto     # back to the newest non-empty collection"),
				Flags: []cli.Flag{
					jsonFlag(),
					&cli.BoolFlag{Name: "auto", Usage: "unpin: use the newest non-empty collection with the current chunk settings"},
				},
				Action: useAction,
			},
			{
				Name:        "rm",
				Aliases:     []string{"remove"},
				Usage:       "delete a collection (asks on a terminal; --yes otherwise)",
				ArgsUsage:   "NAME...",
				Description: "Refused while an index run is writing the collection. A removed default is unpinned.",
				UsageText: usageText("reportsearch collections rm NAME... [--yes] [--json]",
					"reportsearch collections rm old-test",
					"reportsearch collections rm old-test --yes"),
				Flags: []cli.Flag{
					jsonFlag(),
					&cli.BoolFlag{Name: "yes", Aliases: []string{"y"}, Usage: "do not ask (needed when stdin is not a terminal)"},
				},
				Action: rmAction,
			},
		},
	}
}

// listCollections describes every collection in the data dir and which one
// a search with these settings would use.
func listCollections(s settings, files bool) (CollectionsOutput, error) {
	infos, err := store.List(s.DataDir)
	if err != nil {
		return CollectionsOutput{}, err
	}
	out := CollectionsOutput{DataDir: s.DataDir, Collections: []CollectionRow{}}
	out.Pinned, _ = store.ReadDefault(s.DataDir) // an unreadable pin shows up as DefaultError
	chosen, why, cerr := collection.Choose(s)
	if cerr != nil {
		out.DefaultError = withHint(cerr)
	} else {
		out.Default, out.DefaultWhy = filepath.Base(chosen), whyText(why)
	}
	for _, in := range infos {
		m := in.Manifest
		row := CollectionRow{Name: filepath.Base(in.Dir), Dir: in.Dir, Model: m.Model.Name, Dims: m.Model.Dims,
			Chunks: m.Chunks, Embedded: m.Embedded, Complete: m.Complete, Updated: m.Updated,
			Default: cerr == nil && filepath.Clean(in.Dir) == filepath.Clean(chosen)}
		row.SizeBytes, _ = store.DiskSize(in.Dir)
		if in.Err != nil {
			row.Error = in.Err.Error()
		} else if files {
			nf, nr, err := countFilesReports(in.Dir, in.Manifest)
			if err != nil {
				row.Error = err.Error()
			} else {
				row.Files, row.Reports = &nf, &nr
			}
		}
		out.Collections = append(out.Collections, row)
	}
	// collection.Choose does not open what a flag or the pin names: say here
	// when that search would fail.
	if cerr == nil {
		found := false
		for i, r := range out.Collections {
			if !r.Default {
				continue
			}
			found = true
			switch {
			case r.Error != "":
				out.DefaultError = r.Error
			case r.Chunks == 0:
				out.DefaultError = withHint(&collection.EmptyError{Name: r.Name})
			default:
				continue
			}
			out.Collections[i].Default = false
		}
		if !found {
			out.DefaultError = fmt.Sprintf("no collection %s in %s", out.Default, s.DataDir)
		}
		if out.DefaultError != "" {
			out.Default, out.DefaultWhy = "", ""
		}
	}
	return out, nil
}

// countFilesReports counts the distinct files and reports of a collection's
// chunks: from the manifest, or, for a snapshot written before the
// manifest kept them, from the whole snapshot.
func countFilesReports(dir string, m store.Manifest) (files, reports int, err error) {
	if m.Files > 0 || m.Chunks == 0 {
		return m.Files, m.Reports, nil
	}
	snap, err := store.Load(dir)
	if err != nil {
		return 0, 0, err
	}
	files, reports = store.CountFilesReports(snap.Records)
	return files, reports, nil
}

func printCollections(w io.Writer, out CollectionsOutput, files bool) {
	if len(out.Collections) == 0 {
		fmt.Fprintf(w, "nothing indexed in %s yet: run `reportsearch index PATH...`\n", safeLine(out.DataDir))
		return
	}
	tw := tabwriter.NewWriter(w, 0, 2, 2, ' ', 0)
	head := "\tCOLLECTION\tMODEL\tCHUNKS\tEMBEDDED\t"
	if files {
		head += "FILES\tREPORTS\t"
	}
	fmt.Fprintln(tw, head+"SIZE\tLAST INDEXED")
	for _, r := range out.Collections {
		mark := ""
		if r.Default {
			mark = "*"
		}
		if r.Error != "" {
			fmt.Fprintf(tw, "%s\t%s\tERROR: %s\n", mark, safeLine(r.Name), safeLine(r.Error))
			continue
		}
		model := r.Model
		if model == "" {
			model = "(none)"
		}
		line := fmt.Sprintf("%s\t%s\t%s\t%d\t%d\t", mark, safeLine(r.Name), safeLine(model), r.Chunks, r.Embedded)
		if files && r.Files != nil {
			line += fmt.Sprintf("%d\t%d\t", *r.Files, *r.Reports)
		}
		// No tab after the last cell: tabwriter would pad it with spaces.
		line += fmt.Sprintf("%s\t%s", bytesize.Short(r.SizeBytes), r.Updated.Local().Format("2006-01-02 15:04"))
		if r.Chunks == 0 {
			line += "\tempty"
		} else if !r.Complete && r.Model != "" {
			line += "\tembedding unfinished"
		}
		fmt.Fprintln(tw, line)
	}
	tw.Flush()
	fmt.Fprintln(w)
	switch {
	case out.DefaultError != "":
		fmt.Fprintf(w, "a search with these flags fails: %s\n", safeText(out.DefaultError))
	default:
		fmt.Fprintf(w, "* search uses %s: %s\n", safeLine(out.Default), out.DefaultWhy)
	}
}

func useAction(c *cli.Context) error {
	s, err := readSettings(c)
	if err != nil {
		return cli.Exit(err, 2)
	}
	switch {
	case c.Bool("auto") && c.NArg() > 0:
		return usagef("collections use takes a NAME or --auto, not both")
	case c.Bool("auto"):
		if err := store.SetDefault(s.DataDir, ""); err != nil {
			return err
		}
		s.Name, s.Model = "", "auto" // what a plain search does now
		msg := "unpinned: search uses " + whyText(collection.WhyNewest)
		if dir, _, err := collection.Choose(s); err == nil {
			msg += fmt.Sprintf(" (now %s)", filepath.Base(dir))
		}
		fmt.Fprintln(os.Stderr, "reportsearch:", safeText(msg))
		if c.Bool("json") {
			return writeJSON(os.Stdout, pinResult{Default: ""})
		}
		return nil
	case c.NArg() != 1:
		return usagef("collections use needs one collection NAME (or --auto); `reportsearch collections` lists them")
	}
	name := c.Args().First()
	dir, err := store.Dir(s.DataDir, name)
	if err != nil {
		return usageError{safeText(err.Error())}
	}
	m, err := store.ReadManifest(dir)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("no collection %s in %s: `reportsearch collections` lists them", name, s.DataDir)
	}
	if err != nil {
		return err // damaged: pinning it would only make every search fail
	}
	if err := store.SetDefault(s.DataDir, name); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "reportsearch: search, context and serve now use collection %s (%s) unless --collection or --model says otherwise\n",
		safeLine(name), describeContents(m))
	if m.Chunks == 0 {
		fmt.Fprintln(os.Stderr, "reportsearch:", safeText(withHint(&collection.EmptyError{Name: name})))
	}
	if c.Bool("json") {
		return writeJSON(os.Stdout, pinResult{Default: name, Chunks: m.Chunks})
	}
	return nil
}

// pinResult is `collections use --json`: the pinned default ("" when
// unpinned) and its chunk count.
type pinResult struct {
	Default string `json:"default"`
	Chunks  int    `json:"chunks"`
}

// rmResult is `collections rm --json`: what was removed and what was kept
// (declined at the prompt).
type rmResult struct {
	Removed []string `json:"removed"`
	Kept    []string `json:"kept"`
}

func rmAction(c *cli.Context) error {
	s, err := readSettings(c)
	if err != nil {
		return cli.Exit(err, 2)
	}
	if c.NArg() == 0 {
		return usagef("collections rm needs the NAME of a collection; `reportsearch collections` lists them")
	}
	names := c.Args().Slice()
	for _, name := range names {
		if err := store.ValidateName(name); err != nil {
			return usageError{safeText(err.Error())}
		}
	}
	tty := term.IsTerminal(int(os.Stdin.Fd())) && progress.IsTerminal(os.Stderr)
	if !c.Bool("yes") && !tty {
		return usagef("not removing %s: stdin is not a terminal, so there is no one to ask; add --yes", strings.Join(names, ", "))
	}
	in := bufio.NewReader(os.Stdin)
	res := rmResult{Removed: []string{}, Kept: []string{}}
	for _, name := range names {
		dir, err := store.Dir(s.DataDir, name)
		if err != nil {
			return usageError{safeText(err.Error())}
		}
		if fi, err := os.Lstat(dir); err != nil || !fi.IsDir() {
			return fmt.Errorf("no collection %s in %s: `reportsearch collections` lists them", name, s.DataDir)
		}
		if !c.Bool("yes") {
			ok, err := confirm(in, os.Stderr, fmt.Sprintf("remove collection %s (%s)?", safeLine(name), describeFolder(dir)))
			if err != nil {
				return err
			}
			if !ok {
				fmt.Fprintf(os.Stderr, "reportsearch: kept %s\n", safeLine(name))
				res.Kept = append(res.Kept, name)
				continue
			}
		}
		var dropped string
		drop := func() (err error) {
			dropped, err = dropBackend(c.Context, s.Store, dir)
			if err != nil {
				return fmt.Errorf("not removing %s: dropping its vectors in %s: %w", name, s.Store, err)
			}
			return nil
		}
		if err := store.Remove(s.DataDir, name, drop); err != nil {
			if errors.Is(err, store.ErrLocked) {
				return fmt.Errorf("not removing %s: an index run is writing it (%v)", name, err)
			}
			return err
		}
		res.Removed = append(res.Removed, name)
		if dropped != "" {
			fmt.Fprintf(os.Stderr, "reportsearch: removed %s and its %s\n", safeLine(name), dropped)
			continue
		}
		fmt.Fprintf(os.Stderr, "reportsearch: removed %s\n", safeLine(name))
	}
	if c.Bool("json") {
		return writeJSON(os.Stdout, res)
	}
	return nil
}

// confirm asks question on w and reads the answer from r: yes only for "y"
// or "yes"; anything else, an empty line or the end of input is no.
func confirm(r *bufio.Reader, w io.Writer, question string) (bool, error) {
	fmt.Fprintf(w, "%s [y/N] ", question)
	line, err := r.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return false, err
	}
	if errors.Is(err, io.EOF) && line == "" {
		fmt.Fprintln(w)
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}

// describeFolder says what removing a collection folder deletes.
func describeFolder(dir string) string {
	size, _ := store.DiskSize(dir)
	m, err := store.ReadManifest(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "no snapshot, " + bytesize.Short(size)
	case err != nil:
		return "damaged, " + bytesize.Short(size)
	}
	return fmt.Sprintf("%d chunks, %s", m.Chunks, bytesize.Short(size))
}

// describeContents is the model and size of a collection, as the stderr
// line about the collection that answered says them.
func describeContents(m store.Manifest) string {
	var model string
	switch {
	case m.Model.Name == "":
		model = "lexical only"
	case m.Embedded == 0:
		model = "model " + m.Model.Name + ", no vectors yet"
	default:
		model = "model " + m.Model.Name
	}
	return fmt.Sprintf("%s, %d chunks", model, m.Chunks)
}

// announceCollection says on stderr which collection answered, when stderr
// is a terminal: a person reading results should see which collection they
// came from, since the automatic choice follows whatever was indexed last.
// Scripts read the collection field of --json instead, and a pipe's stderr
// stays free of lines nobody asked for.
func announceCollection(w io.Writer, tty bool, m store.Manifest, why collection.Why) {
	if !tty {
		return
	}
	fmt.Fprintf(w, "reportsearch: searching collection %s (%s; %s)\n", safeLine(m.Name), describeContents(m), whyText(why))
}

// dropBackend deletes the class of the collection in dir from the vector
// store --store names, and returns what it dropped ("Weaviate class NAME"); nothing for the
// in-memory store. Without --store the class (if any) is left: the command
// line does not know where it is.
func dropBackend(ctx context.Context, storeURL, dir string) (string, error) {
	ix, _, err := collection.OpenBackend(ctx, storeURL, dir)
	if err != nil || ix == nil {
		return "", err
	}
	return ix.String(), ix.Drop(ctx)
}

// pinNotice is what index says when it wrote a collection other than the
// pinned default: files just indexed would otherwise seem missing from
// search, which keeps using the pin. "" when there is nothing to say.
func pinNotice(dataDir, wrote string) string {
	pin, err := store.ReadDefault(dataDir)
	if err != nil || pin == "" || pin == wrote {
		return ""
	}
	return fmt.Sprintf("search uses the pinned default collection %s, not %s: search this one with --collection %s, or pin it with `reportsearch collections use %s`", pin, wrote, wrote, wrote)
}
