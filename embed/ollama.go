package embed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/ollama/ollama/api"
	"golang.org/x/sync/errgroup"
)

// DefaultHost is where Ollama listens unless told otherwise.
const DefaultHost = "127.0.0.1:11434"

// Options tune an Ollama embedder. The zero value gives the defaults.
type Options struct {
	// BatchSize is the number of texts per /api/embed request (default 32).
	BatchSize int
	// Concurrency is the number of requests in flight (default 1: Ollama
	// already spreads a batch over the cores, and 2 showed no consistent
	// gain on a 2-core machine, see BenchmarkOllamaEmbed).
	Concurrency int
	// Timeout bounds one HTTP request, each retry getting a fresh one
	// (default 5 minutes: a cold model load plus a batch of long chunks on
	// a CPU-only machine).
	Timeout time.Duration
	// Retries is how often a transient failure (connection refused or reset,
	// request timeout, 5xx) is retried, with exponential backoff starting at
	// Backoff (default 250ms). Zero means fail at once, which is what a
	// query wants when it can fall back to lexical search;
	// DefaultOllamaOptions retries 3 times, which indexing wants.
	Retries int
	Backoff time.Duration
	// MaxSplitDepth bounds the halving of an input longer than the model's
	// context: depth d allows 2^d pieces (default 4, so 16).
	MaxSplitDepth int
	// NumThread sets Ollama's num_thread for the model (0: the server's
	// choice, one per physical core). Changing it reloads the model.
	NumThread int
	// TextForm rewrites text before it is sent (default TextAuto).
	TextForm TextForm
	// Instructions overrides the query/document prefixes that Families
	// would pick for the model; nil keeps the table's choice.
	Instructions *Instructions
}

func (o Options) withDefaults() Options {
	if o.BatchSize <= 0 {
		o.BatchSize = 32
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 1
	}
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Minute
	}
	if o.Retries < 0 {
		o.Retries = 0
	}
	if o.Backoff <= 0 {
		o.Backoff = 250 * time.Millisecond
	}
	if o.MaxSplitDepth <= 0 {
		o.MaxSplitDepth = 4
	}
	if o.TextForm == "" {
		o.TextForm = TextAuto
	}
	return o
}

// DefaultOllamaOptions are the settings measured to work best on a small
// CPU-only machine (see the package benchmarks): batches of 32, one request
// in flight, 3 retries, text form chosen from the model's tokenizer.
func DefaultOllamaOptions() Options {
	return Options{BatchSize: 32, Concurrency: 1, Timeout: 5 * time.Minute, Retries: 3,
		Backoff: 250 * time.Millisecond, MaxSplitDepth: 4, TextForm: TextAuto}
}

// Ollama embeds text with a model served by Ollama's /api/embed. It is safe
// for concurrent use.
type Ollama struct {
	base   *url.URL
	model  string
	opts   Options
	client *api.Client

	mu       sync.Mutex
	resolved bool         // form and instr are known
	form     TextForm     // TextRaw or TextASCIIPunct
	instr    Instructions // prefixes in use
	info     ModelInfo    // filled by Info
}

// NewOllama returns an embedder for model on the Ollama server at host
// (OLLAMA_HOST syntax: "127.0.0.1:11434", "http://host:port"; "" means
// DefaultHost). It does not contact the server: the first call does.
func NewOllama(host, model string, opts Options) (*Ollama, error) {
	base, err := ParseHost(host)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(model) == "" {
		return nil, errors.New("embed: no model name given")
	}
	opts = opts.withDefaults()
	if _, err := ParseTextForm(string(opts.TextForm)); err != nil {
		return nil, fmt.Errorf("embed: %w", err)
	}
	return &Ollama{base: base, model: model, opts: opts, client: newAPIClient(base, opts.Concurrency)}, nil
}

// NewClient returns an Ollama API client for host (see NewOllama) whose
// connections fail fast when nothing listens. Requests have no overall
// timeout (pulls take long): bound them with the context.
func NewClient(host string) (*api.Client, error) {
	base, err := ParseHost(host)
	if err != nil {
		return nil, err
	}
	return newAPIClient(base, 1), nil
}

func newAPIClient(base *url.URL, conns int) *api.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	tr.MaxIdleConnsPerHost = conns + 1
	// http.DefaultClient (what api.ClientFromEnvironment uses) never times
	// out; we bound each request with a context deadline instead.
	return api.NewClient(base, &http.Client{Transport: tr})
}

