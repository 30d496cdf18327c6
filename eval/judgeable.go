package eval

import (
	"fmt"
	"path"
	"sort"
	"strings"
)

// Unmatchable is a relevant item of a question that no chunk of the
// collection can ever match: a quote that no chunk holds whole (not in the
// corpus, or split across chunks), a file that is not indexed, a qrels
// passage that is not in the collection. Scoring such an item as a miss
// would measure the question set, not the retriever.
type Unmatchable struct {
	QuestionID string `json:"id"`
	File       string `json:"file,omitempty"` // the question set, for messages
	Line       int    `json:"line,omitempty"`
	// Field names the item: "answers[1]", or "qrels[ID]".
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// String formats the item as "file:line: question "id": field: reason".
func (u Unmatchable) String() string {
	var b strings.Builder
	if u.File != "" {
		b.WriteString(u.File)
		if u.Line > 0 {
			fmt.Fprintf(&b, ":%d", u.Line)
		}
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "question %q: %s: %s", u.QuestionID, u.Field, u.Reason)
	return b.String()
}

// FindUnmatchable lists the relevant items of qs that no chunk in chunks can
// match under JudgeAuto (a chunk is given as a Hit with ID, File and Text).
func FindUnmatchable(qs []Question, chunks []Hit) []Unmatchable {
	// One string per file, chunks joined by a byte no quote holds, so that
	// a quote is found only within a chunk.
	byFile := map[string]*strings.Builder{}
	var all strings.Builder
	ids := make(map[string]bool, len(chunks))
	for _, c := range chunks {
		ids[c.ID] = true
		text := StripSpace(c.Text)
		f := path.Base(c.File)
		if byFile[f] == nil {
			byFile[f] = &strings.Builder{}
		}
		byFile[f].WriteString(text)
		byFile[f].WriteByte(0)
		all.WriteString(text)
		all.WriteByte(0)
	}
	var out []Unmatchable
	for _, q := range qs {
		add := func(field, format string, args ...any) {
			out = append(out, Unmatchable{QuestionID: q.ID, File: q.File, Line: q.Line, Field: field, Reason: fmt.Sprintf(format, args...)})
		}
		if len(q.Qrels) > 0 {
			var missing []string
			for id, g := range q.Qrels {
				if g > 0 && !ids[id] {
					missing = append(missing, id)
				}
			}
			sort.Strings(missing)
			for _, id := range missing {
				add(fmt.Sprintf("qrels[%s]", id), "passage %q is not in the collection", id)
			}
			continue
		}
		for i, a := range q.Answers {
			quote := StripSpace(a.Quote)
			field := fmt.Sprintf("answers[%d]", i)
			if quote == "" || a.GradeOrDefault() <= 0 {
				continue // not a relevant item
			}
			switch {
			case a.File != "" && byFile[a.File] == nil:
				add(field, "file %q is not in the collection", a.File)
			case a.File != "" && !strings.Contains(byFile[a.File].String(), quote):
				add(field, "no chunk of %s holds the quote (not in the file, or split across chunks)", a.File)
			case a.File == "" && !strings.Contains(all.String(), quote):
				add(field, "no chunk holds the quote (not in the corpus, or split across chunks)")
			}
		}
	}
	return out
}

// ExcludeUnjudgeable drops the questions none of whose relevant items can
// be matched, as trec_eval leaves out questions without judgments: they
// would count as misses of the retriever. It returns the questions kept and
// the IDs of those dropped, in question order. Questions with some
// matchable items are kept, and their unmatchable items still count as
// relevant (they lower recall; the report lists them).
func ExcludeUnjudgeable(qs []Question, unm []Unmatchable) (kept []Question, excluded []string) {
	bad := map[string]int{}
	for _, u := range unm {
		bad[u.QuestionID]++
	}
	for _, q := range qs {
		if n := bad[q.ID]; n > 0 && n >= relevantItems(q) {
			excluded = append(excluded, q.ID)
			continue
		}
		kept = append(kept, q)
	}
	return kept, excluded
}

// relevantItems counts the items FindUnmatchable looks at.
func relevantItems(q Question) int {
	n := 0
	if len(q.Qrels) > 0 {
		for _, g := range q.Qrels {
			if g > 0 {
				n++
			}
		}
		return n
	}
	for _, a := range q.Answers {
		if StripSpace(a.Quote) != "" && a.GradeOrDefault() > 0 {
			n++
		}
	}
	return n
}
