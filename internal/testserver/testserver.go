// Package testserver starts a real reportsearch HTTP server over an index
// on a loopback port, for the tests of packages that talk to it (the Go
// client, the load benchmark). The server stops, and its Serve error is
// checked, when the test ends.
package testserver

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/reportsearch/reportsearch/retrieve"
	"github.com/reportsearch/reportsearch/server"
)

// Start serves ix on 127.0.0.1 and returns the base URL ("http://host:port").
func Start(tb testing.TB, ix *retrieve.Index) string {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	srv, err := server.New(ctx, server.Config{Load: func(context.Context) (*retrieve.Index, error) { return ix, nil }, RequestTimeout: time.Minute})
	if err != nil {
		cancel()
		tb.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		cancel()
		tb.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, l) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("Serve: %v", err)
		}
	})
	return "http://" + l.Addr().String()
}