// ParseHost reads a host the way OLLAMA_HOST is read: an optional scheme
// (http, https; default http), a host (default 127.0.0.1) and a port
// (default 11434 without a scheme, 80/443 with one), and an optional path.
func ParseHost(s string) (*url.URL, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		s = DefaultHost
	}
	defaultPort := "11434"
	scheme, hostport, ok := strings.Cut(s, "://")
	switch {
	case !ok:
		scheme, hostport = "http", s
	case scheme == "http":
		defaultPort = "80"
	case scheme == "https":
		defaultPort = "443"
	default:
		return nil, fmt.Errorf("Ollama host %q: scheme %q is not http or https", s, scheme)
	}
	hostport, path, _ := strings.Cut(hostport, "/")
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		host, port = strings.Trim(hostport, "[]"), defaultPort
	}
	if host == "" {
		host = "127.0.0.1"
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return nil, fmt.Errorf("Ollama host %q: port %q is not a number from 1 to 65535", s, port)
	}
	u := &url.URL{Scheme: scheme, Host: net.JoinHostPort(host, port)}
	if path != "" {
		u.Path = "/" + path
	}
	return u, nil
}

// Host returns the server's base URL.
func (o *Ollama) Host() string { return o.base.String() }

// Model returns the model name as given.
func (o *Ollama) Model() string { return o.model }

// EmbedDocuments implements Embedder. Empty texts, texts the server rejects
// and vectors holding NaN or Inf are reported in *ItemErrors; the other
// vectors are still returned. Server-wide failures (ErrUnreachable,
// ErrModelMissing, timeouts, cancellation) return no vectors.
func (o *Ollama) EmbedDocuments(ctx context.Context, texts []string) ([][]float32, error) {
	if len(texts) == 0 {
		return nil, nil
	}
	if err := o.resolve(ctx); err != nil {
		return nil, err
	}
	b := o.batcher(o.instr.Document)
	out := make([][]float32, len(texts))
	res := &results{out: out, errs: map[int]error{}}
	var todo []int
	for i, t := range texts {
		if strings.TrimSpace(t) == "" {
			res.fail(i, errors.New("empty text"))
			continue
		}
		todo = append(todo, i)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(o.opts.Concurrency)
	for start := 0; start < len(todo); start += o.opts.BatchSize {
		idx := todo[start:min(start+o.opts.BatchSize, len(todo))]
		g.Go(func() error { return b.embed(gctx, texts, idx, true, res) })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if len(res.errs) > 0 {
		return out, &ItemErrors{Errs: res.errs}
	}
	return out, nil
}

// EmbedQuery implements Embedder.
func (o *Ollama) EmbedQuery(ctx context.Context, text string) ([]float32, error) {
	if strings.TrimSpace(text) == "" {
		return nil, errors.New("embed: empty query")
	}
	if err := o.resolve(ctx); err != nil {
		return nil, err
	}
	v, err := o.batcher(o.instr.Query).one(ctx, text, 0, true)
	if err != nil {
		return nil, fmt.Errorf("embed query: %w", err)
	}
	return v, nil
}

// Info implements Embedder. The first call asks the server for the model's
// digest and embeds a probe to learn the dimensions; later calls are free.
func (o *Ollama) Info(ctx context.Context) (ModelInfo, error) {
	if err := o.resolve(ctx); err != nil {
		return ModelInfo{}, err
	}
	o.mu.Lock()
	info := o.info
	o.mu.Unlock()
	if info.Dims > 0 {
		return info, nil
	}
	list, err := o.client.List(ctx)
	if err != nil {
		return ModelInfo{}, o.explain(err)
	}
	info = ModelInfo{Name: o.model, QueryPrefix: o.instr.Query, DocumentPrefix: o.instr.Document, TextForm: string(o.form)}
	for _, m := range list.Models {
		if sameModel(m.Name, o.model) || sameModel(m.Model, o.model) {
			info.Name, info.Digest = m.Name, m.Digest
			break
		}
	}
	v, err := o.batcher(o.instr.Document).one(ctx, "向量维度探测", 0, true)
	if err != nil {
		return ModelInfo{}, fmt.Errorf("embed: probing %s for its dimensions: %w", o.model, err)
	}
	info.Dims = len(v)
	o.mu.Lock()
	o.info = info
	o.mu.Unlock()
	return info, nil
}

// UseInfo makes the embedder embed the way the vectors described by info
// were made (a stored collection's model): info's prefixes and text form
// replace those of the options and the table, and Info returns info without
// asking the server. Call it before the first embedding.
func (o *Ollama) UseInfo(info ModelInfo) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.instr = Instructions{Query: info.QueryPrefix, Document: info.DocumentPrefix}
	o.form = TextRaw
	if TextForm(info.TextForm) == TextASCIIPunct {
		o.form = TextASCIIPunct
	}
	o.resolved = true
	if info.Dims > 0 {
		o.info = info
	}
}

// sameModel compares model names, taking a missing tag as ":latest".
func sameModel(a, b string) bool {
	tag := func(s string) string {
		s = strings.ToLower(strings.TrimSpace(s))
		if !strings.Contains(s[strings.LastIndex(s, "/")+1:], ":") {
			s += ":latest"
		}
		return s
	}
	return tag(a) == tag(b)
}

// resolve learns, once, what the model needs: its instructions and, for
// TextAuto, whether its tokenizer is WordPiece. It is also the first
// contact with the server, so its errors are the clear ones.
func (o *Ollama) resolve(ctx context.Context) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.resolved {
		return nil
	}
	instr, _ := InstructionsFor(o.model)
	if o.opts.Instructions != nil {
		instr = *o.opts.Instructions
	}
	form := o.opts.TextForm
	if form == TextAuto {
		sctx, cancel := context.WithTimeout(ctx, o.opts.Timeout)
		show, err := o.client.Show(sctx, &api.ShowRequest{Model: o.model})
		cancel()
		if err != nil {
			return o.explain(err)
		}
		form = TextRaw
		if IsWordPiece(show.ModelInfo) {
			form = TextASCIIPunct
		}
	}
	o.instr, o.form, o.resolved = instr, form, true
	return nil
}

