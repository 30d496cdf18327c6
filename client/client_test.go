package client_test

import (
	"context"
	"errors"
	"fmt"
	"github.com/reportsearch/reportsearch/internal/testserver"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reportsearch/reportsearch/chunk"
	"github.com/reportsearch/reportsearch/client"
	"github.com/reportsearch/reportsearch/collection"
	"github.com/reportsearch/reportsearch/indexer"
	"github.com/reportsearch/reportsearch/retrieve"
	"github.com/reportsearch/reportsearch/server"
)

// served runs a real server over a small lexical collection and returns a
// client of it.
func served(t *testing.T) *client.Client {
	t.Helper()
	src := t.TempDir()
	for _, city := range []string{"北京市", "上海市"} {
		var b strings.Builder
		fmt.Fprintf(&b, "%s2024年政府工作报告\n\n", city)
		for i := range 20 {
			fmt.Fprintf(&b, "第%d项，%s坚持稳中求进，稳增长、稳就业、稳物价，推动经济持续回升向好，城镇新增就业%d万人。\n\n", i+1, city, 20+i)
		}
		if err := os.WriteFile(filepath.Join(src, city+".txt"), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := collection.Settings{DataDir: t.TempDir(), Name: "tiny", Model: "auto", Chunk: chunk.DefaultOptions()}
	res, err := collection.Index(context.Background(), s, []string{src}, collection.IndexOptions{
		ContextHeader: true, Lexical: indexer.DefaultLexical, Use: &collection.Embedding{}})
	if err != nil {
		t.Fatal(err)
	}
	ix, err := collection.OpenDir(context.Background(), s, res.Dir)
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.New(testserver.Start(t, ix), &http.Client{Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Every endpoint answers the client with its typed response.
func TestClientEndpoints(t *testing.T) {
	c := served(t)
	ctx := context.Background()
	h, err := c.Health(ctx)
	if err != nil || h.Status != "ok" || h.Collection != "tiny" || h.Chunks == 0 || h.Embedded != 0 {
		t.Fatalf("Health = %+v, %v", h, err)
	}
	k, mode := 3, "lexical"
	sr, err := c.Search(ctx, server.SearchRequest{Query: "稳就业", K: &k, Mode: &mode})
	if err != nil || len(sr.Results) != 3 || sr.Mode != retrieve.Lexical || sr.Collection != "tiny" {
		t.Fatalf("Search = %+v, %v", sr, err)
	}
	cr, err := c.Context(ctx, server.ContextRequest{SearchRequest: server.SearchRequest{Query: "稳就业", Mode: &mode}})
	if err != nil || cr.Prompt == "" || !strings.Contains(cr.Prompt, "稳就业") {
		t.Fatalf("Context = %+v, %v", cr, err)
	}
	rr, err := c.Reports(ctx)
	if err != nil || len(rr.Reports) != 2 {
		t.Fatalf("Reports = %+v, %v", rr, err)
	}
	rv, err := c.Report(ctx, sr.Results[0].ID)
	if err != nil || rv.ID != sr.Results[0].ID || len(rv.Chunks) == 0 {
		t.Fatalf("Report = %+v, %v", rv, err)
	}
	cmp, err := c.Compare(ctx, server.CompareRequest{Query: "稳就业", Mode: &mode})
	if err != nil || len(cmp.Rows) != 2 {
		t.Fatalf("Compare = %+v, %v", cmp, err)
	}
}

// A refused request is an *APIError with the status and the field at fault.
func TestClientAPIError(t *testing.T) {
	c := served(t)
	k := 0
	_, err := c.Search(context.Background(), server.SearchRequest{Query: "稳就业", K: &k})
	var ae *client.APIError
	if !errors.As(err, &ae) || ae.Status != 400 || ae.Field != "k" || ae.Message == "" {
		t.Fatalf("k=0: %#v, want a 400 APIError naming field k", err)
	}
	if _, err := c.Report(context.Background(), "no-such-chunk"); !errors.As(err, &ae) || ae.Status != 404 {
		t.Fatalf("unknown chunk: %v, want a 404 APIError", err)
	}
	if _, err := client.New("127.0.0.1:8377", nil); err == nil {
		t.Fatal("New accepted a base URL with no scheme")
	}
}
