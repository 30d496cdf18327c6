// Package server is reportsearch's HTTP JSON API: search, evidence packing
// and the list of reports over one collection, for summarisation pipelines.
//
// The collection is reloaded when its snapshot file changes, so a server keeps
// answering, from a whole snapshot, while `reportsearch index` runs in another
// process. Each request uses the one index it started with.
package server

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/reportsearch/reportsearch/embed"
	"github.com/reportsearch/reportsearch/evidence"
	"github.com/reportsearch/reportsearch/retrieve"
)

// Limits on requests; beyond them the server answers 4xx.
const (
	MaxBodyBytes  = 64 << 10
	MaxQueryRunes = 1000
	MaxK          = 100
	MaxBudget     = 100_000
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

// Handler returns the API's routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /search", s.handleSearch)
	mux.HandleFunc("POST /context", s.handleContext)
	mux.HandleFunc("GET /reports", s.handleReports)
	mux.HandleFunc("GET /healthz", s.handleHealth)
	mux.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(openapi)
	})
	// The method patterns above are more specific, so these only see the
	// other methods; without them net/http answers 405 in plain text, and
	// every error of this API is JSON.
	for path, allow := range map[string]string{"/search": "POST", "/context": "POST",
		"/reports": "GET, HEAD", "/healthz": "GET, HEAD", "/openapi.json": "GET, HEAD"} {
		mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", allow)
			fail(w, http.StatusMethodNotAllowed, "", "%s %s is not allowed; use %s", r.Method, path, allow)
		})
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		fail(w, http.StatusNotFound, "", "no such endpoint %s (see GET /openapi.json)", r.URL.Path)
	})
	return mux
}

// Serve answers on l until ctx is done, then shuts down gracefully: no new
// connections, requests in flight finish (bounded by RequestTimeout).
func (s *Server) Serve(ctx context.Context, l net.Listener) error {
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
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

// SearchRequest is the body of POST /search. Numbers are pointers so that
// an explicit 0 is refused rather than taken for "not given".
type SearchRequest struct {
	Query        string   `json:"query"`
	K            *int     `json:"k,omitempty"`
	Mode         string   `json:"mode,omitempty"`
	Reports      []string `json:"reports,omitempty"`
	ReportPolicy string   `json:"report_policy,omitempty"`
}

// ContextRequest is the body of POST /context.
type ContextRequest struct {
	SearchRequest
	Budget     *int `json:"budget,omitempty"`
	Candidates *int `json:"candidates,omitempty"`
	Neighbours *int `json:"neighbours,omitempty"`
}

// SearchResponse is the answer of POST /search.
type SearchResponse struct {
	Query      string            `json:"query"`
	Mode       retrieve.Mode     `json:"mode"`
	Collection string            `json:"collection"`
	Reports    []string          `json:"reports,omitempty"`
	Notice     string            `json:"notice,omitempty"`
	Results    []retrieve.Result `json:"results"`
	TookMs     float64           `json:"took_ms"`
}

// apiError is every error's body.
type apiError struct {
	Error string `json:"error"`
	Field string `json:"field,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

func fail(w http.ResponseWriter, status int, field, format string, args ...any) {
	writeJSON(w, status, apiError{Error: fmt.Sprintf(format, args...), Field: field})
}

// decode reads a JSON body strictly: size-limited, unknown fields refused.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			fail(w, http.StatusRequestEntityTooLarge, "", "request body is larger than %d bytes", MaxBodyBytes)
		} else {
			fail(w, http.StatusBadRequest, "", "request body is not valid JSON for this endpoint: %v", err)
		}
		return false
	}
	if dec.More() {
		fail(w, http.StatusBadRequest, "", "request body holds more than one JSON value")
		return false
	}
	return true
}

// options validates a request against the limits and fills in defaults.
func (s *Server) options(w http.ResponseWriter, q SearchRequest) (retrieve.Options, bool) {
	opt := s.cfg.Defaults
	n := utf8.RuneCountInString(q.Query)
	switch {
	case !utf8.ValidString(q.Query):
		fail(w, 400, "query", "query is not valid UTF-8")
		return opt, false
	case strings.TrimSpace(q.Query) == "":
		fail(w, 400, "query", "query is empty")
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
	if q.Mode != "" {
		m, err := retrieve.ParseMode(q.Mode)
		if err != nil {
			fail(w, 400, "mode", "%v", err)
			return opt, false
		}
		opt.Mode = m
	}
	if q.ReportPolicy != "" {
		switch p := retrieve.ReportPolicy(q.ReportPolicy); p {
		case retrieve.ReportOff, retrieve.ReportFilter, retrieve.ReportBoost:
			opt.Regions = p
		default:
			fail(w, 400, "report_policy", "report_policy must be off, filter or boost, got %q", q.ReportPolicy)
			return opt, false
		}
	}
	opt.Reports = q.Reports
	return opt, true
}

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
	if !decode(w, r, &q) {
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
		fail(w, status(err), "", "%v", err)
		return
	}
	writeJSON(w, 200, SearchResponse{Query: q.Query, Mode: info.Mode, Collection: ix.Manifest.Name,
		Reports: info.Reports, Notice: info.Notice, Results: res, TookMs: float64(time.Since(start).Microseconds()) / 1000})
}

func (s *Server) handleContext(w http.ResponseWriter, r *http.Request) {
	var q ContextRequest
	if !decode(w, r, &q) {
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
		if *q.Neighbours < 0 || *q.Neighbours > 5 {
			fail(w, 400, "neighbours", "neighbours must be between 0 and 5, got %d", *q.Neighbours)
			return
		}
		eo.Neighbours = *q.Neighbours
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.RequestTimeout)
	defer cancel()
	p, err := evidence.Build(ctx, s.index.Load(), q.Query, opt, eo)
	if err != nil {
		fail(w, status(err), "", "%v", err)
		return
	}
	writeJSON(w, 200, struct {
		evidence.Pack
		Prompt string `json:"prompt"`
	}{p, p.Text()})
}

func (s *Server) handleReports(w http.ResponseWriter, r *http.Request) {
	ix := s.index.Load()
	writeJSON(w, 200, struct {
		Collection string            `json:"collection"`
		Reports    []retrieve.Report `json:"reports"`
	}{ix.Manifest.Name, ix.Reports()})
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	ix := s.index.Load()
	writeJSON(w, 200, struct {
		Status     string `json:"status"`
		Collection string `json:"collection"`
		Model      string `json:"model,omitempty"`
		Chunks     int    `json:"chunks"`
		Embedded   int    `json:"embedded"`
	}{"ok", ix.Manifest.Name, ix.Manifest.Model.Name, ix.Len(), ix.Embedded()})
}
