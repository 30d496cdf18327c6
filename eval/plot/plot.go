// Package plot draws saved eval reports as pictures (PNG and SVG) with
// gonum.org/v1/plot:
//
//   - recall_at_k: recall@k against k, one line per run, its 95% bootstrap
//     confidence interval shaded around it;
//   - rank_diff: per question, the rank of the first relevant chunk in the
//     second run minus that in the first (below zero: the second run ranks
//     the answer higher), questions ranked alike left out;
//   - by_kind: a metric per question kind, one bar per run, with 95%
//     bootstrap CI whiskers.
//
// The numbers come from the eval package (RecallCurve, RankChanges,
// ByKind), which computes every interval with eval.BootstrapCI.
//
// Text is drawn in gonum/plot's built-in Liberation fonts, which have no
// CJK glyphs, and no CJK font can be relied on where reports are read. So
// every label is ASCII: a run or kind whose name is not is labelled by its
// file name, or "run N" / "kind N" (Labels says which is which).
//
// Files are written whole or not at all (temporary file, then rename), so
// an interrupted run leaves the previous pictures.
package plot

import (
	"cmp"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/reportsearch/reportsearch/eval"
	"github.com/reportsearch/reportsearch/internal/atomicfile"
)

// File names, without extension, of the pictures Write draws.
const (
	RecallFile   = "recall_at_k"
	RankDiffFile = "rank_diff"
	ByKindFile   = "by_kind"
)

// Formats Write can produce.
var Formats = []string{"png", "svg"}

// Size of every picture, and the PNG resolution (960 × 600 pixels).
const (
	width  = 8 * vg.Inch
	height = 5 * vg.Inch
	dpi    = 120
)

// palette is Okabe and Ito's, told apart with colour-blindness too.
var palette = []color.NRGBA{
	{0x00, 0x72, 0xB2, 0xff}, // blue
	{0xE6, 0x9F, 0x00, 0xff}, // orange
	{0x00, 0x9E, 0x73, 0xff}, // green
	{0xCC, 0x79, 0xA7, 0xff}, // purple
	{0x56, 0xB4, 0xE9, 0xff}, // sky
	{0xD5, 0x5E, 0x00, 0xff}, // vermillion
	{0x00, 0x00, 0x00, 0xff}, // black
	{0xF0, 0xE4, 0x42, 0xff}, // yellow
}

func runColor(i int) color.NRGBA { return palette[i%len(palette)] }

// BandAlpha is the opacity of confidence bands (tests find bands by it).
const BandAlpha = 0x40

func withAlpha(c color.NRGBA, a uint8) color.NRGBA { c.A = a; return c }

// isASCII reports whether s is non-empty printable ASCII.
func isASCII(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r > 0x7e {
			return false
		}
	}
	return true
}

// Labels returns the ASCII label each report is drawn under: its name if
// ASCII, else its file's base name if ASCII, else "run N"; labels kept
// distinct by appending "#N".
func Labels(reports []eval.Report) []string {
	out := make([]string, len(reports))
	seen := map[string]int{}
	for i, r := range reports {
		base := strings.TrimSuffix(filepath.Base(r.File), ".json")
		switch {
		case isASCII(r.Name):
			out[i] = r.Name
		case r.File != "" && isASCII(base):
			out[i] = base
		default:
			out[i] = "run " + strconv.Itoa(i+1)
		}
		seen[out[i]]++
	}
	for i := range out {
		if seen[out[i]] > 1 {
			out[i] += "#" + strconv.Itoa(i+1)
		}
	}
	return out
}

// NewPlot is a plot in the house style: Liberation Sans throughout, a
// padded title. Every chart of reportsearch starts from it.
func NewPlot(title, x, y string) *gplot.Plot {
	p := gplot.New()
	p.Title.Text = title
	p.X.Label.Text = x
	p.Y.Label.Text = y
	// Liberation Sans (gonum/plot's default is the serif face), set on
	// each text rather than through the package-wide gplot.DefaultFont.
	for _, f := range []struct {
		font *font.Font
		size float64
	}{
		{&p.Title.TextStyle.Font, 13},
		{&p.X.Label.TextStyle.Font, 11}, {&p.Y.Label.TextStyle.Font, 11},
		{&p.X.Tick.Label.Font, 10}, {&p.Y.Tick.Label.Font, 10},
		{&p.Legend.TextStyle.Font, 10},
	} {
		f.font.Variant = "Sans"
		f.font.Size = vg.Points(f.size)
	}
	p.Title.Padding = vg.Points(6)
	p.Legend.Padding = vg.Points(2)
	return p
}

