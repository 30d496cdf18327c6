package eval

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"
)

// fileRunName is the run name a report file gives: its base name without
// .json.
func fileRunName(file string) string {
	return strings.TrimSuffix(filepath.Base(file), ".json")
}

// NameRuns makes the names of reports distinct, so that every column and
// legend entry says which run it is. A report keeps its own name (eval run
// --name, or the default mode/model) unless another report has the same
// one; then it is named after its file (base name without .json), and
// names that still collide get "#N" appended, N the report's position
// (1-based).
func NameRuns(reports []Report) {
	count := func() map[string]int {
		n := map[string]int{}
		for _, r := range reports {
			n[r.Name]++
		}
		return n
	}
	n := count()
	for i := range reports {
		if n[reports[i].Name] > 1 && reports[i].File != "" {
			reports[i].Name = fileRunName(reports[i].File)
		}
	}
	n = count()
	for i := range reports {
		if n[reports[i].Name] > 1 {
			reports[i].Name += "#" + strconv.Itoa(i+1)
		}
	}
}

// A run's column grows for the run's name only up to headCap columns;
// longer names are broken over up to headLines lines (the legend above
// the table gives them whole).
const (
	headCap   = 16
	headLines = 3
)

// wrapHead breaks a column head into lines of at most w columns, after a
// separator (/ - : _ space) where it can, cutting the last line with "…".
func wrapHead(s string, w int) []string {
	var lines []string
	for width.StringWidth(s) > w && len(lines) < headLines-1 {
		// fit: end of the longest prefix that fits; sep: end of its last
		// separator (byte offsets).
		fit, sep, col := 0, 0, 0
		for i, r := range s {
			col += width.RuneWidth(r)
			if col > w {
				break
			}
			fit = i + utf8.RuneLen(r)
			if strings.ContainsRune("/-:_ ", r) {
				sep = fit
			}
		}
		cut := cmp.Or(sep, fit)
		if cut == 0 {
			break // a rune wider than w
		}
		lines = append(lines, strings.TrimRight(s[:cut], " "))
		s = strings.TrimLeft(s[cut:], " ")
	}
	return append(lines, width.Truncate(s, w, "…"))
}

// short prints a value in [-1, 1] in two decimals without the leading zero
// (".39", "-.17", "1.00"), signed when signed is set, for compact intervals.
func short(x float64, signed bool) string {
	f := "%.2f"
	if signed {
		f = "%+.2f"
	}
	s := fmt.Sprintf(f, x)
	for _, p := range []string{"0.", "+0.", "-0."} {
		if strings.HasPrefix(s, p) {
			return strings.TrimSuffix(p, "0.") + s[len(p)-1:]
		}
	}
	return s
}

func ciCell(lo, hi float64, signed bool) string {
	return "[" + short(lo, signed) + "," + short(hi, signed) + "]"
}

// column is one column of a comparison table: the name of its run (if
// it is a run's column), its head and one cell a metric.
type column struct {
	name  string
	head  string
	cells []string
}

func (c column) width() int {
	w := width.StringWidth(c.head)
	for _, s := range c.cells {
		w = max(w, width.StringWidth(s))
	}
	return max(w, min(width.StringWidth(c.name), headCap))
}

// shortP prints a p-value in at most 5 columns: "<.001", ".078", "1.000".
func shortP(p float64) string {
	if p < 0.001 {
		return "<.001"
	}
	return strings.TrimPrefix(fmt.Sprintf("%.3f", p), "0")
}

// groups returns the table's columns in groups: first the metric names
// and the baseline (mean and its 95% CI), then one group per other report:
// its mean with the paired difference from the baseline and that
// difference's 95% CI, and the p-value.
func (c Comparison) groups() [][]column {
	metric := column{head: "metric"}
	base := column{name: c.Names[0], head: "mean [95% CI]"}
	for _, m := range c.Metrics {
		metric.cells = append(metric.cells, m.Metric)
		s := m.Stats[0]
		base.cells = append(base.cells, fmt.Sprintf("%.3f %s", s.Mean, ciCell(s.Lo, s.Hi, false)))
	}
	out := [][]column{{metric, base}}
	for i := range c.Names[1:] {
		// mean and Δ share a column under the run's name; Δ cells are
		// padded to one width so the two line up.
		var deltas []string
		dw := width.StringWidth("Δ [95% CI]")
		for _, m := range c.Metrics {
			p := m.VsBaseline[i]
			d := fmt.Sprintf("%+.3f %s", p.MeanDiff, ciCell(p.Lo, p.Hi, true))
			deltas = append(deltas, d)
			dw = max(dw, width.StringWidth(d))
		}
		run := column{name: c.Names[i+1], head: "mean  " + padLeft("Δ [95% CI]", dw)}
		pcol := column{head: "p"}
		for j, m := range c.Metrics {
			run.cells = append(run.cells, fmt.Sprintf("%.3f  %s", m.Stats[i+1].Mean, padLeft(deltas[j], dw)))
			pcol.cells = append(pcol.cells, shortP(m.VsBaseline[i].P))
		}
		out = append(out, []column{run, pcol})
	}
	return out
}

// blocks packs the groups into tables no wider than limit columns (0: no
// limit), each starting with the metric names and the baseline.
func (c Comparison) blocks(limit int) [][]column {
	gs := c.groups()
	lead := gs[0]
	groupWidth := func(g []column) int {
		w := 0
		for _, col := range g {
			w += 2 + col.width()
		}
		return w
	}
	leadW := groupWidth(lead) - 2
	var out [][]column
	cur, curW := append([]column(nil), lead...), leadW
	for _, g := range gs[1:] {
		gw := groupWidth(g)
		if limit > 0 && len(cur) > len(lead) && curW+gw > limit {
			out = append(out, cur)
			cur, curW = append([]column(nil), lead...), leadW
		}
		cur, curW = append(cur, g...), curW+gw
	}
	return append(out, cur)
}

