package server_test

// The server against its own /openapi.json, judged by a real OpenAPI
// validator (kin-openapi): the document must be valid, every request below
// must be accepted by both or refused by both, and every answer must match
// the document.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/reportsearch/reportsearch/retrieve"
	"github.com/reportsearch/reportsearch/server"
)

// strictJSON is the validator's body decoder: a JSON text as RFC 8259 has
// it, exactly one value (§2) in UTF-8 (§8.1). kin-openapi's default decoder
// (encoding/json's Decoder) reads the first value and ignores what follows,
// and turns invalid UTF-8 into U+FFFD, so it would accept bodies that are
// not JSON texts at all.
func strictJSON(body io.Reader, h http.Header, s *openapi3.SchemaRef, enc openapi3filter.EncodingFn) (any, error) {
	b, err := io.ReadAll(body)
	if err != nil {
		return nil, err
	}
	if !utf8.Valid(b) {
		return nil, fmt.Errorf("not UTF-8")
	}
	if !json.Valid(b) {
		return nil, fmt.Errorf("not one JSON value")
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	return v, dec.Decode(&v)
}

func init() { openapi3filter.RegisterBodyDecoder("application/json", strictJSON) }

// specRouter loads the document the server serves, validates it, and
// routes requests to its operations.
func specRouter(t *testing.T, r *running) (*openapi3.T, routers.Router) {
	t.Helper()
	code, _, b := call(t, "GET", r.base+"/openapi.json", "")
	if code != 200 {
		t.Fatalf("GET /openapi.json: %d", code)
	}
	doc, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		t.Fatalf("loading /openapi.json: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("/openapi.json is not a valid OpenAPI document: %v", err)
	}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return doc, router
}

type exchange struct {
	name, method, path, contentType, body string
}

// judge asks the validator about ex, sends ex to the server, and checks the
// server's answer against the document. It returns the validator's error
// (nil: accepted) and the server's status.
func judge(t *testing.T, r *running, doc *openapi3.T, router routers.Router, ex exchange) (error, int) {
	t.Helper()
	ctx := context.Background()
	newReq := func() *http.Request {
		req, err := http.NewRequest(ex.method, r.base+ex.path, strings.NewReader(ex.body))
		if err != nil {
			t.Fatal(err)
		}
		if ex.contentType != "" {
			req.Header.Set("Content-Type", ex.contentType)
		}
		return req
	}
	vreq := newReq()
	route, params, verr := router.FindRoute(vreq)
	if verr == nil && route.Path != vreq.URL.Path {
		// kin-openapi's legacy router forgives a trailing slash; the
		// document's paths have no templates, so only the exact path is it.
		route, verr = nil, fmt.Errorf("no operation at %s", vreq.URL.Path)
	}
	// SkipSettingDefaults: kin-openapi would write a property's default
	// over a null and then judge the default, not what was sent.
	input := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, SkipSettingDefaults: true}}
	if verr == nil {
		verr = openapi3filter.ValidateRequest(ctx, input)
	}

	resp, err := client.Do(newReq())
	if err != nil {
		t.Fatalf("%s: %v", ex.name, err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if route != nil {
		// The answer, 200 or error, is what the document says it is.
		out := &openapi3filter.ResponseValidationInput{RequestValidationInput: input, Status: resp.StatusCode,
			Header: resp.Header, Options: input.Options}
		out.SetBodyBytes(body)
		if err := openapi3filter.ValidateResponse(ctx, out); err != nil {
			t.Errorf("%s: the answer (%d) does not match /openapi.json: %v\n%.300s", ex.name, resp.StatusCode, err, body)
		}
	} else {
		// No operation: the document's error schema still holds.
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			t.Errorf("%s: %d answered with something not JSON: %.200s", ex.name, resp.StatusCode, body)
		} else if err := doc.Components.Schemas["Error"].Value.VisitJSON(v); err != nil {
			t.Errorf("%s: %d error body does not match the Error schema: %v", ex.name, resp.StatusCode, err)
		}
	}
	return verr, resp.StatusCode
}