// unitTicks labels 0, 0.2, … 1 and no value outside [0, 1], so headroom
// above 1 (for the legend) carries no misleading label.
var unitTicks = gplot.ConstantTicks{
	{Value: 0, Label: "0"}, {Value: 0.1}, {Value: 0.2, Label: "0.2"}, {Value: 0.3}, {Value: 0.4, Label: "0.4"},
	{Value: 0.5}, {Value: 0.6, Label: "0.6"}, {Value: 0.7}, {Value: 0.8, Label: "0.8"}, {Value: 0.9}, {Value: 1, Label: "1"},
}

// RecallCurves draws recall@k for k = 1 … maxK (maxK ≤ 0: as deep as the
// runs retrieved), one line per report with its CI band.
func RecallCurves(reports []eval.Report, maxK int) (*gplot.Plot, error) {
	if len(reports) == 0 {
		return nil, fmt.Errorf("recall curves: no reports")
	}
	labels := Labels(reports)
	n := 0
	for _, r := range reports {
		n = max(n, r.Questions)
	}
	on := ""
	if set := reports[0].Settings["questions"]; isASCII(set) && !slices.ContainsFunc(reports, func(r eval.Report) bool { return r.Settings["questions"] != set }) {
		on = " on " + set // all runs asked the same question set
	}
	p := NewPlot(fmt.Sprintf("Recall@k%s (%d questions; shaded: 95%% bootstrap CI)", on, n), "k (chunks retrieved)", "recall@k")
	p.Y.Min, p.Y.Max = 0, 1.02
	p.Y.Tick.Marker = unitTicks
	p.Add(plotter.NewGrid())
	// Bands first, all of them, so that no band covers another run's line.
	var lines []gplot.Plotter
	kmax := 1
	for i, r := range reports {
		pts := r.RecallCurve(maxK)
		if len(pts) == 0 {
			return nil, fmt.Errorf("recall curves: %s has no recall figures", r.Name)
		}
		mean := make(plotter.XYs, len(pts))
		ring := make(plotter.XYs, 0, 2*len(pts))
		for j, pt := range pts {
			mean[j] = plotter.XY{X: float64(pt.K), Y: pt.Mean}
			ring = append(ring, plotter.XY{X: float64(pt.K), Y: pt.Hi})
			kmax = max(kmax, pt.K)
		}
		for j := len(pts) - 1; j >= 0; j-- {
			ring = append(ring, plotter.XY{X: float64(pts[j].K), Y: pts[j].Lo})
		}
		band, err := plotter.NewPolygon(ring)
		if err != nil {
			return nil, err
		}
		band.Color = withAlpha(runColor(i), BandAlpha)
		band.LineStyle.Width = 0
		p.Add(band)

		l, s, err := plotter.NewLinePoints(mean)
		if err != nil {
			return nil, err
		}
		l.Color = runColor(i)
		l.Width = vg.Points(2)
		l.Dashes = dashes(i)
		s.Color = runColor(i)
		s.Shape = shapes[i%len(shapes)]
		s.Radius = vg.Points(2.5)
		lines = append(lines, l, s)
		p.Legend.Add(fmt.Sprintf("%s (%d q)", labels[i], r.Questions), l, s)
	}
	p.Add(lines...)
	p.X.Min, p.X.Max = 0.5, float64(kmax)+0.5
	p.X.Tick.Marker = intTicks{one: true}
	p.Legend.Top, p.Legend.Left = false, false
	p.Legend.XOffs, p.Legend.YOffs = -vg.Points(8), vg.Points(8)
	return p, nil
}

