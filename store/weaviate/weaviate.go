// Package weaviate keeps a collection's vectors in a Weaviate server, for
// dense search over more chunks than fit comfortably in one process.
//
// The collection's snapshot (package store) stays the source of truth for
// chunk records and the lexical index; a Weaviate class holds only what dense
// search needs: one object per embedded chunk, its vector, and the chunk ID,
// report key and a digest of what the vector was made from. Sync makes the
// class match a snapshot's records and is a no-op when nothing changed, so it
// can run after every index run. Index implements store.VectorIndex.
//
// Objects are addressed by a UUID derived from the chunk ID, so an upsert
// replaces the previous version of the same chunk in place. Imports go over
// Weaviate's gRPC batch API when the server answers on its gRPC port, else
// over REST; everything else uses REST (GraphQL nearVector, aggregate).
//
// Import speed: the server spends over 80% of its CPU time building the HNSW
// graph (distance computations, neighbour search), so that is the bound; gRPC
// matters because REST's JSON encoding of the vectors costs the client about
// a tenth of the server's CPU per vector, on the same cores.
package weaviate

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-openapi/strfmt"
	"github.com/google/uuid"
	wv "github.com/weaviate/weaviate-go-client/v5/weaviate"
	"github.com/weaviate/weaviate-go-client/v5/weaviate/filters"
	"github.com/weaviate/weaviate-go-client/v5/weaviate/graphql"
	wvgrpc "github.com/weaviate/weaviate-go-client/v5/weaviate/grpc"
	"github.com/weaviate/weaviate/entities/models"

	"github.com/reportsearch/reportsearch/store"
)

// BatchSize is how many objects go in one batch request. Larger batches
// save round trips; beyond about a thousand 256-dimensional objects the
// request body gets large without the import getting faster.
const BatchSize = 500

// ErrUnreachable is wrapped by the error of Open when no Weaviate answers
// at the address; the caller says how to start one (the command names its
// script, a library user has its own way).
var ErrUnreachable = errors.New("cannot reach Weaviate")

// Property names of the objects in a class.
const (
	propChunkID   = "chunk_id"
	propReportKey = "report_key"
	propHash      = "hash"
)

// namespace makes object UUIDs from chunk IDs (UUID version 5).
var namespace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://github.com/reportsearch/reportsearch/chunk"))

// ObjectID is the Weaviate object UUID of a chunk: the same chunk ID always
// gives the same UUID, so re-importing a chunk replaces it.
func ObjectID(chunkID string) string {
	return uuid.NewSHA1(namespace, []byte(chunkID)).String()
}

