// Package retrieve answers questions over a stored collection: dense search
// through the embedding model, lexical BM25, or both fused, with report
// filters and report-aware handling of questions that name a province.
package retrieve

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"

	"github.com/reportsearch/reportsearch/chunk"
	"github.com/reportsearch/reportsearch/embed"
	"github.com/reportsearch/reportsearch/lexical"
	"github.com/reportsearch/reportsearch/query"
	"github.com/reportsearch/reportsearch/store"
	"github.com/reportsearch/reportsearch/year"
)

// Mode selects the retrievers used.
type Mode string

const (
	Dense   Mode = "dense"
	Lexical Mode = "lexical"
	Hybrid  Mode = "hybrid"
	// Auto is hybrid when the collection has vectors and a model answers,
	// lexical otherwise.
	Auto Mode = "auto"
)

// ParseMode checks a mode name.
func ParseMode(s string) (Mode, error) {
	switch m := Mode(strings.ToLower(strings.TrimSpace(s))); m {
	case Dense, Lexical, Hybrid, Auto:
		return m, nil
	case "":
		return Auto, nil
	}
	return "", fmt.Errorf("unknown mode %q (want dense, lexical, hybrid or auto)", s)
}

// Fusion combines dense and lexical rankings.
type Fusion struct {
	// Method is "rrf" (reciprocal rank fusion) or "weighted" (min-max
	// normalised scores, weighted sum).
	Method string `json:"method"`
	// RRFK is the rank constant of RRF (score = Σ 1/(RRFK + rank)).
	RRFK float64 `json:"rrf_k"`
	// DenseWeight is the dense share in both methods (RRF terms are weighted
	// too); the lexical share is 1 - DenseWeight. AutoWeight (any negative
	// value) lets the index pick by model, see DenseWeightFor.
	DenseWeight float64 `json:"dense_weight"`
}

// AutoWeight asks for the dense share that suits the collection's model.
const AutoWeight = -1

// Dense shares picked by DenseWeightFor.
const (
	// RetrievalModelWeight is for models trained for retrieval (bge-m3,
	// qwen3-embedding, ...): equal shares, the usual hybrid setting. We
	// cannot measure such models on machines without their weights; `eval
	// run --dense-weight` lets their users do it.
	RetrievalModelWeight = 0.5
	// OtherModelWeight is for unknown models and the test fixture. Measured
	// with zh-charbag-256 on the dev set and CMRC 2018 (README, "Retrieval
	// quality"): 0.5 and 0.2 are significantly worse than lexical alone on
	// CMRC; 0.1 is within noise of it there and above it on the dev set, so
	// a weak model adds recall without costing the top ranks.
	OtherModelWeight = 0.1
)

// DenseWeightFor is the default dense share for an embedding model.
func DenseWeightFor(model string) float64 {
	if embed.TrainedForRetrieval(model) {
		return RetrievalModelWeight
	}
	return OtherModelWeight
}

// DefaultFusion is what measured best (see README, "Retrieval quality"):
// score-normalised weighted fusion, with the dense share picked by model.
func DefaultFusion() Fusion { return Fusion{Method: "weighted", RRFK: 60, DenseWeight: AutoWeight} }

// ResolveFusion fills in what f leaves to the index: everything when f is
// the zero Fusion (no method), the dense share when it is AutoWeight.
func (ix *Index) ResolveFusion(f Fusion) Fusion {
	if f.Method == "" {
		f = DefaultFusion()
	}
	if f.DenseWeight < 0 {
		f.DenseWeight = DenseWeightFor(ix.Manifest.Model.Name)
	}
	return f
}

// OptionError is an invalid option, named by its JSON field. It is an
// ErrBadRequest.
type OptionError struct {
	Field string // the Options or Fusion JSON name: "k", "dense_weight", ...
	Msg   string
}

func (e *OptionError) Error() string        { return e.Field + ": " + e.Msg }
func (e *OptionError) Is(target error) bool { return target == ErrBadRequest }

