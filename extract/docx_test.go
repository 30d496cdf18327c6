package extract_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"html"
	"strings"
	"testing"
	"time"

	"github.com/reportsearch/reportsearch/chunk"
	"github.com/reportsearch/reportsearch/extract"
)

const stylesXML = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:style w:type="paragraph" w:default="1" w:styleId="a"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="a3"><w:name w:val="Title"/></w:style>
<w:style w:type="paragraph" w:styleId="1"><w:name w:val="heading 1"/><w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="2"><w:name w:val="标题 2"/></w:style>
<w:style w:type="paragraph" w:styleId="Outline3"><w:name w:val="公文三级"/><w:pPr><w:outlineLvl w:val="2"/></w:pPr></w:style>
</w:styles>`

// para is one w:p as Word writes it: the text in runs, the first run bold
// where the text has Markdown bold.
func para(style, text string) string {
	ppr := ""
	if style != "" {
		ppr = fmt.Sprintf(`<w:pPr><w:pStyle w:val="%s"/></w:pPr>`, style)
	}
	runs := ""
	for i, part := range strings.SplitAfter(text, "。") {
		if part == "" {
			continue
		}
		rpr := ""
		if i == 0 {
			rpr = `<w:rPr><w:rFonts w:hint="eastAsia"/></w:rPr>`
		}
		runs += fmt.Sprintf(`<w:r>%s<w:t xml:space="preserve">%s</w:t></w:r>`, rpr, html.EscapeString(part))
	}
	return "<w:p>" + ppr + runs + "</w:p>"
}

// makeDOCX writes a .docx with the parts Word needs for our reader.
func makeDOCX(t *testing.T, body string, extra map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	files := map[string][]byte{
		"[Content_Types].xml": []byte(`<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`),
		"word/styles.xml":     []byte(stylesXML),
		"word/document.xml": []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body + `<w:sectPr/></w:body></w:document>`),
	}
	for k, v := range extra {
		files[k] = v
	}
	for name, b := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// reportDOCX lays a report out in Word: its first line in the Title style,
// Markdown headings in heading styles (level 1 in "heading 1", level 2 in
// "标题 2"), "（一）" lines in a custom style with an outline level.
func reportDOCX(t *testing.T, text string) []byte {
	var body strings.Builder
	first := true
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l == "" {
			continue
		}
		switch {
		case first:
			body.WriteString(para("a3", l))
			first = false
		case strings.HasPrefix(l, "## "):
			body.WriteString(para("2", strings.TrimPrefix(l, "## ")))
		case strings.HasPrefix(l, "# "):
			body.WriteString(para("1", strings.TrimPrefix(l, "# ")))
		default:
			body.WriteString(para("", l))
		}
	}
	return makeDOCX(t, body.String(), nil)
}

// TestDOCXMatchesText: a report written as a Word document reads back as the
// text file's chunks, headings from the styles.
func TestDOCXMatchesText(t *testing.T) {
	opt := chunk.DefaultOptions()
	for _, report := range []string{"000", "002"} {
		text := corpusText(t, report)
		data := reportDOCX(t, text)
		start := time.Now()
		docs, err := extract.ForPath("r.docx").Read(t.Context(), "r.docx", data)
		took := time.Since(start)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := chunk.Split("r.docx", docs[0].Text, opt)
		want, _ := chunk.Split("r.txt", text, opt)
		same, sameBut, total := agreement(want, got)
		t.Logf("%s: of %d text chunks, %d identical, %d but for white space (%d chunks); title %q; %.0f KB in %v (%.3f s/MB)",
			report, total, same, sameBut, len(got), docs[0].Title, float64(len(data))/1e3, took, took.Seconds()/(float64(len(data))/1e6))
		if same*100 < total*95 {
			t.Errorf("%s: only %d of %d chunks identical", report, same, total)
		}
	}
}

// TestDOCXStructure: heading styles by name (English and Chinese) and by
// outline level, a title, a table as rows of cells.
func TestDOCXStructure(t *testing.T) {
	body := para("a3", "某市政府工作报告") + para("1", "过去一年工作回顾") + para("Outline3", "稳住经济大盘") +
		para("", "全市生产总值增长百分之五。") +
		`<w:tbl><w:tr><w:tc>` + para("", "指标") + `</w:tc><w:tc>` + para("", "目标") + `</w:tc></w:tr>` +
		`<w:tr><w:tc>` + para("", "生产总值") + `</w:tc><w:tc>` + para("", "增长5%") + para("", "左右") + `</w:tc></w:tr></w:tbl>` +
		para("2", "今年主要任务")
	docs, err := extract.ForPath("a.DOCX").Read(t.Context(), "a.DOCX", makeDOCX(t, body, nil))
	if err != nil {
		t.Fatal(err)
	}
	want := "某市政府工作报告\n\n# 过去一年工作回顾\n\n### 稳住经济大盘\n\n全市生产总值增长百分之五。\n\n指标 | 目标\n\n生产总值 | 增长5% 左右\n\n## 今年主要任务"
	if docs[0].Text != want || docs[0].Title != "某市政府工作报告" {
		t.Errorf("text:\n%s\ntitle %q", docs[0].Text, docs[0].Title)
	}
}

// lyingDOCX is a zip whose word/document.xml inflates to n bytes but
// declares 100 in its headers, as a crafted bomb does.
func lyingDOCX(t *testing.T, n int) []byte {
	var comp bytes.Buffer
	fw, _ := flate.NewWriter(&comp, flate.BestCompression)
	fw.Write([]byte("<w:document><w:body><w:p><w:t>"))
	fw.Write(bytes.Repeat([]byte("a"), n))
	fw.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "word/document.xml", Method: zip.Deflate,
		CompressedSize64: uint64(comp.Len()), UncompressedSize64: 100, CRC32: 0})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(comp.Bytes())
	zw.Close()
	return buf.Bytes()
}

// TestDOCXBadInput: a zip bomb posing as a DOCX (an XML part that inflates
// far past what it declares, or past the limit), too many entries, a file
// that is no zip, a zip without a document: each named, none read whole.
func TestDOCXBadInput(t *testing.T) {
	old := extract.DOCXMaxXML
	extract.DOCXMaxXML = 1 << 20
	defer func() { extract.DOCXMaxXML = old }()
	bomb := makeDOCX(t, para("", strings.Repeat("炸", 1<<20)), nil) // 3 MiB of XML, deflated to a few KB
	many := map[string][]byte{}
	for i := range extract.DOCXMaxEntries + 1 {
		many[fmt.Sprintf("x/%d", i)] = nil
	}
	for name, tc := range map[string]struct {
		data []byte
		want string
	}{
		"bomb":    {bomb, "over the limit"},
		"lying":   {lyingDOCX(t, 2<<20), "a zip bomb?"},
		"entries": {makeDOCX(t, para("", "正文。"), many), "entries in the archive"},
		"not zip": {[]byte("{\\rtf1 这是RTF}"), "not a Word document"},
		"no body": {func() []byte {
			var b bytes.Buffer
			zw := zip.NewWriter(&b)
			zw.Create("a.txt")
			zw.Close()
			return b.Bytes()
		}(), "no word/document.xml"},
		"no text": {makeDOCX(t, "<w:p/>", nil), extract.ErrNoText.Error()},
		"bad xml": {makeDOCX(t, "<w:p><w:t>断", nil), "word/document.xml"},
	} {
		_, err := extract.ForPath("b.docx").Read(t.Context(), "b.docx", tc.data)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "b.docx") {
			t.Errorf("%s: err = %v, want it to name b.docx and say %q", name, err, tc.want)
		}
	}
}
