// Package client is a typed Go client of the reportsearch HTTP API (see
// `reportsearch serve` and server/openapi.json). Requests and responses are
// the server package's types, so a client and the server cannot disagree
// on a field. An answer other than 200 is an *APIError carrying the status
// and, when the server names one, the request field at fault.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/reportsearch/reportsearch/server"
)

// Client talks to one server.
type Client struct {
	base string
	hc   *http.Client
}

// New makes a client of the server at baseURL ("http://127.0.0.1:8377");
// hc nil is http.DefaultClient.
func New(baseURL string, hc *http.Client) (*Client, error) {
	u, err := url.Parse(strings.TrimSpace(baseURL))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("client: want a base URL such as http://127.0.0.1:8377, got %q", baseURL)
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	return &Client{base: strings.TrimRight(u.String(), "/"), hc: hc}, nil
}

// APIError is an answer other than 200.
type APIError struct {
	Status  int    // HTTP status
	Message string // the server's error text (or the start of a body that is not JSON)
	Field   string // the request field at fault, "" when none is named
}

func (e *APIError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("status %d: %s: %s", e.Status, e.Field, e.Message)
	}
	return fmt.Sprintf("status %d: %s", e.Status, e.Message)
}

// Search sends POST /search.
func (c *Client) Search(ctx context.Context, req server.SearchRequest) (*server.SearchResponse, error) {
	return do[server.SearchResponse](ctx, c, http.MethodPost, "/search", req)
}

// Context sends POST /context.
func (c *Client) Context(ctx context.Context, req server.ContextRequest) (*server.ContextResponse, error) {
	return do[server.ContextResponse](ctx, c, http.MethodPost, "/context", req)
}

// Compare sends POST /compare.
func (c *Client) Compare(ctx context.Context, req server.CompareRequest) (*server.CompareResponse, error) {
	return do[server.CompareResponse](ctx, c, http.MethodPost, "/compare", req)
}

// Reports asks GET /reports.
func (c *Client) Reports(ctx context.Context) (*server.ReportsResponse, error) {
	return do[server.ReportsResponse](ctx, c, http.MethodGet, "/reports", nil)
}

// Report asks GET /report?id=CHUNK: the whole report holding the chunk.
func (c *Client) Report(ctx context.Context, chunkID string) (*server.ReportView, error) {
	return do[server.ReportView](ctx, c, http.MethodGet, "/report?"+url.Values{"id": {chunkID}}.Encode(), nil)
}

// Health asks GET /healthz.
func (c *Client) Health(ctx context.Context) (*server.HealthResponse, error) {
	return do[server.HealthResponse](ctx, c, http.MethodGet, "/healthz", nil)
}

// do sends a request and decodes its answer into a new T.
func do[T any](ctx context.Context, c *Client, method, path string, body any) (*T, error) {
	var out T
	if err := c.Do(ctx, method, path, body, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Do sends one request to path and decodes a 200 answer into out (read and
// dropped when out is nil, as a load test wants). body nil sends none; a
// []byte body is sent as it is (already JSON); anything else is encoded.
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		r = bytes.NewReader(b)
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			return err
		}
		r = bytes.NewReader(enc)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, r)
	if err != nil {
		return err
	}
	if r != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		e := &APIError{Status: resp.StatusCode}
		var er server.ErrorResponse
		if json.Unmarshal(raw, &er) == nil && er.Error != "" {
			e.Message, e.Field = er.Error, er.Field
		} else {
			e.Message = strings.TrimSpace(clip(string(raw), 200))
		}
		return e
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("%s %s: decoding the answer: %w", method, path, err)
	}
	return nil
}

// clip shortens s to at most n bytes on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8Start(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }
