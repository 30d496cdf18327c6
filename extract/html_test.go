package extract_test

import (
	"fmt"
	"html"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/reportsearch/reportsearch/chunk"
	"github.com/reportsearch/reportsearch/extract"
)

var mdBold = regexp.MustCompile(`\*\*(.+?)\*\*`)

// govPage lays a report out as a provincial government site does: GBK
// (declared in <meta> or not at all), navigation, breadcrumbs, the title in
// an <h1> outside the body, the body in a known container (or, with
// container "", in an unnamed div inside a layout table), share buttons,
// a footer and scripts; Markdown headings become <h2>, bold <strong>.
func govPage(t *testing.T, text, container string, meta bool) []byte {
	t.Helper()
	lines := []string{}
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	title, lines := lines[0], lines[1:]
	var body strings.Builder
	for _, l := range lines {
		if h := strings.TrimLeft(l, "#"); h != l {
			fmt.Fprintf(&body, "<h2>%s</h2>\n", html.EscapeString(strings.TrimSpace(h)))
			continue
		}
		p := mdBold.ReplaceAllString(html.EscapeString(l), "<strong>$1</strong>")
		fmt.Fprintf(&body, "<p style=\"text-indent:2em\">\n　　%s\n</p>\n", p)
	}
	head := ""
	if meta {
		head = `<meta http-equiv="Content-Type" content="text/html; charset=gb2312">`
	}
	var page string
	chrome := `<div class="header"><div class="nav"><a href="/">首页</a><a href="/zwgk">政务公开</a><a href="/hdjl">互动交流</a></div></div>
<div class="BreadcrumbNav">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a> &gt; 政府工作报告</div>`
	tail := `<div class="share">分享到：<a>微信</a><a>微博</a></div>
<script>var _hmt = "统计代码，不是正文";</script>
<div class="footer">主办：某省人民政府办公厅　网站标识码：1100000000　京ICP备05070218号</div>`
	if container != "" {
		page = fmt.Sprintf(`<html><head>%s<title>%s_某省人民政府门户网站</title><style>.pages_content p{line-height:2}</style></head><body>
%s<div class="pages-title"><h1>%s</h1></div><div class="pages-date">2026-01-20 10:00　来源：某省人民政府办公厅　【字体：大 中 小】</div>
<div %s>%s</div>%s</body></html>`, head, html.EscapeString(title), chrome, html.EscapeString(title), container, body.String(), tail)
	} else {
		page = fmt.Sprintf(`<html><head>%s<title>%s - 某市人民政府</title></head><body>%s
<table width="1000"><tr><td width="200"><ul><li><a>机构概况</a></li><li><a>政策文件</a></li></ul></td>
<td><div align="center"><font size="5"><b>%s</b></font></div><div class="wz">%s</div></td></tr></table>%s</body></html>`,
			head, html.EscapeString(title), chrome, html.EscapeString(title), body.String(), tail)
	}
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(page))
	if err != nil {
		t.Fatalf("GBK: %v", err)
	}
	return b
}

// TestHTMLMatchesText: a report published as a GBK government page reads
// back as the text file's chunks: navigation, breadcrumbs, share buttons,
// scripts and footer dropped, the charset found from <meta> or sniffed.
func TestHTMLMatchesText(t *testing.T) {
	opt := chunk.DefaultOptions()
	for _, tc := range []struct {
		report, container string
		meta              bool
		min               float64
	}{
		{"002", `class="pages_content" id="UCAP-CONTENT"`, true, 0.95},
		{"003", `class="TRS_Editor"`, false, 0.95},
		{"001", "", false, 0.9},
	} {
		text := corpusText(t, tc.report)
		page := govPage(t, text, tc.container, tc.meta)
		start := time.Now()
		docs, err := extract.ForPath("a.html").Read(t.Context(), "a.html", page)
		took := time.Since(start)
		if err != nil {
			t.Fatal(err)
		}
		d := docs[0]
		for _, junk := range []string{"当前位置", "分享到", "主办", "统计代码", "政务公开", "字体"} {
			if strings.Contains(d.Text, junk) {
				t.Errorf("%s: page furniture %q in the text", tc.report, junk)
			}
		}
		got, err := chunk.Split("r.html", d.Text, opt)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := chunk.Split("r.txt", text, opt)
		same, sameBut, total := agreement(want, got)
		t.Logf("%s (%s, meta charset %v): of %d text chunks, %d identical, %d but for white space (%d chunks); title %q; %.0f KB in %v (%.3f s/MB)",
			tc.report, tc.container, tc.meta, total, same, sameBut, len(got), d.Title, float64(len(page))/1e3, took, took.Seconds()/(float64(len(page))/1e6))
		if float64(same) < tc.min*float64(total) {
			t.Errorf("%s: only %d of %d chunks identical", tc.report, same, total)
			if os.Getenv("DUMP") != "" {
				os.WriteFile(os.Getenv("DUMP"), []byte(d.Text), 0o644)
			}
		}
	}
}

// TestHTMLBadInput: a page over the HTML limit and one with no text are
// named; they never reach the parser's memory appetite.
func TestHTMLBadInput(t *testing.T) {
	big := []byte("<html><body>" + strings.Repeat("<p>政府工作报告正文段落。</p>", 50<<20/40) + "</body></html>")
	_, err := extract.ForPath("big.html").Read(t.Context(), "big.html", big)
	if err == nil || !strings.Contains(err.Error(), "big.html") || !strings.Contains(err.Error(), "over the") {
		t.Errorf("50 MB page: err = %v", err)
	}
	_, err = extract.ForPath("e.htm").Read(t.Context(), "e.htm", []byte("<html><head><script>x()</script></head><body><div class=nav>首页</div></body></html>"))
	if err == nil || !strings.Contains(err.Error(), extract.ErrNoText.Error()) {
		t.Errorf("empty page: err = %v", err)
	}
}
