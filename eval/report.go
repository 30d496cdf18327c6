package eval

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/mattn/go-runewidth"
)

// width measures terminal columns. It is fixed rather than taken from the
// locale so tables look the same everywhere: CJK characters take two columns,
// ambiguous-width ones (“ ” …) one.
var width = &runewidth.Condition{EastAsianWidth: false}

// WriteJSON writes the report as indented JSON.
func (r Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// LoadReport reads a report written by WriteJSON.
func LoadReport(file string) (Report, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return Report{}, err
	}
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		return Report{}, jsonFileError(file, b, err)
	}
	if r.Metrics == nil && len(r.PerQuestion) == 0 {
		return Report{}, fmt.Errorf("%s: no metrics and no per_question: not an eval report", file)
	}
	r.File = file
	if r.Name == "" {
		r.Name = fileRunName(file)
	}
	return r, nil
}

// summary is the report's header line.
func (r Report) summary() string {
	s := fmt.Sprintf("%s: %d questions scored", r.Name, r.Questions)
	if r.NoRelevant > 0 {
		s += fmt.Sprintf(", %d without relevant items excluded", r.NoRelevant)
	}
	if len(r.Excluded) > 0 {
		s += fmt.Sprintf(", %d excluded because no chunk can match them (%s)", len(r.Excluded), listSome(r.Excluded, 8))
	}
	if r.LatencyP50Ms > 0 || r.LatencyP95Ms > 0 {
		s += fmt.Sprintf("; latency p50 %.1f ms, p95 %.1f ms", r.LatencyP50Ms, r.LatencyP95Ms)
	}
	return s
}

// notes are the header lines after the summary: what the collection held,
// loudly when the run saw only part of it, and the relevant items of scored
// questions that can never be matched.
func (r Report) notes() []string {
	var out []string
	if c := r.Collection; c != nil {
		out = append(out, fmt.Sprintf("collection: %d chunks, %d with vectors", c.Chunks, c.Embedded))
		if c.Partial {
			out = append(out, fmt.Sprintf("WARNING: PARTIAL COLLECTION: dense search covered only %d of %d chunks; these figures do not measure the whole collection", c.Embedded, c.Chunks))
		}
	}
	excluded := map[string]bool{}
	for _, id := range r.Excluded {
		excluded[id] = true
	}
	var missed []string
	for _, u := range r.Unmatchable {
		if !excluded[u.QuestionID] {
			missed = append(missed, u.QuestionID+" "+u.Field)
		}
	}
	if len(missed) > 0 {
		out = append(out, fmt.Sprintf("note: %d relevant item(s) of scored questions can never be matched and count as missed: %s", len(missed), listSome(missed, 8)))
	}
	return out
}

// listSome joins up to n items, saying how many more there are.
func listSome(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:n], ", "), len(items)-n)
}

func (r Report) settingsLine() string {
	if len(r.Settings) == 0 {
		return ""
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(r.Settings)) {
		parts = append(parts, k+"="+r.Settings[k])
	}
	// Broken into lines that fit a terminal, as the tables below it do.
	return strings.Join(wrap(strings.Join(parts, " "), TableWidth), "\n")
}

func (r Report) rows() [][]string {
	rows := [][]string{{"metric", "mean", "95% CI"}}
	for _, name := range r.MetricNames() {
		s := r.Metrics[name]
		rows = append(rows, []string{name, fmt.Sprintf("%.4f", s.Mean), fmt.Sprintf("[%.4f, %.4f]", s.Lo, s.Hi)})
	}
	return rows
}

// WriteTable writes the report as an aligned plain-text table.
func (r Report) WriteTable(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, r.summary())
	for _, n := range r.notes() {
		fmt.Fprintln(bw, n)
	}
	if s := r.settingsLine(); s != "" {
		fmt.Fprintln(bw, s)
	}
	writeAligned(bw, r.rows())
	return bw.Flush()
}

// WriteMarkdown writes the report as a Markdown table.
func (r Report) WriteMarkdown(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "**%s**\n\n", mdEscape(r.summary()))
	for _, n := range r.notes() {
		fmt.Fprintf(bw, "%s\n\n", mdEscape(n))
	}
	if s := r.settingsLine(); s != "" {
		fmt.Fprintf(bw, "Settings: `%s`\n\n", s)
	}
	writeMarkdownTable(bw, r.rows())
	return bw.Flush()
}