// Validate refuses fusion settings that would make every score meaningless:
// a NaN or infinite weight turns every fused score into NaN, and a weight
// outside [0, 1] gives one retriever a negative share.
func (f Fusion) Validate() error {
	switch f.Method {
	case "", "rrf", "weighted":
	default:
		return &OptionError{"method", fmt.Sprintf("want rrf or weighted, got %q", f.Method)}
	}
	if f.DenseWeight != AutoWeight && !(f.DenseWeight >= 0 && f.DenseWeight <= 1) { // NaN fails both
		return &OptionError{"dense_weight", fmt.Sprintf("want a number from 0 to 1, got %g", f.DenseWeight)}
	}
	if !(f.RRFK >= 0) || math.IsInf(f.RRFK, 0) { // 0 is "the default, 60"
		return &OptionError{"rrf_k", fmt.Sprintf("want a finite number above 0, got %g", f.RRFK)}
	}
	return nil
}

// Validate checks everything Search does not fill in itself; the command
// line and the server call it on the options they build.
func (o Options) Validate() error {
	if o.K < 1 {
		return &OptionError{"k", fmt.Sprintf("must be at least 1, got %d", o.K)}
	}
	switch o.Mode {
	case "", Auto, Dense, Lexical, Hybrid:
	default:
		return &OptionError{"mode", fmt.Sprintf("want dense, lexical, hybrid or auto, got %q", o.Mode)}
	}
	switch o.Regions {
	case "", ReportOff, ReportFilter, ReportBoost:
	default:
		return &OptionError{"report_policy", fmt.Sprintf("want off, filter or boost, got %q", o.Regions)}
	}
	if r := o.Years; !r.Empty() && (r.From < year.First || r.To > year.Last || r.From > r.To) {
		return &OptionError{"years", fmt.Sprintf("want years from %d to %d, the first not after the second, got %d-%d", year.First, year.Last, r.From, r.To)}
	}
	if o.Depth < 0 {
		return &OptionError{"depth", fmt.Sprintf("must not be negative, got %d", o.Depth)}
	}
	return o.Fusion.Validate()
}

// Blank reports whether a query holds nothing to search for: no character
// other than white space (unicode.IsSpace) and control characters
// (unicode.IsControl, Unicode category Cc). "\u0000\u0000" is blank.
func Blank(query string) bool {
	return strings.IndexFunc(query, func(r rune) bool { return !unicode.IsSpace(r) && !unicode.IsControl(r) }) < 0
}

// ReportPolicy says what to do when a question names a province.
type ReportPolicy string

const (
	ReportOff    ReportPolicy = "off"
	ReportFilter ReportPolicy = "filter"
	ReportBoost  ReportPolicy = "boost"
)

// Options of one search.
type Options struct {
	K    int  `json:"k"`
	Mode Mode `json:"mode"`
	// Reports limits results to reports matching any of these: a province
	// in Chinese or English (浙江, 浙江省, Zhejiang), part of a title, or a
	// report key (file#index).
	Reports []string     `json:"reports,omitempty"`
	Regions ReportPolicy `json:"report_policy"`
	// Years limits results to reports of these years (inclusive); the zero
	// Range searches every year. A report of unknown year is outside every
	// range.
	Years  year.Range `json:"years"`
	Fusion Fusion     `json:"fusion"`
	// Depth is how many candidates each retriever contributes before fusion.
	Depth int `json:"depth"`
}

// DefaultOptions are the command line's defaults.
func DefaultOptions() Options {
	return Options{K: 5, Mode: Auto, Regions: ReportBoost, Fusion: DefaultFusion(), Depth: 100}
}

