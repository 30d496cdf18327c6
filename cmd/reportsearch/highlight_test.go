package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reportsearch/reportsearch/chunk"
	"github.com/reportsearch/reportsearch/retrieve"
)

func TestHighlight(t *testing.T) {
	cases := []struct {
		name, text string
		terms      []string
		on         bool
		want       string
	}{
		{"off: escaped only", "低空经济\x1b[31m", []string{"低空经济"}, false, `低空经济\x1b[31m`},
		{"on: marked", "发展低空经济。", []string{"低空经济"}, true, "发展\x1b[1;31m低空经济\x1b[0m。"},
		{"longest first, no double marking", "低空经济与经济", []string{"低空经济", "经济"}, true,
			"\x1b[1;31m低空经济\x1b[0m与\x1b[1;31m经济\x1b[0m"},
		{"escaping stays inside the marks", "a\x1b[2Jb经济\u202e", []string{"经济"}, true,
			`a\x1b[2Jb` + "\x1b[1;31m经济\x1b[0m" + `\u202e`},
		{"a term never splits a rune", "经济济", []string{"济"}, true, "经\x1b[1;31m济济\x1b[0m"},
		{"no terms", "文本", nil, true, "文本"},
	}
	for _, c := range cases {
		if got := highlight(c.text, c.terms, c.on, safeText); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

// TestHighlightNeverRaw: whatever the text and terms, the only ESC bytes in
// the output are our own marks.
func TestHighlightNeverRaw(t *testing.T) {
	text := "x\x1b[31my\x9b1m\u202e经济\x1b"
	for _, terms := range [][]string{{"\x1b"}, {"\x1b[31m"}, {"经济", "x"}, {"\u202e"}} {
		out := highlight(text, terms, true, safeText)
		rest := strings.NewReplacer(markOn, "", colorOff, "").Replace(out)
		if strings.ContainsAny(rest, "\x1b\u202e\u009b") {
			t.Errorf("terms %q: raw control in %q", terms, out)
		}
	}
}

func TestColorOn(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	for _, c := range []struct {
		mode string
		tty  bool
		env  func(string) string
		want bool
	}{
		{"auto", true, env(), true},
		{"auto", true, env("NO_COLOR", ""), true}, // empty counts as unset
		{"auto", true, env("NO_COLOR", "1"), false},
		{"auto", true, env("TERM", "dumb"), false},
		{"auto", false, env(), false}, // piped
		{"", false, env(), false},
		{"always", false, env("NO_COLOR", "1"), true},
		{"never", true, env(), false},
	} {
		if got, err := colorOn(c.mode, c.tty, c.env); err != nil || got != c.want {
			t.Errorf("--color %q, terminal %v: got %v (%v), want %v", c.mode, c.tty, got, err, c.want)
		}
	}
	if _, err := colorOn("sometimes", true, env()); err == nil || !strings.Contains(err.Error(), "auto, always or never") {
		t.Errorf("bad --color: %v", err)
	}
}

func TestSnippet(t *testing.T) {
	long := strings.Repeat("甲", 300) + "低空经济" + strings.Repeat("乙", 100)
	s := snippet(long, []string{"低空经济"}, 100)
	if !strings.HasPrefix(s, "…") || !strings.Contains(s, "低空经济") || len([]rune(s)) != 101 { // … + 99 + …
		t.Errorf("match past the cut: %q (%d runes)", s, len([]rune(s)))
	}
	if s := snippet("短文本", []string{"文本"}, 100); s != "短文本" {
		t.Errorf("short text: %q", s)
	}
	if s := snippet(long, nil, 10); s != strings.Repeat("甲", 10)+"…" {
		t.Errorf("no match: %q", s)
	}
	if s := snippet("主要预期目标是：\n国内生产总值增长8％左右；\r\n城镇新增就业", nil, 100); s != "主要预期目标是： 国内生产总值增长8％左右； 城镇新增就业" {
		t.Errorf("line breaks inside a chunk must not break the three-line layout: %q", s)
	}
	end := strings.Repeat("甲", 300) + "经济"
	if s := snippet(end, []string{"经济"}, 50); !strings.HasSuffix(s, "经济") || len([]rune(s)) != 50 {
		t.Errorf("match at the end: %q (%d runes)", s, len([]rune(s)))
	}
}

func TestLocation(t *testing.T) {
	wd, _ := os.Getwd()
	cases := []struct {
		file, source string
		line         int
		want         string
	}{
		{"a/b.txt", filepath.Join(wd, "corpus", "a", "b.txt"), 12, filepath.Join("corpus", "a", "b.txt") + ":12"},
		{"b.txt", "/elsewhere/b.txt", 3, "/elsewhere/b.txt:3"},
		{"b.txt", "", 3, "b.txt:3"},
		{"b.txt", "", 0, "b.txt (bytes 10-20)"},
	}
	for _, c := range cases {
		if got := location(c.file, c.source, c.line, 10, 20); got != c.want {
			t.Errorf("location(%q, %q, %d) = %q, want %q", c.file, c.source, c.line, got, c.want)
		}
	}
}

func TestPrintResultsLocationAndMarks(t *testing.T) {
	r := retrieve.Result{Rank: 1, Score: 2.5, ID: "f.txt#0.3", File: "f.txt", Report: "报告", Headings: []string{"一、总体"},
		Paragraph: 3, Start: 100, End: 160, Line: 9, Text: "发展低空经济。", Matched: []string{"低空经济"}}
	var plain, color bytes.Buffer
	printResults(&plain, []retrieve.Result{r}, false)
	printResults(&color, []retrieve.Result{r}, true)
	want := "1. [2.5000] 报告 › 一、总体\n   f.txt:9  ¶3  f.txt#0.3\n   发展低空经济。\n\n"
	if plain.String() != want {
		t.Errorf("plain:\n%q\nwant\n%q", plain.String(), want)
	}
	if !strings.Contains(color.String(), "发展\x1b[1;31m低空经济\x1b[0m。") {
		t.Errorf("color: %q", color.String())
	}
}

func TestPrintShow(t *testing.T) {
	hs := []string{"一、总体要求"}
	out := ShowOutput{Collection: "c", ID: "f.txt#0.10", Chunks: []ShownChunk{
		{Chunk: chunk.Chunk{ID: "f.txt#0.9", File: "f.txt", Report: "报告", Headings: hs, Paragraph: 9, Text: "前一段。", Line: 20}},
		{Chunk: chunk.Chunk{ID: "f.txt#0.10", File: "f.txt", Report: "报告", Headings: hs, Paragraph: 10, Text: "这一段\n第二行\x1b[0m。", Start: 300, End: 340, Line: 22}, Shown: true},
		{Chunk: chunk.Chunk{ID: "f.txt#0.11.1", File: "f.txt", Report: "报告", Headings: []string{"二、任务"}, Paragraph: 11, Part: 1, Text: "后一段。", Line: 25}},
	}}
	var plain, color bytes.Buffer
	printShow(&plain, out, false)
	want := "报告 › 一、总体要求\n" +
		"  ¶9     前一段。\n" +
		"▌ ¶10    这一段\n" +
		"▌        第二行\\x1b[0m。\n" +
		"\n报告 › 二、任务\n" +
		"  ¶11.1  后一段。\n" +
		"\ncite: 报告 › 一、总体要求, ¶10, f.txt:22 (bytes 300-340)\n" +
		"id:   f.txt#0.10\n"
	if plain.String() != want {
		t.Errorf("got\n%s\nwant\n%s", plain.String(), want)
	}
	printShow(&color, out, true)
	if !strings.Contains(color.String(), "▌ \x1b[1m¶10    这一段\x1b[0m\n") || strings.Count(color.String(), "\x1b[1m") != 2 {
		t.Errorf("color: bold the shown chunk only:\n%q", color.String())
	}
}
