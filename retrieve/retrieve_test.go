package retrieve

import (
	"bytes"
	"context"
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/reportsearch/reportsearch/chunk"
	"github.com/reportsearch/reportsearch/embed"
	"github.com/reportsearch/reportsearch/lexical"
	"github.com/reportsearch/reportsearch/store"
)

func TestRegionsInText(t *testing.T) {
	cases := map[string][]string{
		"北京市2026年经济增长的预期目标是多少":                               {"北京"},
		"What GDP growth target did Guangdong set for 2026?": {"广东"},
		"Shaanxi and Shanxi":    {"山西", "陕西"},
		"inner mongolia energy": {"内蒙古"},
		"老人看病报销有什么新变化":          nil,
		"shanxiang":             nil, // a Latin name inside a longer word is no match
	}
	for q, want := range cases {
		if got := regionsInText(q); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: got %v, want %v", q, got, want)
		}
	}
	if regionShort("北京市") != "北京" || regionShort("全国") != "" || regionShort("") != "" {
		t.Error("regionShort")
	}
}

func TestFuseRRF(t *testing.T) {
	dense := []store.Hit{{ID: "a", Score: 0.9}, {ID: "b", Score: 0.8}}
	lex := []store.Hit{{ID: "b", Score: 12}, {ID: "c", Score: 3}}
	got := fuse(dense, lex, Fusion{Method: "rrf", RRFK: 60, DenseWeight: 0.5})
	// b: 1/62 + 1/61; a: 1/61; c: 1/62.
	if len(got) != 3 || got[0].ID != "b" || got[1].ID != "a" || got[2].ID != "c" {
		t.Fatalf("rrf order: %+v", got)
	}
	if want := 1.0/62 + 1.0/61; got[0].Score < want-1e-12 || got[0].Score > want+1e-12 {
		t.Errorf("rrf score of b = %v, want %v", got[0].Score, want)
	}
}

func TestFuseWeighted(t *testing.T) {
	dense := []store.Hit{{ID: "a", Score: 0.9}, {ID: "b", Score: 0.5}, {ID: "c", Score: 0.1}}
	lex := []store.Hit{{ID: "c", Score: 20}, {ID: "b", Score: 10}}
	got := fuse(dense, lex, Fusion{Method: "weighted", DenseWeight: 0.25})
	// min-max: dense a=1 b=0.5 c=0; lexical c=1 b=0.
	// a: .25*1 = .25; b: .25*.5 + .75*0 = .125; c: 0 + .75*1 = .75.
	want := []store.Hit{{ID: "c", Score: 0.75}, {ID: "a", Score: 0.25}, {ID: "b", Score: 0.125}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("weighted: got %+v, want %+v", got, want)
	}
}

// A small lexical-only index: two reports, one province each.
func smallIndex(t *testing.T) *Index {
	t.Helper()
	recs := []store.Record{
		{Chunk: chunk.Chunk{ID: "f#0.1", File: "f", ReportIndex: 0, Report: "北京市政府工作报告", Region: "北京市", Paragraph: 1, Text: "地区生产总值增长5%左右"}},
		{Chunk: chunk.Chunk{ID: "f#1.1", File: "f", ReportIndex: 1, Report: "浙江省政府工作报告", Region: "浙江省", Paragraph: 1, Text: "地区生产总值增长5.5%左右"}},
		{Chunk: chunk.Chunk{ID: "f#1.2", File: "f", ReportIndex: 1, Report: "浙江省政府工作报告", Region: "浙江省", Paragraph: 2, Text: "建设共同富裕示范区"}},
	}
	return lexicalIndex(t, recs)
}

