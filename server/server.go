// Package server is reportsearch's HTTP JSON API: search, evidence packing,
// the list of reports and a report's text over one collection, for
// summarisation pipelines; and, at /, the analysts' page of package web,
// which calls the same API.
//
// The collection is reloaded when its snapshot file changes, so a server keeps
// answering, from a whole snapshot, while `reportsearch index` runs in another
// process. Each request uses the one index it started with.
//
// Requests are held to /openapi.json exactly (the tests check the server and
// a real OpenAPI validator against each other): bodies are application/json,
// one JSON object in UTF-8 with exact field names and no null. Every answer,
// errors included, is JSON. Against web pages in a browser on the same
// machine: a Host header must name this server (DNS rebinding), a body must
// be declared application/json (which no page can send cross-site without a
// CORS preflight), and no CORS header is ever sent (so preflights fail and
// other origins cannot read answers).
package server

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net"
	"net/http"
	"os"
	"path"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/reportsearch/reportsearch/embed"
	"github.com/reportsearch/reportsearch/evidence"
	"github.com/reportsearch/reportsearch/retrieve"
	"github.com/reportsearch/reportsearch/web"
	"github.com/reportsearch/reportsearch/year"
)

// Limits on requests; beyond them the server answers 4xx.
const (
	MaxBodyBytes = 64 << 10
	// MaxTrailingSpace is how much white space may follow a body's JSON
	// object (a client's closing newline); more is refused, not skipped.
	MaxTrailingSpace = 16
	MaxQueryRunes    = 1000
	MaxK             = 100
	MaxBudget        = 100_000
	MaxNeighbours    = 5
	// DefaultReadTimeout bounds reading a request, headers and body; a body
	// still incomplete then gets 408.
	DefaultReadTimeout = 10 * time.Second
)

// Config of a server.
type Config struct {
	// Load opens the collection; it is called at start and whenever the
	// file at Watch changes.
	Load  func(ctx context.Context) (*retrieve.Index, error)
	Watch string
	// Defaults fill in what a request leaves out.
	Defaults retrieve.Options
	// RequestTimeout bounds each request's work.
	RequestTimeout time.Duration
	// Poll is how often Watch is checked.
	Poll time.Duration
	Log  io.Writer
	// AllowedHosts are further names a request's Host header may carry: a
	// name alone allows it on any port, "name:port" on that port. The
	// loopback names with the bound port (127.0.0.1:P, localhost:P,
	// [::1]:P) and the bound address itself are always allowed.
	AllowedHosts []string
	// ReadTimeout is DefaultReadTimeout when 0.
	ReadTimeout time.Duration
}

// Server serves the API.
type Server struct {
	cfg   Config
	index atomic.Pointer[retrieve.Index]
	mu    sync.Mutex // serialises reloads
	seen  fileStamp
}

// fileStamp tells one snapshot file from another. Snapshots are renamed
// into place, so a new one always has a new inode, even when its size and
// modification time match the old one's.
type fileStamp struct {
	size int64
	mod  time.Time
	ino  uint64
	mode os.FileMode
}

//go:embed openapi.json
var openapi []byte

// New loads the collection once and returns a server.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = 30 * time.Second
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	if cfg.Defaults.K == 0 {
		cfg.Defaults = retrieve.DefaultOptions()
	}
	if err := cfg.Defaults.Validate(); err != nil {
		return nil, fmt.Errorf("server defaults: %w", err)
	}
	s := &Server{cfg: cfg}
	s.seen = stamp(cfg.Watch)
	ix, err := cfg.Load(ctx)
	if err != nil {
		return nil, err
	}
	s.index.Store(ix)
	return s, nil
}

func stamp(path string) fileStamp {
	if path == "" {
		return fileStamp{}
	}
	// Lstat: the entry itself is what changed. A snapshot replaced by a
	// link, a FIFO or a directory is a change too; the reload then fails
	// with the store's named error and the loaded index is kept.
	fi, err := os.Lstat(path)
	if err != nil {
		return fileStamp{}
	}
	st := fileStamp{size: fi.Size(), mod: fi.ModTime(), mode: fi.Mode()}
	if sys, ok := fi.Sys().(*syscall.Stat_t); ok {
		st.ino = uint64(sys.Ino)
	}
	return st
}

