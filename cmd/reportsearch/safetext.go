package main

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Text printed for people goes to a terminal, and file names, titles and
// corpus text are not ours: a file named `esc\x1b[31mred.txt` would recolour
// the terminal, a U+202E would show a name backwards. Every print site of
// the text output passes such strings through safeText (or safeLine), which
// shows the dangerous characters as escapes instead.

// unsafeRune reports whether r must not reach a terminal raw: C0 controls,
// DEL, C1 controls (U+0080–U+009F, which some terminals take for ESC
// sequences), and the bidi embeddings, overrides and isolates.
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// safeText escapes what unsafeRune names, except newlines and tabs, which
// multi-line text (a chunk, an error message) keeps. Bytes that are not
// UTF-8 are escaped too: a lone 0x9b is CSI to an 8-bit terminal.
func safeText(s string) string { return escapeTerminal(s, true) }

// safeLine is safeText for what must stay on one line (a file name, a
// title, an ID): newlines and tabs are escaped as well.
func safeLine(s string) string { return escapeTerminal(s, false) }

func escapeTerminal(s string, keepLines bool) string {
	clean := true
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n == 1) || (unsafeRune(r) && !(keepLines && (r == '\n' || r == '\t'))) {
			clean = false
			break
		}
		i += n
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case keepLines && (r == '\n' || r == '\t'):
			b.WriteRune(r)
		case unsafeRune(r) && r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// escapeJSONForTerminal rewrites the characters encoding/json leaves raw but
// a terminal would act on (DEL, C1, bidi controls; json already escapes C0)
// as \u escapes. They can only occur inside JSON strings, where the escape
// means the same character, so the document decodes to the same values.
func escapeJSONForTerminal(js []byte) []byte {
	if !bytes.ContainsFunc(js, unsafeRune) {
		return js
	}
	var b bytes.Buffer
	b.Grow(len(js) + 16)
	for i := 0; i < len(js); {
		r, n := utf8.DecodeRune(js[i:])
		if unsafeRune(r) && r >= 0x20 {
			fmt.Fprintf(&b, `\u%04x`, r)
		} else {
			b.Write(js[i : i+n])
		}
		i += n
	}
	return b.Bytes()
}
