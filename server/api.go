package server

// The HTTP API's request and response bodies, in one place: the handlers
// answer these types, package client sends and decodes them, and
// openapi.json describes them (TestOpenAPIAgreement holds the two together).

import (
	"github.com/reportsearch/reportsearch/chunk"
	"github.com/reportsearch/reportsearch/evidence"
	"github.com/reportsearch/reportsearch/retrieve"
)

// SearchRequest is the body of POST /search. Optional fields are pointers
// so that an explicit 0 or "" is refused rather than taken for "not given".
type SearchRequest struct {
	Query        string   `json:"query"`
	K            *int     `json:"k,omitempty"`
	Mode         *string  `json:"mode,omitempty"`
	Reports      []string `json:"reports,omitempty"`
	ReportPolicy *string  `json:"report_policy,omitempty"`
	// Years is "2019" or "2010-2019": only reports of those years.
	Years *string `json:"years,omitempty"`
}

// CompareRequest is the body of POST /compare.
type CompareRequest struct {
	Query      string   `json:"query"`
	Mode       *string  `json:"mode,omitempty"`
	Reports    []string `json:"reports,omitempty"`
	Years      *string  `json:"years,omitempty"`
	By         *string  `json:"by,omitempty"`
	MinCover   *float64 `json:"min_cover,omitempty"`
	Candidates *int     `json:"candidates,omitempty"`
}

// CompareResponse is the answer of POST /compare: one row per report (or
// year) in the stable order retrieve.Compare documents.
type CompareResponse struct {
	Query      string         `json:"query"`
	By         string         `json:"by"`
	Collection string         `json:"collection"`
	MinCover   float64        `json:"min_cover"`
	Rows       []retrieve.Row `json:"rows"`
	TookMs     float64        `json:"took_ms"`
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

// ContextResponse is the answer of POST /context: the evidence pack and
// the prompt made from it.
type ContextResponse struct {
	evidence.Pack
	Prompt string `json:"prompt"`
}

// ReportsResponse is the answer of GET /reports.
type ReportsResponse struct {
	Collection string            `json:"collection"`
	Reports    []retrieve.Report `json:"reports"`
}

// HealthResponse is the answer of GET /healthz.
type HealthResponse struct {
	Status     string `json:"status"`
	Collection string `json:"collection"`
	Model      string `json:"model,omitempty"`
	Chunks     int    `json:"chunks"`
	Embedded   int    `json:"embedded"`
}

// ReportView is the answer of GET /report: the whole report holding one
// chunk, for a reader to scroll through.
type ReportView struct {
	Collection string          `json:"collection"`
	ID         string          `json:"id"`
	Report     retrieve.Report `json:"report"`
	Source     string          `json:"source,omitempty"`
	Outline    []OutlineEntry  `json:"outline"`
	// Chunks are every chunk of the report, in text order.
	Chunks []chunk.Chunk `json:"chunks"`
}

// OutlineEntry is one heading of a report, with the first chunk under it.
type OutlineEntry struct {
	Heading string `json:"heading"`
	Level   int    `json:"level"`
	ID      string `json:"id"`
}

// ErrorResponse is every error's body. Field names the request field at
// fault, when one is.
type ErrorResponse struct {
	Error string `json:"error"`
	Field string `json:"field,omitempty"`
}