// reloadIfChanged swaps in a fresh index when the snapshot was replaced. A
// failed load keeps the old index (and is logged): a half-written file
// cannot be seen, since snapshots are renamed into place, but a damaged one
// must not take the server down.
func (s *Server) reloadIfChanged(ctx context.Context) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := stamp(s.cfg.Watch)
	if st == s.seen || st == (fileStamp{}) {
		return
	}
	ix, err := s.cfg.Load(ctx)
	if err != nil {
		fmt.Fprintf(s.cfg.Log, "reportsearch serve: keeping the loaded collection, reload failed: %v\n", err)
		s.seen = st
		return
	}
	s.seen = st
	s.index.Store(ix)
	fmt.Fprintf(s.cfg.Log, "reportsearch serve: reloaded %s (%d chunks)\n", ix.Manifest.Name, ix.Len())
}

// Handler returns the API's routes, for a server listening on bound (whose
// address and port the Host header must name, see Config.AllowedHosts).
func (s *Server) Handler(bound net.Addr) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /search", s.handleSearch)
	mux.HandleFunc("POST /context", s.handleContext)
	mux.HandleFunc("POST /compare", s.handleCompare)
	mux.HandleFunc("GET /reports", s.handleReports)
	mux.HandleFunc("GET /report", s.handleReport)
	mux.HandleFunc("GET /healthz", s.handleHealth)
	mux.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(openapi)
	})
	// The method patterns above are more specific, so these only see the
	// other methods; without them net/http answers 405 in plain text, and
	// every error of this API is JSON.
	// The analysts' page and its assets (package web): outside the API
	// and its document, answered only at these exact paths.
	for _, r := range web.Routes() {
		pattern := r.Path
		if pattern == "/" {
			pattern = "/{$}"
		}
		mux.Handle("GET "+pattern, r.Handler)
		mux.HandleFunc(pattern, func(w http.ResponseWriter, req *http.Request) {
			w.Header().Set("Allow", "GET, HEAD")
			fail(w, http.StatusMethodNotAllowed, "", "%s %s is not allowed; use GET, HEAD", req.Method, r.Path)
		})
	}
	for path, allow := range map[string]string{"/search": "POST", "/context": "POST", "/compare": "POST", "/report": "GET, HEAD",
		"/reports": "GET, HEAD", "/healthz": "GET, HEAD", "/openapi.json": "GET, HEAD"} {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allow)
			fail(w, http.StatusMethodNotAllowed, "", "%s %s is not allowed; use %s", r.Method, path, allow)
		})
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fail(w, http.StatusNotFound, "", "no such endpoint %s (see GET /openapi.json)", r.URL.Path)
	})
	hosts := newHostPolicy(bound, s.cfg.AllowedHosts)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !hosts.allows(r.Host) {
			fail(w, http.StatusMisdirectedRequest, "", "this server does not answer for host %q", r.Host)
			return
		}
		// ServeMux would answer an unclean path (//search, /../etc) with
		// a 307 and an HTML body; paths here are exact.
		if p := r.URL.Path; !strings.HasPrefix(p, "/") || path.Clean(p) != p {
			fail(w, http.StatusNotFound, "", "no such endpoint %q (see GET /openapi.json)", p)
			return
		}
		mux.ServeHTTP(w, r)
	})
}

// hostPolicy says which Host headers a server answers. A web page can make
// a browser send requests to 127.0.0.1 under its own name (DNS rebinding)
// and read the answers as same-origin; the Host header still carries that
// name, so refusing unknown names stops it.
type hostPolicy struct {
	exact map[string]bool // "host:port", lower case, IPv6 in brackets
	names map[string]bool // host on any port
}