func TestServerAgreesWithOpenAPI(t *testing.T) {
	r, ix := lexicalServer(t)
	doc, router := specRouter(t, r)
	const appJSON = "application/json"
	someID := url.QueryEscape(ix.IDsOf(ix.Reports()[1].File)[1])
	s := func(name, body string) exchange { return exchange{name, "POST", "/search", appJSON, body} }
	c := func(name, body string) exchange { return exchange{name, "POST", "/context", appJSON, body} }
	maxQuery := strings.Repeat("稳", server.MaxQueryRunes)

	accepted := []exchange{
		s("query only", `{"query":"稳增长"}`),
		s("every field", `{"query":"稳增长","k":3,"mode":"lexical","reports":["北京"],"report_policy":"filter"}`),
		s("every mode auto", `{"query":"稳增长","mode":"auto"}`),
		s("mode hybrid", `{"query":"稳增长","mode":"hybrid"}`),
		s("report_policy off", `{"query":"稳增长","report_policy":"off"}`),
		s("report_policy boost", `{"query":"稳增长","report_policy":"boost"}`),
		s("empty reports", `{"query":"稳增长","reports":[]}`),
		s("k 5.0 (a whole number)", `{"query":"稳增长","k":5.0}`),
		s("k 5e0", `{"query":"稳增长","k":5e0}`),
		s("k 100", `{"query":"稳增长","k":100}`),
		s("query at the limit", fmt.Sprintf(`{"query":%q,"k":1}`, maxQuery)),
		s("query with a NUL beside text", `{"query":"稳\u0000增长"}`),
		s("escaped field name", `{"\u0071uery":"稳增长"}`),
		s("a closing newline", "{\"query\":\"稳增长\"}\r\n"),
		{"charset utf-8", "POST", "/search", "application/json; charset=utf-8", `{"query":"稳增长"}`},
		{"charset UTF-8, no space", "POST", "/search", "application/json;charset=UTF-8", `{"query":"稳增长"}`},
		{"media type in capitals", "POST", "/search", "Application/JSON", `{"query":"稳增长"}`},
		c("context, every field", `{"query":"养老服务","k":2,"mode":"lexical","reports":["北京"],"report_policy":"boost","budget":500,"candidates":3,"neighbours":0}`),
		c("context, search fields and budget", `{"query":"养老服务","budget":800}`),
		c("context, neighbours 5", `{"query":"养老服务","neighbours":5}`),
		s("years", `{"query":"稳增长","years":"2026"}`),
		s("years range", `{"query":"稳增长","years":"2020-2026"}`),
		{"compare, query only", "POST", "/compare", appJSON, `{"query":"低空经济"}`},
		{"compare, every field", "POST", "/compare", appJSON, `{"query":"低空经济","mode":"lexical","reports":["北京","浙江"],"years":"2026","by":"year","min_cover":0.5,"candidates":2}`},
		{"GET /reports", "GET", "/reports", "", ""},
		{"GET /healthz", "GET", "/healthz", "", ""},
		{"GET /openapi.json", "GET", "/openapi.json", "", ""},
		{"GET /report", "GET", "/report?id=" + someID, "", ""},
	}
	refused := []exchange{
		s("QUERY", `{"QUERY":"稳增长"}`),
		s("Query", `{"Query":"稳增长"}`),
		s("K", `{"query":"稳增长","K":3}`),
		s("mode DENSE", `{"query":"稳增长","mode":"DENSE"}`),
		s("mode Lexical", `{"query":"稳增长","mode":"Lexical"}`),
		s("mode with a space", `{"query":"稳增长","mode":" dense"}`),
		s("mode empty", `{"query":"稳增长","mode":""}`),
		s("report_policy FILTER", `{"query":"稳增长","report_policy":"FILTER"}`),
		s("report_policy empty", `{"query":"稳增长","report_policy":""}`),
		s("query of NULs", `{"query":"\u0000\u0000"}`),
		s("query of control characters", `{"query":"\u0001\u001f\u007f\u0085"}`),
		s("query of ideographic spaces", `{"query":"\u3000\u3000"}`),
		s("query of no-break and line separators", `{"query":"\u00a0\u2028\u2029\u202f"}`),
		s("query blank", `{"query":" \t\n"}`),
		s("query empty", `{"query":""}`),
		s("query missing", `{}`),
		s("query over the limit", fmt.Sprintf(`{"query":%q}`, maxQuery+"稳")),
		s("invalid UTF-8 in query", "{\"query\":\"\xff\xfe稳\"}"),
		s("invalid UTF-8 in reports", "{\"query\":\"稳增长\",\"reports\":[\"\xc3\"]}"),
		s("invalid UTF-8 in a field name", "{\"query\":\"稳增长\",\"\xffk\":1}"),
		s("query null", `{"query":null}`),
		s("k null", `{"query":"稳增长","k":null}`),
		s("mode null", `{"query":"稳增长","mode":null}`),
		s("reports null", `{"query":"稳增长","reports":null}`),
		s("a null report", `{"query":"稳增长","reports":[null]}`),
		s("report_policy null", `{"query":"稳增长","report_policy":null}`),
		s("k 5.5", `{"query":"稳增长","k":5.5}`),
		s("years null", `{"query":"稳增长","years":null}`),
		s("years a number", `{"query":"稳增长","years":2026}`),
		s("years two digits", `{"query":"稳增长","years":"26"}`),
		{"compare, by province", "POST", "/compare", appJSON, `{"query":"低空经济","by":"province"}`},
		{"compare, min_cover 0", "POST", "/compare", appJSON, `{"query":"低空经济","min_cover":0}`},
		{"compare, candidates 21", "POST", "/compare", appJSON, `{"query":"低空经济","candidates":21}`},
		{"compare, k", "POST", "/compare", appJSON, `{"query":"低空经济","k":3}`},
		s("k a string", `{"query":"稳增长","k":"5"}`),
		s("k true", `{"query":"稳增长","k":true}`),
		s("k 0", `{"query":"稳增长","k":0}`),
		s("k 101", `{"query":"稳增长","k":101}`),
		s("k -1", `{"query":"稳增长","k":-1}`),
		s("k 1e400", `{"query":"稳增长","k":1e400}`),
		s("k 1e20", `{"query":"稳增长","k":1e20}`),
		s("reports a string", `{"query":"稳增长","reports":"北京"}`),
		s("a context field", `{"query":"稳增长","budget":500}`),
		s("unknown field", `{"query":"稳增长","top_k":3}`),
		s("two values", `{"query":"稳增长"}{"query":"稳增长"}`),
		s("text after the value", `{"query":"稳增长"} x`),
		s("bad JSON", `{"query":`),
		s("empty body", ``),
		s("an array", `["稳增长"]`),
		s("null body", `null`),
		s("a string body", `"稳增长"`),
		{"text/plain", "POST", "/search", "text/plain", `{"query":"稳增长"}`},
		{"form", "POST", "/search", "application/x-www-form-urlencoded", `query=稳增长`},
		{"multipart", "POST", "/search", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"query\"\r\n\r\n稳增长\r\n--x--\r\n"},
		{"no Content-Type", "POST", "/search", "", `{"query":"稳增长"}`},
		{"application/jsonx", "POST", "/search", "application/jsonx", `{"query":"稳增长"}`},
		c("context QUERY", `{"QUERY":"养老服务"}`),
		c("context Budget", `{"query":"养老服务","Budget":500}`),
		c("context budget 0", `{"query":"养老服务","budget":0}`),
		c("context budget 100001", `{"query":"养老服务","budget":100001}`),
		c("context candidates 0", `{"query":"养老服务","candidates":0}`),
		c("context neighbours 6", `{"query":"养老服务","neighbours":6}`),
		c("context neighbours -1", `{"query":"养老服务","neighbours":-1}`),
		c("context budget null", `{"query":"养老服务","budget":null}`),
		c("context unknown field", `{"query":"养老服务","tokens":100}`),
		c("context query of NULs", `{"query":"\u0000\u0000"}`),
		c("context mode DENSE", `{"query":"养老服务","mode":"DENSE"}`),
		{"double slash", "GET", "//search", "", ""},
		{"double slash POST", "POST", "//search", appJSON, `{"query":"稳增长"}`},
		{"dot dot", "GET", "/../../etc/passwd", "", ""},
		{"dot segment", "GET", "/./healthz", "", ""},
		{"trailing slash", "GET", "/healthz/", "", ""},
		{"unknown path", "GET", "/v2/search", "", ""},
		{"GET /search", "GET", "/search", "", ""},
		{"PUT /context", "PUT", "/context", appJSON, `{"query":"稳增长"}`},
		{"OPTIONS /search", "OPTIONS", "/search", "", ""},
		{"DELETE /healthz", "DELETE", "/healthz", "", ""},
		{"GET /report without id", "GET", "/report", "", ""},
		{"GET /report, id empty", "GET", "/report?id=", "", ""},
		{"POST /report", "POST", "/report?id=" + someID, appJSON, `{}`},
	}
	for _, ex := range accepted {
		verr, code := judge(t, r, doc, router, ex)
		if verr != nil {
			t.Errorf("%s: the validator refuses what should be accepted: %v", ex.name, verr)
		}
		if code != 200 {
			t.Errorf("%s: the server answers %d, want 200", ex.name, code)
		}
	}
	for _, ex := range refused {
		verr, code := judge(t, r, doc, router, ex)
		if verr == nil {
			t.Errorf("%s: the validator accepts what should be refused", ex.name)
		}
		if code < 400 || code > 499 {
			t.Errorf("%s: the server answers %d, want a 4xx refusal", ex.name, code)
		}
	}
}

