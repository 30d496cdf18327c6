package main

// End-to-end tests of the command line itself (argument order, usage errors
// and exit codes, terminal escaping) with the real binary. They need no
// Ollama: the collections are lexical-only (the Ollama host is a port where
// nothing listens).

import (
	imgpng "image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reportsearch/reportsearch/internal/testenv"
	"github.com/reportsearch/reportsearch/retrieve"
)

const deadOllama = "127.0.0.1:9" // discard port: nothing listens

// lexicalIndex indexes one corpus report without Ollama into a fresh data dir.
func lexicalIndex(t *testing.T) string {
	t.Helper()
	file := filepath.Join(testenv.Shared(t), "corpus", "003_fc0e754ba3f6118e.txt")
	data := t.TempDir()
	if r := rs(t, data, deadOllama, "index", file); r.code != 0 {
		t.Fatalf("index: exit %d: %s", r.code, r.stderr)
	}
	return data
}

// Issue 11.1: flags after the question are flags, not words of the query;
// global flags may follow the command.
func TestFlagsInAnyPositionE2E(t *testing.T) {
	data := lexicalIndex(t)
	before := rs(t, data, deadOllama, "search", "-k", "2", "--json", "--mode", "lexical", "低空经济")
	after := rs(t, data, deadOllama, "search", "低空经济", "-k", "2", "--json", "--mode", "lexical")
	if before.code != 0 || after.code != 0 {
		t.Fatalf("exit %d / %d: %s %s", before.code, after.code, before.stderr, after.stderr)
	}
	if before.stdout != after.stdout {
		t.Fatalf("flags after the question changed the answer:\n%s\nvs\n%s", before.stdout, after.stdout)
	}
	out := decodeJSON[SearchOutput](t, after.stdout)
	if out.Query != "低空经济" || out.Mode != "lexical" || len(out.Results) != 2 {
		t.Fatalf("want 2 lexical results for 低空经济, got query %q mode %s, %d results", out.Query, out.Mode, len(out.Results))
	}
	mixed := rs(t, data, deadOllama, "search", "--json", "低空经济", "-k", "2", "--mode=lexical")
	if mixed.stdout != after.stdout {
		t.Errorf("flags on both sides of the question gave another answer:\n%s", mixed.stdout)
	}

	// A global flag after the command: the data dir comes from --data-dir,
	// not from the environment (which points at an empty folder).
	empty := t.TempDir()
	g := rs(t, empty, deadOllama, "search", "低空经济", "--data-dir", data, "-k", "2", "--json", "--mode", "lexical")
	if g.code != 0 || g.stdout != after.stdout {
		t.Fatalf("--data-dir after the command: exit %d %s\n%s", g.code, g.stderr, g.stdout)
	}
	st := rs(t, empty, deadOllama, "status", "--json", "--data-dir", data)
	if st.code != 0 || len(decodeJSON[StatusOutput](t, st.stdout).Collections) != 1 {
		t.Fatalf("status --data-dir after the command: exit %d %s %s", st.code, st.stderr, st.stdout)
	}

	// "--" ends flags: what follows is the question.
	d := rs(t, data, deadOllama, "search", "--json", "--mode", "lexical", "--", "-k", "2")
	if d.code != 0 || decodeJSON[SearchOutput](t, d.stdout).Query != "-k 2" {
		t.Fatalf(`search -- -k 2: exit %d %s %s`, d.code, d.stderr, d.stdout)
	}
}

// Issue 11.4 (and 17.12's `search -k -5`): every usage error exits 2 with a
// one-line message and a hint naming the command's help on stderr, and
// prints nothing on stdout.
// statusReportsHint is the one hint under an unknown --report.
const statusReportsHint = "reportsearch: see `reportsearch status --reports` for the reports of the collection"

