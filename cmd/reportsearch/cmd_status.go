package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/reportsearch/reportsearch/collection"
	"github.com/reportsearch/reportsearch/retrieve"
	"github.com/reportsearch/reportsearch/store"
)

// StatusOutput is the JSON of `status --json`.
type StatusOutput struct {
	DataDir     string             `json:"data_dir"`
	Collections []CollectionStatus `json:"collections"`
}

// CollectionStatus describes one stored collection.
type CollectionStatus struct {
	store.Manifest
	Dir   string `json:"dir"`
	Error string `json:"error,omitempty"`
}

func statusCommand() *cli.Command {
	return &cli.Command{
		Name:  "status",
		Usage: "show what is indexed, with which model and settings",
		UsageText: usageText("reportsearch status [options]",
			"reportsearch status --reports",
			"reportsearch status --json"),
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "machine-readable output"},
			&cli.BoolFlag{Name: "reports", Usage: "also list the reports of the collection search would use"},
			&cli.BoolFlag{Name: "quick", Usage: "read only each collection's manifest, without verifying the checksum of the whole snapshot"},
		},
		Action: func(c *cli.Context) error {
			s, err := readSettings(c)
			if err != nil {
				return cli.Exit(err, 2)
			}
			infos, err := store.List(s.DataDir)
			if err != nil {
				return err
			}
			out := StatusOutput{DataDir: s.DataDir, Collections: []CollectionStatus{}}
			var damaged []string
			for _, in := range infos {
				if in.Err == nil && !c.Bool("quick") {
					// One streaming pass over the file, decoding nothing:
					// damage is found at disk speed in constant memory.
					_, in.Err = store.Check(in.Dir)
				}
				cs := CollectionStatus{Manifest: in.Manifest, Dir: in.Dir}
				cs.Name = in.Name
				if in.Err != nil {
					cs.Error = in.Err.Error()
					damaged = append(damaged, safeLine(in.Name))
				}
				out.Collections = append(out.Collections, cs)
			}
			// Listing damage is not success: scripts see exit 1, after the
			// whole list was printed.
			var damageErr error
			if len(damaged) > 0 {
				damageErr = cli.Exit(fmt.Sprintf("%d collection(s) cannot be read: %s; %s", len(damaged), strings.Join(damaged, ", "),
					"recover each with `reportsearch --collection NAME index --rebuild PATH...`, which rewrites it from the source files (a snapshot that is not a regular file is moved aside, not deleted); rename a folder whose name is not a valid collection name"), 1)
			}
			if c.Bool("json") && !c.Bool("reports") {
				if err := writeJSON(os.Stdout, out); err != nil {
					return err
				}
				return damageErr
			}
			if !c.Bool("json") {
				if len(infos) == 0 {
					fmt.Printf("nothing indexed in %s yet: run `reportsearch index PATH...`\n", s.DataDir)
					return nil
				}
				tw := tabwriter.NewWriter(os.Stdout, 0, 2, 2, ' ', 0)
				fmt.Fprintln(tw, "COLLECTION\tMODEL\tDIMS\tCHUNKS\tEMBEDDED\tCOMPLETE\tLEXICAL\tUPDATED")
				for _, cs := range out.Collections {
					if cs.Error != "" {
						fmt.Fprintf(tw, "%s\tERROR: %s\n", safeLine(cs.Name), safeLine(cs.Error))
						continue
					}
					m := cs.Manifest
					model := m.Model.Name
					if model == "" {
						model = "(none)"
					}
					fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%v\t%s\t%s\n", safeLine(m.Name), safeLine(model), m.Model.Dims, m.Chunks, m.Embedded, m.Complete, m.Lexical, m.Updated.Local().Format("2006-01-02 15:04"))
				}
				tw.Flush()
			}
			if c.Bool("reports") {
				ix, _, err := collection.Open(c.Context, s)
				if err != nil {
					return err
				}
				if c.Bool("json") {
					return writeJSON(os.Stdout, ix.Reports())
				}
				fmt.Printf("\nreports in %s:\n", safeLine(ix.Manifest.Name))
				years := map[int]bool{}
				for _, r := range ix.Reports() {
					y := "    "
					if r.Year != 0 {
						y = strconv.Itoa(r.Year)
						years[r.Year] = true
					}
					fmt.Printf("  %-28s %s  %-34s %4d chunks\n", safeLine(r.Key), y, safeLine(r.Title), r.Chunks)
				}
				fmt.Printf("years: %s\n", retrieve.YearList(years))
			}
			return damageErr
		},
	}
}