// Result is one retrieved chunk, with everything needed to cite it.
type Result struct {
	Rank     int      `json:"rank"`
	Score    float64  `json:"score"`
	ID       string   `json:"id"`
	File     string   `json:"file"`
	Report   string   `json:"report"`
	Headings []string `json:"headings"`
	// Paragraph is 1-based within the report; Part > 0 for a piece of a
	// split paragraph.
	Paragraph int `json:"paragraph"`
	Part      int `json:"part"`
	// Start and End are byte offsets into the file's UTF-8 text.
	Start int    `json:"start"`
	End   int    `json:"end"`
	Text  string `json:"text"`
	// DenseRank and LexicalRank are the chunk's 1-based ranks in each
	// retriever's list (0 when it was not among its candidates).
	DenseRank   int `json:"dense_rank,omitempty"`
	LexicalRank int `json:"lexical_rank,omitempty"`
	// Line is the 1-based line of Start (0 for chunks stored before lines
	// were recorded); Source the absolute path the chunk was read from,
	// when it came from a file.
	Line   int    `json:"line,omitempty"`
	Source string `json:"source,omitempty"`
	// Page and PageEnd are the pages of the source the chunk spans (PDF);
	// 0 for sources without pages.
	Page    int `json:"page,omitempty"`
	PageEnd int `json:"page_end,omitempty"`
	// Year is the report's year, 0 when unknown; URL where it was
	// published, when its source said so.
	Year int    `json:"year,omitempty"`
	URL  string `json:"url,omitempty"`
	// Matched are the words of Text the query's terms hit, as written in
	// Text, longest first, for highlighting (see matched).
	Matched []string `json:"matched"`
}

// Report describes one report in the collection.
type Report struct {
	Key    string `json:"key"`
	File   string `json:"file"`
	Title  string `json:"title"`
	Region string `json:"region,omitempty"`
	// Year is the report's year, 0 when unknown (see package year).
	Year   int `json:"year,omitempty"`
	Chunks int `json:"chunks"`
}

// Index is an opened collection, ready to answer. It is safe for concurrent
// searches.
type Index struct {
	Manifest store.Manifest
	records  []store.Record
	byID     map[string]int
	// withVectors counts the records that hold a vector (see Coverage).
	withVectors int
	vectors     store.VectorIndex
	lex         *lexical.Index
	emb         embed.Embedder
	reports     []Report
	// national holds the keys of reports the chunker found to be the
	// country's (a bare 政府工作报告 title, region 全国).
	national map[string]bool
	// yearOf: report key → year (0 unknown).
	yearOf map[string]int
	// placeCache: county or city full name → report keys (placeReports).
	placeCache sync.Map

	// warnOnce keeps the "lexical only" notice to one per Index.
	warnOnce sync.Once
	warned   string
	fallback atomic.Pointer[error] // why dense search fell back to lexical, once it did
}

// Open loads the collection in dir. emb embeds queries; it may be nil, in
// which case only lexical search is available.
func Open(ctx context.Context, dir string, emb embed.Embedder) (*Index, error) {
	snap, err := store.Load(dir)
	if err != nil {
		return nil, err
	}
	return FromSnapshot(ctx, snap, emb)
}

// FromSnapshot builds an Index from a loaded snapshot, with its vectors in
// an in-memory chromem-go collection.
func FromSnapshot(ctx context.Context, snap *store.Snapshot, emb embed.Embedder) (*Index, error) {
	return FromSnapshotWith(ctx, snap, emb, nil)
}