func TestUsageErrorsE2E(t *testing.T) {
	data := lexicalIndex(t)
	long := strings.Repeat("增", 1001)
	cases := []struct {
		args []string
		hint string // the command whose --help the hint names
		says string // part of the message
	}{
		{[]string{"serch", "增长"}, "reportsearch", "did you mean search?"},
		{[]string{"indx", "dir"}, "reportsearch", "did you mean index?"},
		{[]string{"help", "serch"}, "reportsearch", "serch"},
		{[]string{"eval", "rn"}, "reportsearch eval", "did you mean run?"},
		{[]string{"search", "-k", "0", "增长"}, "reportsearch search", "-k must be from 1 to 100, got 0"},
		{[]string{"search", "-k", "-5", "增长"}, "reportsearch search", "got -5"},
		{[]string{"search", "增长", "-k", "1000"}, "reportsearch search", "got 1000"},
		{[]string{"search", "-k", "abc", "增长"}, "reportsearch search", `invalid value "abc" for flag -k`},
		{[]string{"search", "增长", "-k"}, "reportsearch search", "needs a value"},
		{[]string{"search", "--depth", "x", "增长"}, "reportsearch search", `invalid value "x" for flag --depth`},
		{[]string{"search", long}, "reportsearch search", "1001 characters long; at most 1000"},
		{[]string{"search"}, "reportsearch search", "search needs a question"},
		{[]string{"search", "  "}, "reportsearch search", "search needs a question"},
		{[]string{"search", "--bogus", "增长"}, "reportsearch search", "unknown flag --bogus"},
		{[]string{"search", "增长", "--jsn"}, "reportsearch search", "did you mean --json?"},
		{[]string{"search", "增长", "--budget", "100"}, "reportsearch search", "unknown flag --budget"},
		{[]string{"search", "--mode", "fast", "增长"}, "reportsearch search", "fast"},
		{[]string{"search", "--fusion", "max", "增长"}, "reportsearch search", "--fusion"},
		{[]string{"search", "--report-policy", "x", "增长"}, "reportsearch search", "--report-policy"},
		{[]string{"search", "--dense-weight", "2", "增长"}, "reportsearch search", "--dense-weight"},
		{[]string{"search", "--max-runes", "0", "增长"}, "reportsearch search", ""},
		{[]string{"search", "--report", "火星", "增长"}, statusReportsHint, `no report matches "火星"`},
		{[]string{"search", "增长", "--year", "19"}, "reportsearch search", `--year: year "19"`},
		{[]string{"search", "增长", "--year", "2010-2019"}, "reportsearch search", "for a range use --years"},
		{[]string{"search", "增长", "--years", "2019-2010"}, "reportsearch search", "--years"},
		{[]string{"search", "增长", "--year", "2019", "--years", "2010-2019"}, "reportsearch search", "give one of them"},
		{[]string{"search", "增长", "--years", "2000-2005"}, "reportsearch search", "no report of 2000-2005 (reports of: "},
		{[]string{"context", "增长", "--year", "2001"}, "reportsearch context", "no report of 2001"},
		{[]string{"search", "增长", "-v"}, "reportsearch search", "unknown flag -v"},
		{[]string{"context", "--budget", "0", "增长"}, "reportsearch context", "--budget must be from 1 to 100000, got 0"},
		{[]string{"context", "增长", "--budget", "100001"}, "reportsearch context", "got 100001"},
		{[]string{"context", "增长", "--candidates", "0"}, "reportsearch context", "--candidates must be from 1 to 100"},
		{[]string{"context", "增长", "--neighbours", "9"}, "reportsearch context", "--neighbours must be from 0 to 5"},
		{[]string{"context", "--report", "火星", "增长"}, statusReportsHint, `no report matches "火星"`},
		{[]string{"context", long}, "reportsearch context", "at most 1000"},
		{[]string{"index"}, "reportsearch index", "index needs at least one file or folder"},
		{[]string{"status", "--bogus"}, "reportsearch status", "unknown flag --bogus"},
		{[]string{"--data-dir"}, "reportsearch", "needs a value"},
		{[]string{"eval", "score"}, "reportsearch eval score", "--questions is required"},
		{[]string{"eval", "--mode", "lexical", "run"}, "reportsearch eval", "a subcommand's flags go after its name"},
		{[]string{"model", "pull"}, "reportsearch model pull", "NAME"},
	}
	for _, tc := range cases {
		r := rs(t, data, deadOllama, tc.args...)
		name := strings.Join(tc.args, " ")
		if len(name) > 60 {
			name = name[:60] + "…"
		}
		lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
		hint := "see '" + tc.hint + " --help'"
		if strings.HasPrefix(tc.hint, "reportsearch: ") {
			hint = tc.hint // an error with a way out of its own names it instead of --help
		}
		switch {
		case r.code != exitUsage:
			t.Errorf("%s: exit %d, want 2; stderr: %s", name, r.code, r.stderr)
		case r.stdout != "":
			t.Errorf("%s: printed on stdout: %q", name, r.stdout)
		case len(lines) != 2 || !strings.HasPrefix(lines[0], "reportsearch: ") || lines[1] != hint:
			t.Errorf("%s: want one error line and %q on stderr, got:\n%s", name, hint, r.stderr)
		case !strings.Contains(lines[0], tc.says):
			t.Errorf("%s: message %q does not say %q", name, lines[0], tc.says)
		case strings.Contains(strings.ToLower(lines[0]), "bad request"):
			t.Errorf("%s: HTTP wording in a CLI error: %q", name, lines[0])
		}
	}
	// The limits are stated in --help.
	h := rs(t, data, deadOllama, "search", "--help")
	for _, want := range []string{"at most 1000 characters", "number of results (1 to 100)"} {
		if h.code != 0 || !strings.Contains(h.stdout, want) {
			t.Errorf("search --help (exit %d) does not state %q", h.code, want)
		}
	}
}

