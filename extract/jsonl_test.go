package extract

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
)

func TestCleanText(t *testing.T) {
	cases := []struct{ in, want string }{
		// Link boundaries inside a sentence.
		{"公里，新建改建\n高速公路\n6700多公里", "公里，新建改建高速公路6700多公里"},
		{"细颗粒物（PM\n2.5\n）平均浓度", "细颗粒物（PM2.5）平均浓度"},
		{"政府工作报\n告", "政府工作报告"},
		// A zero-width line between two lines is a markup artifact, not a
		// paragraph break; a stray zero-width character goes.
		{"健全数字规则。\n\u200b\n强化反垄断", "健全数字规则。\n强化反垄断"},
		{"达到74.4\n\u200b\n万亿元", "达到74.4万亿元"},
		{"各位代表：\u200d\n\n现在", "各位代表：\n\n现在"},
		// Kept: paragraph breaks, a break after a sentence end, a break
		// next to a (full-width) space, traditional characters, Latin words.
		{"第一段。\n\n第二段", "第一段。\n\n第二段"},
		{"建设力度。\n1998年发生特大洪水后", "建设力度。\n1998年发生特大洪水后"},
		{"国务院总理\n\u3000李克强", "国务院总理\n\u3000李克强"},
		{"我們第一届全國人民代表大會", "我們第一届全國人民代表大會"},
		{"Public domain\nfalse", "Public domain\nfalse"},
		{"甲\r\n乙", "甲乙"},
	}
	for _, c := range cases {
		if got := CleanText(c.in); got != c.want {
			t.Errorf("CleanText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestReadRecordsJSONL(t *testing.T) {
	data := strings.Join([]string{
		`{"title": "2025年中华人民共和国国务院政府工作报告", "url": "https://example.org/a", "content": "各位代表：\n\n现在", "year": "2025", "lang": "zh", "n": 3}`,
		``,
		`not json`,
		`{"title": "第十四届全国人民代表大会第三次会议关于政府工作报告的决议", "content": "会议听取了\n政府工作报告\n。", "year": null}`,
		`{"title": "x", "year": 2019}`,
		`{"title": 5, "content": "正文"}`,
		`{"content": "正文", "year": "next year"}`,
		`[1, 2]`,
		`{"text": "正文在 text 里", "date": "2023-03-05", "source": "s"}`,
		`{"content": "  \u200b "}`,
	}, "\n")
	docs, err := ReadRecords(context.Background(), "r.jsonl", []byte(data), DefaultFields)
	var re RecordErrors
	if !errors.As(err, &re) {
		t.Fatalf("err = %v, want RecordErrors", err)
	}
	wantErr := map[int]string{3: "not a JSON object", 5: "no text", 6: `field "title": want a string, got a number`, 7: `field "year"`, 8: "not a JSON object", 10: `field "content" is empty`}
	if len(re) != len(wantErr) {
		t.Errorf("%d record errors, want %d: %v", len(re), len(wantErr), err)
	}
	for _, e := range re {
		if e.Path != "r.jsonl" || !strings.Contains(e.Error(), wantErr[e.Record]) || wantErr[e.Record] == "" {
			t.Errorf("unexpected record error %v", e)
		}
	}
	if len(docs) != 3 {
		t.Fatalf("%d documents, want 3: %+v", len(docs), docs)
	}
	d := docs[0]
	if d.Record != 1 || d.Year != 2025 || d.URL != "https://example.org/a" || d.Title != "2025年中华人民共和国国务院政府工作报告" || d.Text != "各位代表：\n\n现在" {
		t.Errorf("record 1 = %+v", d)
	}
	if d.Meta["lang"] != "zh" || d.Meta["n"] != "3" || len(d.Meta) != 2 {
		t.Errorf("meta = %v, want the other fields", d.Meta)
	}
	// year null: the year comes from the NPC session the title names.
	if docs[1].Record != 4 || docs[1].Year != 2025 || docs[1].Text != "会议听取了政府工作报告。" {
		t.Errorf("record 4 = %+v", docs[1])
	}
	if docs[2].Record != 9 || docs[2].Year != 2023 || docs[2].URL != "s" || docs[2].Text != "正文在 text 里" {
		t.Errorf("record 9 = %+v", docs[2])
	}
}

func TestReadRecordsArrayAndObject(t *testing.T) {
	data := "[\n  {\"title\": \"a\", \"body\": \"甲\", \"year\": 2001},\n  {\"title\": \"b\"},\n  \"x\",\n  {\"title\": \"c\", \"content\": \"丙\"}\n]\n"
	docs, err := ReadRecords(context.Background(), "a.json", []byte(data), DefaultFields)
	var re RecordErrors
	if !errors.As(err, &re) || len(re) != 2 || re[0].Record != 3 || re[1].Record != 4 || !strings.Contains(re[0].Error(), "element 2") {
		t.Errorf("errors = %v, want elements 2 and 3 on lines 3 and 4", err)
	}
	if len(docs) != 2 || docs[0].Text != "甲" || docs[0].Year != 2001 || docs[0].Record != 1 || docs[1].Record != 4 {
		t.Errorf("docs = %+v", docs)
	}
	one := "{\n \"title\": \"t\",\n \"content\": \"正文\"\n}\n"
	docs, err = ReadRecords(context.Background(), "o.json", []byte(one), DefaultFields)
	if err != nil || len(docs) != 1 || docs[0].Text != "正文" {
		t.Errorf("single pretty-printed object: %+v, %v", docs, err)
	}
	docs, err = ReadRecords(context.Background(), "b.json", []byte(`[{"content": "a"}, {"content": `), DefaultFields)
	if !errors.As(err, &re) || len(docs) != 1 {
		t.Errorf("truncated array: %+v, %v", docs, err)
	}
}

func TestReadRecordsFieldMap(t *testing.T) {
	f := Fields{Title: []string{"name"}, Text: []string{"full_text"}, Year: []string{"yr"}, URL: []string{"link"}}
	docs, err := ReadRecords(context.Background(), "m.jsonl", []byte(`{"name": "n", "full_text": "正文", "yr": 1999, "link": "l", "title": "kept"}`), f)
	if err != nil || len(docs) != 1 || docs[0].Title != "n" || docs[0].Year != 1999 || docs[0].URL != "l" || docs[0].Meta["title"] != "kept" {
		t.Errorf("mapped: %+v, %v", docs, err)
	}
}

func TestFormatsRegistered(t *testing.T) {
	for _, p := range []string{"a.jsonl", "B.JSON", "c.ndjson"} {
		if ForPath(p) == nil {
			t.Errorf("no format for %s", p)
		}
	}
}

// TestNationalCorpus reads the real national reports: 72 records, every
// report with its year, every resolution with the year of its session, no
// zero-width character left, no title split across lines.
func TestNationalCorpus(t *testing.T) {
	const path = "/work/shared/corpus-national/government_work_reports.jsonl"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("national corpus not available: %v", err)
	}
	docs, err := ReadRecords(context.Background(), path, data, DefaultFields)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 72 {
		t.Fatalf("%d documents, want 72", len(docs))
	}
	years := map[int]int{}
	for _, d := range docs {
		if d.Year == 0 {
			t.Errorf("record %d (%s): no year", d.Record, d.Title)
		}
		years[d.Year]++
		if strings.ContainsAny(d.Text+d.Title, "\u200b\u200c\u200d\ufeff") || strings.Contains(d.Title, "\n") {
			t.Errorf("record %d: zero-width character or line break left", d.Record)
		}
		if d.URL == "" {
			t.Errorf("record %d: no URL", d.Record)
		}
	}
	// The 2020 report is missing but its resolution (2020年5月28日) is there.
	if years[2020] != 1 || years[2025] != 2 || years[1954] != 1 {
		t.Errorf("years: 2020 %d, 2025 %d, 1954 %d", years[2020], years[2025], years[1954])
	}
	if !strings.Contains(docs[71].Text, "全國人民代表大會") {
		t.Error("traditional characters of 1954 were changed")
	}
}