// FromSnapshotWith is FromSnapshot with dense queries answered by vi (for
// example a Weaviate class holding the same chunks' vectors); nil means the
// in-memory chromem-go collection.
func FromSnapshotWith(ctx context.Context, snap *store.Snapshot, emb embed.Embedder, vi store.VectorIndex) (*Index, error) {
	ix := &Index{Manifest: snap.Manifest, records: snap.Records, emb: emb, byID: make(map[string]int, len(snap.Records))}
	for i := range snap.Records {
		ix.byID[snap.Records[i].ID] = i
		if snap.Records[i].Vector != nil {
			ix.withVectors++
		}
	}
	tok, err := lexical.TokenizerByName(snap.Manifest.Lexical)
	if err != nil {
		return nil, err
	}
	ix.lex, err = lexical.Decode(bytes.NewReader(snap.Lexical), tok)
	if err != nil {
		// A snapshot whose lexical index does not decode is damaged like one
		// whose checksum fails: the caller says how to recover.
		return nil, fmt.Errorf("lexical index of %s: %w: %w", snap.Manifest.Name, store.ErrCorrupt, err)
	}
	if vi != nil {
		ix.vectors = vi
	} else if ix.vectors, err = store.NewChromem(ctx, snap.Records); err != nil {
		return nil, err
	}
	seen := map[string]int{}
	ix.national = map[string]bool{}
	ix.yearOf = map[string]int{}
	for i := range snap.Records {
		c := &snap.Records[i].Chunk
		key := store.ReportKey(c.File, c.ReportIndex)
		if j, ok := seen[key]; ok {
			ix.reports[j].Chunks++
			continue
		}
		seen[key] = len(ix.reports)
		if c.Region == nationalRegion {
			ix.national[key] = true
		}
		y := c.Year
		if y == 0 {
			// Chunks stored before years were recorded: the date line is
			// in the report's first chunk or its headings.
			y = year.Of(c.Report, strings.Join(c.Headings, "\n")+"\n"+c.Text)
		}
		ix.yearOf[key] = y
		ix.reports = append(ix.reports, Report{Key: key, File: c.File, Title: c.Report, Region: regionShort(c.Region), Year: y, Chunks: 1})
	}
	return ix, nil
}

// Reports lists the reports in the collection, in stored order.
func (ix *Index) Reports() []Report { return ix.reports }

// Len is the number of chunks; Embedded the number that have vectors.
func (ix *Index) Len() int      { return len(ix.records) }
func (ix *Index) Embedded() int { return ix.vectors.Len() }

// Chunk returns the stored chunk with this ID.
func (ix *Index) Chunk(id string) (chunk.Chunk, bool) {
	i, ok := ix.byID[id]
	if !ok {
		return chunk.Chunk{}, false
	}
	return ix.records[i].Chunk, true
}

// Neighbours returns the chunks of the same report around id, in order:
// up to before chunks before and after chunks after, and id's own.
func (ix *Index) Neighbours(id string, before, after int) []chunk.Chunk {
	i, ok := ix.byID[id]
	if !ok {
		return nil
	}
	c := ix.records[i].Chunk
	var out []chunk.Chunk
	for j := i - before; j <= i+after; j++ {
		if j < 0 || j >= len(ix.records) {
			continue
		}
		n := ix.records[j].Chunk
		if n.File == c.File && n.ReportIndex == c.ReportIndex {
			out = append(out, n)
		}
	}
	return out
}

// Info tells what a search actually did.
type Info struct {
	Mode    Mode     `json:"mode"`
	Reports []string `json:"reports,omitempty"` // report keys searched or boosted
	Notice  string   `json:"notice,omitempty"`
}

// ErrBadRequest marks problems with the caller's options: test with
// errors.Is. Its own text is no part of the messages, which say only what
// is wrong; the server answers them with 400, the command line exits 2.
var ErrBadRequest = errors.New("bad request")

// badRequest is a problem with the caller's options (see ErrBadRequest).
type badRequest struct{ msg string }

func (e *badRequest) Error() string        { return e.msg }
func (e *badRequest) Is(target error) bool { return target == ErrBadRequest }

// BadRequestf makes an error about the caller's options.
func BadRequestf(format string, args ...any) error {
	return &badRequest{fmt.Sprintf(format, args...)}
}

// UnknownReportsError is a report filter that matches no report of the
// collection. It is an ErrBadRequest; the command and the server each add
// where their user can see the report names.
type UnknownReportsError struct {
	Reports []string // as the caller gave them
}

func (e *UnknownReportsError) Error() string {
	return fmt.Sprintf("no report matches %q", strings.Join(e.Reports, ", "))
}

func (e *UnknownReportsError) Unwrap() error { return ErrBadRequest }

// nationalRegion is the chunker's region of the national report.
const nationalRegion = "全国"

// Search runs one query. The question is parsed first (package query):
// the lexical side searches English words as their Chinese translations
// (the dense side embeds the question as typed: measured with the fixture
// model, embedding the Chinese reading instead did not help), and the
// scope it names (a province, a county or city, the whole country) picks
// the reports to boost or filter under opt.Regions. Info.Notice says how
// it was understood.
func (ix *Index) Search(ctx context.Context, query string, opt Options) ([]Result, Info, error) {
	return ix.search(ctx, query, opt, nil)
}