// writeAligned pads columns to equal display width: the first column left
// aligned, the others right aligned (they hold numbers).
func writeAligned(w io.Writer, rows [][]string) {
	var widths []int
	for _, row := range rows {
		for i, cell := range row {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], width.StringWidth(cell))
		}
	}
	for _, row := range rows {
		var b strings.Builder
		for i, cell := range row {
			pad := strings.Repeat(" ", widths[i]-width.StringWidth(cell))
			switch {
			case i == 0:
				b.WriteString(cell + pad)
			case isNumeric(cell):
				b.WriteString("  " + pad + cell)
			default:
				b.WriteString("  " + cell + pad)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

func isNumeric(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789.-+[], e", r) {
			return false
		}
	}
	return true
}

func writeMarkdownTable(w io.Writer, rows [][]string) {
	for i, row := range rows {
		cells := make([]string, len(row))
		for j, c := range row {
			cells[j] = mdEscape(c)
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
		if i == 0 {
			seps := make([]string, len(row))
			for j := range seps {
				seps[j] = "---:"
			}
			seps[0] = "---"
			fmt.Fprintf(w, "| %s |\n", strings.Join(seps, " | "))
		}
	}
}

func mdEscape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// Comparison sets reports side by side, each tested against the first
// (the baseline) with a paired test per metric.
type Comparison struct {
	Names []string `json:"names"` // baseline first
	// Files are the reports' files, in the order of Names ("" for a report
	// not read from a file).
	Files []string `json:"files,omitempty"`
	// Questions are the numbers of questions each report scored.
	Questions []int              `json:"questions"`
	Metrics   []MetricComparison `json:"metrics"`
	// Notes says which questions could not be paired, and the like.
	Notes []string `json:"notes,omitempty"`
}

// MetricComparison is one metric across the compared reports.
type MetricComparison struct {
	Metric string `json:"metric"`
	Stats  []Stat `json:"stats"` // one per report
	// VsBaseline holds, for each report after the first, the paired test of
	// (report − baseline) on the questions scored in both.
	VsBaseline []Paired `json:"vs_baseline"`
}

// Compare puts reports side by side. Metrics are those present in every
// report; questions are paired by ID, and a question scored in only one of
// two reports is left out of their test (and counted in Notes).
func Compare(reports ...Report) (Comparison, error) {
	if len(reports) == 0 {
		return Comparison{}, fmt.Errorf("compare: no reports")
	}
	var c Comparison
	common := map[string]int{}
	for _, r := range reports {
		c.Names = append(c.Names, r.Name)
		c.Files = append(c.Files, r.File)
		c.Questions = append(c.Questions, r.Questions)
		for _, m := range r.MetricNames() {
			common[m]++
		}
	}
	var names []string
	for m, n := range common {
		if n == len(reports) {
			names = append(names, m)
		}
	}
	if len(names) == 0 {
		return Comparison{}, fmt.Errorf("compare: the reports share no metric")
	}
	sortMetricNames(names)
	base := reports[0]
	baseQ := make(map[string]QuestionResult, len(base.PerQuestion))
	for _, q := range base.PerQuestion {
		baseQ[q.ID] = q
	}
	for _, r := range reports {
		if col := r.Collection; col != nil && col.Partial {
			c.Notes = append(c.Notes, fmt.Sprintf("%s: PARTIAL COLLECTION: dense search covered only %d of %d chunks", r.Name, col.Embedded, col.Chunks))
		}
	}
	for i, r := range reports[1:] {
		paired, missing := 0, 0
		for _, q := range r.PerQuestion {
			if bq, ok := baseQ[q.ID]; ok && bq.Metrics != nil && q.Metrics != nil {
				paired++
			} else if q.Metrics != nil {
				missing++
			}
		}
		if unpaired := base.Questions - paired; missing > 0 || unpaired > 0 {
			c.Notes = append(c.Notes, fmt.Sprintf("%s (#%d) vs %s: %d questions paired; %d scored only in %s, %d only in %s",
				r.Name, i+2, base.Name, paired, missing, r.Name, unpaired, base.Name))
		}
	}
	for _, m := range names {
		mc := MetricComparison{Metric: m}
		for _, r := range reports {
			mc.Stats = append(mc.Stats, r.Metrics[m])
		}
		for _, r := range reports[1:] {
			var a, b []float64
			for _, q := range r.PerQuestion {
				y, ok := q.Metrics[m]
				if !ok {
					continue
				}
				x, ok := baseQ[q.ID].Metrics[m]
				if !ok {
					continue
				}
				a, b = append(a, x), append(b, y)
			}
			mc.VsBaseline = append(mc.VsBaseline, PairedTest(a, b))
		}
		c.Metrics = append(c.Metrics, mc)
	}
	return c, nil
}

// WriteJSON writes the comparison as indented JSON.
func (c Comparison) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(c)
}
