package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/reportsearch/reportsearch/embed"
)

// modelCommand manages the embedding models of the Ollama server named by
// the global --ollama-host flag (OLLAMA_HOST).
func modelCommand() *cli.Command {
	return &cli.Command{
		Name:        "model",
		Usage:       "manage embedding models on the Ollama server",
		Subcommands: []*cli.Command{modelPullCommand(), modelImportCommand(), modelListCommand(), modelInfoCommand()},
	}
}

func modelPullCommand() *cli.Command {
	return &cli.Command{
		Name:      "pull",
		Usage:     "download a model from the Ollama registry (e.g. bge-m3, qwen3-embedding:0.6b)",
		ArgsUsage: "NAME",
		UsageText: usageText("reportsearch model pull [options] NAME",
			"reportsearch model pull bge-m3",
			"reportsearch --ollama-host 127.0.0.1:11500 model pull qwen3-embedding:0.6b --json"),
		Flags: []cli.Flag{&cli.BoolFlag{Name: "json", Usage: "machine-readable output (progress stays on stderr)"}},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return cli.Exit("usage: reportsearch model pull NAME", 2)
			}
			client, err := embed.NewClient(ollamaHost(c))
			if err != nil {
				return err
			}
			name := c.Args().First()
			if err := embed.PullModel(c.Context, client, name, os.Stderr); err != nil {
				return err
			}
			if c.Bool("json") {
				return writeModelJSON(c.App.Writer, name, "pulled", "")
			}
			fmt.Fprintf(c.App.Writer, "pulled %s\n", name)
			return nil
		},
	}
}

func modelImportCommand() *cli.Command {
	return &cli.Command{
		Name:      "import",
		Usage:     "create a model from a local Hugging Face / sentence-transformers folder",
		ArgsUsage: "DIR NAME",
		UsageText: usageText("reportsearch model import [options] DIR NAME",
			"reportsearch model import ../shared/models/zh-charbag-256 zh-charbag-256"),
		Flags: []cli.Flag{&cli.BoolFlag{Name: "json", Usage: "machine-readable output (progress stays on stderr)"}},
		Action: func(c *cli.Context) error {
			if c.NArg() != 2 {
				return cli.Exit("usage: reportsearch model import DIR NAME", 2)
			}
			dir, name := c.Args().Get(0), c.Args().Get(1)
			if st, err := os.Stat(dir); err != nil || !st.IsDir() {
				return cli.Exit(fmt.Sprintf("model import: %s is not a folder", dir), 2)
			}
			client, err := embed.NewClient(ollamaHost(c))
			if err != nil {
				return err
			}
			if err := embed.ImportModel(c.Context, client, dir, name, os.Stderr); err != nil {
				return err
			}
			if c.Bool("json") {
				return writeModelJSON(c.App.Writer, name, "imported", filepath.Clean(dir))
			}
			fmt.Fprintf(c.App.Writer, "imported %s as %s\n", filepath.Clean(dir), name)
			return nil
		},
	}
}

func modelListCommand() *cli.Command {
	return &cli.Command{
		Name:  "list",
		Usage: "list the models installed on the server",
		UsageText: usageText("reportsearch model list [options]",
			"reportsearch model list",
			"reportsearch model list --json"),
		Flags: []cli.Flag{&cli.BoolFlag{Name: "json", Usage: "print JSON"}},
		Action: func(c *cli.Context) error {
			models, err := embed.ListModels(c.Context, ollamaHost(c))
			if err != nil {
				return err
			}
			if c.Bool("json") {
				return writeJSON(c.App.Writer, models)
			}
			tw := tabwriter.NewWriter(c.App.Writer, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tDIGEST\tSIZE\tFAMILY\tMODIFIED")
			for _, m := range models {
				digest := strings.TrimPrefix(m.Digest, "sha256:")
				fmt.Fprintf(tw, "%s\t%s\t%.1f MB\t%s\t%s\n", m.Name, digest[:min(12, len(digest))],
					float64(m.Size)/1e6, m.Details.Family, m.ModifiedAt.Format(time.DateTime))
			}
			return tw.Flush()
		},
	}
}

func modelInfoCommand() *cli.Command {
	return &cli.Command{
		Name:      "info",
		Usage:     "show how a model embeds: digest, dimensions, prefixes, text form (asks the server)",
		ArgsUsage: "NAME",
		UsageText: usageText("reportsearch model info [options] NAME",
			"reportsearch model info bge-m3",
			"reportsearch model info zh-charbag-256 --text-form raw"),
		Flags: []cli.Flag{&cli.StringFlag{Name: "text-form", Value: "auto",
			Usage: "raw, ascii-punct or auto (ascii-punct for WordPiece models)"},
			&cli.BoolFlag{Name: "json", Usage: "accepted for scripts that pass it everywhere: the output is always JSON"}},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return cli.Exit("usage: reportsearch model info NAME", 2)
			}
			form, err := embed.ParseTextForm(c.String("text-form"))
			if err != nil {
				return cli.Exit(err.Error(), 2)
			}
			opts := embed.DefaultOllamaOptions()
			opts.TextForm = form
			o, err := embed.NewOllama(ollamaHost(c), c.Args().First(), opts)
			if err != nil {
				return err
			}
			info, err := o.Info(c.Context)
			if err != nil {
				return err
			}
			return writeJSON(c.App.Writer, info)
		},
	}
}

// ollamaHost reads the global --ollama-host flag (which also reads
// OLLAMA_HOST); an empty value means Ollama's default address.
func ollamaHost(c *cli.Context) string {
	if h := c.String("ollama-host"); h != "" {
		return h
	}
	if h := os.Getenv("OLLAMA_HOST"); h != "" {
		return h
	}
	return embed.DefaultHost
}