// queryVector is a query's embedding, made once and reused by every search
// of the same question (Compare asks one per report or year: with bge-m3
// each embedding is an Ollama round trip). A failed embedding is reused
// too, so a model that is down costs one attempt, not one per row.
type queryVector struct {
	done bool
	vec  []float32
	err  error
}

// search is Search; qv, when not nil, holds the embedding of query across
// calls.
func (ix *Index) search(ctx context.Context, query string, opt Options, qv *queryVector) ([]Result, Info, error) {
	var info Info
	query = strings.TrimSpace(query)
	if Blank(query) {
		return nil, info, BadRequestf("the query is empty (white space and control characters only)")
	}
	if err := opt.Validate(); err != nil {
		return nil, info, err
	}
	if opt.Depth < opt.K {
		opt.Depth = max(opt.K, 100)
	}
	opt.Fusion = ix.ResolveFusion(opt.Fusion)
	mode := opt.Mode
	if mode == "" || mode == Auto {
		mode = Hybrid
		if ix.vectors.Len() == 0 || ix.emb == nil {
			mode = Lexical
		}
	}

	pq := parseQuery(query)
	var understood []string
	if d := pq.Describe(); d != "" {
		understood = append(understood, d)
	}

	// Explicit report filters restrict; a province, county or city named in
	// the question, or the whole country, filters or boosts according to
	// policy.
	var filterKeys []string
	if len(opt.Reports) > 0 {
		filterKeys = ix.matchReports(opt.Reports)
		if len(filterKeys) == 0 {
			return nil, info, &UnknownReportsError{Reports: opt.Reports}
		}
		info.Reports = filterKeys
	}
	if !opt.Years.Empty() {
		keys, err := ix.yearReports(opt.Years, filterKeys, len(opt.Reports) > 0)
		if err != nil {
			return nil, info, err
		}
		filterKeys = keys
		info.Reports = keys
	}
	var boostKeys []string
	if len(filterKeys) == 0 && opt.Regions != ReportOff && opt.Regions != "" {
		if keys, why := ix.scopeReports(pq); len(keys) > 0 {
			info.Reports = keys
			verb := "boosted"
			if opt.Regions == ReportFilter {
				verb = "searched only"
			}
			understood = append(understood, why+" "+verb)
			if opt.Regions == ReportFilter {
				filterKeys = keys
			} else {
				boostKeys = keys
			}
		}
	}

	var denseHits, lexHits []store.Hit
	var err error
	if mode == Dense || mode == Hybrid {
		denseHits, err = ix.dense(ctx, query, opt.Depth, filterKeys, qv)
		if err != nil {
			if mode == Dense || !fallbackOK(err) {
				return nil, info, err
			}
			// Hybrid degrades to lexical when the model is gone, and says so.
			mode = Lexical
			info.Notice = ix.notice(err)
		}
	}
	if mode == Lexical || mode == Hybrid {
		lexHits = ix.lexical(pq, opt.Depth, filterKeys)
	}
	info.Mode = mode
	if mode == Dense || mode == Hybrid {
		info.addNotice(ix.Coverage().Notice())
	}
	if len(understood) > 0 {
		info.addNotice(strings.Join(understood, "; "))
	}

	var fused []store.Hit
	switch mode {
	case Dense:
		fused = denseHits
	case Lexical:
		fused = lexHits
	default:
		fused = fuse(denseHits, lexHits, opt.Fusion)
	}
	if len(boostKeys) > 0 {
		fused = ix.boost(fused, boostKeys)
	}
	if len(fused) > opt.K {
		fused = fused[:opt.K]
	}
	dr, lr := rankMap(denseHits), rankMap(lexHits)
	terms := ix.lex.Tokenizer().Tokens(query)
	// An English question is searched as its Chinese translations: what
	// the lexical side matched is those, so they are what to highlight.
	for _, g := range pq.Groups {
		for _, a := range g.Alternatives() {
			terms = append(terms, ix.lex.Tokenizer().Tokens(a)...)
		}
	}
	out := make([]Result, len(fused))
	for i, h := range fused {
		rec := &ix.records[ix.byID[h.ID]]
		c := rec.Chunk
		out[i] = Result{Rank: i + 1, Score: h.Score, ID: c.ID, File: c.File, Report: c.Report,
			Headings: c.Headings, Paragraph: c.Paragraph, Part: c.Part, Start: c.Start, End: c.End,
			Text: c.Text, DenseRank: dr[h.ID], LexicalRank: lr[h.ID],
			Line: c.Line, Source: rec.Source, Page: c.Page, PageEnd: c.PageEnd, Year: ix.yearOf[store.ReportKey(c.File, c.ReportIndex)], URL: c.URL,
			Matched: matched(ix.lex.Tokenizer(), terms, c.Text)}
		if out[i].Headings == nil {
			out[i].Headings = []string{}
		}
	}
	if len(out) == 0 {
		info.addNotice(noResultsNotice(mode, len(filterKeys) > 0))
	}
	return out, info, nil
}