// ClassName turns a collection identity (a name, or a folder path) into a
// Weaviate class name: classes must start with an upper-case letter and hold
// only letters, digits and '_'. The readable tail is kept and a hash of the
// whole string keeps two different identities apart after sanitising.
func ClassName(collection string) string {
	sum := sha256.Sum256([]byte(collection))
	tail := collection
	if i := strings.LastIndexAny(tail, `/\`); i >= 0 && i < len(tail)-1 {
		tail = tail[i+1:]
	}
	var b strings.Builder
	b.WriteString("Rs_")
	for _, r := range tail {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
		if b.Len() >= 60 {
			break
		}
	}
	return fmt.Sprintf("%s_%x", b.String(), sum[:6])
}

// Index is one collection's vectors in a Weaviate class. It is safe for
// concurrent queries; Sync must not run concurrently with another Sync of the
// same class (the indexer's lock sees to that).
type Index struct {
	client *wv.Client
	url    string // as given, for messages
	class  string
	// grpcHost is the server's gRPC listener ("" for none: import over
	// REST); grpc the client using it for batch imports, made by the first
	// import and dropped (back to REST) if the listener does not answer.
	grpcHost string
	host     string
	scheme   string
	grpcOnce sync.Once
	grpc     *wv.Client
	grpcErr  error

	mu    sync.RWMutex
	count int
	dims  int
}

// Open connects to the Weaviate server at addr ("host:port", "http://host:port"
// or "weaviate://host:port") and opens the class of the collection, creating
// it when missing (HNSW, cosine distance, no vectorizer). collection is passed
// through ClassName.
//
// Imports use the server's gRPC port, by default the REST port + 1 (the layout
// of scripts/weaviate-up.sh); "?grpc=host:port" (or "?grpc=:port") on addr
// names another, "?grpc=off" keeps imports on REST.
func Open(ctx context.Context, addr, collection string) (*Index, error) {
	host, scheme, grpcHost, err := parseAddr(addr)
	if err != nil {
		return nil, err
	}
	shown := scheme + "://" + host
	client, err := wv.NewClient(wv.Config{
		Host: host, Scheme: scheme,
		// Bound every request: a server that accepts connections but hangs
		// must not hang searches.
		ConnectionClient: &http.Client{Timeout: 5 * time.Minute},
		Timeout:          5 * time.Minute,
	})
	if err != nil {
		return nil, fmt.Errorf("weaviate at %s: %w", shown, err)
	}
	ix := &Index{client: client, url: shown, class: ClassName(collection), grpcHost: grpcHost, host: host, scheme: scheme}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	ready, err := client.Misc().ReadyChecker().Do(pctx)
	if err != nil || !ready {
		if err == nil {
			err = errors.New("server is not ready")
		}
		return nil, fmt.Errorf("%w at %s: %v", ErrUnreachable, shown, err)
	}
	if err := ix.ensureClass(ctx); err != nil {
		return nil, err
	}
	if err := ix.refresh(ctx); err != nil {
		return nil, err
	}
	return ix, nil
}

func parseAddr(addr string) (host, scheme, grpcHost string, err error) {
	a := strings.TrimSpace(addr)
	if a == "" {
		return "", "", "", errors.New("no Weaviate address given (want host:port)")
	}
	if !strings.Contains(a, "://") {
		a = "http://" + a
	}
	u, err := url.Parse(a)
	if err != nil || u.Host == "" {
		return "", "", "", fmt.Errorf("bad Weaviate address %q (want host:port or weaviate://host:port)", addr)
	}
	switch u.Scheme {
	case "weaviate", "http":
		scheme = "http"
	case "https":
		scheme = "https"
	default:
		return "", "", "", fmt.Errorf("bad Weaviate address %q: scheme %q (want weaviate://, http:// or https://)", addr, u.Scheme)
	}
	q := u.Query()
	for k := range q {
		if k != "grpc" {
			return "", "", "", fmt.Errorf("bad Weaviate address %q: unknown parameter %q (only grpc=host:port or grpc=off)", addr, k)
		}
	}
	switch g := q.Get("grpc"); {
	case g == "off":
	case g != "":
		gh, gp, err := net.SplitHostPort(g)
		if err != nil || gp == "" {
			return "", "", "", fmt.Errorf("bad Weaviate address %q: grpc=%q (want host:port, :port or off)", addr, g)
		}
		if gh == "" {
			gh = u.Hostname()
		}
		grpcHost = net.JoinHostPort(gh, gp)
	case u.Port() != "":
		port, err := strconv.Atoi(u.Port())
		if err != nil || port < 1 || port >= 65535 {
			return "", "", "", fmt.Errorf("bad Weaviate address %q: port %q", addr, u.Port())
		}
		grpcHost = net.JoinHostPort(u.Hostname(), strconv.Itoa(port+1))
	}
	return u.Host, scheme, grpcHost, nil
}

// Class is the Weaviate class name of this index.
func (ix *Index) Class() string { return ix.class }

// URL is the server address, for messages.
func (ix *Index) URL() string { return ix.url }

func (ix *Index) errorf(format string, args ...any) error {
	return fmt.Errorf("weaviate at %s, class %s: %s", ix.url, ix.class, fmt.Sprintf(format, args...))
}

func (ix *Index) ensureClass(ctx context.Context) error {
	exists, err := ix.client.Schema().ClassExistenceChecker().WithClassName(ix.class).Do(ctx)
	if err != nil {
		return ix.errorf("checking the class: %v", err)
	}
	if exists {
		return nil
	}
	no := false
	class := &models.Class{
		Class:           ix.class,
		Description:     "reportsearch chunk vectors (the collection snapshot holds the text)",
		Vectorizer:      "none",
		VectorIndexType: "hnsw",
		VectorIndexConfig: map[string]any{
			"distance": "cosine",
			// Full-precision vectors, so results match the exact in-memory
			// index as closely as HNSW allows (and Weaviate 1.35 logs an
			// error for every new class when no default is configured).
			"skipDefaultQuantization": true,
		},
		Properties: []*models.Property{
			// "field" tokenization keeps the whole value as one token, so
			// Equal is an exact match ("word" would split file names).
			{Name: propChunkID, DataType: []string{"text"}, Tokenization: "field", IndexSearchable: &no},
			{Name: propReportKey, DataType: []string{"text"}, Tokenization: "field", IndexSearchable: &no},
			{Name: propHash, DataType: []string{"text"}, Tokenization: "field", IndexSearchable: &no, IndexFilterable: &no},
		},
	}
	if err := ix.client.Schema().ClassCreator().WithClass(class).Do(ctx); err != nil {
		// Another process may have created it in between.
		if ok, _ := ix.client.Schema().ClassExistenceChecker().WithClassName(ix.class).Do(ctx); ok {
			return nil
		}
		return ix.errorf("creating the class: %v", err)
	}
	return nil
}

// refresh reads the object count and, when unknown, the vectors' dimension.
func (ix *Index) refresh(ctx context.Context) error {
	n, err := ix.Count(ctx)
	if err != nil {
		return err
	}
	dims := 0
	if n > 0 {
		objs, err := ix.client.Data().ObjectsGetter().WithClassName(ix.class).WithLimit(1).WithVector().Do(ctx)
		if err != nil {
			return ix.errorf("reading an object: %v", err)
		}
		if len(objs) > 0 {
			dims = len(objs[0].Vector)
		}
	}
	ix.mu.Lock()
	ix.count, ix.dims = n, dims
	ix.mu.Unlock()
	return nil
}

// Count asks the server how many objects the class holds.
func (ix *Index) Count(ctx context.Context) (int, error) {
	count := ix.client.GraphQL().Aggregate().WithClassName(ix.class).
		WithFields(graphql.Field{Name: "meta", Fields: []graphql.Field{{Name: "count"}}})
	resp, err := ix.graphQL(ctx, count.Do)
	if err := gqlError(resp, err); err != nil {
		return 0, ix.errorf("counting objects: %v", err)
	}
	agg, _ := resp.Data["Aggregate"].(map[string]any)
	rows, _ := agg[ix.class].([]any)
	if len(rows) == 0 {
		return 0, nil
	}
	row, _ := rows[0].(map[string]any)
	meta, _ := row["meta"].(map[string]any)
	c, ok := meta["count"].(float64)
	if !ok {
		return 0, ix.errorf("unexpected aggregate answer %v", resp.Data)
	}
	return int(c), nil
}

// schemaLagWait bounds how long a GraphQL call waits for a class that was
// just created to appear in Weaviate's GraphQL schema.
const schemaLagWait = 5 * time.Second

// graphQL runs a GraphQL call, and runs it again while Weaviate answers
// that the class is not a field of its schema yet: Weaviate rebuilds its
// GraphQL schema asynchronously after a class is created, so a query right
// after creation can be refused although the class exists (seen after an
// interrupted sync, when the next run created the class and counted it at
// once). Other answers return at once.
func (ix *Index) graphQL(ctx context.Context, do func(context.Context) (*models.GraphQLResponse, error)) (*models.GraphQLResponse, error) {
	deadline := time.Now().Add(schemaLagWait)
	for wait := 50 * time.Millisecond; ; wait = min(2*wait, 500*time.Millisecond) {
		resp, err := do(ctx)
		if !schemaLags(gqlError(resp, err), ix.class) || time.Now().After(deadline) {
			return resp, err
		}
		select {
		case <-ctx.Done():
			return resp, err
		case <-time.After(wait):
		}
	}
}

// schemaLags tells whether err is Weaviate saying that class is not (yet)
// a field of its GraphQL schema.
func schemaLags(err error, class string) bool {
	return err != nil && strings.Contains(err.Error(), `Cannot query field "`+class+`"`)
}

func gqlError(resp *models.GraphQLResponse, err error) error {
	if err != nil {
		return err
	}
	if resp == nil {
		return errors.New("empty GraphQL answer")
	}
	if len(resp.Errors) > 0 {
		msgs := make([]string, 0, len(resp.Errors))
		for _, e := range resp.Errors {
			msgs = append(msgs, e.Message)
		}
		return errors.New(strings.Join(msgs, "; "))
	}
	return nil
}

// Len is the number of vectors held, as of Open or the last Sync or Put.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.count
}

// Dims is the vectors' dimension (0 when empty).
func (ix *Index) Dims() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.dims
}

// digest identifies what an object was made from: the chunk's text hash,
// its report and the exact vector. An object whose digest matches is left
// alone by Sync; any difference (new text, another model, a moved report)
// rewrites it.
func digest(r *store.Record) string {
	h := sha256.New()
	h.Write([]byte(r.Hash))
	h.Write([]byte{0})
	h.Write([]byte(store.ReportKey(r.File, r.ReportIndex)))
	h.Write([]byte{0})
	var b [4]byte
	for _, x := range r.Vector {
		binary.LittleEndian.PutUint32(b[:], math.Float32bits(x))
		h.Write(b[:])
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Sync makes the class hold exactly the records that have a vector: it
// writes the new and changed ones (batch import) and deletes objects whose
// chunk is gone. It reads the class's digests first, so a Sync after an
// unchanged index writes and deletes nothing.
func (ix *Index) Sync(ctx context.Context, records []store.Record) (added, deleted int, err error) {
	dims, err := store.VectorDims(records)
	if err != nil {
		return 0, 0, err
	}
	want := make(map[string]int, len(records)) // object UUID -> record index
	for i := range records {
		if records[i].Vector != nil {
			want[ObjectID(records[i].ID)] = i
		}
	}
	if have := ix.Dims(); have != 0 && dims != 0 && have != dims && ix.Len() > 0 {
		// Mixed dimensions in one class make every query fail: rebuild.
		if err := ix.Drop(ctx); err != nil {
			return 0, 0, err
		}
		if err := ix.ensureClass(ctx); err != nil {
			return 0, 0, err
		}
	}
	stored, err := ix.digests(ctx)
	if err != nil {
		return 0, 0, err
	}
	var put []store.Record
	for id, i := range want {
		if d, ok := stored[id]; !ok || d != digest(&records[i]) {
			put = append(put, records[i])
		}
	}
	var gone []string
	for id := range stored {
		if _, ok := want[id]; !ok {
			gone = append(gone, id)
		}
	}
	if err := ix.Put(ctx, put); err != nil {
		return 0, 0, err
	}
	if err := ix.deleteIDs(ctx, gone); err != nil {
		return len(put), 0, err
	}
	if err := ix.refresh(ctx); err != nil {
		return len(put), len(gone), err
	}
	if n := ix.Len(); n != len(want) {
		return len(put), len(gone), ix.errorf("after sync the class holds %d objects, the snapshot %d embedded chunks", n, len(want))
	}
	return len(put), len(gone), nil
}

// digests reads every object's UUID and digest, paging with a cursor.
func (ix *Index) digests(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	after := ""
	for {
		g := ix.client.Data().ObjectsGetter().WithClassName(ix.class).WithLimit(2000)
		if after != "" {
			g = g.WithAfter(after)
		}
		objs, err := g.Do(ctx)
		if err != nil {
			return nil, ix.errorf("listing objects: %v", err)
		}
		if len(objs) == 0 {
			return out, nil
		}
		for _, o := range objs {
			props, _ := o.Properties.(map[string]any)
			h, _ := props[propHash].(string)
			out[string(o.ID)] = h
		}
		after = string(objs[len(objs)-1].ID)
	}
}

// Put writes records (those with a vector) into the class, replacing objects
// of the same chunk ID, in batches of BatchSize. It does not look at what is
// stored; Sync is the diffing front end. Two batches are in flight at once so
// the server indexes one while the next is being sent.
func (ix *Index) Put(ctx context.Context, records []store.Record) error {
	var batches [][]*models.Object
	var cur []*models.Object
	for i := range records {
		r := &records[i]
		if r.Vector == nil {
			continue
		}
		cur = append(cur, &models.Object{
			Class: ix.class,
			ID:    strfmt.UUID(ObjectID(r.ID)),
			Properties: map[string]any{
				propChunkID:   r.ID,
				propReportKey: store.ReportKey(r.File, r.ReportIndex),
				propHash:      digest(r),
			},
			Vector: r.Vector,
		})
		if len(cur) == BatchSize {
			batches = append(batches, cur)
			cur = nil
		}
	}
	if len(cur) > 0 {
		batches = append(batches, cur)
	}
	if len(batches) == 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan []*models.Object)
	errc := make(chan error, 2)
	var wg sync.WaitGroup
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range work {
				if err := ix.putBatch(ctx, b); err != nil {
					errc <- err
					cancel()
					return
				}
			}
		}()
	}
	for _, b := range batches {
		select {
		case work <- b:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(work)
	wg.Wait()
	close(errc)
	if err := <-errc; err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// The count is refreshed cheaply from the server, not guessed: replaced
	// objects do not add to it.
	if n, err := ix.Count(ctx); err == nil {
		ix.mu.Lock()
		ix.count = n
		if ix.dims == 0 {
			ix.dims = len(batches[0][0].Vector)
		}
		ix.mu.Unlock()
	}
	return nil
}

// batchClient is the client for batch imports: over gRPC when the server
// answers there (checked once), else the REST one.
func (ix *Index) batchClient() *wv.Client {
	ix.grpcOnce.Do(func() {
		if ix.grpcHost == "" {
			return
		}
		// The client checks the gRPC health service before returning.
		ix.grpc, ix.grpcErr = wv.NewClient(wv.Config{
			Host: ix.host, Scheme: ix.scheme,
			ConnectionClient: &http.Client{Timeout: 5 * time.Minute},
			Timeout:          5 * time.Minute,
			StartupTimeout:   5 * time.Second,
			GrpcConfig:       &wvgrpc.Config{Host: ix.grpcHost, Secured: ix.scheme == "https"},
		})
	})
	if ix.grpc != nil {
		return ix.grpc
	}
	return ix.client
}

// ImportProtocol says how Put sends objects: "grpc" or "rest" (after the
// first Put; "rest" before).
func (ix *Index) ImportProtocol() string {
	if ix.grpc != nil {
		return "grpc"
	}
	return "rest"
}

func (ix *Index) putBatch(ctx context.Context, objs []*models.Object) error {
	res, err := ix.batchClient().Batch().ObjectsBatcher().WithObjects(objs...).Do(ctx)
	if err != nil {
		return ix.errorf("batch import of %d objects (%s): %v", len(objs), ix.ImportProtocol(), err)
	}
	for _, r := range res {
		if r.Result != nil && r.Result.Errors != nil && len(r.Result.Errors.Error) > 0 {
			chunkID := ""
			if p, ok := r.Properties.(map[string]any); ok {
				chunkID, _ = p[propChunkID].(string)
			}
			return ix.errorf("importing chunk %s: %s", chunkID, r.Result.Errors.Error[0].Message)
		}
	}
	return nil
}

// deleteIDs removes objects by UUID, a few hundred per request (the server
// caps one batch delete at QUERY_MAXIMUM_RESULTS matches).
func (ix *Index) deleteIDs(ctx context.Context, ids []string) error {
	for len(ids) > 0 {
		n := min(len(ids), BatchSize)
		where := filters.Where().WithPath([]string{"id"}).WithOperator(filters.ContainsAny).WithValueText(ids[:n]...)
		res, err := ix.client.Batch().ObjectsBatchDeleter().WithClassName(ix.class).WithWhere(where).WithOutput("minimal").Do(ctx)
		if err != nil {
			return ix.errorf("deleting %d objects: %v", n, err)
		}
		if res.Results != nil && res.Results.Failed > 0 {
			return ix.errorf("deleting %d objects: %d failed", n, res.Results.Failed)
		}
		ids = ids[n:]
	}
	return nil
}

// Drop deletes the class and everything in it.
func (ix *Index) Drop(ctx context.Context) error {
	if err := ix.client.Schema().ClassDeleter().WithClassName(ix.class).Do(ctx); err != nil {
		return ix.errorf("deleting the class: %v", err)
	}
	ix.mu.Lock()
	ix.count, ix.dims = 0, 0
	ix.mu.Unlock()
	return nil
}

// Query returns the k nearest chunks by cosine similarity (1 - Weaviate's
// cosine distance), best first, ties by ID. reportKeys, when not empty,
// limits the search to those reports. HNSW is approximate: results can
// differ slightly from an exact search.
func (ix *Index) Query(ctx context.Context, vec []float32, k int, reportKeys []string) ([]store.Hit, error) {
	if k <= 0 || ix.Len() == 0 {
		return nil, nil
	}
	if d := ix.Dims(); d != 0 && len(vec) != d {
		return nil, fmt.Errorf("query vector has %d dimensions, the collection %d (was it indexed with another model?)", len(vec), d)
	}
	for _, x := range vec {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return nil, errors.New("query vector contains NaN or Inf")
		}
	}
	get := ix.client.GraphQL().Get().WithClassName(ix.class).
		WithNearVector(ix.client.GraphQL().NearVectorArgBuilder().WithVector(vec)).
		WithLimit(k).
		WithFields(graphql.Field{Name: propChunkID}, graphql.Field{Name: "_additional", Fields: []graphql.Field{{Name: "distance"}}})
	if len(reportKeys) > 0 {
		var ops []*filters.WhereBuilder
		for _, key := range reportKeys {
			ops = append(ops, filters.Where().WithPath([]string{propReportKey}).WithOperator(filters.Equal).WithValueText(key))
		}
		if len(ops) == 1 {
			get = get.WithWhere(ops[0])
		} else {
			get = get.WithWhere(filters.Where().WithOperator(filters.Or).WithOperands(ops))
		}
	}
	resp, err := ix.graphQL(ctx, get.Do)
	if err := gqlError(resp, err); err != nil {
		return nil, ix.errorf("nearVector query: %v", err)
	}
	data, _ := resp.Data["Get"].(map[string]any)
	rows, _ := data[ix.class].([]any)
	hits := make([]store.Hit, 0, len(rows))
	for _, row := range rows {
		m, _ := row.(map[string]any)
		id, _ := m[propChunkID].(string)
		add, _ := m["_additional"].(map[string]any)
		dist, ok := add["distance"].(float64)
		if id == "" || !ok {
			return nil, ix.errorf("unexpected query answer row %v", row)
		}
		hits = append(hits, store.Hit{ID: id, Score: 1 - dist})
	}
	store.SortHits(hits)
	return hits, nil
}

var _ store.VectorIndex = (*Index)(nil)
