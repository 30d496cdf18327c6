package extract

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// HTML pages are parsed with golang.org/x/net/html (the parser browsers'
// spec describes, so broken markup is repaired the way a browser would);
// goquery would add selectors we do not need on top of the same parser.
// The article body is found by the containers government sites use, else
// by where the paragraph text is densest (see articleRoot).

// HTMLMaxBytes caps an HTML file: the parsed tree takes many times the
// file's size, and a real article page is well under 2 MB.
const HTMLMaxBytes = 16 << 20

func init() {
	Register(&Format{Name: "html", Exts: []string{".html", ".htm", ".shtml", ".xhtml"}, Read: readHTML})
}

func readHTML(ctx context.Context, path string, data []byte) ([]Document, error) {
	if len(data) > HTMLMaxBytes {
		return nil, fmt.Errorf("html: %s: the page is %.1f MiB, over the %d MiB limit for HTML (an article page is far smaller)", path, float64(len(data))/(1<<20), HTMLMaxBytes>>20)
	}
	text, err := decodeHTML(data)
	if err != nil {
		return nil, fmt.Errorf("html: %s: %w", path, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	root, err := html.Parse(strings.NewReader(text))
	if err != nil {
		return nil, fmt.Errorf("html: %s: %w", path, err)
	}
	doc := htmlDocument(root)
	if strings.TrimSpace(doc.Text) == "" {
		return nil, fmt.Errorf("html: %s: %w: no article body found", path, ErrNoText)
	}
	return []Document{doc}, nil
}

// decodeHTML turns the page into UTF-8: the encoding a byte-order mark or
// <meta charset> states, else UTF-8 when the bytes are valid UTF-8, else
// GB18030 (a superset of the GB2312 and GBK that Chinese sites use without
// saying so), rather than the windows-1252 a browser would guess.
func decodeHTML(data []byte) (string, error) {
	enc, name, certain := charset.DetermineEncoding(data, "")
	switch {
	case !certain && utf8.Valid(data):
		return string(bytes.TrimPrefix(data, []byte("\uFEFF"))), nil
	case !certain:
		enc = simplifiedchinese.GB18030
	case name == "utf-8":
		return strings.ToValidUTF8(string(bytes.TrimPrefix(data, []byte("\uFEFF"))), "\uFFFD"), nil
	}
	b, err := enc.NewDecoder().Bytes(data)
	if err != nil {
		return "", fmt.Errorf("cannot decode as %s: %w", name, err)
	}
	return string(b), nil
}

// Containers of the article body on government sites, by id and by class,
// in the order they are trusted.
var (
	bodyIDs     = []string{"UCAP-CONTENT", "zoom", "Zoom", "fontzoom", "article-content", "content", "Content", "zw"}
	bodyClasses = []string{"pages_content", "TRS_Editor", "article-content", "article_content", "view TRS_UEDITOR", "zw", "content"}
	// junk names elements that are no part of an article wherever they are.
	junk = regexp.MustCompile(`(?i)share|bdshare|breadcrumb|crumb|position|location|\bnav|menu|footer|header|toolbar|print|related|comment|qrcode|ewm|sidebar|fenxiang|dyfx`)
)

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *html.Node, c string) bool {
	cl := " " + strings.Join(strings.Fields(attr(n, "class")), " ") + " "
	return strings.Contains(cl, " "+c+" ")
}

func find(n *html.Node, ok func(*html.Node) bool) *html.Node {
	if n.Type == html.ElementNode && ok(n) {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := find(c, ok); f != nil {
			return f
		}
	}
	return nil
}

// skipped: elements whose text is never article text.
func skipped(n *html.Node) bool {
	switch n.DataAtom {
	case atom.Script, atom.Style, atom.Noscript, atom.Nav, atom.Header, atom.Footer, atom.Aside, atom.Form,
		atom.Iframe, atom.Button, atom.Select, atom.Textarea, atom.Template, atom.Svg, atom.Head:
		return true
	}
	return junk.MatchString(attr(n, "id")) || junk.MatchString(attr(n, "class"))
}

// articleRoot is the element holding the article: a known container with
// text in it, else an <article>, else the element whose own paragraphs hold
// the most text (a paragraph's text counts fully for its parent and half
// for its grandparent, as readability does).
func articleRoot(doc *html.Node) *html.Node {
	hasText := func(n *html.Node) bool { return len([]rune(strings.TrimSpace(textOf(n)))) >= 20 }
	for _, id := range bodyIDs {
		if n := find(doc, func(n *html.Node) bool { return attr(n, "id") == id }); n != nil && hasText(n) {
			return n
		}
	}
	for _, c := range bodyClasses {
		if n := find(doc, func(n *html.Node) bool { return hasClass(n, c) || attr(n, "class") == c }); n != nil && hasText(n) {
			return n
		}
	}
	if n := find(doc, func(n *html.Node) bool { return n.DataAtom == atom.Article }); n != nil && hasText(n) {
		return n
	}
	score := map[*html.Node]float64{}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && skipped(n) {
			return
		}
		if n.Type == html.ElementNode && (n.DataAtom == atom.P || n.DataAtom == atom.Br) && n.Parent != nil {
			t := float64(len([]rune(strings.TrimSpace(textOf(n)))))
			if n.DataAtom == atom.Br {
				t = 20
			}
			score[n.Parent] += t
			if g := n.Parent.Parent; g != nil {
				score[g] += t / 2
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	var best *html.Node
	for n, s := range score {
		if best == nil || s > score[best] {
			best = n
		}
	}
	if best == nil {
		if b := find(doc, func(n *html.Node) bool { return n.DataAtom == atom.Body }); b != nil {
			return b
		}
		return doc
	}
	return best
}

// textOf is the text of n's subtree, junk left out.
func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		if n.Type == html.ElementNode && skipped(n) {
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

var titleCut = regexp.MustCompile(`\s*[_|｜—–-]+\s*[^_|｜—–-]*(网|网站|政府|门户|平台)\s*$`)

// htmlDocument is the page's article as paragraphs: headings (h1–h6) and
// bold-only lines on lines of their own (bold as Markdown **…**, which the
// chunker reads as a heading when it is the whole line), paragraphs from
// block elements and <br>, table rows as cells joined by " | ".
func htmlDocument(doc *html.Node) Document {
	var d Document
	if t := find(doc, func(n *html.Node) bool { return n.DataAtom == atom.Title }); t != nil {
		d.Title = titleCut.ReplaceAllString(strings.TrimSpace(collapse(textOf(t))), "")
	}
	root := articleRoot(doc)
	if h := find(doc, func(n *html.Node) bool { return n.DataAtom == atom.H1 && !skipped(n) }); h != nil {
		if t := strings.TrimSpace(collapse(textOf(h))); t != "" {
			d.Title = t
		}
	}
	w := &htmlWriter{}
	// A title outside the article body (the usual layout) heads the text,
	// so that the chunker finds the report's title where it looks for it.
	if d.Title != "" && !strings.Contains(collapse(textOf(root)), d.Title) {
		w.line(d.Title)
	}
	w.walk(root)
	w.flush()
	d.Text = strings.Join(w.paras, "\n\n")
	return d
}

type htmlWriter struct {
	cur   strings.Builder
	paras []string
}

func (w *htmlWriter) flush() {
	t := strings.TrimFunc(w.cur.String(), unicode.IsSpace)
	t = dropWideSpaces(strings.TrimSpace(strings.ReplaceAll(t, "****", "")))
	if t != "" && t != "**" {
		w.paras = append(w.paras, t)
	}
	w.cur.Reset()
}

func (w *htmlWriter) line(s string) { w.flush(); w.cur.WriteString(s); w.flush() }

func isBlock(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.Section, atom.Article, atom.Li, atom.Ul, atom.Ol, atom.Table, atom.Tbody, atom.Tr,
		atom.Blockquote, atom.Pre, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Dl, atom.Dt, atom.Dd,
		atom.Center, atom.Main, atom.Figure, atom.Figcaption, atom.Hr:
		return true
	}
	return false
}

func (w *htmlWriter) walk(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		w.text(n.Data)
		return
	case html.ElementNode:
		if skipped(n) {
			return
		}
	case html.DocumentNode:
	default:
		return
	}
	switch {
	case n.DataAtom == atom.Br:
		w.flush()
		return
	case isHeading(n.DataAtom):
		w.line(strings.TrimSpace(collapse(textOf(n))))
		return
	case n.DataAtom == atom.Tr:
		var cells []string
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.DataAtom == atom.Td || c.DataAtom == atom.Th {
				cells = append(cells, strings.TrimSpace(collapse(textOf(c))))
			}
		}
		// A layout table's row holds blocks of its own: walk it instead.
		if len(cells) > 1 && !hasBlock(n) {
			w.line(strings.Join(cells, " | "))
			return
		}
	case n.DataAtom == atom.Strong || n.DataAtom == atom.B:
		t := strings.TrimSpace(collapse(textOf(n)))
		if t != "" && !hasBlock(n) {
			w.cur.WriteString("**" + t + "**")
			return
		}
	}
	block := n.Type == html.ElementNode && isBlock(n.DataAtom)
	if block {
		w.flush()
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c)
	}
	if block {
		w.flush()
	}
}

