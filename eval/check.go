package eval

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"
)

// Severity tells whether an issue makes a question set unusable.
type Severity int

const (
	// Warning marks something worth a look that does not break scoring.
	Warning Severity = iota
	// Error marks a question that cannot be scored as meant.
	Error
)

func (s Severity) String() string {
	if s == Error {
		return "error"
	}
	return "warning"
}

// Issue is one problem found in a question set.
type Issue struct {
	File       string
	Line       int // 1-based; 0 when unknown
	QuestionID string
	Field      string // e.g. "query", "answers[1].quote"
	Severity   Severity
	Msg        string
}

// String formats the issue as "file:line: severity: id: field: message".
func (is Issue) String() string {
	var b strings.Builder
	if is.File != "" {
		b.WriteString(is.File)
		if is.Line > 0 {
			fmt.Fprintf(&b, ":%d", is.Line)
		}
		b.WriteString(": ")
	}
	b.WriteString(is.Severity.String())
	b.WriteString(": ")
	if is.QuestionID != "" {
		fmt.Fprintf(&b, "question %q: ", is.QuestionID)
	}
	if is.Field != "" {
		b.WriteString(is.Field)
		b.WriteString(": ")
	}
	b.WriteString(is.Msg)
	return b.String()
}

// Quote lengths outside this range (in runes, white space removed) draw a
// warning: shorter quotes tend to occur in many places, longer ones tend to
// straddle chunk boundaries and then match no chunk at all.
const (
	MinQuoteRunes = 10
	MaxQuoteRunes = 40
)

// Corpus maps a file's base name to its text.
type Corpus map[string]string

// LoadCorpus reads every .txt and .md file under dir (recursively) as UTF-8.
// Files named README.* are skipped: they describe a corpus folder and are not
// part of it. Two files with the same base name are an error, since answers
// name files by base name.
func LoadCorpus(dir string) (Corpus, error) {
	c := Corpus{}
	where := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		name := d.Name()
		ext := strings.ToLower(filepath.Ext(name))
		if (ext != ".txt" && ext != ".md") || strings.HasPrefix(strings.ToUpper(name), "README.") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if !utf8.Valid(b) {
			return fmt.Errorf("%s: not valid UTF-8", p)
		}
		if prev, ok := where[name]; ok {
			return fmt.Errorf("%s and %s share the base name %q", prev, p, name)
		}
		where[name] = p
		c[name] = string(b)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(c) == 0 {
		return nil, fmt.Errorf("%s: no .txt or .md files", dir)
	}
	return c, nil
}

// CheckFile reads a JSONL question set and validates it against corpus (nil
// skips the corpus checks). Malformed lines are reported with the others.
func CheckFile(file string, corpus Corpus) ([]Issue, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	qs, issues, err := ReadQuestions(f, file)
	if err != nil {
		return nil, err
	}
	issues = append(issues, Check(qs, corpus)...)
	sortIssues(issues)
	return issues, nil
}

