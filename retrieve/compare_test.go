package retrieve

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/reportsearch/reportsearch/year"
)

// TestCompareRows: rows in the stable order (national, provinces in the
// usual order, others), the best passage of each, and "not found" where a
// report holds too little of the question.
func TestCompareRows(t *testing.T) {
	ix := scopeIndex(t) // national, 湖南, 浙江, a county plan
	rows, err := ix.Compare(context.Background(), "城镇新增就业", CompareOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	var found []bool
	for _, r := range rows {
		labels = append(labels, r.Label)
		found = append(found, r.Found)
		if r.Found && (r.Result == nil || r.Cover < DefaultMinCover) || !r.Found && r.Result != nil {
			t.Errorf("row %s: found %v, cover %.2f, result %v", r.Label, r.Found, r.Cover, r.Result)
		}
	}
	// 浙江 is stored after 湖南 but the usual order puts it first (11th
	// against 18th).
	want := []string{"政府工作报告", "浙江省政府工作报告", "湖南省政府工作报告", "担当好稳增长挑大梁的责任实施方案"}
	if !reflect.DeepEqual(labels, want) {
		t.Errorf("rows %v, want %v", labels, want)
	}
	// The county plan speaks of 新增就业 but not 城镇: below the threshold.
	if !reflect.DeepEqual(found, []bool{true, true, true, false}) {
		t.Errorf("found %v", found)
	}
	if rows[2].Result.ID != "r#1.1" {
		t.Errorf("湖南's passage %s, want r#1.1", rows[2].Result.ID)
	}
}

func TestCompareByYear(t *testing.T) {
	ix := yearIndex(t)
	rows, err := ix.Compare(context.Background(), "城镇新增就业", CompareOptions{By: ByYear})
	if err != nil {
		t.Fatal(err)
	}
	var labels []string
	for _, r := range rows {
		labels = append(labels, r.Label)
	}
	// Years ascending; the resolution of unknown year has no row.
	if !reflect.DeepEqual(labels, []string{"2019", "2025", "2026"}) {
		t.Errorf("rows %v", labels)
	}
	rows, err = ix.Compare(context.Background(), "城镇新增就业", CompareOptions{By: ByYear, Search: Options{K: 3, Years: year.Range{From: 2025, To: 2030}}})
	if err != nil || len(rows) != 2 {
		t.Errorf("2025-2030: %v, %v", rows, err)
	}
	for _, bad := range []CompareOptions{{By: "province"}, {MinCover: 1.5}, {MinCover: -1}} {
		if _, err := ix.Compare(context.Background(), "x", bad); !errors.Is(err, ErrBadRequest) {
			t.Errorf("%+v: %v, want a bad request", bad, err)
		}
	}
	if _, err := ix.Compare(context.Background(), " ", CompareOptions{}); !errors.Is(err, ErrBadRequest) {
		t.Errorf("blank question: %v", err)
	}
	// An unknown report is the typed error Search gives, so the command
	// and the server each add their own way out, and no command is named.
	_, err = ix.Compare(context.Background(), "城镇新增就业", CompareOptions{By: ByYear, Search: Options{K: 3, Reports: []string{"火星"}}})
	var unknown *UnknownReportsError
	if !errors.As(err, &unknown) || !errors.Is(err, ErrBadRequest) || unknown.Reports[0] != "火星" || strings.Contains(err.Error(), "reportsearch") {
		t.Errorf("unknown report: %v, want an *UnknownReportsError naming no command", err)
	}
}