func TestReportFilterAndBoost(t *testing.T) {
	ix := smallIndex(t)
	ctx := context.Background()
	opt := DefaultOptions()
	opt.Regions = ReportOff
	res, info, err := ix.Search(ctx, "地区生产总值增长", opt)
	if err != nil || info.Mode != Lexical || len(res) != 2 {
		t.Fatalf("plain search: %v %+v %+v", err, info, res)
	}
	opt.Reports = []string{"Zhejiang"}
	res, _, _ = ix.Search(ctx, "地区生产总值增长", opt)
	if len(res) != 1 || res[0].Report != "浙江省政府工作报告" {
		t.Fatalf("filter by English province name: %+v", res)
	}
	opt.Reports = []string{"西藏"}
	if _, _, err := ix.Search(ctx, "增长", opt); !errors.Is(err, ErrBadRequest) {
		t.Fatalf("unknown report filter: want ErrBadRequest, got %v", err)
	}
	// A question naming a province lifts that province's matching chunks
	// first, and still returns the other reports' matches behind them.
	opt = DefaultOptions()
	res, info, _ = ix.Search(ctx, "浙江 地区生产总值增长", opt)
	if len(res) != 2 || res[0].Report != "浙江省政府工作报告" || res[1].Report != "北京市政府工作报告" || len(info.Reports) != 1 {
		t.Fatalf("boost: %+v %+v", res, info)
	}
	opt.Regions = ReportFilter
	res, _, _ = ix.Search(ctx, "北京 地区生产总值增长", opt)
	if len(res) != 1 || res[0].ID != "f#0.1" {
		t.Fatalf("region filter: %+v", res)
	}
}

func TestSearchValidation(t *testing.T) {
	ix := smallIndex(t)
	for _, q := range []string{"", "   ", "\u0000\u0000", "\t\x01\u3000\x7f\u0085"} {
		if _, _, err := ix.Search(context.Background(), q, DefaultOptions()); !errors.Is(err, ErrBadRequest) {
			t.Errorf("query %q: want ErrBadRequest, got %v", q, err)
		}
	}
	opt := DefaultOptions()
	opt.K = 0
	if _, _, err := ix.Search(context.Background(), "增长", opt); !errors.Is(err, ErrBadRequest) {
		t.Errorf("k=0: want ErrBadRequest, got %v", err)
	}
	opt = DefaultOptions()
	opt.Mode = Dense
	if _, _, err := ix.Search(context.Background(), "增长", opt); err == nil {
		t.Error("dense without a model or vectors must fail, not fall back silently")
	}
}

