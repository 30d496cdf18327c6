package eval

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SortHits orders hits by score descending, then ID ascending, the order
// every run must be in for results to repeat (vector stores return ties in
// map order). Note that trec_eval itself ignores the rank column and breaks
// score ties by document ID descending; give tied hits distinct scores when
// results must agree with trec_eval to the last digit.
func SortHits(hits []Hit) {
	slices.SortStableFunc(hits, func(a, b Hit) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// SortRun applies SortHits to every question of run.
func SortRun(run Run) {
	for _, hits := range run {
		SortHits(hits)
	}
}

// WriteRun writes run in TREC format, one line per hit:
// "qid Q0 docid rank score tag", questions in ID order, hits in the order
// given with ranks 1, 2, …. IDs and the tag must not contain white space.
func WriteRun(w io.Writer, run Run, tag string) error {
	if tag == "" || strings.ContainsFunc(tag, isSpace) {
		return fmt.Errorf("run tag %q: want a non-empty word without white space", tag)
	}
	qids := make([]string, 0, len(run))
	for q := range run {
		qids = append(qids, q)
	}
	slices.Sort(qids)
	bw := bufio.NewWriter(w)
	for _, q := range qids {
		if q == "" || strings.ContainsFunc(q, isSpace) {
			return fmt.Errorf("question ID %q: a TREC run needs IDs without white space", q)
		}
		for i, h := range run[q] {
			if h.ID == "" || strings.ContainsFunc(h.ID, isSpace) {
				return fmt.Errorf("question %s rank %d: hit ID %q: a TREC run needs IDs without white space", q, i+1, h.ID)
			}
			fmt.Fprintf(bw, "%s Q0 %s %d %s %s\n", q, h.ID, i+1, strconv.FormatFloat(h.Score, 'g', -1, 64), tag)
		}
	}
	return bw.Flush()
}

// ReadRun reads a TREC run ("qid Q0 docid rank score tag", white-space
// separated) from r; name is used in messages. Each question's hits are
// ordered by the rank column (file order among equal ranks), since the
// ranking given is the ranking scored; call SortRun to order by score
// instead. Hits carry ID and Score only.
func ReadRun(r io.Reader, name string) (Run, error) {
	type ranked struct {
		hit  Hit
		rank int
	}
	byQ := map[string][]ranked{}
	sc := newScanner(r, MaxTRECLine)
	var errs []error
	line := 1
	for ; sc.Scan(); line++ {
		f, err := fields(sc.Text(), name, line)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if len(f) == 0 {
			continue
		}
		fail := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("%s:%d: %s", name, line, fmt.Sprintf(format, args...)))
		}
		if len(f) != 6 {
			fail("%d fields, want 6 (qid Q0 docid rank score tag)", len(f))
			continue
		}
		rank, err := strconv.Atoi(f[3])
		if err != nil {
			fail("rank (field 4) %q is not an integer", f[3])
			continue
		}
		score, err := strconv.ParseFloat(f[4], 64)
		if err != nil {
			fail("score (field 5) %q is not a number", f[4])
			continue
		}
		byQ[f[0]] = append(byQ[f[0]], ranked{Hit{ID: f[2], Score: score}, rank})
	}
	if err := sc.Err(); err != nil {
		return nil, scanError(name, line, MaxTRECLine, err)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	run := make(Run, len(byQ))
	for q, rs := range byQ {
		slices.SortStableFunc(rs, func(a, b ranked) int { return cmp.Compare(a.rank, b.rank) })
		hits := make([]Hit, len(rs))
		for i, x := range rs {
			hits[i] = x.hit
		}
		run[q] = hits
	}
	return run, nil
}

// fields splits one line of a white-space separated file. IDs are text, so
// a line that is not UTF-8 is refused: split on spaces, its broken bytes
// would make IDs that match nothing and print as garbage.
func fields(text, name string, line int) ([]string, error) {
	if !utf8.ValidString(text) {
		return nil, fmt.Errorf("%s:%d: not valid UTF-8", name, line)
	}
	return strings.Fields(text), nil
}

// LoadRun reads a TREC run file.
func LoadRun(file string) (Run, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadRun(f, file)
}

// ReadQrels reads relevance judgments: TREC qrels ("qid iter docid grade")
// or BEIR's qrels TSV ("query-id corpus-id score", an optional header line).
// The result maps question ID → passage ID → grade.
func ReadQrels(r io.Reader, name string) (map[string]map[string]int, error) {
	qrels := map[string]map[string]int{}
	sc := newScanner(r, MaxTRECLine)
	var errs []error
	line := 1
	for ; sc.Scan(); line++ {
		f, err := fields(sc.Text(), name, line)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if len(f) == 0 {
			continue
		}
		if line == 1 && len(f) == 3 && f[0] == "query-id" {
			continue
		}
		var q, doc, g string
		switch len(f) {
		case 3:
			q, doc, g = f[0], f[1], f[2]
		case 4:
			q, doc, g = f[0], f[2], f[3]
		default:
			errs = append(errs, fmt.Errorf("%s:%d: %d fields, want 3 (query-id corpus-id score) or 4 (qid iter docid grade)", name, line, len(f)))
			continue
		}
		grade, err := strconv.Atoi(g)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: grade %q is not an integer", name, line, g))
			continue
		}
		if qrels[q] == nil {
			qrels[q] = map[string]int{}
		}
		if prev, dup := qrels[q][doc]; dup && prev != grade {
			errs = append(errs, fmt.Errorf("%s:%d: %s %s judged again with another grade (%d, was %d)", name, line, q, doc, grade, prev))
			continue
		}
		qrels[q][doc] = grade
	}
	if err := sc.Err(); err != nil {
		return nil, scanError(name, line, MaxTRECLine, err)
	}
	return qrels, errors.Join(errs...)
}

