package eval

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/reportsearch/reportsearch/internal/atomicfile"
)

// Passage is one retrievable unit of an imported benchmark.
type Passage struct {
	ID    string `json:"_id"`
	Title string `json:"title"`
	Text  string `json:"text"`
}

// Dataset is a passage-retrieval benchmark: a corpus of passages and
// questions judged by qrels over passage IDs.
type Dataset struct {
	Passages  []Passage
	Questions []Question
	// Skipped names the source items left out and why (e.g. the two empty
	// questions of CMRC 2018 trial), so importers can say so.
	Skipped []string
}

// flexID accepts a JSON string or number, as BEIR files hold both.
type flexID string

func (id *flexID) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*id = flexID(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return fmt.Errorf("want a string or number, got %s", b)
	}
	*id = flexID(n.String())
	return nil
}

// ImportBEIR reads a BEIR folder: corpus.jsonl ({_id,title,text}),
// queries.jsonl ({_id,text}) and qrels/<split>.tsv (query-id corpus-id
// score, with a header line). Questions are the queries judged in the split,
// in queries.jsonl order. Query and passage IDs are kept as they are: unlike
// BEIR's evaluator, Evaluate does not drop hits whose ID equals the query's.
func ImportBEIR(dir, split string) (Dataset, error) {
	var ds Dataset
	seen := map[string]bool{}
	err := readJSONL(filepath.Join(dir, "corpus.jsonl"), func(name string, line int, b []byte) error {
		var p struct {
			ID    flexID `json:"_id"`
			Title string `json:"title"`
			Text  string `json:"text"`
		}
		if err := json.Unmarshal(b, &p); err != nil {
			return jsonLineError(name, line, b, err)
		}
		switch {
		case p.ID == "":
			return fmt.Errorf("%s:%d: _id: missing or empty", name, line)
		case seen[string(p.ID)]:
			return fmt.Errorf("%s:%d: _id: duplicate %q", name, line, p.ID)
		}
		seen[string(p.ID)] = true
		ds.Passages = append(ds.Passages, Passage{ID: string(p.ID), Title: p.Title, Text: p.Text})
		return nil
	})
	if err != nil {
		return Dataset{}, err
	}
	var queries []Question
	qseen := map[string]bool{}
	err = readJSONL(filepath.Join(dir, "queries.jsonl"), func(name string, line int, b []byte) error {
		var q struct {
			ID   flexID `json:"_id"`
			Text string `json:"text"`
		}
		if err := json.Unmarshal(b, &q); err != nil {
			return jsonLineError(name, line, b, err)
		}
		switch {
		case q.ID == "":
			return fmt.Errorf("%s:%d: _id: missing or empty", name, line)
		case qseen[string(q.ID)]:
			return fmt.Errorf("%s:%d: _id: duplicate %q", name, line, q.ID)
		case strings.TrimSpace(q.Text) == "":
			return fmt.Errorf("%s:%d: text: missing or empty", name, line)
		}
		qseen[string(q.ID)] = true
		queries = append(queries, Question{ID: string(q.ID), Query: q.Text, File: name, Line: line})
		return nil
	})
	if err != nil {
		return Dataset{}, err
	}
	qrelsPath := filepath.Join(dir, "qrels", split+".tsv")
	f, err := os.Open(qrelsPath)
	if err != nil {
		return Dataset{}, err
	}
	defer f.Close()
	qrels, err := ReadQrels(f, qrelsPath)
	if err != nil {
		return Dataset{}, err
	}
	var errs []error
	for _, q := range slices.Sorted(maps.Keys(qrels)) {
		if !qseen[q] {
			errs = append(errs, fmt.Errorf("%s: query-id %q is not in queries.jsonl", qrelsPath, q))
		}
		for _, p := range slices.Sorted(maps.Keys(qrels[q])) {
			if !seen[p] {
				errs = append(errs, fmt.Errorf("%s: query %q: corpus-id %q is not in corpus.jsonl", qrelsPath, q, p))
			}
		}
		if len(errs) >= 10 {
			break
		}
	}
	if len(errs) > 0 {
		return Dataset{}, errors.Join(errs...)
	}
	for _, q := range queries {
		if r, ok := qrels[q.ID]; ok {
			q.Qrels = r
			ds.Questions = append(ds.Questions, q)
		}
	}
	return ds, nil
}

