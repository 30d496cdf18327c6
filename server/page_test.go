package server_test

// The analysts' page (package web) as the server answers it, and GET
// /report, which the page's reading view uses.

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/reportsearch/reportsearch/server"
	"github.com/reportsearch/reportsearch/store"
	"github.com/reportsearch/reportsearch/web"
)

func TestPageRoutes(t *testing.T) {
	r, _ := lexicalServer(t)
	code, h, b := call(t, "GET", r.base+"/", "")
	if code != 200 || !strings.HasPrefix(h.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /: %d %q", code, h.Get("Content-Type"))
	}
	page := string(b)
	for _, bad := range []*regexp.Regexp{
		regexp.MustCompile(`<script(\s[^>]*)?>[^<]`), // an inline script
		regexp.MustCompile(`(?i)\son[a-z]+\s*=`),     // an inline event handler
		regexp.MustCompile(`(?i)\sstyle\s*=|<style`), // inline styles
		regexp.MustCompile(`(?i)https?://`),          // anything from elsewhere (CDN)
	} {
		if m := bad.FindString(page); m != "" {
			t.Errorf("the page holds %q, which the CSP forbids or which needs the network", m)
		}
	}
	assets := regexp.MustCompile(`(?:src|href)="(/assets/[^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(assets) != 2 {
		t.Fatalf("the page links %d assets, want the script and the stylesheet", len(assets))
	}
	paths := []string{"/"}
	for _, a := range assets {
		paths = append(paths, a[1])
	}
	for _, p := range paths {
		code, h, b := call(t, "GET", r.base+p, "")
		if code != 200 || len(b) == 0 {
			t.Errorf("GET %s: %d, %d bytes", p, code, len(b))
		}
		if got := h.Get("Content-Security-Policy"); got != web.CSP {
			t.Errorf("GET %s: CSP %q", p, got)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: no nosniff", p)
		}
		// A revalidation costs no body.
		req, _ := http.NewRequest("GET", r.base+p, nil)
		req.Header.Set("If-None-Match", h.Get("ETag"))
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotModified {
			t.Errorf("GET %s with its ETag: %d, want 304", p, resp.StatusCode)
		}
	}
	if code, _, b := call(t, "HEAD", r.base+"/", ""); code != 200 || len(b) != 0 {
		t.Errorf("HEAD /: %d, %d bytes", code, len(b))
	}
	// Everything else stays the API's: JSON errors, exact paths, the Host
	// check.
	for _, c := range []struct {
		method, path string
		want         int
	}{
		{"POST", "/", 405}, {"DELETE", "/assets/app.js", 405},
		{"GET", "/index.html", 404}, {"GET", "/assets/", 404}, {"GET", "/assets/other.js", 404},
		{"GET", "/assets/../assets/app.js", 404}, {"GET", "//", 404},
	} {
		code, h, b := call(t, c.method, r.base+c.path, "")
		if code != c.want || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
			t.Errorf("%s %s: %d %q %.100s, want %d JSON", c.method, c.path, code, h.Get("Content-Type"), b, c.want)
		}
	}
	req, _ := http.NewRequest("GET", r.base+"/", nil)
	req.Host = "evil.example:80"
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMisdirectedRequest {
		t.Errorf("GET / for another host: %d, want 421", resp.StatusCode)
	}
}

func TestReportEndpoint(t *testing.T) {
	r, ix := lexicalServer(t)
	rep := ix.Reports()[len(ix.Reports())-1]
	var ids []string
	for _, id := range ix.IDsOf(rep.File) {
		if c, _ := ix.Chunk(id); store.ReportKey(c.File, c.ReportIndex) == rep.Key {
			ids = append(ids, id)
		}
	}
	mid := ids[len(ids)/2]
	v := get[server.ReportView](t, r, "/report?id="+url.QueryEscape(mid))
	if v.ID != mid || v.Report.Key != rep.Key || len(v.Chunks) != rep.Chunks {
		t.Fatalf("report of %s: id %s, key %s, %d chunks; want %s with %d", mid, v.ID, v.Report.Key, len(v.Chunks), rep.Key, rep.Chunks)
	}
	got := make([]string, len(v.Chunks))
	for i, c := range v.Chunks {
		got[i] = c.ID
	}
	if !slices.Equal(got, ids) {
		t.Errorf("chunks are not the report's, in text order:\n got %q\nwant %q", got, ids)
	}
	// The outline: every heading path once, where it starts, outermost
	// first; a chunk's headings all appear at or before it.
	if len(v.Outline) == 0 {
		t.Fatal("no outline")
	}
	at := map[string]int{}
	for i, id := range got {
		at[id] = i
	}
	for i, o := range v.Outline {
		c := v.Chunks[at[o.ID]]
		if o.Level < 1 || o.Level > len(c.Headings) || c.Headings[o.Level-1] != o.Heading {
			t.Errorf("outline entry %d %+v does not head its chunk %v", i, o, c.Headings)
		}
		if i > 0 && at[o.ID] < at[v.Outline[i-1].ID] {
			t.Errorf("outline entry %d is out of text order", i)
		}
	}
	for _, c := range []struct{ query, field string }{
		{"id=" + url.QueryEscape(mid) + "&id=" + url.QueryEscape(mid), "id"},
		{"id=" + url.QueryEscape(mid) + "&around=2", "around"},
		{"id=%zz", ""},
	} {
		code, _, b := call(t, "GET", r.base+"/report?"+c.query, "")
		e := decodeAs[struct{ Error, Field string }](t, b)
		if code != 400 || e.Field != c.field {
			t.Errorf("GET /report?%s: %d %s, want 400 naming %q", c.query, code, b, c.field)
		}
	}
	code, _, b := call(t, "GET", r.base+"/report?id="+url.QueryEscape(rep.File+"#999.1"), "")
	if e := decodeAs[struct{ Error, Field string }](t, b); code != 404 || e.Field != "id" || !strings.Contains(e.Error, "#999.1") {
		t.Errorf("unknown id: %d %s, want 404 naming it", code, b)
	}
}