// Issue 17.4: a file name with an escape sequence (or a bidi override) is
// shown escaped in every text output, never raw.
func TestNoRawControlCharactersE2E(t *testing.T) {
	corpus := filepath.Join(testenv.Shared(t), "corpus")
	text, err := os.ReadFile(filepath.Join(corpus, "003_fc0e754ba3f6118e.txt"))
	if err != nil {
		t.Fatal(err)
	}
	src := t.TempDir()
	names := map[string]string{ // file name → how the output shows it
		"esc\x1b[31mred.txt":    `esc\x1b[31mred.txt`,
		"rlo\u202etxt.md":       `rlo\u202etxt.md`,
		"bin\x1b]0;pwned\a.txt": `bin\x1b]0;pwned\x07.txt`,
	}
	for name := range names {
		body := text
		if strings.HasPrefix(name, "bin") {
			body = []byte{0, 1, 2, 'x'} // skipped as binary: its name is in an error line
		}
		if err := os.WriteFile(filepath.Join(src, name), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data := t.TempDir()
	runs := []result{rs(t, data, deadOllama, "index", src)}
	if runs[0].code != exitSkipped {
		t.Fatalf("index: exit %d, want 3 (one file skipped): %s", runs[0].code, runs[0].stderr)
	}
	runs = append(runs,
		rs(t, data, deadOllama, "search", "-k", "20", "稳增长 部门协同"),
		rs(t, data, deadOllama, "context", "--budget", "3000", "稳增长 部门协同"),
		rs(t, data, deadOllama, "status", "--reports"),
		rs(t, data, deadOllama, "search", "--json", "-k", "20", "稳增长 部门协同"),
		rs(t, data, deadOllama, "context", "--json", "稳增长 部门协同"),
		rs(t, data, deadOllama, "search", "--report", "esc\x1b[31m", "稳增长"), // an error quoting the argument
	)
	all := ""
	for i, r := range runs {
		out := r.stdout + r.stderr
		all += out
		for _, bad := range []string{"\x1b", "\u202e", "\a"} {
			if strings.Contains(out, bad) {
				t.Errorf("run %d: raw %q in the output:\n%s", i, bad, out)
			}
		}
	}
	for name, shown := range names {
		if !strings.Contains(all, shown) {
			t.Errorf("%q is never shown (as %s)", name, shown)
		}
	}
	// JSON escapes the name and still carries it exactly.
	out := decodeJSON[SearchOutput](t, runs[4].stdout)
	found := false
	for _, r := range out.Results {
		found = found || r.File == "esc\x1b[31mred.txt"
	}
	if !found {
		t.Errorf("search --json lost the file name with ESC: %s", runs[4].stdout)
	}
}

// TestHintsUnderLibraryErrors: the libraries' errors carry no CLI commands
// (the server passes them to HTTP clients); the command line still prints
// the way out under them. No Ollama and no ../shared needed.
func TestHintsUnderLibraryErrors(t *testing.T) {
	src := filepath.Join(t.TempDir(), "北京市2024年政府工作报告.txt")
	text := strings.Repeat("坚持稳中求进，稳增长、稳就业、稳物价，推动经济持续回升向好。\n\n", 20)
	if err := os.WriteFile(src, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	data, dead := t.TempDir(), "127.0.0.1:9"
	if r := rs(t, data, dead, "index", src); r.code != 0 {
		t.Fatalf("lexical index: exit %d: %s", r.code, r.stderr)
	}
	for _, c := range []struct {
		args       []string
		what, hint string
	}{
		{[]string{"search", "--mode", "dense", "稳增长"}, "no vectors yet", "run `reportsearch index` with a model"},
		{[]string{"search", "--report", "火星", "稳增长"}, `no report matches "火星"`, "see `reportsearch status --reports`"},
	} {
		r := rs(t, data, dead, c.args...)
		if r.code == 0 || !strings.Contains(r.stderr, c.what) || !strings.Contains(r.stderr, c.hint) {
			t.Errorf("%v: want a failure saying %q with the hint %q, got exit %d:\n%s", c.args, c.what, c.hint, r.code, r.stderr)
		}
	}
}

// Issue 13: every report of the 2026 collection knows its year (from its
// date line, not the file name); `status --reports` lists them and
// `search --year` keeps to them.
func TestYearsE2E(t *testing.T) {
	file := filepath.Join(testenv.Shared(t), "corpus", "004_482334abf8830909.txt")
	data := t.TempDir()
	if r := rs(t, data, deadOllama, "index", file); r.code != 0 {
		t.Fatalf("index: exit %d: %s", r.code, r.stderr)
	}
	st := rs(t, data, deadOllama, "status", "--reports")
	if st.code != 0 || !strings.Contains(st.stdout, "years: 2026\n") || strings.Count(st.stdout, " 2026  ") != 32 {
		t.Errorf("status --reports: exit %d, want 32 reports of 2026 and a years line:\n%s", st.code, st.stdout)
	}
	r := rs(t, data, deadOllama, "search", "城镇新增就业", "--year", "2026", "-k", "3", "--json")
	if r.code != 0 {
		t.Fatalf("search --year 2026: exit %d: %s", r.code, r.stderr)
	}
	out := decodeJSON[SearchOutput](t, r.stdout)
	if len(out.Results) != 3 {
		t.Fatalf("%d results", len(out.Results))
	}
	for _, res := range out.Results {
		if res.Year != 2026 {
			t.Errorf("%s: year %d", res.ID, res.Year)
		}
	}
}

// Issue 13: compare prints one row per report in the usual order, with
// "not found" rows, in every format.
func TestCompareE2E(t *testing.T) {
	data := t.TempDir()
	for _, f := range []string{"003_fc0e754ba3f6118e.txt", "004_482334abf8830909.txt"} {
		if r := rs(t, data, deadOllama, "index", filepath.Join(testenv.Shared(t), "corpus", f)); r.code != 0 {
			t.Fatalf("index: exit %d: %s", r.code, r.stderr)
		}
	}
	r := rs(t, data, deadOllama, "compare", "冰雪经济", "--json")
	if r.code != 0 {
		t.Fatalf("compare: exit %d: %s", r.code, r.stderr)
	}
	out := decodeJSON[CompareOutput](t, r.stdout)
	if len(out.Rows) != 33 || out.Rows[0].Label != "政府工作报告" || out.Rows[1].Label != "北京市政府工作报告" || out.Rows[32].Label != "担当好稳增长挑大梁的责任实施方案" {
		t.Fatalf("%d rows, first %+v", len(out.Rows), out.Rows[:1])
	}
	found := map[string]bool{}
	for _, row := range out.Rows {
		if row.Found {
			found[row.Region] = true
		}
	}
	// 冰雪 is a northern topic: 黑龙江 answers, 海南 does not.
	if !found["黑龙江"] || found["海南"] || len(found) > 12 {
		t.Errorf("found rows %v", found)
	}
	for format, want := range map[string]string{"table": "not found", "markdown": "| 政府工作报告 |", "csv": "report,cover,passage,where\n"} {
		r := rs(t, data, deadOllama, "compare", "冰雪经济", "--format", format)
		if r.code != 0 || !strings.Contains(r.stdout, want) {
			t.Errorf("--format %s: exit %d, want %q in:\n%s", format, r.code, want, r.stdout)
		}
	}
	if r := rs(t, data, deadOllama, "compare", "冰雪经济", "--by", "province"); r.code != exitUsage {
		t.Errorf("--by province: exit %d", r.code)
	}
}

// Issue 13: trend counts terms per report, prints a sparkline, lists the
// passages behind the counts, and writes a chart that decodes.
func TestTrendE2E(t *testing.T) {
	file := filepath.Join(testenv.Shared(t), "corpus", "004_482334abf8830909.txt")
	data := t.TempDir()
	if r := rs(t, data, deadOllama, "index", file); r.code != 0 {
		t.Fatalf("index: exit %d: %s", r.code, r.stderr)
	}
	png := filepath.Join(t.TempDir(), "trend.png")
	r := rs(t, data, deadOllama, "trend", "低空经济", "冰雪", "--by", "report", "--out", png, "--show")
	if r.code != 0 {
		t.Fatalf("trend: exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "term 1 低空经济  |") || !strings.Contains(r.stdout, "黑龙江省政府工作报告") || !strings.Contains(r.stdout, "冰雪  黑龙江省政府工作报告 ×") {
		t.Errorf("trend output lacks the sparkline or the passages:\n%s", r.stdout)
	}
	f, err := os.Open(png)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := imgpng.Decode(f)
	if err != nil || img.Bounds().Dx() < 100 || img.Bounds().Dy() < 100 {
		t.Fatalf("chart: %v, %v", err, img)
	}
	svg := filepath.Join(t.TempDir(), "trend.svg")
	if r := rs(t, data, deadOllama, "trend", "低空经济", "--by", "report", "--out", svg, "--json"); r.code != 0 {
		t.Fatalf("trend svg: exit %d: %s", r.code, r.stderr)
	} else {
		out := decodeJSON[TrendOutput](t, r.stdout)
		total := 0
		for _, g := range out.Groups {
			total += g.Counts[0]
		}
		if len(out.Groups) != 32 || total == 0 {
			t.Errorf("%d groups, %d occurrences", len(out.Groups), total)
		}
	}
	if b, err := os.ReadFile(svg); err != nil || !strings.Contains(string(b), "<svg") {
		t.Errorf("svg chart: %v", err)
	}
	if r := rs(t, data, deadOllama, "trend", "低空经济", "--out", "x.gif"); r.code != exitUsage {
		t.Errorf("--out x.gif: exit %d", r.code)
	}
}

// Issue 13.1 through the index dispatch: a JSONL file is read as records,
// each a report with its title, year and URL; a chunk cites its record's
// line in the file; a bad record is named by file:line, the rest indexed,
// and the run exits 3.
func TestIndexJSONLE2E(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "reports.jsonl")
	lines := []string{
		`{"title":"2019年政府工作报告","year":"2019","url":"https://example.org/2019","content":"一、2018年工作回顾\n\n城镇新增就业1361万人，调查失业率稳定在5%左右的较低水平。"}`,
		`{"title":"坏记录","content":42}`,
		`not json at all`,
		`{"title":"2020年政府工作报告","year":2020,"content":"今年发展主要目标是：城镇新增就业900万人以上，城镇调查失业率6%左右。"}`,
	}
	if err := os.WriteFile(src, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	r := rs(t, data, deadOllama, "index", dir)
	if r.code != exitSkipped || !strings.Contains(r.stderr, "reports.jsonl:2:") || !strings.Contains(r.stderr, "reports.jsonl:3:") {
		t.Fatalf("index: exit %d, want %d naming lines 2 and 3:\n%s", r.code, exitSkipped, r.stderr)
	}
	s := rs(t, data, deadOllama, "search", "城镇新增就业", "--json", "-k", "5")
	out := decodeJSON[SearchOutput](t, s.stdout)
	if s.code != 0 || len(out.Results) != 2 {
		t.Fatalf("search: exit %d, %d results: %s", s.code, len(out.Results), s.stderr)
	}
	byYear := map[int]retrieve.Result{}
	for _, res := range out.Results {
		byYear[res.Year] = res
	}
	if r19, ok := byYear[2019]; !ok || r19.Line != 1 || r19.URL != "https://example.org/2019" || r19.Report != "2019年政府工作报告" {
		t.Errorf("the 2019 record: %+v", byYear[2019])
	}
	if r20, ok := byYear[2020]; !ok || r20.Line != 4 {
		t.Errorf("the 2020 record should cite line 4: %+v", byYear[2020])
	}
	y := rs(t, data, deadOllama, "search", "城镇新增就业", "--year", "2020", "--json")
	if out := decodeJSON[SearchOutput](t, y.stdout); y.code != 0 || len(out.Results) != 1 || out.Results[0].Year != 2020 {
		t.Errorf("--year 2020: exit %d, %+v", y.code, out.Results)
	}
}