// noResultsNotice says why a search can come back empty, so that "nothing
// found" is never mistaken for "the reports do not say": only the lexical
// side can find nothing (dense search ranks every embedded chunk), and a
// report filter narrows what it looks at.
func noResultsNotice(mode Mode, filtered bool) string {
	msg := "no results: no chunk shares a word with the question"
	if filtered {
		msg += " within the reports it was limited to"
	}
	msg += "; try other or fewer words, Chinese terms"
	if filtered {
		msg += ", or the report policy boost instead of filter"
	}
	if mode == Lexical {
		msg += ", or dense or hybrid search with an embedding model"
	}
	return msg
}

func (ix *Index) dense(ctx context.Context, query string, k int, keys []string, qv *queryVector) ([]store.Hit, error) {
	// No vectors first: a collection whose vectors are not made yet has no
	// query embedder either, and "no model is configured" would mislead.
	if ix.vectors.Len() == 0 {
		return nil, errNoVectors
	}
	if ix.emb == nil {
		return nil, fmt.Errorf("%w: no embedding model is configured", embed.ErrUnreachable)
	}
	if qv == nil {
		qv = &queryVector{}
	}
	if !qv.done {
		qv.vec, qv.err = ix.emb.EmbedQuery(ctx, query)
		// A cancelled context is this call's, not the question's: the
		// next call embeds again.
		qv.done = ctx.Err() == nil
	}
	vec, err := qv.vec, qv.err
	if err != nil {
		return nil, err
	}
	hits, err := ix.vectors.Query(ctx, vec, k, keys)
	if err != nil {
		return nil, err
	}
	// A vector backend kept outside the snapshot (store.SyncedIndex) can
	// lag behind it: a hit for a chunk the snapshot does not hold with a
	// vector is dropped here, the one place, before it is ranked or fused,
	// so search never cites a chunk it cannot show.
	known := hits[:0]
	for _, h := range hits {
		if i, ok := ix.byID[h.ID]; ok && ix.records[i].Vector != nil {
			known = append(known, h)
		}
	}
	return known, nil
}

func fallbackOK(err error) bool {
	return errors.Is(err, embed.ErrUnreachable) || errors.Is(err, embed.ErrModelMissing) || errors.Is(err, errNoVectors)
}

// Fallback is the error that made a search of ix fall back from dense to
// lexical (nil if none has), so the caller can say how to get dense search
// back: the notice says what happened, not which command to run.
func (ix *Index) Fallback() error {
	if p := ix.fallback.Load(); p != nil {
		return *p
	}
	return nil
}

func (ix *Index) notice(err error) string {
	ix.warnOnce.Do(func() {
		ix.fallback.Store(&err)
		ix.warned = fmt.Sprintf("lexical search only: %v. Dense search needs the Ollama server with model %q and the collection's vectors.", err, ix.Manifest.Model.Name)
	})
	return ix.warned
}