func TestValidateOptions(t *testing.T) {
	ok := func(f func(*Options)) Options { o := DefaultOptions(); f(&o); return o }
	for name, o := range map[string]Options{
		"defaults":       DefaultOptions(),
		"weight 0":       ok(func(o *Options) { o.Fusion.DenseWeight = 0 }),
		"weight 1":       ok(func(o *Options) { o.Fusion.DenseWeight = 1 }),
		"rrf k 0 (60)":   ok(func(o *Options) { o.Fusion = Fusion{Method: "rrf"} }),
		"zero fusion":    ok(func(o *Options) { o.Fusion = Fusion{} }),
		"mode unset":     ok(func(o *Options) { o.Mode = "" }),
		"policy unset":   ok(func(o *Options) { o.Regions = "" }),
		"depth unset":    ok(func(o *Options) { o.Depth = 0 }),
		"mode dense":     ok(func(o *Options) { o.Mode = Dense }),
		"policy filter":  ok(func(o *Options) { o.Regions = ReportFilter }),
		"method rrf 0.3": ok(func(o *Options) { o.Fusion = Fusion{Method: "rrf", RRFK: 10, DenseWeight: 0.3} }),
	} {
		if err := o.Validate(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	bad := map[string]struct {
		o     Options
		field string
	}{
		"weight NaN":    {ok(func(o *Options) { o.Fusion.DenseWeight = math.NaN() }), "dense_weight"},
		"weight +Inf":   {ok(func(o *Options) { o.Fusion.DenseWeight = math.Inf(1) }), "dense_weight"},
		"weight -Inf":   {ok(func(o *Options) { o.Fusion.DenseWeight = math.Inf(-1) }), "dense_weight"},
		"weight 1.01":   {ok(func(o *Options) { o.Fusion.DenseWeight = 1.01 }), "dense_weight"},
		"weight -0.5":   {ok(func(o *Options) { o.Fusion.DenseWeight = -0.5 }), "dense_weight"},
		"rrf k NaN":     {ok(func(o *Options) { o.Fusion.RRFK = math.NaN() }), "rrf_k"},
		"rrf k +Inf":    {ok(func(o *Options) { o.Fusion.RRFK = math.Inf(1) }), "rrf_k"},
		"rrf k -1":      {ok(func(o *Options) { o.Fusion.RRFK = -1 }), "rrf_k"},
		"method":        {ok(func(o *Options) { o.Fusion.Method = "sum" }), "method"},
		"k 0":           {ok(func(o *Options) { o.K = 0 }), "k"},
		"k -5":          {ok(func(o *Options) { o.K = -5 }), "k"},
		"mode DENSE":    {ok(func(o *Options) { o.Mode = "DENSE" }), "mode"},
		"policy Filter": {ok(func(o *Options) { o.Regions = "Filter" }), "report_policy"},
		"depth -1":      {ok(func(o *Options) { o.Depth = -1 }), "depth"},
	}
	ix := smallIndex(t)
	for name, c := range bad {
		err := c.o.Validate()
		var oe *OptionError
		if !errors.As(err, &oe) || oe.Field != c.field || !errors.Is(err, ErrBadRequest) {
			t.Errorf("%s: want an ErrBadRequest OptionError on %s, got %v", name, c.field, err)
		}
		// Search refuses them too, rather than answering NaN scores.
		if _, _, err := ix.Search(context.Background(), "增长", c.o); !errors.Is(err, ErrBadRequest) {
			t.Errorf("%s: Search: want ErrBadRequest, got %v", name, err)
		}
	}
}

func TestBlank(t *testing.T) {
	for q, want := range map[string]bool{
		"": true, " \t\r\n": true, "\u0000\u0000": true, "\u3000\u00a0\u2028\u0085\u009f": true, "\x7f": true,
		"稳": false, "\u0000a\u0000": false, "\u200b": false, // zero-width space is a format character, not Cc
	} {
		if got := Blank(q); got != want {
			t.Errorf("Blank(%q) = %v, want %v", q, got, want)
		}
	}
}

func TestDenseWeightByModel(t *testing.T) {
	cases := map[string]float64{
		"bge-m3":                          RetrievalModelWeight,
		"hf.co/BAAI/bge-m3:latest":        RetrievalModelWeight,
		"qwen3-embedding:0.6b":            RetrievalModelWeight,
		"zh-charbag-256":                  OtherModelWeight,
		"all-minilm":                      OtherModelWeight,
		"someone/unknown-embedder:latest": OtherModelWeight,
		"":                                OtherModelWeight,
	}
	for m, want := range cases {
		if got := DenseWeightFor(m); got != want {
			t.Errorf("%q: got %g, want %g", m, got, want)
		}
	}
	ix := &Index{Manifest: store.Manifest{Model: embed.ModelInfo{Name: "bge-m3:latest"}}}
	if f := ix.ResolveFusion(DefaultFusion()); f.Method != "weighted" || f.DenseWeight != RetrievalModelWeight {
		t.Errorf("default fusion for bge-m3: %+v", f)
	}
	if f := ix.ResolveFusion(Fusion{Method: "rrf", RRFK: 10, DenseWeight: 0.7}); f.DenseWeight != 0.7 || f.RRFK != 10 {
		t.Errorf("an explicit weight must be kept: %+v", f)
	}
	if f := ix.ResolveFusion(Fusion{}); f.Method != "weighted" || f.DenseWeight != RetrievalModelWeight {
		t.Errorf("the zero Fusion takes the default: %+v", f)
	}
	if f := ix.ResolveFusion(Fusion{Method: "weighted"}); f.DenseWeight != 0 {
		t.Errorf("an explicit 0 weight stays: %+v", f)
	}
}

// lexicalBytes is the encoded bigram index of recs' texts.
func lexicalBytes(t *testing.T, recs []store.Record) []byte {
	t.Helper()
	lx := lexical.New(lexical.Bigram(), lexical.Params{})
	for _, r := range recs {
		lx.Add(r.ID, r.Text)
	}
	var buf bytes.Buffer
	if err := lx.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// lexicalIndex is a lexical-only index (bigram tokenizer, no vectors) over
// recs, built in memory as a snapshot would load: the fixture of the unit
// tests of search, scope and years.
func lexicalIndex(t *testing.T, recs []store.Record) *Index {
	t.Helper()
	ix, err := FromSnapshot(context.Background(), &store.Snapshot{Manifest: store.Manifest{Lexical: "bigram", Chunks: len(recs)}, Records: recs, Lexical: lexicalBytes(t, recs)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}
