package plot

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/reportsearch/reportsearch/eval"
)

// synthetic builds n quote-anchored reports over 24 questions of three
// kinds: run i finds question j's quote at rank (j+i)%7+1, or misses it
// when that is 7 (ranks up to 6 of 6 retrieved).
func synthetic(n int) []eval.Report {
	kinds := []string{"fact", "paraphrase", "multi"}
	var qs []eval.Question
	for j := range 24 {
		qs = append(qs, eval.Question{ID: fmt.Sprintf("dev-%03d", j), Kind: kinds[j%3], Query: "问题",
			Answers: []eval.Answer{{Quote: fmt.Sprintf("答案%d", j)}}})
	}
	var out []eval.Report
	for i := range n {
		run := eval.Run{}
		for j, q := range qs {
			rank := (j+i)%7 + 1
			for r := 1; r <= 6; r++ {
				text := "无关"
				if r == rank {
					text = "这是" + q.Answers[0].Quote
				}
				run[q.ID] = append(run[q.ID], eval.Hit{ID: fmt.Sprintf("c%d", r), Text: text, Score: float64(-r)})
			}
		}
		r := eval.Evaluate(qs, run, nil, []int{1, 3, 5})
		r.Name = fmt.Sprintf("run-%c", 'a'+i)
		out = append(out, r)
	}
	return out
}

func TestWrite(t *testing.T) {
	reports := synthetic(3)
	dir := filepath.Join(t.TempDir(), "plots") // created by Write
	files, err := Write(dir, reports, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, n := range []string{RecallFile, ByKindFile, RankDiffFile} {
		for _, f := range Formats {
			want = append(want, filepath.Join(dir, n+"."+f))
		}
	}
	if !slices.Equal(files, want) {
		t.Fatalf("files %q, want %q", files, want)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil || len(b) < 1000 {
			t.Fatalf("%s: %d bytes, %v", f, len(b), err)
		}
		switch filepath.Ext(f) {
		case ".png":
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if s := img.Bounds().Size(); s.X != 960 || s.Y != 600 {
				t.Errorf("%s: %v pixels, want 960×600", f, s)
			}
		case ".svg":
			texts := svgTexts(t, f, b)
			for _, r := range reports[:min(len(reports), 2)] {
				if !slices.ContainsFunc(texts, func(s string) bool { return strings.Contains(s, r.Name) }) {
					t.Errorf("%s: no text names %s: %q", f, r.Name, texts)
				}
			}
		}
	}
	// One confidence band per run on the recall curves.
	b, _ := os.ReadFile(filepath.Join(dir, RecallFile+".svg"))
	if n := strings.Count(string(b), fmt.Sprintf("fill-opacity:%.5g", float64(BandAlpha)/255)); n != len(reports) {
		t.Errorf("%d CI bands drawn, want %d", n, len(reports))
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) > 0 {
		t.Errorf("temporary files left: %q", left)
	}
}

// svgTexts parses an SVG as XML and returns its <text> contents.
func svgTexts(t *testing.T, name string, b []byte) []string {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	var texts []string
	inText := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: not XML: %v", name, err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			inText = e.Name.Local == "text"
		case xml.CharData:
			if inText {
				texts = append(texts, string(e))
			}
		case xml.EndElement:
			inText = false
		}
	}
	if len(texts) == 0 {
		t.Fatalf("%s: no text", name)
	}
	return texts
}

func TestWriteOneRunAndFormats(t *testing.T) {
	dir := t.TempDir()
	files, err := Write(dir, synthetic(1), Options{Formats: []string{"svg"}, Metric: "hit@3", MaxK: 4})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 || filepath.Base(files[0]) != "recall_at_k.svg" || filepath.Base(files[1]) != "by_kind.svg" {
		t.Errorf("one run: %q (no rank_diff)", files)
	}
	b, _ := os.ReadFile(files[1])
	if !strings.Contains(string(b), "hit@3 by question kind") || !strings.Contains(string(b), "paraphrase (n=8)") {
		t.Errorf("by_kind.svg lacks its metric or kind labels")
	}
	if _, err := Write(dir, synthetic(1), Options{Formats: []string{"gif"}}); err == nil {
		t.Error("gif accepted")
	}
	if _, err := Write(dir, nil, Options{}); err == nil {
		t.Error("no reports accepted")
	}
}

// Plot text is ASCII: the fonts have no CJK glyphs.
func TestLabels(t *testing.T) {
	rs := []eval.Report{{Name: "混合检索", File: "/x/hybrid.json"}, {Name: "词法", File: "/x/词法.json"}, {Name: "bm25"}, {Name: "bm25"}}
	if got := Labels(rs); !slices.Equal(got, []string{"hybrid", "run 2", "bm25#3", "bm25#4"}) {
		t.Errorf("labels %q", got)
	}
}

// Rank differences: b - a per question, misses one past the deepest list,
// questions ranked alike counted but not drawn.
func TestRankDiffCounts(t *testing.T) {
	rs := synthetic(2)
	p, err := RankDiff(rs[0], rs[1])
	if err != nil {
		t.Fatal(err)
	}
	// (j+1)%7 vs j%7: every question differs; b is one rank lower except
	// where a was at rank 6 (b misses: +1 to 7) or a missed (b at 1: -6).
	higher, lower := 0, 0
	for _, c := range eval.RankChanges(rs[0], rs[1]) {
		ra, rb := c.A, c.B
		if ra == 0 {
			ra = 7
		}
		if rb == 0 {
			rb = 7
		}
		if rb < ra {
			higher++
		} else if rb > ra {
			lower++
		}
	}
	want := fmt.Sprintf("24 questions: B ranks %d higher (below 0), %d lower, 0 alike", higher, lower)
	if !strings.Contains(p.Title.Text, want) || higher == 0 || lower == 0 {
		t.Errorf("title %q, want %q", p.Title.Text, want)
	}
}

// A report claiming a huge depth is drawn as quickly as any other: curve
// points and axis ticks are bounded.
func TestDeepReport(t *testing.T) {
	rs := synthetic(2)
	rs[1].Ks = []int{1, 3, 5, 1_000_000_000}
	if _, err := Write(t.TempDir(), rs, Options{Formats: []string{"svg"}, Metric: "recall@5"}); err != nil {
		t.Fatal(err)
	}
	ts := (intTicks{one: true}).Ticks(-1e9, 1e9)
	if len(ts) > 13 || len(ts) < 5 {
		t.Errorf("%d ticks over ±1e9", len(ts))
	}
	if got := (intTicks{one: true}).Ticks(0.5, 20.5); len(got) != 20 || got[0].Label != "1" || got[1].Label != "2" || got[2].Label != "" {
		t.Errorf("ticks 1..20: %+v", got)
	}
}
