// Package eval measures retrieval quality so that every quality claim is a
// command anyone can re-run.
//
// Two kinds of question sets are supported:
//
//   - Quote-anchored questions (our own sets, eval/testdata/*.jsonl): every
//     answer is a short quote from a corpus file. A retrieved chunk is
//     relevant to an answer when its text contains the quote, whitespace
//     removed on both sides, so judgments do not depend on how the corpus was
//     chunked.
//   - ID-based qrels (imported BEIR and SQuAD-style benchmarks): a hit is
//     relevant when its ID has a grade > 0 in the question's qrels.
//
// Metrics follow trec_eval's definitions (see metrics.go). A run must list
// each question's hits best first; the order given is the order scored.
// Retrievers should sort by score descending, then ID ascending (SortHits),
// so that ties do not make results change from run to run.
package eval

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Question is one line of a question set.
type Question struct {
	ID    string `json:"id"`
	Query string `json:"query"`
	// Lang ("zh", "en") and Kind (e.g. "fact", "paraphrase", "multi") let
	// reports break results down; they do not affect scoring.
	Lang string `json:"lang,omitempty"`
	Kind string `json:"kind,omitempty"`
	// Answers anchor relevance in quotes (quote-anchored sets).
	Answers []Answer `json:"answers,omitempty"`
	// Qrels maps passage IDs to grades (imported benchmarks). A question
	// uses Qrels when it has any, Answers otherwise.
	Qrels map[string]int `json:"qrels,omitempty"`

	// Line is the 1-based line the question was read from (0 when it was
	// not read from a file); File is that file. Used in messages only.
	Line int    `json:"-"`
	File string `json:"-"`
}

// Answer is one relevant piece of text for a question.
type Answer struct {
	// File is the base name of the corpus file holding the quote; empty
	// means any file.
	File string `json:"file,omitempty"`
	// Report names the report inside File, for people reading the set; it
	// is not used in matching (the validator makes the quote unique in File).
	Report string `json:"report,omitempty"`
	Quote  string `json:"quote"`
	// Year, when set, is the year of the report the quote must come from:
	// a hit of another year (or of unknown year) holding the same words
	// does not count. It disambiguates quotes that recur across the years
	// of a multi-year corpus (城镇新增就业1100万人以上).
	Year int `json:"year,omitempty"`
	// Grade is the graded relevance used by nDCG; nil means 1.
	Grade *int `json:"grade,omitempty"`
}

// GradeOrDefault returns the answer's grade, 1 when none is given.
func (a Answer) GradeOrDefault() int {
	if a.Grade == nil {
		return 1
	}
	return *a.Grade
}

// Hit is one retrieved item. Quote-anchored judging needs Text (and File when
// answers name a file); qrels judging needs only ID.
type Hit struct {
	ID    string  `json:"id"`
	File  string  `json:"file,omitempty"`
	Text  string  `json:"text,omitempty"`
	Score float64 `json:"score"`
	// Year is the year of the hit's report (0 unknown); answers with a
	// Year match only hits of that year.
	Year int `json:"year,omitempty"`
}

// Judgment is the relevance of one ranked list.
type Judgment struct {
	// Grades holds one grade per hit, in rank order; 0 means not relevant.
	Grades []int
	// Ideal holds the grades of every relevant item of the question
	// (answers or qrels with grade > 0), highest first. len(Ideal) is the
	// number of relevant items.
	Ideal []int
}

// Judge decides the relevance of a question's ranked hits.
type Judge func(q Question, hits []Hit) Judgment

// JudgeAuto judges by qrels when the question has any, by quotes otherwise.
func JudgeAuto(q Question, hits []Hit) Judgment {
	if len(q.Qrels) > 0 {
		return JudgeQrels(q, hits)
	}
	return JudgeQuotes(q, hits)
}

// JudgeQuotes judges a ranked list against the question's answers. Relevance
// is per answer: the first hit containing answer a's quote is relevant with
// a's grade; later hits containing it count as not relevant, as duplicate
// documents do in trec_eval. A hit is relevant to at most one answer: when it
// contains several unmatched quotes it takes the highest-graded one (first
// listed on ties) and the others stay open for later hits. The number of
// relevant items is the number of answers.
func JudgeQuotes(q Question, hits []Hit) Judgment {
	quotes := make([]string, len(q.Answers))
	ideal := make([]int, 0, len(q.Answers))
	for i, a := range q.Answers {
		quotes[i] = StripSpace(a.Quote)
		if g := a.GradeOrDefault(); g > 0 {
			ideal = append(ideal, g)
		}
	}
	sortDesc(ideal)
	matched := make([]bool, len(q.Answers))
	grades := make([]int, len(hits))
	for h, hit := range hits {
		text := StripSpace(hit.Text)
		best := -1
		for i, a := range q.Answers {
			if matched[i] || quotes[i] == "" || a.GradeOrDefault() <= 0 {
				continue
			}
			if a.File != "" && path.Base(hit.File) != a.File {
				continue
			}
			if a.Year != 0 && hit.Year != a.Year {
				continue
			}
			if !strings.Contains(text, quotes[i]) {
				continue
			}
			if best < 0 || a.GradeOrDefault() > q.Answers[best].GradeOrDefault() {
				best = i
			}
		}
		if best >= 0 {
			matched[best] = true
			grades[h] = q.Answers[best].GradeOrDefault()
		}
	}
	return Judgment{Grades: grades, Ideal: ideal}
}

