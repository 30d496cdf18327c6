package main

// Issue 14 end to end with the real binary, pdftotext and Chromium: a folder
// of a PDF (printed by Chromium, two pages), a GBK web page and a Word file
// is indexed with the damaged and unsupported files named (exit 3); search
// and show cite the PDF's page.

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/reportsearch/reportsearch/internal/testenv"
)

func TestIndexPDFHTMLDOCXE2E(t *testing.T) {
	testenv.Pdftotext(t)
	browser := testenv.Chromium(t)
	src, work := t.TempDir(), t.TempDir()

	page := `<!doctype html><html><head><meta charset="utf-8"><style>
@page { size: A5; margin: 20mm; @bottom-center { content: counter(page); } }
body { font-family: "Noto Serif CJK SC", serif; font-size: 12pt; } .next { break-before: page; }</style></head><body>
<p>某市政府工作报告</p><p>一、过去一年的工作</p>
<p>全市生产总值增长百分之五，经济运行总体平稳、稳中有进，城乡居民收入持续增加。</p>
<p class="next">二、今年的主要任务</p>
<p>大力发展低空经济，建成通用机场两个，开通无人机物流航线十二条，带动相关企业快速集聚。</p>
</body></html>`
	html := filepath.Join(work, "r.html")
	os.WriteFile(html, []byte(page), 0o644)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	pdf := filepath.Join(src, "report.pdf")
	if out, err := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
		"--user-data-dir="+filepath.Join(work, "profile"), "--print-to-pdf="+pdf, "file://"+html).CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	b, _ := os.ReadFile(pdf)
	os.WriteFile(filepath.Join(src, "cut.pdf"), b[:len(b)/2], 0o644)

	gbk, _ := simplifiedchinese.GBK.NewEncoder().String(`<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"><title>某县政府工作报告_某县人民政府</title></head><body>
<div class="nav">首页 政务公开</div><h1>某县政府工作报告</h1><div id="UCAP-CONTENT"><p>　　一、工作回顾</p><p>　　全县推进乡村振兴，建设高标准农田三万亩，粮食产量稳定在十万吨以上。</p></div>
<div class="footer">主办：某县人民政府办公室</div></body></html>`)
	os.WriteFile(filepath.Join(src, "county.htm"), []byte(gbk), 0o644)

	var doc bytes.Buffer
	zw := zip.NewWriter(&doc)
	w, _ := zw.Create("word/document.xml")
	w.Write([]byte(`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` +
		`<w:p><w:r><w:t>某区政府工作报告</w:t></w:r></w:p><w:p><w:r><w:t>全区新建城市公园八个，改造老旧小区一百二十个，惠及居民三万户。</w:t></w:r></w:p></w:body></w:document>`))
	zw.Close()
	os.WriteFile(filepath.Join(src, "district.docx"), doc.Bytes(), 0o644)
	os.WriteFile(filepath.Join(src, "old.doc"), []byte{0xd0, 0xcf, 0x11, 0xe0}, 0o644)
	os.WriteFile(filepath.Join(src, "table.xls"), []byte{0xd0, 0xcf, 0x11, 0xe0}, 0o644)

	data := t.TempDir()
	r := rs(t, data, deadOllama, "index", "--json", src)
	if r.code != 3 {
		t.Fatalf("want exit 3 (indexed with skips), got %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"cut.pdf: damaged or truncated PDF", "2 files with unsupported extensions (.doc, .xls", "old.doc"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	if st := decodeJSON[indexJSON](t, r.stdout); st.Files != 4 {
		t.Errorf("files = %d, want 4 (3 read, cut.pdf kept as unreadable): %+v", st.Files, st)
	}
	for q, file := range map[string]string{"高标准农田": "county.htm", "城市公园": "district.docx"} {
		s := rs(t, data, deadOllama, "search", q, "--json", "-k", "1")
		if res := decodeJSON[SearchOutput](t, s.stdout).Results; len(res) != 1 || res[0].File != file {
			t.Errorf("search %s: want %s, got %+v", q, file, res)
		}
	}
	s := rs(t, data, deadOllama, "search", "低空经济", "--json", "-k", "1")
	res := decodeJSON[SearchOutput](t, s.stdout).Results
	if len(res) != 1 || res[0].File != "report.pdf" || res[0].Page != 2 || res[0].PageEnd != 2 {
		t.Fatalf("search 低空经济: want report.pdf page 2, got %+v", res)
	}
	if p := rs(t, data, deadOllama, "search", "低空经济", "-k", "1"); !strings.Contains(p.stdout, "p. 2") {
		t.Errorf("search output lacks the page:\n%s", p.stdout)
	}
	if sh := rs(t, data, deadOllama, "show", res[0].ID); !strings.Contains(sh.stdout, "p. 2, ¶") {
		t.Errorf("show's citation lacks the page:\n%s", sh.stdout)
	}
}
