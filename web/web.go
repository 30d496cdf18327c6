// Package web is the analysts' page that `reportsearch serve` answers at /:
// one HTML page, one script and one stylesheet, embedded in the binary (no
// build step, no CDN: the machine may be offline). The page only calls the
// JSON API of package server, same-origin.
//
// Safety invariants, which the browser test in cmd/reportsearch checks:
// the script inserts everything from the corpus or the user as text
// (textContent, createTextNode), never as HTML; nothing inline (no inline
// script, style or event handler), so the Content-Security-Policy below can
// forbid 'unsafe-inline'; every response of this package carries that policy
// and X-Content-Type-Options: nosniff.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"html/template"
	"net/http"
	"path"
	"strconv"
)

// CSP is the Content-Security-Policy of the page and its assets.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

//go:embed static
var static embed.FS

// assets are the files under /assets/, with their content types.
var assets = map[string]string{
	"app.js":  "text/javascript; charset=utf-8",
	"app.css": "text/css; charset=utf-8",
}

// Route is one path the page needs and its handler.
type Route struct {
	Path    string
	Handler http.Handler
}

// Routes are the page ("/") and its assets ("/assets/NAME"). Assets are
// named with a version (a hash of their content) in the page's links, so a
// browser may cache them for good and still never run an old script with a
// new page.
func Routes() []Route {
	version := map[string]string{}
	var routes []Route
	for name, ctype := range assets {
		b, err := static.ReadFile("static/" + name)
		if err != nil {
			panic(err) // embedded at build time: cannot happen
		}
		sum := sha256.Sum256(b)
		version[name] = hex.EncodeToString(sum[:6])
		routes = append(routes, Route{"/assets/" + name, newFile(b, ctype, "public, max-age=31536000, immutable")})
	}
	tmpl := template.Must(template.ParseFS(static, "static/index.html"))
	var page bytes.Buffer
	if err := tmpl.Execute(&page, struct{ JS, CSS string }{
		"/assets/app.js?v=" + version["app.js"], "/assets/app.css?v=" + version["app.css"]}); err != nil {
		panic(err)
	}
	// The page itself is revalidated each time, so a new binary's page
	// (naming new asset versions) is seen at once.
	routes = append(routes, Route{"/", newFile(page.Bytes(), "text/html; charset=utf-8", "no-cache")})
	return routes
}

// Weight is the bytes of the page and its assets, as served.
func Weight() (html, js, css int) {
	for _, r := range Routes() {
		n := len(r.Handler.(file).body)
		switch path.Ext(r.Path) {
		case ".js":
			js = n
		case ".css":
			css = n
		default:
			html = n
		}
	}
	return
}

type fileHandler struct {
	body               []byte
	ctype, cache, etag string
}

type file = *fileHandler

func newFile(body []byte, ctype, cache string) file {
	sum := sha256.Sum256(body)
	return &fileHandler{body: body, ctype: ctype, cache: cache, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
}

func (f *fileHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	SecurityHeaders(h)
	h.Set("Content-Type", f.ctype)
	h.Set("Cache-Control", f.cache)
	h.Set("ETag", f.etag)
	if r.Header.Get("If-None-Match") == f.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(f.body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(f.body)
	}
}

// SecurityHeaders sets the headers every response of the page carries.
func SecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", CSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
}