// Check validates questions: IDs present and unique, a query, at least one
// answer (or qrel), and, when corpus is not nil, that every quote occurs
// exactly once in its named file (or at least once in some file when the
// answer names none; white space ignored). Quotes outside
// MinQuoteRunes..MaxQuoteRunes draw warnings. Issues come sorted by line.
func Check(qs []Question, corpus Corpus) []Issue {
	issues := checkStructure(qs)
	if corpus != nil {
		stripped := make(map[string]string, len(corpus))
		for name, text := range corpus {
			stripped[name] = StripSpace(text)
		}
		names := make([]string, 0, len(stripped))
		for name := range stripped {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, q := range qs {
			for i, a := range q.Answers {
				issues = append(issues, checkQuote(q, i, a, stripped, names)...)
			}
		}
	}
	sortIssues(issues)
	return issues
}

// checkStructure finds the problems that need no corpus.
func checkStructure(qs []Question) []Issue {
	var issues []Issue
	seen := map[string]int{}
	for _, q := range qs {
		add := func(sev Severity, field, format string, args ...any) {
			issues = append(issues, Issue{File: q.File, Line: q.Line, QuestionID: q.ID, Field: field, Severity: sev, Msg: fmt.Sprintf(format, args...)})
		}
		switch prev, dup := seen[q.ID]; {
		case strings.TrimSpace(q.ID) == "":
			add(Error, "id", "missing or empty")
		case dup && prev > 0:
			add(Error, "id", "duplicate of line %d", prev)
		case dup:
			add(Error, "id", "duplicate")
		default:
			seen[q.ID] = q.Line
		}
		if strings.TrimSpace(q.Query) == "" {
			add(Error, "query", "missing or empty")
		}
		if len(q.Answers) == 0 && len(q.Qrels) == 0 {
			add(Error, "answers", "no answers (and no qrels)")
		}
		if len(q.Answers) > 0 && len(q.Qrels) > 0 {
			add(Warning, "qrels", "both answers and qrels given; qrels are used")
		}
		quotes := map[string]int{}
		for i, a := range q.Answers {
			field := fmt.Sprintf("answers[%d]", i)
			s := StripSpace(a.Quote)
			if s == "" {
				add(Error, field+".quote", "missing or empty")
				continue
			}
			if a.Grade != nil && *a.Grade < 1 {
				add(Error, field+".grade", "is %d; grades start at 1 (leave a non-relevant text out instead)", *a.Grade)
			}
			key := a.File + "\x00" + s
			if j, dup := quotes[key]; dup {
				add(Error, field+".quote", "repeats answers[%d]", j)
			} else {
				quotes[key] = i
			}
			if n := utf8.RuneCountInString(s); n < MinQuoteRunes || n > MaxQuoteRunes {
				add(Warning, field+".quote", "%d runes, outside %d–%d", n, MinQuoteRunes, MaxQuoteRunes)
			}
		}
		for id, g := range q.Qrels {
			if g < 0 {
				add(Error, "qrels", "passage %q has negative grade %d", id, g)
			}
		}
	}
	return issues
}

func checkQuote(q Question, i int, a Answer, stripped map[string]string, names []string) []Issue {
	s := StripSpace(a.Quote)
	if s == "" {
		return nil
	}
	field := fmt.Sprintf("answers[%d]", i)
	is := func(sev Severity, f, format string, args ...any) []Issue {
		return []Issue{{File: q.File, Line: q.Line, QuestionID: q.ID, Field: f, Severity: sev, Msg: fmt.Sprintf(format, args...)}}
	}
	if a.File != "" {
		text, ok := stripped[a.File]
		if !ok {
			return is(Error, field+".file", "%q is not in the corpus", a.File)
		}
		switch n := countOverlapping(text, s); {
		case n == 0:
			var elsewhere []string
			for _, name := range names {
				if strings.Contains(stripped[name], s) {
					elsewhere = append(elsewhere, name)
				}
			}
			if len(elsewhere) > 0 {
				return is(Error, field+".quote", "not found in %s (found in %s)", a.File, strings.Join(elsewhere, ", "))
			}
			return is(Error, field+".quote", "not found in %s", a.File)
		case n > 1:
			return is(Error, field+".quote", "found %d times in %s; lengthen it so it points at one place", n, a.File)
		}
		return nil
	}
	var in []string
	total := 0
	for _, name := range names {
		if n := countOverlapping(stripped[name], s); n > 0 {
			in = append(in, name)
			total += n
		}
	}
	switch {
	case total == 0:
		return is(Error, field+".quote", "not found in any corpus file")
	case total > 1:
		return is(Warning, field+".quote", "found %d times (in %s); name the file or lengthen the quote", total, strings.Join(in, ", "))
	}
	return nil
}

// countOverlapping counts occurrences of sub in s, overlapping ones included
// ("哈哈" occurs twice in "哈哈哈").
func countOverlapping(s, sub string) int {
	n := 0
	for {
		i := strings.Index(s, sub)
		if i < 0 {
			return n
		}
		n++
		_, size := utf8.DecodeRuneInString(s[i:])
		s = s[i+size:]
	}
}

func sortIssues(issues []Issue) {
	sort.SliceStable(issues, func(i, j int) bool {
		if issues[i].File != issues[j].File {
			return issues[i].File < issues[j].File
		}
		return issues[i].Line < issues[j].Line
	})
}

// HasErrors reports whether any issue is an Error.
func HasErrors(issues []Issue) bool {
	for _, is := range issues {
		if is.Severity == Error {
			return true
		}
	}
	return false
}
