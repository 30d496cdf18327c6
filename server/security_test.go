package server_test

// What keeps web pages and slow clients from misusing a server: the Host
// check (DNS rebinding), the Content-Type check (cross-site "simple"
// requests), no CORS headers, exact paths, the warning for a listener
// beyond loopback, and 408 for a body that does not arrive.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/reportsearch/reportsearch/retrieve"
	"github.com/reportsearch/reportsearch/server"
)

// sendHost sends a request with the given Host header (and Content-Type
// application/json when there is a body).
func sendHost(t *testing.T, method, url, host, body string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

func errorBody(t *testing.T, what string, h http.Header, b []byte) string {
	t.Helper()
	var e server.ErrorResponse
	if !strings.HasPrefix(h.Get("Content-Type"), "application/json") || json.Unmarshal(b, &e) != nil || e.Error == "" {
		t.Errorf("%s: not a JSON error (%s): %.200s", what, h.Get("Content-Type"), b)
	}
	return e.Error
}

func TestHostHeader(t *testing.T) {
	_, ix := tinyIndex(t)
	r := serve(t, server.Config{
		Load:         func(context.Context) (*retrieve.Index, error) { return ix, nil },
		AllowedHosts: []string{"Reports.Example", "pinned.example:9", "[fd00::1]"},
	}, nil)
	_, port, _ := net.SplitHostPort(r.addr)
	allowed := []string{"127.0.0.1:" + port, "localhost:" + port, "LOCALHOST:" + port, "[::1]:" + port,
		"reports.example", "reports.example:" + port, "reports.example:1234", "pinned.example:9", "[fd00::1]:" + port}
	refused := []string{"attacker.example", "attacker.example:" + port, "localhost", "localhost:1", "127.0.0.1:1",
		"127.0.0.1", "pinned.example", "pinned.example:" + port, "reports.example.attacker.example", "evil.reports.example",
		"127.0.0.2:" + port, "[::1]:1"}
	for _, host := range allowed {
		for _, ep := range []struct{ method, path, body string }{{"GET", "/healthz", ""}, {"POST", "/search", `{"query":"稳增长"}`}} {
			if code, _, b := sendHost(t, ep.method, r.base+ep.path, host, ep.body); code != 200 {
				t.Errorf("Host %s: %s %s answers %d, want 200: %s", host, ep.method, ep.path, code, b)
			}
		}
	}
	for _, host := range refused {
		for _, ep := range []struct{ method, path, body string }{{"GET", "/healthz", ""}, {"POST", "/search", `{"query":"稳增长"}`},
			{"GET", "/openapi.json", ""}, {"GET", "/nowhere", ""}} {
			code, h, b := sendHost(t, ep.method, r.base+ep.path, host, ep.body)
			if code != http.StatusMisdirectedRequest {
				t.Errorf("Host %s: %s %s answers %d, want 421: %.200s", host, ep.method, ep.path, code, b)
				continue
			}
			if msg := errorBody(t, "Host "+host, h, b); !strings.Contains(msg, host) {
				t.Errorf("Host %s: the error does not name the host: %s", host, msg)
			}
		}
	}
}

func TestContentTypeAndNoCORS(t *testing.T) {
	r, _ := tinyServer(t)
	body := `{"query":"稳增长"}`
	// What a web page can send cross-site without a preflight, and other
	// types that are not this API's.
	for _, ct := range []string{"text/plain", "text/plain; charset=utf-8", "application/x-www-form-urlencoded",
		"multipart/form-data; boundary=x", "", "application/json; charset=latin1", "application/json; charset=utf-8; x=y",
		"application/json-patch+json", "application/jsonp", "json", "application/json;;"} {
		for _, path := range []string{"/search", "/context"} {
			req, _ := http.NewRequest("POST", r.base+path, strings.NewReader(body))
			if ct != "" {
				req.Header.Set("Content-Type", ct)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnsupportedMediaType {
				t.Errorf("Content-Type %q on %s: %d, want 415: %.200s", ct, path, resp.StatusCode, b)
				continue
			}
			errorBody(t, "Content-Type "+ct, resp.Header, b)
		}
	}
	// No Access-Control-* header on any answer: a preflight (OPTIONS)
	// fails, and a page of another origin cannot read what it sent.
	for _, c := range []struct{ method, path, body string }{
		{"OPTIONS", "/search", ""}, {"OPTIONS", "/context", ""}, {"OPTIONS", "/healthz", ""}, {"OPTIONS", "/", ""},
		{"POST", "/search", body}, {"POST", "/context", body}, {"GET", "/reports", ""}, {"GET", "/healthz", ""},
		{"GET", "/openapi.json", ""}, {"POST", "/search", `{"query":""}`}, {"GET", "/nowhere", ""},
	} {
		req, _ := http.NewRequest(c.method, r.base+c.path, strings.NewReader(c.body))
		req.Header.Set("Origin", "http://attacker.example")
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "content-type")
		if c.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for k := range resp.Header {
			if strings.HasPrefix(strings.ToLower(k), "access-control-") {
				t.Errorf("%s %s: CORS header %s: %s", c.method, c.path, k, resp.Header.Get(k))
			}
		}
		if c.method == "OPTIONS" {
			if resp.StatusCode != http.StatusMethodNotAllowed && resp.StatusCode != http.StatusNotFound {
				t.Errorf("OPTIONS %s: %d, want 405 (or 404)", c.path, resp.StatusCode)
			}
			errorBody(t, "OPTIONS "+c.path, resp.Header, b)
		}
	}
}

// rawRequest writes a request line and headers as given (no client
// cleans the path) and reads the answer.
func rawRequest(t *testing.T, addr, requestLine, body string) *http.Response {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(time.Minute)) // against a hang, not a speed check
	req := fmt.Sprintf("%s\r\nHost: %s\r\nConnection: close\r\n", requestLine, addr)
	if body != "" {
		req += fmt.Sprintf("Content-Type: application/json\r\nContent-Length: %d\r\n", len(body))
	}
	if _, err := io.WriteString(conn, req+"\r\n"+body); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%s: %v", requestLine, err)
	}
	return resp
}