func isHeading(a atom.Atom) bool {
	return a == atom.H1 || a == atom.H2 || a == atom.H3 || a == atom.H4 || a == atom.H5 || a == atom.H6
}

func hasBlock(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && (isBlock(c.DataAtom) || c.DataAtom == atom.Br || hasBlock(c)) {
			return true
		}
	}
	return false
}

// text adds a text node: runs of white space are one space, as a browser
// shows them, and none is kept between two Chinese characters (a line
// break inside a paragraph of the source).
func (w *htmlWriter) text(s string) {
	s = collapse(s)
	if s == "" {
		return
	}
	cur := w.cur.String()
	if strings.HasPrefix(s, " ") && (cur == "" || strings.HasSuffix(cur, " ")) {
		s = s[1:]
	}
	w.cur.WriteString(s)
}

// collapse turns runs of white space (the no-break and ideographic spaces
// pages indent with included) into one space, dropping one that stands
// between two CJK characters.
func collapse(s string) string {
	var b strings.Builder
	space := false
	var last rune
	for _, r := range s {
		if unicode.IsSpace(r) || r == '\u00a0' || r == '\u3000' {
			space = true
			continue
		}
		if space && b.Len() > 0 && !(isWide(last) && isWide(r)) {
			b.WriteByte(' ')
		} else if space && b.Len() == 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
		last = r
	}
	if space && b.Len() > 0 {
		b.WriteByte(' ')
	}
	return b.String()
}

// dropWideSpaces removes a space between two CJK characters, looking past
// the ** of bold: "**一、总体要求** 今年" reads "**一、总体要求**今年", as
// the text version of the same report has it.
func dropWideSpaces(s string) string {
	if !strings.Contains(s, " ") {
		return s
	}
	rs := []rune(s)
	out := rs[:0:0]
	for i, r := range rs {
		if r == ' ' {
			j := len(out) - 1
			for j >= 0 && out[j] == '*' {
				j--
			}
			k := i + 1
			for k < len(rs) && rs[k] == '*' {
				k++
			}
			if j >= 0 && k < len(rs) && isWide(out[j]) && isWide(rs[k]) {
				continue
			}
		}
		out = append(out, r)
	}
	return string(out)
}

func isWide(r rune) bool {
	return unicode.Is(unicode.Han, r) || isCJKPunct(r) || (r >= 0xFF00 && r <= 0xFFEF)
}