// ImportSQuAD turns a SQuAD-style JSON file (data[].paragraphs[].{context,
// qas[].{id,question}}) into a passage-retrieval benchmark: the corpus is
// every paragraph context, and a question's one relevant passage is the
// context it was asked on. Passage IDs are "<article id or title>#<n>" (n is
// the paragraph's 0-based index in its article; white space in the key
// becomes "_"); identical contexts become one passage. Question IDs are the
// qas ids, prefixed "q:" if one would equal a passage ID. Questions with an
// empty text are left out and listed in Skipped.
func ImportSQuAD(file string) (Dataset, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return Dataset{}, err
	}
	var doc struct {
		Data []struct {
			ID         string `json:"id"`
			Title      string `json:"title"`
			Paragraphs []struct {
				Context string `json:"context"`
				Qas     []struct {
					ID       string `json:"id"`
					Question string `json:"question"`
				} `json:"qas"`
			} `json:"paragraphs"`
		} `json:"data"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return Dataset{}, jsonFileError(file, b, err)
	}
	if len(doc.Data) == 0 {
		return Dataset{}, fmt.Errorf("%s: no data[] articles", file)
	}
	var ds Dataset
	byContext := map[string]string{}
	keys := map[string]bool{}
	qseen := map[string]string{}
	for i, art := range doc.Data {
		key := art.ID
		if key == "" {
			key = art.Title
		}
		if key == "" {
			key = "article" + strconv.Itoa(i)
		}
		key = strings.Join(strings.Fields(key), "_")
		if keys[key] {
			key = fmt.Sprintf("%s~%d", key, i)
		}
		keys[key] = true
		for j, p := range art.Paragraphs {
			where := fmt.Sprintf("%s: data[%d].paragraphs[%d]", file, i, j)
			if strings.TrimSpace(p.Context) == "" {
				return Dataset{}, fmt.Errorf("%s: context: missing or empty", where)
			}
			pid, dup := byContext[p.Context]
			if !dup {
				pid = key + "#" + strconv.Itoa(j)
				byContext[p.Context] = pid
				ds.Passages = append(ds.Passages, Passage{ID: pid, Title: art.Title, Text: p.Context})
			}
			for k, qa := range p.Qas {
				qwhere := fmt.Sprintf("%s.qas[%d]", where, k)
				switch {
				case strings.TrimSpace(qa.ID) == "":
					return Dataset{}, fmt.Errorf("%s: id: missing or empty", qwhere)
				case qseen[qa.ID] != "":
					return Dataset{}, fmt.Errorf("%s: id: duplicate %q (first at %s)", qwhere, qa.ID, qseen[qa.ID])
				}
				qseen[qa.ID] = qwhere
				if strings.TrimSpace(qa.Question) == "" {
					// Real data has these (CMRC 2018 trial: two); one
					// cannot search for nothing, so leave it out and say so.
					ds.Skipped = append(ds.Skipped, fmt.Sprintf("%s (id %q): empty question", qwhere, qa.ID))
					continue
				}
				ds.Questions = append(ds.Questions, Question{ID: qa.ID, Query: qa.Question, Kind: "squad", Qrels: map[string]int{pid: 1}})
			}
		}
	}
	if len(ds.Passages) == 0 {
		// e.g. articles without "paragraphs": not SQuAD, however it parsed.
		return Dataset{}, fmt.Errorf("%s: no data[].paragraphs[] with a context", file)
	}
	pids := make(map[string]bool, len(ds.Passages))
	for _, p := range ds.Passages {
		pids[p.ID] = true
	}
	for i := range ds.Questions {
		if pids[ds.Questions[i].ID] {
			ds.Questions[i].ID = "q:" + ds.Questions[i].ID
		}
	}
	return ds, nil
}

// WriteBEIR writes ds as a BEIR folder in dir (created if needed):
// corpus.jsonl, queries.jsonl, qrels/<split>.tsv, plus questions.jsonl, the
// same questions as a question set LoadQuestions reads.
func WriteBEIR(ds Dataset, dir, split string) error {
	if err := os.MkdirAll(filepath.Join(dir, "qrels"), 0o755); err != nil {
		return err
	}
	err := writeJSONL(filepath.Join(dir, "corpus.jsonl"), len(ds.Passages), func(i int) any { return ds.Passages[i] })
	if err != nil {
		return err
	}
	type query struct {
		ID   string `json:"_id"`
		Text string `json:"text"`
	}
	err = writeJSONL(filepath.Join(dir, "queries.jsonl"), len(ds.Questions), func(i int) any {
		return query{ds.Questions[i].ID, ds.Questions[i].Query}
	})
	if err != nil {
		return err
	}
	err = writeJSONL(filepath.Join(dir, "questions.jsonl"), len(ds.Questions), func(i int) any { return ds.Questions[i] })
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString("query-id\tcorpus-id\tscore\n")
	for _, q := range ds.Questions {
		for _, p := range slices.Sorted(maps.Keys(q.Qrels)) {
			fmt.Fprintf(&buf, "%s\t%s\t%d\n", q.ID, p, q.Qrels[p])
		}
	}
	return atomicfile.WriteFile(filepath.Join(dir, "qrels", split+".tsv"), buf.Bytes(), 0o644)
}

// readJSONL calls fn with each non-blank line of a JSONL file and stops at
// the first error.
func readJSONL(file string, fn func(name string, line int, b []byte) error) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := newScanner(f, MaxDatasetLine)
	line := 1
	for ; sc.Scan(); line++ {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		if err := fn(file, line, b); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return scanError(file, line, MaxDatasetLine, err)
	}
	return nil
}

func writeJSONL(file string, n int, item func(int) any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	for i := range n {
		if err := enc.Encode(item(i)); err != nil {
			return fmt.Errorf("%s: item %d: %w", file, i, err)
		}
	}
	return atomicfile.WriteFile(file, buf.Bytes(), 0o644)
}

// jsonLineError names file:line and, where known, the field of a JSONL
// decoding error.
func jsonLineError(file string, line int, b []byte, err error) error {
	field, msg := describeJSONError(err, b)
	if field != "" {
		return fmt.Errorf("%s:%d: %s: %s", file, line, field, msg)
	}
	return fmt.Errorf("%s:%d: %s", file, line, msg)
}

// jsonFileError names file:line:column of an error decoding a whole JSON file.
func jsonFileError(file string, b []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	var off int64 = -1
	msg := err.Error()
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
		msg = fmt.Sprintf("%s: is a JSON %s, want %s", te.Field, te.Value, te.Type)
	}
	if off < 0 {
		return fmt.Errorf("%s: %s", file, msg)
	}
	if off > int64(len(b)) {
		off = int64(len(b))
	}
	before := b[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	last := before[bytes.LastIndexByte(before, '\n')+1:]
	col := columnOf(last, int64(len(last)))
	return fmt.Errorf("%s:%d:%d: %s", file, line, col, msg)
}