// writeColumns writes a block: the first column left-aligned, the others
// right-aligned (numbers), heads aligned as their columns and on the
// bottom line when some take several.
func writeColumns(w io.Writer, cols []column) {
	widths := make([]int, len(cols))
	heads := make([][]string, len(cols))
	n := 0
	for i, c := range cols {
		widths[i] = c.width()
		if c.name != "" {
			heads[i] = wrapHead(c.name, widths[i])
		}
		heads[i] = append(heads[i], c.head)
		n = max(n, len(heads[i]))
	}
	// left: whether cell i of the row is left-aligned.
	row := func(cell func(i int) string, left func(i int) bool) {
		var b strings.Builder
		for i := range cols {
			if i > 0 {
				b.WriteString("  ")
			}
			if left(i) {
				b.WriteString(padRight(cell(i), widths[i]))
			} else {
				b.WriteString(padLeft(cell(i), widths[i]))
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	first := func(i int) bool { return i == 0 }
	for l := range n {
		k := func(i int) int { return l - (n - len(heads[i])) }
		row(func(i int) string {
			if k(i) >= 0 {
				return heads[i][k(i)]
			}
			return ""
		}, func(i int) bool {
			// a run's name starts where its column does
			return i == 0 || (cols[i].name != "" && k(i) < len(heads[i])-1)
		})
	}
	for j := range cols[0].cells {
		row(func(i int) string { return cols[i].cells[j] }, first)
	}
}

// legend lists the runs whole: name, file, questions scored.
func (c Comparison) legend() []string {
	nameW, fileW := 0, 0
	for i, n := range c.Names {
		nameW = max(nameW, width.StringWidth(n))
		if i < len(c.Files) {
			fileW = max(fileW, width.StringWidth(c.Files[i]))
		}
	}
	out := []string{fmt.Sprintf("Runs (Δ and p: each against %s, on the questions both scored):", c.Names[0])}
	for i, n := range c.Names {
		s := "  " + padRight(n, nameW)
		if i < len(c.Files) && c.Files[i] != "" {
			s += "  " + padRight(c.Files[i], fileW)
		}
		if i < len(c.Questions) {
			s += fmt.Sprintf("  (%d questions)", c.Questions[i])
		}
		out = append(out, strings.TrimRight(s, " "))
	}
	return out
}

func (c Comparison) footer() string {
	return fmt.Sprintf("mean [95%% CI]: percentile bootstrap, %d resamples. Δ = run − %s per question, averaged; p: two-sided paired randomisation test of Δ (%d sign flips; exact when ≤ %d questions differ).",
		BootstrapResamples, c.Names[0], Permutations, ExactPermutationMax)
}

// wrap breaks s at spaces into lines of at most n columns.
func wrap(s string, n int) []string {
	var lines []string
	cur := ""
	for _, f := range strings.Fields(s) {
		switch {
		case cur == "":
			cur = f
		case width.StringWidth(cur)+1+width.StringWidth(f) > n:
			lines = append(lines, cur)
			cur = f
		default:
			cur += " " + f
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}

// WriteTable writes the comparison as plain-text tables that fit in
// TableWidth columns: metrics as rows, runs as columns, as many runs a
// table as fit (each table repeats the baseline), with a legend naming the
// runs' files.
func (c Comparison) WriteTable(w io.Writer) error {
	bw := bufio.NewWriter(w)
	for i, l := range c.legend() {
		if i == 0 {
			l = strings.Join(wrap(l, TableWidth), "\n")
		}
		fmt.Fprintln(bw, l)
	}
	for _, b := range c.blocks(TableWidth) {
		fmt.Fprintln(bw)
		writeColumns(bw, b)
	}
	fmt.Fprintln(bw)
	for _, l := range wrap(c.footer(), TableWidth) {
		fmt.Fprintln(bw, l)
	}
	for _, n := range c.Notes {
		for _, l := range wrap("note: "+n, TableWidth) {
			fmt.Fprintln(bw, l)
		}
	}
	return bw.Flush()
}

// WriteMarkdown writes the comparison as one Markdown table, with the
// figures of WriteTable.
func (c Comparison) WriteMarkdown(w io.Writer) error {
	bw := bufio.NewWriter(w)
	for i, l := range c.legend() {
		if i > 0 {
			l = "- " + strings.TrimSpace(l)
		}
		fmt.Fprintln(bw, mdEscape(l))
	}
	fmt.Fprintln(bw)
	// Markdown viewers scroll: one table, a column for each figure.
	head := []string{"metric", c.Names[0] + " mean [95% CI]"}
	for _, n := range c.Names[1:] {
		head = append(head, n+" mean", "Δ [95% CI]", "p")
	}
	rows := [][]string{head}
	for _, m := range c.Metrics {
		s := m.Stats[0]
		row := []string{m.Metric, fmt.Sprintf("%.3f %s", s.Mean, ciCell(s.Lo, s.Hi, false))}
		for i, p := range m.VsBaseline {
			row = append(row, fmt.Sprintf("%.3f", m.Stats[i+1].Mean), fmt.Sprintf("%+.3f %s", p.MeanDiff, ciCell(p.Lo, p.Hi, true)), shortP(p.P))
		}
		rows = append(rows, row)
	}
	writeMarkdownTable(bw, rows)
	fmt.Fprintf(bw, "\n%s\n", mdEscape(c.footer()))
	for _, n := range c.Notes {
		fmt.Fprintf(bw, "\n- %s", mdEscape(n))
	}
	if len(c.Notes) > 0 {
		fmt.Fprintln(bw)
	}
	return bw.Flush()
}
