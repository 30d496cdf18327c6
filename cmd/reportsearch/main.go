// Command reportsearch indexes Chinese government work reports and answers
// questions over them by meaning (dense), by words (lexical BM25), or both.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/urfave/cli/v2"

	"github.com/reportsearch/reportsearch/chunk"
)

// version is set by the build (-ldflags "-X main.version=...").
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args)
	stop()
	os.Exit(code)
}

// run runs the command line args and returns the exit code; every error is
// reported here, in one place (see reportError for the exit codes).
func run(ctx context.Context, args []string) int {
	app := newApp()
	configureApp(app)
	args, path, err := reorderArgs(app, args)
	if err == nil {
		err = app.RunContext(ctx, args)
	}
	return reportError(ctx, os.Stderr, err, path)
}

func newApp() *cli.App {
	return &cli.App{
		Name:    "reportsearch",
		Usage:   "semantic search over Chinese government work reports (政府工作报告)",
		Version: version,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "data-dir", EnvVars: []string{"REPORTSEARCH_DATA"}, Value: defaultDataDir(),
				Usage: "where collections are stored"},
			&cli.StringFlag{Name: "ollama-host", EnvVars: []string{"OLLAMA_HOST"}, Value: "127.0.0.1:11434",
				Usage: "Ollama server (host:port or URL)"},
			&cli.StringFlag{Name: "model", EnvVars: []string{"REPORTSEARCH_MODEL"}, Value: "auto",
				Usage: "embedding model served by Ollama; auto picks an installed one (bge-m3, qwen3-embedding, ...), and search uses the newest collection"},
			&cli.StringFlag{Name: "collection", EnvVars: []string{"REPORTSEARCH_COLLECTION"},
				Usage: "collection name (default: derived from model and chunker settings)"},
			storeFlag(),
			&cli.IntFlag{Name: "max-runes", Value: chunk.DefaultOptions().MaxRunes, Usage: "longest chunk, in characters"},
			&cli.IntFlag{Name: "min-runes", Value: chunk.DefaultOptions().MinRunes, Usage: "shorter paragraphs are merged into a neighbour"},
		},
		Commands: []*cli.Command{
			indexCommand(),
			searchCommand(),
			compareCommand(),
			trendCommand(),
			contextCommand(),
			showCommand(),
			statusCommand(),
			collectionsCommand(),
			serveCommand(),
			modelCommand(),
			evalCommand(),
			benchCommand(),
		},
	}
}

// defaultDataDir follows the XDG base directory convention.
func defaultDataDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "reportsearch")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "share", "reportsearch")
	}
	return ".reportsearch"
}

// writeJSON prints v as indented JSON, the machine interface of every
// command. Characters a terminal would act on are \u-escaped (encoding/json
// escapes C0 controls but leaves DEL, C1 and bidi controls raw).
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(escapeJSONForTerminal(buf.Bytes()))
	return err
}
