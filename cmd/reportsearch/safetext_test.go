package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestSafeText(t *testing.T) {
	for _, tc := range []struct{ in, text, line string }{
		{"plain 北京 text", "plain 北京 text", "plain 北京 text"},
		{"esc\x1b[31mred.txt", `esc\x1b[31mred.txt`, `esc\x1b[31mred.txt`},
		{"a\nb\tc", "a\nb\tc", `a\x0ab\x09c`},
		{"cr\rback", `cr\x0dback`, `cr\x0dback`},
		{"bell\a del\x7f", `bell\x07 del\x7f`, `bell\x07 del\x7f`},
		{"c1 \u009b31m", `c1 \u009b31m`, `c1 \u009b31m`},
		{"bidi \u202egnp.exe \u2066x\u2069", `bidi \u202egnp.exe \u2066x\u2069`, `bidi \u202egnp.exe \u2066x\u2069`},
		{"bad \x9b utf8", `bad \x9b utf8`, `bad \x9b utf8`},
		{"，。《》“”", "，。《》“”", "，。《》“”"}, // Chinese punctuation is not a control
	} {
		if got := safeText(tc.in); got != tc.text {
			t.Errorf("safeText(%q) = %q, want %q", tc.in, got, tc.text)
		}
		if got := safeLine(tc.in); got != tc.line {
			t.Errorf("safeLine(%q) = %q, want %q", tc.in, got, tc.line)
		}
	}
}

// JSON output carries no raw control character a terminal acts on, and
// decodes to the same strings.
func TestWriteJSONEscapesTerminalControls(t *testing.T) {
	v := map[string]string{"file": "esc\x1b[31m \u009b \u202e \x7f 北京\n"}
	var b strings.Builder
	if err := writeJSON(&b, v); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, r := range out {
		if unsafeRune(r) && r != '\n' {
			t.Fatalf("raw %U in JSON output %q", r, out)
		}
	}
	var back map[string]string
	if err := json.Unmarshal([]byte(out), &back); err != nil || back["file"] != v["file"] {
		t.Fatalf("JSON does not decode to the same value: %q, %v", back["file"], err)
	}
}
