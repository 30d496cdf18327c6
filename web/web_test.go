package web

import (
	"regexp"
	"testing"
)

// The script builds the page from text only: none of the DOM sinks that
// parse HTML or run code appear in it (the browser test in cmd/reportsearch
// checks the same with a hostile report; this names the line at once).
func TestScriptHasNoHTMLSinks(t *testing.T) {
	b, err := static.ReadFile("static/app.js")
	if err != nil {
		t.Fatal(err)
	}
	sink := regexp.MustCompile(`\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function\(|setTimeout\(\s*["'\x60]|createContextualFragment`)
	for i, line := range regexp.MustCompile(`\n`).Split(string(b), -1) {
		if m := sink.FindString(line); m != "" {
			t.Errorf("app.js:%d uses %s: insert corpus and user text with textContent or el()", i+1, m)
		}
	}
}

func TestWeight(t *testing.T) {
	html, js, css := Weight()
	if html == 0 || js == 0 || css == 0 {
		t.Fatalf("weight %d+%d+%d bytes: an asset is empty", html, js, css)
	}
	t.Logf("page weight: HTML %d + JS %d + CSS %d = %d bytes", html, js, css, html+js+css)
}