var shapes = []draw.GlyphDrawer{draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.PyramidGlyph{}, draw.RingGlyph{}, draw.BoxGlyph{}}

func dashes(i int) []vg.Length {
	switch i % 3 {
	case 1:
		return []vg.Length{vg.Points(6), vg.Points(3)}
	case 2:
		return []vg.Length{vg.Points(2), vg.Points(2)}
	}
	return nil
}

// intTicks labels whole numbers at a step of 1, 2, 5, 10, 20, 50 … giving
// at most a dozen labels, with a minor tick at every whole number when
// there are at most 60, and 1 labelled too when one is set (k starts at 1).
type intTicks struct{ one bool }

func (it intTicks) Ticks(lo, hi float64) []gplot.Tick {
	a, b := math.Ceil(lo), math.Floor(hi)
	if !(a <= b) || math.IsInf(a, 0) || math.IsInf(b, 0) {
		return nil
	}
	step := 1.0
	for m := 1.0; (b-a)/step >= 12; m *= 10 {
		for _, s := range []float64{1, 2, 5} {
			if step = s * m; (b-a)/step < 12 {
				break
			}
		}
	}
	var ts []gplot.Tick
	if b-a <= 60 {
		for v := a; v <= b; v++ {
			t := gplot.Tick{Value: v}
			if math.Mod(v, step) == 0 || (it.one && v == 1) {
				t.Label = strconv.FormatFloat(v, 'f', -1, 64)
			}
			ts = append(ts, t)
		}
		return ts
	}
	for v := math.Ceil(a/step) * step; v <= b; v += step {
		ts = append(ts, gplot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', -1, 64)})
	}
	if it.one && a <= 1 && 1 <= b && math.Mod(1, step) != 0 {
		ts = append(ts, gplot.Tick{Value: 1, Label: "1"})
	}
	return ts
}

// rect is a filled rectangle in data coordinates.
func rect(x0, x1, y0, y1 float64, c color.Color) (*plotter.Polygon, error) {
	pg, err := plotter.NewPolygon(plotter.XYs{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
	if err != nil {
		return nil, err
	}
	pg.Color = c
	pg.LineStyle.Width = 0
	return pg, nil
}

// RankDiff draws, for the questions a and b both scored and rank
// differently, rank in b minus rank in a of the first relevant chunk,
// smallest (b better) first. A miss counts as one past the deeper run's
// list; bars where one run missed are drawn lighter.
func RankDiff(a, b eval.Report) (*gplot.Plot, error) {
	labels := Labels([]eval.Report{a, b})
	miss := max(a.Depth(), b.Depth()) + 1
	rank := func(r int) int {
		if r <= 0 {
			return miss
		}
		return r
	}
	type bar struct {
		id           string
		diff         int
		missA, missB bool
	}
	var bars []bar
	changes := eval.RankChanges(a, b)
	same := 0
	for _, c := range changes {
		d := rank(c.B) - rank(c.A)
		if d == 0 {
			same++
			continue
		}
		bars = append(bars, bar{id: c.ID, diff: d, missA: c.A <= 0, missB: c.B <= 0})
	}
	slices.SortStableFunc(bars, func(x, y bar) int {
		return cmp.Or(cmp.Compare(x.diff, y.diff), strings.Compare(x.id, y.id))
	})
	better, worse := 0, 0
	for _, br := range bars {
		if br.diff < 0 {
			better++
		} else {
			worse++
		}
	}
	title := fmt.Sprintf("Rank of the first relevant chunk in B minus in A\nA = %s, B = %s\n%d questions: B ranks %d higher (below 0), %d lower, %d alike (not shown)",
		cut(labels[0], 40), cut(labels[1], 40), len(changes), better, worse, same)
	p := NewPlot(title, "question", "rank in B - rank in A")
	p.Add(plotter.NewGrid())
	green, red := color.NRGBA{0x00, 0x9E, 0x73, 0xff}, color.NRGBA{0xD5, 0x5E, 0x00, 0xff}
	kinds := []struct {
		name string
		c    color.Color
		used bool
	}{
		{name: "B ranks it higher", c: green},
		{name: fmt.Sprintf("only B finds it (a miss counts as rank %d)", miss), c: withAlpha(green, 0x70)},
		{name: "B ranks it lower", c: red},
		{name: fmt.Sprintf("only A finds it (a miss counts as rank %d)", miss), c: withAlpha(red, 0x70)},
	}
	var ticks []gplot.Tick
	for i, br := range bars {
		k := 0
		switch {
		case br.diff < 0 && br.missA:
			k = 1
		case br.diff > 0 && !br.missB:
			k = 2
		case br.diff > 0:
			k = 3
		}
		r, err := rect(float64(i)-0.4, float64(i)+0.4, 0, float64(br.diff), kinds[k].c)
		if err != nil {
			return nil, err
		}
		p.Add(r)
		kinds[k].used = true
		ticks = append(ticks, gplot.Tick{Value: float64(i), Label: asciiOr(br.id, "")})
	}
	for _, k := range kinds {
		if k.used {
			r, _ := rect(0, 1, 0, 1, k.c)
			p.Legend.Add(k.name, r)
		}
	}
	// Question IDs under the bars while they can be read; beyond that, none.
	if len(bars) > 60 {
		for i := range ticks {
			ticks[i].Label = ""
		}
		p.X.Label.Text = fmt.Sprintf("question (%d, IDs left out)", len(bars))
	}
	p.X.Tick.Marker = gplot.ConstantTicks(ticks)
	p.X.Tick.Label.Rotation = math.Pi / 2
	p.X.Tick.Label.XAlign = draw.XRight
	p.X.Tick.Label.YAlign = draw.YCenter
	p.X.Tick.Label.Font.Size = vg.Points(7)
	p.X.Min, p.X.Max = -1, float64(max(len(bars), 1))
	lim := float64(miss)
	p.Y.Min, p.Y.Max = -lim*1.05, lim*1.05
	p.Y.Tick.Marker = signedTicks{}
	// Bars run from bottom left to top right: the bottom right is free.
	p.Legend.Top, p.Legend.Left = false, false
	p.Legend.XOffs, p.Legend.YOffs = -vg.Points(8), vg.Points(8)
	if len(bars) == 0 {
		p.Title.Text += "\nno question is ranked differently"
	}
	return p, nil
}

// signedTicks are intTicks with a sign on positive labels.
type signedTicks struct{}

func (signedTicks) Ticks(lo, hi float64) []gplot.Tick {
	ts := intTicks{}.Ticks(lo, hi)
	for i := range ts {
		if ts[i].Label != "" && ts[i].Value > 0 {
			ts[i].Label = "+" + ts[i].Label
		}
	}
	return ts
}

// cut shortens an ASCII label to n characters.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}

func asciiOr(s, fallback string) string {
	if isASCII(s) {
		return s
	}
	return fallback
}

// ByKind draws metric per question kind, one bar per report with its 95%
// CI whisker; kinds in name order, each labelled with its question count.
func ByKind(reports []eval.Report, metric string) (*gplot.Plot, error) {
	if len(reports) == 0 {
		return nil, fmt.Errorf("by kind: no reports")
	}
	labels := Labels(reports)
	stats := make([]map[string]eval.KindStat, len(reports))
	count := map[string]int{}
	for i, r := range reports {
		stats[i] = map[string]eval.KindStat{}
		for _, ks := range r.ByKind(metric) {
			stats[i][ks.Kind] = ks
			count[ks.Kind] = max(count[ks.Kind], ks.N)
		}
	}
	if len(count) == 0 {
		return nil, fmt.Errorf("by kind: no report has per-question values of %s", metric)
	}
	kinds := make([]string, 0, len(count))
	for k := range count {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	p := NewPlot(fmt.Sprintf("%s by question kind (bars: mean; whiskers: 95%% bootstrap CI)", metric), "question kind", metric)
	p.Add(plotter.NewGrid())
	n := len(reports)
	w := 0.8 / float64(n)
	for i := range reports {
		var errs plotter.XYs
		var yerr plotter.YErrors
		for j, k := range kinds {
			s, ok := stats[i][k]
			if !ok {
				continue
			}
			x := float64(j) + (float64(i)-float64(n-1)/2)*w
			r, err := rect(x-w/2*0.9, x+w/2*0.9, 0, s.Mean, runColor(i))
			if err != nil {
				return nil, err
			}
			p.Add(r)
			if j == 0 || len(errs) == 0 {
				p.Legend.Add(labels[i], r)
			}
			errs = append(errs, plotter.XY{X: x, Y: s.Mean})
			yerr = append(yerr, struct{ Low, High float64 }{s.Mean - s.Lo, s.Hi - s.Mean})
		}
		if len(errs) > 0 {
			eb, err := plotter.NewYErrorBars(errBars{errs, yerr})
			if err != nil {
				return nil, err
			}
			eb.LineStyle.Width = vg.Points(1.2)
			eb.CapWidth = vg.Points(4)
			p.Add(eb)
		}
	}
	names := make([]string, len(kinds))
	for j, k := range kinds {
		names[j] = fmt.Sprintf("%s (n=%d)", asciiOr(k, "kind "+strconv.Itoa(j+1)), count[k])
	}
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.6, float64(len(kinds))-0.4
	p.Y.Min, p.Y.Max = 0, 1.25 // headroom for the legend
	p.Y.Tick.Marker = unitTicks
	p.Legend.Top, p.Legend.Left = true, false
	p.Legend.XOffs, p.Legend.YOffs = -vg.Points(6), -vg.Points(6)
	return p, nil
}

type errBars struct {
	plotter.XYs
	plotter.YErrors
}

// Options says what Write draws.
type Options struct {
	Formats []string // of Formats; nil: all
	Metric  string   // per-kind metric; "": eval.CommonMetric
	MaxK    int      // recall curves up to this k; ≤ 0: as deep as retrieved
}

// Write draws the reports into dir (created if missing): recall_at_k,
// by_kind and, with two reports or more, rank_diff of the second against
// the first; one file per format. It returns the files written.
func Write(dir string, reports []eval.Report, opt Options) ([]string, error) {
	formats := opt.Formats
	if len(formats) == 0 {
		formats = Formats
	}
	for _, f := range formats {
		if !slices.Contains(Formats, f) {
			return nil, fmt.Errorf("format %q: want png or svg", f)
		}
	}
	if len(reports) == 0 {
		return nil, fmt.Errorf("no reports to plot")
	}
	metric := opt.Metric
	if metric == "" {
		if metric = eval.CommonMetric(reports); metric == "" {
			return nil, fmt.Errorf("the reports share no recall, hit or ndcg cut-off to plot by kind")
		}
	}
	type picture struct {
		name string
		make func() (*gplot.Plot, error)
	}
	pics := []picture{
		{RecallFile, func() (*gplot.Plot, error) { return RecallCurves(reports, opt.MaxK) }},
		{ByKindFile, func() (*gplot.Plot, error) { return ByKind(reports, metric) }},
	}
	if len(reports) >= 2 {
		pics = append(pics, picture{RankDiffFile, func() (*gplot.Plot, error) { return RankDiff(reports[0], reports[1]) }})
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var files []string
	for _, pic := range pics {
		p, err := pic.make()
		if err != nil {
			return files, err
		}
		for _, f := range formats {
			file := filepath.Join(dir, pic.name+"."+f)
			if err := Save(p, file, f); err != nil {
				return files, err
			}
			files = append(files, file)
		}
	}
	return files, nil
}

// Render writes p in format ("png" or "svg") to w.
func Render(w io.Writer, p *gplot.Plot, format string) error {
	var c vg.CanvasWriterTo
	switch format {
	case "png":
		c = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(dpi))}
	case "svg":
		c = vgsvg.New(width, height)
	default:
		return fmt.Errorf("format %q: want png or svg", format)
	}
	p.Draw(draw.New(c))
	_, err := c.WriteTo(w)
	return err
}

// Save writes p in format to file through a temporary file in the same
// folder, so that file is either the old picture or the whole new one.
func Save(p *gplot.Plot, file, format string) error {
	return atomicfile.Write(file, 0o644, func(w io.Writer) error { return Render(w, p, format) })
}
