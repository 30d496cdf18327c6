package main

// --json on every command that prints a result (issue 11.6). Commands
// that print reports in several forms keep --format; --json is the same as
// --format json there.

import (
	"io"

	"github.com/urfave/cli/v2"

	"github.com/reportsearch/reportsearch/eval"
)

// jsonFlag is --json for the commands that also have --format.
func jsonFlag() cli.Flag {
	return &cli.BoolFlag{Name: "json", Usage: "machine-readable output (the same as --format json)"}
}

// formatOf is the output format from --format and --json, which must not
// disagree. str and boolean read the flags (a cli.Context's or parsedArgs').
func formatOf(str func(string) string, boolean func(string) bool) (string, error) {
	format := str("format")
	switch format {
	case "table", "markdown", "json":
	default:
		return "", usagef("--format must be table, markdown or json, got %q", format)
	}
	if !boolean("json") {
		return format, nil
	}
	if format == "markdown" {
		return "", usagef("--json and --format markdown disagree: give one of them")
	}
	return "json", nil
}

// CheckOutput is the JSON of `eval check --json`.
type CheckOutput struct {
	File     string `json:"file"`
	OK       bool   `json:"ok"`
	Errors   int    `json:"errors"`
	Warnings int    `json:"warnings"`
	// CorpusFiles is how many corpus files the quotes were checked against
	// (0: no --corpus, quotes not checked).
	CorpusFiles int          `json:"corpus_files"`
	Issues      []CheckIssue `json:"issues"`
}

// CheckIssue is one finding of `eval check`.
type CheckIssue struct {
	File       string `json:"file"`
	Line       int    `json:"line,omitempty"`
	QuestionID string `json:"question_id,omitempty"`
	Field      string `json:"field,omitempty"`
	Severity   string `json:"severity"`
	Message    string `json:"message"`
}

func checkOutput(file string, issues []eval.Issue, corpusFiles int, strict bool) CheckOutput {
	out := CheckOutput{File: file, CorpusFiles: corpusFiles, Issues: []CheckIssue{}}
	for _, is := range issues {
		if is.Severity == eval.Error {
			out.Errors++
		} else {
			out.Warnings++
		}
		out.Issues = append(out.Issues, CheckIssue{File: is.File, Line: is.Line, QuestionID: is.QuestionID,
			Field: is.Field, Severity: is.Severity.String(), Message: is.Msg})
	}
	out.OK = out.Errors == 0 && !(strict && out.Warnings > 0)
	return out
}

// DatasetOutput is the JSON of `eval import-squad --json` and
// `eval import-beir --json`.
type DatasetOutput struct {
	Out       string   `json:"out"`
	Split     string   `json:"split"`
	Passages  int      `json:"passages"`
	Questions int      `json:"questions"`
	Skipped   []string `json:"skipped"`
}

// ModelOutput is the JSON of `model pull --json` and `model import --json`.
type ModelOutput struct {
	Model  string `json:"model"`
	Action string `json:"action"` // "pulled" or "imported"
	From   string `json:"from,omitempty"`
}

func writeModelJSON(w io.Writer, model, action, from string) error {
	return writeJSON(w, ModelOutput{Model: model, Action: action, From: from})
}