// JudgeQrels judges a ranked list against the question's qrels: a hit is
// relevant with grade g when its ID has g > 0. A repeated ID counts once, at
// its first rank.
func JudgeQrels(q Question, hits []Hit) Judgment {
	ideal := make([]int, 0, len(q.Qrels))
	for _, g := range q.Qrels {
		if g > 0 {
			ideal = append(ideal, g)
		}
	}
	sortDesc(ideal)
	seen := make(map[string]bool, len(hits))
	grades := make([]int, len(hits))
	for i, h := range hits {
		if seen[h.ID] {
			continue
		}
		seen[h.ID] = true
		if g := q.Qrels[h.ID]; g > 0 {
			grades[i] = g
		}
	}
	return Judgment{Grades: grades, Ideal: ideal}
}

// StripSpace removes every Unicode white-space character, the normal form in
// which quotes and chunk texts are compared (extraction breaks lines inside
// sentences, and chunkers join or trim them).
func StripSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// LoadQuestions reads a JSONL question set. It fails on malformed lines,
// missing fields and duplicate IDs, naming file:line and field for each
// (all problems, not only the first); corpus checks are Check's job.
func LoadQuestions(file string) ([]Question, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	qs, issues, err := ReadQuestions(f, file)
	if err != nil {
		return nil, err
	}
	issues = append(issues, checkStructure(qs)...)
	var errs []error
	for _, is := range issues {
		if is.Severity == Error {
			errs = append(errs, errors.New(is.String()))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return qs, nil
}

// ReadQuestions parses JSONL from r; name is used in messages. Malformed
// lines are returned as issues (and skipped) rather than stopping the read;
// the error is for I/O failures only. Blank lines and lines starting with
// "//" are skipped.
func ReadQuestions(r io.Reader, name string) ([]Question, []Issue, error) {
	var qs []Question
	var issues []Issue
	sc := newScanner(r, MaxQuestionLine)
	line := 1
	for ; sc.Scan(); line++ {
		b := bytes.TrimSpace(sc.Bytes())
		if line == 1 {
			b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
		}
		if len(b) == 0 || bytes.HasPrefix(b, []byte("//")) {
			continue
		}
		var q Question
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&q); err != nil {
			field, msg := describeJSONError(err, b)
			issues = append(issues, Issue{File: name, Line: line, Field: field, Severity: Error, Msg: msg})
			continue
		}
		if dec.More() {
			issues = append(issues, Issue{File: name, Line: line, Severity: Error, Msg: "more than one JSON value on the line"})
			continue
		}
		q.Line, q.File = line, name
		qs = append(qs, q)
	}
	if err := sc.Err(); err != nil {
		return qs, issues, scanError(name, line, MaxQuestionLine, err)
	}
	return qs, issues, nil
}

// describeJSONError turns a decoding error into (field, message) with the
// column where the decoder stopped.
func describeJSONError(err error, line []byte) (string, string) {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return "", fmt.Sprintf("invalid JSON at column %d: %v", columnOf(line, se.Offset), se)
	case errors.As(err, &te):
		return te.Field, fmt.Sprintf("is a JSON %s, want %s", te.Value, te.Type)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "", "truncated JSON"
	}
	msg := err.Error()
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		return strings.Trim(f, `"`), "unknown field"
	}
	return "", msg
}

// columnOf converts the offset of an encoding/json error within line (the
// decoder stops just after the offending byte) to the 1-based rune column of
// that byte.
func columnOf(line []byte, off int64) int {
	if off > int64(len(line)) {
		off = int64(len(line))
	}
	if off < 0 {
		off = 0
	}
	return max(1, utf8.RuneCount(line[:off]))
}

// sortDesc sorts grades highest first.
func sortDesc(a []int) { slices.SortFunc(a, func(x, y int) int { return y - x }) }
