package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/reportsearch/reportsearch/collection"
	"github.com/reportsearch/reportsearch/retrieve"
	"github.com/reportsearch/reportsearch/server"
	"github.com/reportsearch/reportsearch/store"
)

func serveCommand() *cli.Command {
	return &cli.Command{
		Name:  "serve",
		Usage: "HTTP JSON API (POST /search, POST /context, GET /reports, GET /report, GET /healthz, GET /openapi.json) and a search page for analysts at /",
		UsageText: usageText("reportsearch serve [options]",
			"reportsearch serve",
			`reportsearch serve --addr 127.0.0.1:8377 --mode lexical   # then: curl -s 127.0.0.1:8377/search -H 'Content-Type: application/json' -d '{"query":"低空经济"}'; or open http://127.0.0.1:8377/`),
		Flags: append(searchFlags(),
			&cli.StringFlag{Name: "addr", Value: "127.0.0.1:8377", EnvVars: []string{"REPORTSEARCH_ADDR"}, Usage: "listen address (loopback unless you say otherwise)"},
			&cli.DurationFlag{Name: "timeout", Value: 30 * time.Second, Usage: "per-request time limit"},
			&cli.StringSliceFlag{Name: "allowed-host", Usage: "a further name the Host header may carry: NAME (any port) or NAME:PORT; repeatable. " +
				"127.0.0.1, localhost and [::1] with the listening port, and the --addr given, are always allowed; other names get 421"},
		),
		Action: func(c *cli.Context) error {
			s, err := readSettings(c)
			if err != nil {
				return cli.Exit(err, 2)
			}
			def, err := searchOptions(c, 5)
			if err != nil {
				return cli.Exit(err, 2)
			}
			// Pin the folder at start: every reload reads exactly the
			// folder that was opened, never whatever carries the same
			// manifest name (a copied folder is a collection of its own).
			dir, _, err := collection.Choose(s)
			if err != nil {
				return err
			}
			ix, err := collection.OpenDir(c.Context, s, dir)
			if err != nil {
				return err
			}
			first := ix
			srv, err := server.New(c.Context, server.Config{
				Load: func(ctx context.Context) (*retrieve.Index, error) {
					if first != nil {
						x := first
						first = nil
						return x, nil
					}
					return collection.OpenDir(ctx, s, dir)
				},
				Watch: filepath.Join(dir, store.SnapshotName), Defaults: def, RequestTimeout: c.Duration("timeout"), Log: os.Stderr,
				AllowedHosts: append(c.StringSlice("allowed-host"), c.String("addr")),
			})
			if err != nil {
				return err
			}
			l, err := net.Listen("tcp", c.String("addr"))
			if err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "reportsearch: serving %s (%d chunks) on http://%s\n", ix.Manifest.Name, ix.Len(), l.Addr())
			return srv.Serve(c.Context, l)
		},
	}
}