func (ix *Index) lexical(pq query.Query, k int, keys []string) []store.Hit {
	var allow func(string) bool
	if len(keys) > 0 {
		set := map[string]bool{}
		for _, k := range keys {
			set[k] = true
		}
		allow = func(id string) bool {
			c := &ix.records[ix.byID[id]].Chunk
			return set[store.ReportKey(c.File, c.ReportIndex)]
		}
	}
	groups := make([][]string, len(pq.Groups))
	for i, g := range pq.Groups {
		groups[i] = g.Alternatives()
	}
	hits := ix.lex.SearchStructured(strings.Join(pq.Terms, " "), groups, k, allow)
	out := make([]store.Hit, len(hits))
	for i, h := range hits {
		out[i] = store.Hit{ID: h.ID, Score: h.Score}
	}
	return out
}

// matchReports resolves user report filters to report keys.
func (ix *Index) matchReports(filters []string) []string {
	var keys []string
	seen := map[string]bool{}
	add := func(k string) {
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	for _, f := range filters {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		regs := regionsInText(f)
		// "全国", "国务院", "national" name the country's report.
		national := len(regs) == 0 && parseQuery(f).Scope.National
		for _, r := range ix.reports {
			switch {
			case r.Key == f, r.Title == f, strings.Contains(r.Title, f):
				add(r.Key)
			case r.Region != "" && contains(regs, r.Region):
				add(r.Key)
			case national && ix.national[r.Key]:
				add(r.Key)
			}
		}
	}
	return keys
}

// boost lifts the chunks of the named reports above the others by adding
// the largest score gap a fused list can have, so that within each group the
// retrievers' order is kept. Chunks of other reports still follow, which is
// what makes boosting safer than filtering when a province is mentioned in
// passing.
func (ix *Index) boost(hits []store.Hit, keys []string) []store.Hit {
	set := map[string]bool{}
	for _, k := range keys {
		set[k] = true
	}
	var top float64
	for _, h := range hits {
		top = math.Max(top, h.Score)
	}
	out := make([]store.Hit, len(hits))
	for i, h := range hits {
		if i, ok := ix.byID[h.ID]; ok {
			c := &ix.records[i].Chunk
			if set[store.ReportKey(c.File, c.ReportIndex)] {
				h.Score += top
			}
		}
		out[i] = h
	}
	store.SortHits(out)
	return out
}

// fuse merges two rankings.
func fuse(dense, lex []store.Hit, f Fusion) []store.Hit {
	w := min(max(f.DenseWeight, 0), 1)
	scores := map[string]float64{}
	switch f.Method {
	case "weighted":
		for id, s := range minMax(dense) {
			scores[id] += w * s
		}
		for id, s := range minMax(lex) {
			scores[id] += (1 - w) * s
		}
	default: // rrf
		k := f.RRFK
		if k <= 0 {
			k = 60
		}
		for i, h := range dense {
			scores[h.ID] += 2 * w / (k + float64(i+1))
		}
		for i, h := range lex {
			scores[h.ID] += 2 * (1 - w) / (k + float64(i+1))
		}
	}
	out := make([]store.Hit, 0, len(scores))
	for id, s := range scores {
		out = append(out, store.Hit{ID: id, Score: s})
	}
	store.SortHits(out)
	return out
}

// minMax maps scores to [0,1] over the list; a single hit or equal scores
// map to 1.
func minMax(h []store.Hit) map[string]float64 {
	out := make(map[string]float64, len(h))
	if len(h) == 0 {
		return out
	}
	lo, hi := h[0].Score, h[0].Score
	for _, x := range h {
		lo, hi = math.Min(lo, x.Score), math.Max(hi, x.Score)
	}
	for _, x := range h {
		if hi == lo {
			out[x.ID] = 1
		} else {
			out[x.ID] = (x.Score - lo) / (hi - lo)
		}
	}
	return out
}

func rankMap(h []store.Hit) map[string]int {
	m := make(map[string]int, len(h))
	for i, x := range h {
		m[x.ID] = i + 1
	}
	return m
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// parseQuery is query.Parse, callable where a parameter named query hides
// the package.
var parseQuery = query.Parse
