package server

// The request rules on their own, without a network or a collection.

import (
	"encoding/json"
	"net"
	"regexp"
	"strings"
	"testing"

	"github.com/reportsearch/reportsearch/retrieve"
)

// The document's pattern for a query and retrieve.Blank, which the server
// applies, agree on every character that is white space or a control
// character (all below U+3001) and on others beyond.
func TestQueryPatternIsNotBlank(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Pattern string `json:"pattern"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(openapi, &doc); err != nil {
		t.Fatal(err)
	}
	re, err := regexp.Compile(doc.Components.Schemas["Query"].Pattern)
	if err != nil {
		t.Fatalf("Query pattern: %v", err)
	}
	check := func(s string) {
		if re.MatchString(s) == retrieve.Blank(s) {
			t.Errorf("%q: pattern matches %v, Blank says %v", s, re.MatchString(s), retrieve.Blank(s))
		}
	}
	for r := rune(0); r <= 0x3100; r++ {
		check(string(r))
		check(" " + string(r) + "\u3000")
	}
	for _, s := range []string{"\ufeff", "\U0001F600", "稳", "\u200b", "\u0000\u0000", "a\u0000", " \t\r\n\u0085"} {
		check(s)
	}
}

func TestHostPolicy(t *testing.T) {
	p := newHostPolicy(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8377}, []string{"Reports.LAN", "box:9", "[fd00::1]", "", "  "})
	for host, want := range map[string]bool{
		"127.0.0.1:8377": true, "localhost:8377": true, "[::1]:8377": true, "LocalHost:8377": true,
		"reports.lan": true, "reports.lan:1": true, "REPORTS.LAN:8377": true, "box:9": true, "[fd00::1]:80": true, "fd00::1": true,
		"": false, "localhost": false, "127.0.0.1": false, "localhost:80": false, "[::1]:1": false, "box": false, "box:8377": false,
		"attacker.example": false, "reports.lan.attacker.example": false, ":8377": false, "[::1]": false,
	} {
		if got := p.allows(host); got != want {
			t.Errorf("Host %q: allowed %v, want %v", host, got, want)
		}
	}
	// On port 80 browsers leave the port out.
	p = newHostPolicy(&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 80}, nil)
	for _, h := range []string{"localhost", "127.0.0.1", "[::1]", "localhost:80"} {
		if !p.allows(h) {
			t.Errorf("port 80: Host %q refused", h)
		}
	}
	// The bound address itself, here all interfaces.
	p = newHostPolicy(&net.TCPAddr{IP: net.IPv4zero, Port: 8377}, []string{"192.168.1.5:8377"})
	for host, want := range map[string]bool{"0.0.0.0:8377": true, "192.168.1.5:8377": true, "192.168.1.5:1": false, "10.0.0.1:8377": false} {
		if got := p.allows(host); got != want {
			t.Errorf("on 0.0.0.0: Host %q: allowed %v, want %v", host, got, want)
		}
	}
}

func TestJSONMediaType(t *testing.T) {
	for ct, want := range map[string]bool{
		"application/json": true, "application/json; charset=utf-8": true, "application/json;charset=UTF-8": true,
		"APPLICATION/JSON": true, `application/json; charset="utf-8"`: true,
		"": false, "text/plain": false, "application/x-www-form-urlencoded": false, "multipart/form-data; boundary=x": false,
		"application/json; charset=latin1": false, "application/json; q=1": false, "application/json-seq": false,
		"application/problem+json": false, "application/json;": true,
	} {
		if got := jsonMediaType(ct); got != want {
			t.Errorf("Content-Type %q: accepted %v, want %v", ct, got, want)
		}
	}
}

func TestParseBody(t *testing.T) {
	type want struct {
		ok      bool
		field   string
		message string // part of the error
	}
	cases := map[string]want{
		`{"query":"a"}`:         {ok: true},
		`{"query":"a","k":7.0}`: {ok: true},
		`{"query":"a","k":-0}`:  {ok: true}, // range checks come later
		`{"query":"a"}` + strings.Repeat(" ", MaxTrailingSpace):   {ok: true},
		`{"query":"a"}` + strings.Repeat(" ", MaxTrailingSpace+1): {message: "at most 16"},
		`{"query":"a"}` + strings.Repeat("\n", 64<<10):            {message: "white space"},
		`{"query":"a"} {"query":"b"}`:                             {message: "more than one JSON value"},
		`{"query":"a"} ]`:                                         {message: "more than one JSON value"},
		"{\"query\":\"a\xff\"}":                                   {field: "query", message: "query is not valid UTF-8"},
		"{\"query\":\"a\",\"reports\":[\"x\",\"\xe5\xbe\"]}":      {field: "reports", message: "reports is not valid UTF-8"},
		"{\"query\":\"a\",\"\xff\":1}":                            {message: "request body is not valid UTF-8"},
		"{\"query\":\"a\xff":                                      {message: "request body is not valid UTF-8"},
		``:                                                        {message: "empty"},
		`  `:                                                      {message: "empty"},
		`null`:                                                    {message: "JSON object"},
		`[]`:                                                      {message: "JSON object"},
		`7`:                                                       {message: "JSON object"},
		`{"QUERY":"a"}`:                                           {message: `case-sensitive: "query"`},
		`{"query":"a","Budget":1}`:                                {message: `case-sensitive: "budget"`},
		`{"query":"a","top_k":1}`:                                 {message: `unknown field "top_k"`},
		`{"query":null}`:                                          {field: "query", message: "must not be null"},
		`{"query":"a","reports":["x",null]}`:                      {field: "reports", message: "must not be null"},
		`{"query":"a","k":1.5}`:                                   {field: "k", message: "whole number"},
		`{"query":"a","k":1e400}`:                                 {field: "k", message: "whole number"},
		`{"query":"a","k":"5"}`:                                   {message: "not valid JSON for this endpoint"},
		`{"query":"a","neighbours":true}`:                         {message: "not valid JSON for this endpoint"},
		`{"query":"a","mode":5}`:                                  {message: "not valid JSON for this endpoint"},
		`{"query":`:                                               {message: "not valid JSON"},
	}
	for body, w := range cases {
		var q ContextRequest
		e := parseBody([]byte(body), &q)
		if w.ok {
			if e != nil {
				t.Errorf("%.60q: refused: %s", body, e.Error)
			}
			continue
		}
		if e == nil {
			t.Errorf("%.60q: accepted", body)
			continue
		}
		if e.Field != w.field || !strings.Contains(e.Error, w.message) {
			t.Errorf("%.60q: field %q error %q, want field %q and an error containing %q", body, e.Field, e.Error, w.field, w.message)
		}
	}
	// What is accepted is decoded: whole numbers as integers, exact names.
	var q ContextRequest
	if e := parseBody([]byte(`{"query":"稳","k":5e0,"budget":1000.0,"mode":"lexical","reports":["a"]}`), &q); e != nil {
		t.Fatal(e.Error)
	}
	if q.Query != "稳" || *q.K != 5 || *q.Budget != 1000 || *q.Mode != "lexical" || len(q.Reports) != 1 || q.Candidates != nil {
		t.Errorf("decoded %+v", q)
	}
	// Beyond int32, still refused by the range check rather than wrapped.
	if e := parseBody([]byte(`{"query":"稳","k":1e20}`), &q); e != nil || *q.K <= MaxK {
		t.Errorf("k 1e20: %v, k %d", e, *q.K)
	}
	if e := parseBody([]byte(`{"query":"稳","k":-1e20}`), &q); e != nil || *q.K >= 1 {
		t.Errorf("k -1e20: %v, k %d", e, *q.K)
	}
}
