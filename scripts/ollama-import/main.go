// Command ollama-import creates an Ollama model from a local Hugging Face /
// sentence-transformers folder, keeping nested file names apart (see
// embed.ImportModel). scripts/ollama-up.sh uses it so that the test server
// can be prepared without the reportsearch command.
//
//	go run ./scripts/ollama-import [-host HOST] [-if-missing] DIR NAME
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"

	"github.com/reportsearch/reportsearch/embed"
)

func main() {
	host := flag.String("host", os.Getenv("OLLAMA_HOST"), "Ollama server (OLLAMA_HOST syntax)")
	ifMissing := flag.Bool("if-missing", false, "do nothing when the server already has NAME")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: ollama-import [-host HOST] [-if-missing] DIR NAME")
		os.Exit(2)
	}
	dir, name := flag.Arg(0), flag.Arg(1)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *host, dir, name, *ifMissing); err != nil {
		fmt.Fprintln(os.Stderr, "ollama-import:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, host, dir, name string, ifMissing bool) error {
	if ifMissing {
		models, err := embed.ListModels(ctx, host)
		if err != nil {
			return err
		}
		for _, m := range models {
			if m.Name == name || m.Name == name+":latest" {
				return nil
			}
		}
	}
	client, err := embed.NewClient(host)
	if err != nil {
		return err
	}
	if err := embed.ImportModel(ctx, client, dir, name, os.Stderr); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "ollama-import: created %s from %s\n", name, dir)
	return nil
}