func newHostPolicy(bound net.Addr, extra []string) hostPolicy {
	p := hostPolicy{exact: map[string]bool{}, names: map[string]bool{}}
	if a, ok := bound.(*net.TCPAddr); ok {
		port := strconv.Itoa(a.Port)
		for _, h := range []string{"127.0.0.1", "localhost", "::1"} {
			p.exact[net.JoinHostPort(h, port)] = true
			if a.Port == 80 { // browsers leave out the default port
				p.exact[strings.TrimSuffix(net.JoinHostPort(h, port), ":80")] = true
			}
		}
		p.exact[strings.ToLower(a.String())] = true
	}
	for _, h := range extra {
		h = strings.ToLower(strings.TrimSpace(h))
		if host, _, err := net.SplitHostPort(h); err == nil {
			if host != "" {
				p.exact[h] = true
			}
		} else if h = strings.Trim(h, "[]"); h != "" {
			p.names[h] = true
		}
	}
	return p
}

func (p hostPolicy) allows(host string) bool {
	host = strings.ToLower(host)
	if p.exact[host] {
		return true
	}
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	return host != "" && p.names[host]
}

// Serve answers on l until ctx is done, then shuts down gracefully: no new
// connections, requests in flight finish (bounded by RequestTimeout).
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	if a, ok := l.Addr().(*net.TCPAddr); ok && !a.IP.IsLoopback() {
		fmt.Fprintf(s.cfg.Log, "reportsearch serve: warning: listening on %s, beyond this machine; the API has no authentication, so whoever can connect can read the collection\n", a)
	}
	readTimeout := s.cfg.ReadTimeout
	if readTimeout <= 0 {
		readTimeout = DefaultReadTimeout
	}
	srv := &http.Server{
		Handler:           s.Handler(l.Addr()),
		ReadHeaderTimeout: min(5*time.Second, readTimeout),
		ReadTimeout:       readTimeout,
		WriteTimeout:      s.cfg.RequestTimeout + 5*time.Second,
		IdleTimeout:       60 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	go func() {
		t := time.NewTicker(s.cfg.Poll)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				s.reloadIfChanged(ctx)
			}
		}
	}()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.RequestTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// MaxCompareCandidates bounds the passages weighed per row.
const MaxCompareCandidates = 20

func (s *Server) handleCompare(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	var q CompareRequest
	if !s.decode(w, r, &q) {
		return
	}
	opt, ok := s.options(w, SearchRequest{Query: q.Query, Mode: q.Mode, Reports: q.Reports, Years: q.Years})
	if !ok {
		return
	}
	co := retrieve.CompareOptions{By: retrieve.ByReport, MinCover: retrieve.DefaultMinCover}
	opt.K = 3
	if q.Candidates != nil {
		if *q.Candidates < 1 || *q.Candidates > MaxCompareCandidates {
			fail(w, 400, "candidates", "candidates must be between 1 and %d, got %d", MaxCompareCandidates, *q.Candidates)
			return
		}
		opt.K = *q.Candidates
	}
	if q.By != nil {
		switch b := retrieve.CompareBy(*q.By); b {
		case retrieve.ByReport, retrieve.ByYear:
			co.By = b
		default:
			fail(w, 400, "by", "by must be report or year, got %q", *q.By)
			return
		}
	}
	if q.MinCover != nil {
		if !(*q.MinCover > 0 && *q.MinCover <= 1) {
			fail(w, 400, "min_cover", "min_cover must be above 0 and at most 1, got %g", *q.MinCover)
			return
		}
		co.MinCover = *q.MinCover
	}
	co.Search = opt
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.RequestTimeout)
	defer cancel()
	ix := s.index.Load()
	rows, err := ix.Compare(ctx, q.Query, co)
	if err != nil {
		fail(w, status(err), "", "%s", clientMessage(err))
		return
	}
	if rows == nil {
		rows = []retrieve.Row{}
	}
	writeJSON(w, 200, CompareResponse{Query: q.Query, By: string(co.By), Collection: ix.Manifest.Name, MinCover: co.MinCover,
		Rows: rows, TookMs: float64(time.Since(start).Microseconds()) / 1000})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

func fail(w http.ResponseWriter, status int, field, format string, args ...any) {
	writeJSON(w, status, ErrorResponse{Error: fmt.Sprintf(format, args...), Field: field})
}

// decode reads a request body into v (a *SearchRequest or *ContextRequest)
// and answers the error itself when the body is refused.
func (s *Server) decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if ct := r.Header.Get("Content-Type"); !jsonMediaType(ct) {
		w.Header().Set("Accept-Post", "application/json")
		fail(w, http.StatusUnsupportedMediaType, "", "Content-Type must be application/json, got %q", ct)
		return false
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		var ne net.Error
		switch {
		case errors.As(err, &mbe):
			fail(w, http.StatusRequestEntityTooLarge, "", "request body is larger than %d bytes", MaxBodyBytes)
		case errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
			// The read deadline (ReadTimeout) passed mid-body: the client's
			// fault, not the JSON's.
			w.Header().Set("Connection", "close")
			fail(w, http.StatusRequestTimeout, "", "request body not received within %s", s.readTimeout())
		default:
			fail(w, http.StatusBadRequest, "", "request body could not be read: %v", err)
		}
		return false
	}
	if e := parseBody(raw, v); e != nil {
		writeJSON(w, http.StatusBadRequest, e)
		return false
	}
	return true
}

func (s *Server) readTimeout() time.Duration {
	if s.cfg.ReadTimeout > 0 {
		return s.cfg.ReadTimeout
	}
	return DefaultReadTimeout
}

// jsonMediaType accepts application/json, with charset=utf-8 at most: a
// form or text/plain body is what a web page can send cross-site without a
// CORS preflight, and another charset would be misread.
func jsonMediaType(ct string) bool {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return false
	}
	for k, v := range params {
		if k != "charset" || !strings.EqualFold(v, "utf-8") {
			return false
		}
	}
	return true
}

// parseBody decodes raw into v as /openapi.json describes the body: one
// JSON object, UTF-8, at most MaxTrailingSpace bytes of white space after
// it, only v's fields by their exact json names (encoding/json alone would
// take "QUERY" for "query"), no null anywhere (the schema types allow none;
// encoding/json would take null for "not given"), and integers as JSON
// numbers without a fraction (5, 5.0 and 5e0 alike, as JSON Schema counts
// them). We check on a map of raw values and then decode with
// encoding/json, rather than use a case-sensitive decoder such as
// go-json-experiment/json, because the map also gives us the field to name
// in each error, and a dependency is not needed for it.
func parseBody(raw []byte, v any) *ErrorResponse {
	if !utf8.Valid(raw) {
		// encoding/json would turn the bad bytes into U+FFFD silently.
		field := invalidUTF8Field(raw)
		what := "request body"
		if field != "" {
			what = field
		}
		return &ErrorResponse{Error: what + " is not valid UTF-8", Field: field}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	var obj json.RawMessage
	if err := dec.Decode(&obj); err != nil {
		if errors.Is(err, io.EOF) {
			return &ErrorResponse{Error: "request body is empty; want a JSON object"}
		}
		return &ErrorResponse{Error: fmt.Sprintf("request body is not valid JSON: %v", err)}
	}
	rest := raw[dec.InputOffset():]
	if len(bytes.TrimLeft(rest, " \t\r\n")) > 0 {
		return &ErrorResponse{Error: "request body holds more than one JSON value"}
	}
	if len(rest) > MaxTrailingSpace {
		return &ErrorResponse{Error: fmt.Sprintf("request body has %d bytes of white space after its JSON object; at most %d", len(rest), MaxTrailingSpace)}
	}
	var m map[string]json.RawMessage
	if obj[0] != '{' || json.Unmarshal(obj, &m) != nil {
		return &ErrorResponse{Error: "request body must be a JSON object"}
	}
	fields := map[string]bool{} // json name -> is an integer
	jsonFields(reflect.TypeOf(v).Elem(), fields)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		isInt, known := fields[k]
		if !known {
			msg := fmt.Sprintf("unknown field %q", k)
			for f := range fields {
				if strings.EqualFold(f, k) {
					msg += fmt.Sprintf(" (field names are case-sensitive: %q)", f)
				}
			}
			return &ErrorResponse{Error: msg}
		}
		if holdsNull(m[k]) {
			return &ErrorResponse{Error: fmt.Sprintf("%s must not be null (leave it out for the default)", k), Field: k}
		}
		if isInt {
			n, ok := wholeNumber(m[k])
			if !ok {
				return &ErrorResponse{Error: fmt.Sprintf("%s must be a whole number, got %s", k, m[k]), Field: k}
			}
			m[k] = n
		}
	}
	norm, err := json.Marshal(m)
	if err != nil {
		return &ErrorResponse{Error: fmt.Sprintf("request body is not valid JSON: %v", err)}
	}
	dec = json.NewDecoder(bytes.NewReader(norm))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return &ErrorResponse{Error: fmt.Sprintf("request body is not valid JSON for this endpoint: %v", err)}
	}
	return nil
}

// jsonFields maps the json names of struct type t's fields (embedded
// structs' too) to whether the field is an integer.
func jsonFields(t reflect.Type, into map[string]bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous {
			jsonFields(f.Type, into)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		into[name] = ft.Kind() == reflect.Int
	}
}

// invalidUTF8Field names the top-level field whose value holds invalid
// UTF-8, or "" when that cannot be told (bad JSON, or a bad field name).
func invalidUTF8Field(raw []byte) string {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return ""
	}
	keys := make([]string, 0, len(m))
	for k, v := range m {
		if !utf8.Valid(v) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	if len(keys) == 0 {
		return ""
	}
	return keys[0]
}

// holdsNull reports whether a (valid) JSON value is or contains null.
func holdsNull(v json.RawMessage) bool {
	dec := json.NewDecoder(bytes.NewReader(v))
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if tok == nil {
			return true
		}
	}
}

// wholeNumber rewrites a JSON number without a fraction (5.0, 5e0) as an
// integer literal; beyond the int32 range it is clamped, which every limit
// then refuses. Anything but a number is left to the decoder's type check.
func wholeNumber(v json.RawMessage) (json.RawMessage, bool) {
	if len(v) == 0 || (v[0] != '-' && (v[0] < '0' || v[0] > '9')) {
		return v, true
	}
	if _, err := strconv.ParseInt(string(v), 10, 64); err == nil {
		return v, true
	}
	// Beyond float64 (1e400) is refused, as by the validators that read
	// numbers as float64.
	f, err := strconv.ParseFloat(string(v), 64)
	if err != nil || f != math.Trunc(f) {
		return nil, false
	}
	f = min(max(f, math.MinInt32-1), math.MaxInt32+1)
	return json.RawMessage(strconv.FormatInt(int64(f), 10)), true
}

// options validates a request against the limits and fills in defaults.
func (s *Server) options(w http.ResponseWriter, q SearchRequest) (retrieve.Options, bool) {
	opt := s.cfg.Defaults
	n := utf8.RuneCountInString(q.Query)
	switch {
	case !utf8.ValidString(q.Query):
		fail(w, 400, "query", "query is not valid UTF-8")
		return opt, false
	case q.Query == "":
		fail(w, 400, "query", "query is empty")
		return opt, false
	case retrieve.Blank(q.Query):
		fail(w, 400, "query", "query holds only white space and control characters")
		return opt, false
	case n > MaxQueryRunes:
		fail(w, 400, "query", "query is %d characters; at most %d", n, MaxQueryRunes)
		return opt, false
	}
	if q.K != nil {
		if *q.K < 1 || *q.K > MaxK {
			fail(w, 400, "k", "k must be between 1 and %d, got %d", MaxK, *q.K)
			return opt, false
		}
		opt.K = *q.K
	}
	// Exact enum values, as the schema says: no case folding or trimming.
	if q.Mode != nil {
		switch m := retrieve.Mode(*q.Mode); m {
		case retrieve.Auto, retrieve.Dense, retrieve.Lexical, retrieve.Hybrid:
			opt.Mode = m
		default:
			fail(w, 400, "mode", "mode must be auto, dense, lexical or hybrid, got %q", *q.Mode)
			return opt, false
		}
	}
	if q.ReportPolicy != nil {
		switch p := retrieve.ReportPolicy(*q.ReportPolicy); p {
		case retrieve.ReportOff, retrieve.ReportFilter, retrieve.ReportBoost:
			opt.Regions = p
		default:
			fail(w, 400, "report_policy", "report_policy must be off, filter or boost, got %q", *q.ReportPolicy)
			return opt, false
		}
	}
	if q.Years != nil {
		r, err := year.ParseRange(*q.Years)
		if err != nil || !reYears.MatchString(*q.Years) {
			fail(w, 400, "years", "years must be a year (2019) or a range (2010-2019) from %d to %d, got %q", year.First, year.Last, *q.Years)
			return opt, false
		}
		opt.Years = r
	}
	opt.Reports = q.Reports
	return opt, true
}

