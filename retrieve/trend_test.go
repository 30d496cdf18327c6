package retrieve

import (
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/reportsearch/reportsearch/year"
)

func TestTrendByYear(t *testing.T) {
	ix := yearIndex(t)
	gs, err := ix.Trend([]string{"城镇新增就业", "老旧小区"}, ByYear, year.Range{}, true)
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, g := range gs {
		labels = append(labels, g.Label)
	}
	if !reflect.DeepEqual(labels, []string{"2019", "2025", "2026"}) {
		t.Fatalf("groups %v", labels)
	}
	// 2019: two chunks, one with each term.
	g := gs[0]
	chars := len([]rune("城镇新增就业1100万人以上，国内生产总值增长6-6.5%")) + len([]rune("推进老旧小区改造"))
	if g.Chars != chars || !reflect.DeepEqual(g.Counts, []int{1, 1}) {
		t.Errorf("2019: chars %d counts %v, want %d [1 1]", g.Chars, g.Counts, chars)
	}
	if want := 10000 / float64(chars); math.Abs(g.Per10k[0]-want) > 1e-9 {
		t.Errorf("2019 per 10k %v, want %v", g.Per10k[0], want)
	}
	if len(g.Hits[0]) != 1 || g.Hits[0][0].ID != "n#0.1" || len(g.Hits[1]) != 1 || g.Hits[1][0].ID != "n#0.2" {
		t.Errorf("2019 hits %+v", g.Hits)
	}
	if gs[1].Counts[1] != 0 || gs[1].Counts[0] != 1 {
		t.Errorf("2025 counts %v", gs[1].Counts)
	}
	if _, err := ix.Trend(nil, ByYear, year.Range{}, false); !errors.Is(err, ErrBadRequest) {
		t.Errorf("no terms: %v", err)
	}
	if _, err := ix.Trend([]string{"x"}, "month", year.Range{}, false); !errors.Is(err, ErrBadRequest) {
		t.Errorf("by month: %v", err)
	}
	gs, err = ix.Trend([]string{"就业"}, ByReport, year.Range{From: 2025, To: 2026}, false)
	if err != nil || len(gs) != 2 || gs[0].Hits != nil {
		t.Errorf("by report 2025-2026: %+v, %v", gs, err)
	}
}

func TestSparkline(t *testing.T) {
	if got := Sparkline([]float64{0, 1, 4, 8}); got != " ▂▅█" {
		t.Errorf("Sparkline = %q", got)
	}
	if got := Sparkline([]float64{0, 0}); got != "  " {
		t.Errorf("all zero = %q", got)
	}
}