func TestUncleanPathsAreJSON404(t *testing.T) {
	r, _ := tinyServer(t)
	for _, line := range []string{"GET //search HTTP/1.1", "POST //search HTTP/1.1", "GET /../../etc/passwd HTTP/1.1",
		"GET /./healthz HTTP/1.1", "GET /healthz/ HTTP/1.1", "GET /healthz/. HTTP/1.1", "GET /x/../healthz HTTP/1.1",
		"GET //healthz HTTP/1.1", "GET /%2e%2e/healthz HTTP/1.1", "GET /search/ HTTP/1.1"} {
		body := ""
		if strings.HasPrefix(line, "POST") {
			body = `{"query":"稳增长"}`
		}
		resp := rawRequest(t, r.addr, line, body)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Errorf("%s: %d, want 404: %.200s", line, resp.StatusCode, b)
		}
		if loc := resp.Header.Get("Location"); loc != "" {
			t.Errorf("%s: redirects to %s", line, loc)
		}
		errorBody(t, line, resp.Header, b)
	}
	// The clean paths still answer.
	for _, line := range []string{"GET /healthz HTTP/1.1", "GET /reports HTTP/1.1"} {
		if resp := rawRequest(t, r.addr, line, ""); resp.StatusCode != 200 {
			t.Errorf("%s: %d", line, resp.StatusCode)
		}
	}
}

// wideListener is a loopback listener that reports the unspecified
// address, as one opened on 0.0.0.0 would: the test stays on 127.0.0.1.
type wideListener struct{ net.Listener }

func (l wideListener) Addr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4zero, Port: l.Listener.Addr().(*net.TCPAddr).Port}
}

func TestWarnsBeyondLoopback(t *testing.T) {
	_, ix := tinyIndex(t)
	load := func(context.Context) (*retrieve.Index, error) { return ix, nil }
	for _, wide := range []bool{false, true} {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		var ln net.Listener = l
		if wide {
			ln = wideListener{l}
		}
		var log syncBuffer
		r := serve(t, server.Config{Load: load, Log: &log}, ln)
		// Serve has logged what it logs at start once it answers.
		if code, _, b := call(t, "GET", r.base+"/healthz", ""); code != 200 {
			t.Fatalf("healthz: %d %s", code, b)
		}
		warned := strings.Contains(log.String(), "warning") && strings.Contains(log.String(), "beyond this machine")
		if warned != wide {
			t.Errorf("listening on %s: warned %v, want %v; log: %q", ln.Addr(), warned, wide, log.String())
		}
	}
}

func TestSlowBodyGets408(t *testing.T) {
	_, ix := tinyIndex(t)
	// A short read timeout keeps the test short; nothing here depends on
	// how long anything takes.
	r := serve(t, server.Config{Load: func(context.Context) (*retrieve.Index, error) { return ix, nil },
		ReadTimeout: time.Second}, nil)
	body := `{"query":"稳增长","k":3}`
	for _, path := range []string{"/search", "/context"} {
		conn, err := net.Dial("tcp", r.addr)
		if err != nil {
			t.Fatal(err)
		}
		conn.SetDeadline(time.Now().Add(time.Minute)) // against a hang
		// Headers and half the body, then nothing more.
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
			path, r.addr, len(body), body[:len(body)/2])
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("%s: no answer to a stalled body: %v", path, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		conn.Close()
		if resp.StatusCode != http.StatusRequestTimeout {
			t.Errorf("%s: stalled body answered %d, want 408: %s", path, resp.StatusCode, b)
			continue
		}
		if msg := errorBody(t, path, resp.Header, b); strings.Contains(msg, "JSON") {
			t.Errorf("%s: the 408 blames the JSON: %s", path, msg)
		}
	}
	// A whole body in time is unaffected.
	if code, _, b := call(t, "POST", r.base+"/search", body); code != 200 {
		t.Errorf("a prompt body: %d %s", code, b)
	}
}