// IsWordPiece reports whether a model's metadata (Show's model_info) names a
// WordPiece tokenizer, the one Ollama mangles punctuation in. The tokenizer
// decides when it is given (bge-m3 is a "bert" architecture with a
// SentencePiece tokenizer); otherwise a BERT architecture does.
func IsWordPiece(modelInfo map[string]any) bool {
	if tok, ok := modelInfo["tokenizer.ggml.model"].(string); ok && tok != "" {
		return tok == "bert"
	}
	arch, _ := modelInfo["general.architecture"].(string)
	return arch == "bert" || arch == "nomic-bert" || arch == "jina-bert-v2"
}

func (o *Ollama) batcher(prefix string) *batcher {
	form := o.form
	return &batcher{
		send:     o.send,
		prepare:  func(s string) string { return form.Apply(prefix + s) },
		maxDepth: o.opts.MaxSplitDepth,
	}
}

// send makes one /api/embed call, retrying transient failures. 5xx answers
// are retried only when retry5xx is set: during a bisection they have
// already survived the retries of the enclosing batch.
func (o *Ollama) send(ctx context.Context, inputs []string, retry5xx bool) ([][]float32, error) {
	truncate := false
	req := &api.EmbedRequest{Model: o.model, Input: inputs, Truncate: &truncate}
	if o.opts.NumThread > 0 {
		req.Options = map[string]any{"num_thread": o.opts.NumThread}
	}
	delay := o.opts.Backoff
	for attempt := 0; ; attempt++ {
		actx, cancel := context.WithTimeout(ctx, o.opts.Timeout)
		resp, err := o.client.Embed(actx, req)
		cancel()
		if err == nil {
			return resp.Embeddings, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if !o.transient(err, retry5xx) || attempt >= o.opts.Retries {
			if isAttemptTimeout(err) {
				return nil, fmt.Errorf("embed: %d input(s) to %s at %s got no answer within %s (%d attempt(s)): %w",
					len(inputs), o.model, o.base, o.opts.Timeout, attempt+1, context.DeadlineExceeded)
			}
			return nil, o.explain(err)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(delay):
		}
		delay *= 2
	}
}

func (o *Ollama) transient(err error, retry5xx bool) bool {
	var se api.StatusError
	if errors.As(err, &se) {
		return retry5xx && se.StatusCode >= 500
	}
	return isDialError(err) || isAttemptTimeout(err) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// explain turns transport and status errors into typed ones that say what
// is wrong (ErrUnreachable, ErrModelMissing), for each caller to add its own
// way out: the command names commands, the server must not.
func (o *Ollama) explain(err error) error { return explain(o.base, o.model, err) }

func explain(base *url.URL, model string, err error) error {
	var se api.StatusError
	switch {
	case model != "" && errors.As(err, &se) && se.StatusCode == http.StatusNotFound:
		return &kindError{kind: ErrModelMissing, model: model, msg: fmt.Sprintf(
			"model %s is not available on the Ollama server at %s", model, base)}
	case isDialError(err):
		return &kindError{kind: ErrUnreachable, msg: fmt.Sprintf(
			"cannot reach Ollama%s: %v",
			at(base), rootCause(err))}
	case errors.As(err, &se):
		return se
	}
	return fmt.Errorf("ollama%s: %w", at(base), err)
}

// ServerError explains an error from an api.Client call: ErrUnreachable
// when nothing answered, the error itself otherwise.
func ServerError(err error) error {
	if err == nil {
		return nil
	}
	return explain(nil, "", err)
}

func at(base *url.URL) string {
	if base == nil {
		return ""
	}
	return " at " + base.String()
}

// kindError carries a sentinel for errors.Is and a message that does not
// repeat it.
type kindError struct {
	kind  error
	msg   string
	model string // the missing model, for ErrModelMissing
}

// MissingModel is the model an ErrModelMissing error names ("" for any
// other error), so the caller can say how to get it.
func MissingModel(err error) string {
	var k *kindError
	if errors.As(err, &k) && k.kind == ErrModelMissing {
		return k.model
	}
	return ""
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }

func isDialError(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns) || errors.Is(err, syscall.ECONNREFUSED)
}

// isAttemptTimeout: the per-request deadline expired (the caller's own
// context is checked separately).
func isAttemptTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

func rootCause(err error) error {
	var op *net.OpError
	if errors.As(err, &op) {
		return op
	}
	return err
}

// batcher is the server-independent part of embedding: bisecting failed
// batches, splitting over-long inputs, checking vectors. send is the only
// thing that talks to the server.
type batcher struct {
	send     func(ctx context.Context, inputs []string, retry5xx bool) ([][]float32, error)
	prepare  func(string) string // prefix and text form
	maxDepth int
}

// results collects vectors and per-input failures from concurrent batches.
type results struct {
	mu   sync.Mutex
	out  [][]float32
	errs map[int]error
}

func (r *results) set(i int, v []float32) {
	r.mu.Lock()
	r.out[i] = v
	r.mu.Unlock()
}

func (r *results) fail(i int, err error) {
	r.mu.Lock()
	r.errs[i] = err
	r.mu.Unlock()
}

// embed embeds texts[idx...] as one request. When the server rejects the
// batch (any 4xx/5xx status other than 404) it halves the batch until the
// culprits stand alone; they become item errors. Other errors abort.
func (b *batcher) embed(ctx context.Context, texts []string, idx []int, retry5xx bool, res *results) error {
	if len(idx) == 1 {
		v, err := b.one(ctx, texts[idx[0]], 0, retry5xx)
		if err != nil {
			if !isItemError(err) {
				return err
			}
			res.fail(idx[0], err)
			return nil
		}
		res.set(idx[0], v)
		return nil
	}
	inputs := make([]string, len(idx))
	for k, i := range idx {
		inputs[k] = b.prepare(texts[i])
	}
	vecs, err := b.send(ctx, inputs, retry5xx)
	if err == nil && len(vecs) != len(inputs) {
		err = badResponse(fmt.Sprintf("%d vectors for %d inputs", len(vecs), len(inputs)))
	}
	if err == nil {
		for k, i := range idx {
			if err := checkVector(vecs[k]); err != nil {
				res.fail(i, err)
			} else {
				res.set(i, vecs[k])
			}
		}
		return nil
	}
	if !isItemError(err) {
		return err
	}
	// A 5xx that outlived the retries is no longer treated as passing.
	sub := retry5xx && !is5xx(err)
	mid := len(idx) / 2
	if err := b.embed(ctx, texts, idx[:mid], sub, res); err != nil {
		return err
	}
	return b.embed(ctx, texts, idx[mid:], sub, res)
}

// one embeds a single text. A text longer than the model's context is cut in
// two at a sentence end near its middle, each half embedded (recursively, to
// maxDepth), and the length-weighted mean of the halves returned, normalised.
func (b *batcher) one(ctx context.Context, text string, depth int, retry5xx bool) ([]float32, error) {
	vecs, err := b.send(ctx, []string{b.prepare(text)}, retry5xx)
	if err == nil {
		if len(vecs) != 1 {
			return nil, badResponse(fmt.Sprintf("%d vectors for 1 input", len(vecs)))
		}
		if err := checkVector(vecs[0]); err != nil {
			return nil, err
		}
		return vecs[0], nil
	}
	if !isTooLong(err) {
		return nil, err
	}
	if depth >= b.maxDepth {
		return nil, fmt.Errorf("text of %d characters is too long for the model even in %d pieces: %w",
			utf8.RuneCountInString(text), 1<<depth, err)
	}
	left, right := SplitHalf(text)
	if right == "" {
		return nil, err
	}
	lv, err := b.one(ctx, left, depth+1, retry5xx)
	if err != nil {
		return nil, err
	}
	rv, err := b.one(ctx, right, depth+1, retry5xx)
	if err != nil {
		return nil, err
	}
	if len(lv) != len(rv) {
		return nil, badResponse(fmt.Sprintf("halves embedded with %d and %d dimensions", len(lv), len(rv)))
	}
	return weightedMean(lv, rv, float32(utf8.RuneCountInString(left)), float32(utf8.RuneCountInString(right))), nil
}

// badResponse is a malformed answer from the server; like a rejected
// input it is pinned on the inputs that cause it.
type badResponse string

func (e badResponse) Error() string { return "unexpected answer from Ollama: " + string(e) }

// isItemError: the error may be caused by particular inputs, so bisecting
// can find them. Everything else (unreachable, model missing, timeouts,
// cancellation) is about the server or the caller.
func isItemError(err error) bool {
	var se api.StatusError
	if errors.As(err, &se) {
		return se.StatusCode >= 400 && se.StatusCode != http.StatusNotFound
	}
	var br badResponse
	return errors.As(err, &br) || errors.Is(err, errNotFinite) || errors.Is(err, errNoVector)
}

func is5xx(err error) bool {
	var se api.StatusError
	return errors.As(err, &se) && se.StatusCode >= 500
}

// isTooLong matches Ollama's "the input length exceeds the context length"
// (runner) and "input exceeds maximum context length" (server) answers.
func isTooLong(err error) bool {
	var se api.StatusError
	return errors.As(err, &se) && se.StatusCode == http.StatusBadRequest &&
		strings.Contains(strings.ToLower(se.ErrorMessage), "context length")
}

var (
	errNotFinite = errors.New("the model returned NaN or Inf values")
	errNoVector  = errors.New("the model returned an empty vector")
)

func checkVector(v []float32) error {
	if len(v) == 0 {
		return errNoVector
	}
	for _, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return errNotFinite
		}
	}
	return nil
}