// clientMessage is a retrieval error as an HTTP client should read it:
// library errors say what is wrong, and this adds where an HTTP client
// finds the remedy (the command line adds its own, see cmd/reportsearch).
func clientMessage(err error) string {
	if errors.As(err, new(*retrieve.UnknownReportsError)) {
		return err.Error() + " (GET /reports lists the reports)"
	}
	return err.Error()
}

// reYears is the schema's pattern of SearchRequest.years: exact, as typed.
var reYears = regexp.MustCompile(`^[0-9]{4}(-[0-9]{4})?$`)

// status maps a retrieval error to an HTTP status.
func status(err error) int {
	switch {
	case errors.Is(err, retrieve.ErrBadRequest):
		return http.StatusBadRequest
	case errors.Is(err, embed.ErrUnreachable), errors.Is(err, embed.ErrModelMissing):
		// Only a dense search gets here (hybrid falls back to lexical): the
		// model is down or absent, which is not a bug of the server.
		return http.StatusServiceUnavailable
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusGatewayTimeout
	case errors.Is(err, context.Canceled):
		return 499 // client went away; nobody reads this
	}
	return http.StatusInternalServerError
}

func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	var q SearchRequest
	if !s.decode(w, r, &q) {
		return
	}
	opt, ok := s.options(w, q)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.RequestTimeout)
	defer cancel()
	ix := s.index.Load()
	res, info, err := ix.Search(ctx, q.Query, opt)
	if err != nil {
		fail(w, status(err), "", "%s", clientMessage(err))
		return
	}
	writeJSON(w, 200, SearchResponse{Query: q.Query, Mode: info.Mode, Collection: ix.Manifest.Name,
		Reports: info.Reports, Notice: info.Notice, Results: res, TookMs: float64(time.Since(start).Microseconds()) / 1000})
}

func (s *Server) handleContext(w http.ResponseWriter, r *http.Request) {
	var q ContextRequest
	if !s.decode(w, r, &q) {
		return
	}
	opt, ok := s.options(w, q.SearchRequest)
	if !ok {
		return
	}
	eo := evidence.DefaultOptions()
	if q.Budget != nil {
		if *q.Budget < 1 || *q.Budget > MaxBudget {
			fail(w, 400, "budget", "budget must be between 1 and %d characters, got %d", MaxBudget, *q.Budget)
			return
		}
		eo.Budget = *q.Budget
	}
	if q.Candidates != nil {
		if *q.Candidates < 1 || *q.Candidates > MaxK {
			fail(w, 400, "candidates", "candidates must be between 1 and %d, got %d", MaxK, *q.Candidates)
			return
		}
		eo.Candidates = *q.Candidates
	} else if q.K != nil {
		// A pipeline that sends its /search body here means the same thing
		// by k: how many search results to build the evidence from.
		eo.Candidates = opt.K
	}
	if q.Neighbours != nil {
		if *q.Neighbours < 0 || *q.Neighbours > MaxNeighbours {
			fail(w, 400, "neighbours", "neighbours must be between 0 and %d, got %d", MaxNeighbours, *q.Neighbours)
			return
		}
		eo.Neighbours = *q.Neighbours
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.RequestTimeout)
	defer cancel()
	p, err := evidence.Build(ctx, s.index.Load(), q.Query, opt, eo)
	if err != nil {
		fail(w, status(err), "", "%s", clientMessage(err))
		return
	}
	writeJSON(w, 200, ContextResponse{p, p.Text()})
}

func (s *Server) handleReports(w http.ResponseWriter, r *http.Request) {
	ix := s.index.Load()
	writeJSON(w, 200, ReportsResponse{ix.Manifest.Name, ix.Reports()})
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	ix := s.index.Load()
	writeJSON(w, 200, HealthResponse{"ok", ix.Manifest.Name, ix.Manifest.Model.Name, ix.Len(), ix.Embedded()})
}