// FillHits copies File and Text from lookup (chunk ID → chunk) into the hits
// of run, so that a run file, which lists IDs only, can be judged by quotes.
// It fails naming the first few IDs missing from lookup.
func FillHits(run Run, lookup map[string]Hit) error {
	var missing []string
	n := 0
	for q, hits := range run {
		for i, h := range hits {
			c, ok := lookup[h.ID]
			if !ok {
				n++
				if len(missing) < 5 {
					missing = append(missing, fmt.Sprintf("%s (question %s)", h.ID, q))
				}
				continue
			}
			hits[i].File, hits[i].Text = c.File, c.Text
		}
	}
	if n > 0 {
		slices.Sort(missing)
		return fmt.Errorf("%d hit(s) name unknown chunk IDs, e.g. %s", n, strings.Join(missing, ", "))
	}
	return nil
}

// Score evaluates an outside run (e.g. from LoadRun) against questions.
// Quote-anchored questions need the chunk texts: pass lookup (chunk ID →
// chunk with File and Text, e.g. from the store). Questions with qrels need
// none, and lookup may be nil when all questions have qrels.
func Score(questions []Question, run Run, lookup map[string]Hit, ks []int) (Report, error) {
	// Only quote-judged questions need texts; work on copies of their
	// hits so the caller's run stays as read.
	needText := Run{}
	for _, q := range questions {
		if len(q.Qrels) == 0 && len(q.Answers) > 0 {
			if hits, ok := run[q.ID]; ok {
				needText[q.ID] = slices.Clone(hits)
			}
		}
	}
	if len(needText) > 0 {
		if lookup == nil {
			return Report{}, errors.New("quote-anchored questions need the chunk texts of the run's IDs (no lookup given)")
		}
		if err := FillHits(needText, lookup); err != nil {
			return Report{}, err
		}
		filled := maps.Clone(run)
		maps.Copy(filled, needText)
		run = filled
	}
	known := make(map[string]bool, len(questions))
	for _, q := range questions {
		known[q.ID] = true
	}
	var unknown []string
	for q := range run {
		if !known[q] {
			unknown = append(unknown, q)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		if len(unknown) > 5 {
			unknown = append(unknown[:5], "…")
		}
		return Report{}, fmt.Errorf("run has questions not in the question set: %s", strings.Join(unknown, ", "))
	}
	return Evaluate(questions, run, JudgeAuto, ks), nil
}

// isSpace matches what strings.Fields splits on, so written IDs read back.
func isSpace(r rune) bool { return unicode.IsSpace(r) }