// weightedMean returns (wa·a + wb·b), scaled to unit length.
func weightedMean(a, b []float32, wa, wb float32) []float32 {
	out := make([]float32, len(a))
	var sum float64
	for i := range a {
		out[i] = wa*a[i] + wb*b[i]
		sum += float64(out[i]) * float64(out[i])
	}
	if sum == 0 {
		return out
	}
	inv := float32(1 / math.Sqrt(sum))
	for i := range out {
		out[i] *= inv
	}
	return out
}

// SplitHalf cuts s in two near its middle, preferring (in this order) a
// sentence end (。！？；!?; or a line break), a clause break (，、,：:) and
// finally the exact middle, searching the middle half of the text. The
// break stays with the left part. Both parts are trimmed; right is "" only
// when s has fewer than two characters.
func SplitHalf(s string) (left, right string) {
	r := []rune(strings.TrimSpace(s))
	n := len(r)
	if n < 2 {
		return string(r), ""
	}
	mid := n / 2
	best := func(isBreak func(rune) bool) int {
		for d := 0; d <= n/4; d++ {
			for _, p := range []int{mid + d, mid - d} {
				// cut after r[p-1]; both sides non-empty
				if p >= 1 && p < n && isBreak(r[p-1]) {
					return p
				}
			}
		}
		return -1
	}
	cut := best(func(c rune) bool { return strings.ContainsRune("。！？；!?;\n", c) })
	if cut < 0 {
		cut = best(func(c rune) bool { return strings.ContainsRune("，、,：:", c) })
	}
	if cut < 0 {
		cut = mid
	}
	left, right = strings.TrimSpace(string(r[:cut])), strings.TrimSpace(string(r[cut:]))
	if left == "" || right == "" { // a break surrounded by spaces only
		return strings.TrimSpace(string(r[:mid])), strings.TrimSpace(string(r[mid:]))
	}
	return left, right
}