// Any body: the server refuses it (4xx) exactly when the validator does.
// Left out: what no schema can say (size, white space after the object)
// and what depends on the collection (a report filter matching nothing).
func FuzzBodyAgreesWithOpenAPI(f *testing.F) {
	for _, seed := range []string{`{"query":"稳增长"}`, `{"query":"养老服务","k":2,"mode":"lexical","budget":500,"neighbours":0}`,
		`{"QUERY":"稳增长"}`, `{"query":"\u0000\u0000"}`, `{"query":"稳增长","mode":"DENSE"}`, `{"query":"a","k":5.0}`,
		`{"query":"a","k":null}`, `{"query":"a","reports":[null]}`, "{\"query\":\"\xff\"}", `{"query":"a"}{}`, `[]`, ``,
		`{"query":"a","report_policy":""}`, `{"query":"a","candidates":1e2}`, `{"query":"\u3000"}`, `{"query":"a","k":-0.0}`} {
		f.Add(false, seed)
		f.Add(true, seed)
	}
	_, ix := lexicalIndex(f)
	srv, err := server.New(context.Background(), server.Config{Load: func(context.Context) (*retrieve.Index, error) { return ix, nil }})
	if err != nil {
		f.Fatal(err)
	}
	const origin = "http://127.0.0.1:8377"
	h := srv.Handler(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8377})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", origin+"/openapi.json", nil))
	doc, err := openapi3.NewLoader().LoadFromData(rec.Body.Bytes())
	if err != nil {
		f.Fatal(err)
	}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, ctxEndpoint bool, body string) {
		if len(body) > server.MaxBodyBytes || len(body)-len(strings.TrimRight(body, " \t\r\n")) > server.MaxTrailingSpace {
			return
		}
		path := "/search"
		if ctxEndpoint {
			path = "/context"
		}
		newReq := func() *http.Request {
			req := httptest.NewRequest("POST", origin+path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			return req
		}
		vreq := newReq()
		route, params, err := router.FindRoute(vreq)
		if err != nil {
			t.Fatal(err)
		}
		verr := openapi3filter.ValidateRequest(context.Background(), &openapi3filter.RequestValidationInput{Request: vreq,
			PathParams: params, Route: route, Options: &openapi3filter.Options{SkipSettingDefaults: true}})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, newReq())
		if rec.Code == 400 && strings.Contains(rec.Body.String(), "no report matches") {
			return
		}
		refused := rec.Code >= 400 && rec.Code < 500
		if refused != (verr != nil) {
			t.Errorf("%s %q: server %d %.200s; validator: %v", path, body, rec.Code, rec.Body.String(), verr)
		}
	})
}
