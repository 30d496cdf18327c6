package retrieve

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/reportsearch/reportsearch/internal/fakeembed"
	"github.com/reportsearch/reportsearch/store"
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

// A hybrid comparison embeds the question once for all its rows (it was
// once per report: an Ollama round trip each), and a model that is down
// costs one attempt, not one per row.
func TestCompareEmbedsTheQuestionOnce(t *testing.T) {
	lex := scopeIndex(t)
	emb := fakeembed.New("fake", 16)
	recs := append([]store.Record(nil), lex.records...)
	for i := range recs {
		recs[i].Vector = fakeembed.Vector(recs[i].Text, 16)
	}
	snap := &store.Snapshot{Manifest: lex.Manifest, Records: recs, Lexical: lexicalBytes(t, recs)}
	snap.Manifest.Model = emb.Model
	ix, err := FromSnapshot(context.Background(), snap, emb)
	if err != nil {
		t.Fatal(err)
	}
	opt := CompareOptions{Search: Options{K: 3, Mode: Hybrid}}
	rows, err := ix.Compare(context.Background(), "城镇新增就业", opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || emb.Queries() != 1 {
		t.Fatalf("%d rows, %d query embeddings; want 4 rows, 1 embedding", len(rows), emb.Queries())
	}
	// Each call of Compare embeds anew (the question may differ).
	if _, err := ix.Compare(context.Background(), "城镇新增就业", opt); err != nil || emb.Queries() != 2 {
		t.Fatalf("second Compare: %d embeddings, %v", emb.Queries(), err)
	}
}

// The same comparison gives the same numbers to the last digit, so
// compare's JSON is stable: the question's weights come in token order, and
// cover sums them in that order (it summed a map, whose order changes from
// run to run; on the corpus the JSON of two identical runs differed).
func TestCompareIsDeterministic(t *testing.T) {
	ix := scopeIndex(t)
	q := "城镇新增就业 地区生产总值增长 长期护理保险"
	w := ix.questionWeights(q)
	if len(w) < 3 {
		t.Fatalf("weights %v: the test needs at least 3 tokens found in the chunks", w)
	}
	if !slices.IsSortedFunc(w, func(a, b tokenWeight) int { return strings.Compare(a.token, b.token) }) {
		t.Errorf("weights not in token order: %v", w)
	}
	first, _ := ix.Compare(context.Background(), q, CompareOptions{})
	for range 20 {
		if again := ix.questionWeights(q); !reflect.DeepEqual(again, w) {
			t.Fatalf("weights %v, then %v", w, again)
		}
		rows, err := ix.Compare(context.Background(), q, CompareOptions{})
		if err != nil || !reflect.DeepEqual(rows, first) {
			t.Fatalf("rows %+v (%v), first %+v", rows, err, first)
		}
	}
}
