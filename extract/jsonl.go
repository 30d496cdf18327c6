package extract

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/reportsearch/reportsearch/year"
)

// Fields says which record fields hold what; the first name present in a
// record wins. Every other field is kept in Document.Meta.
type Fields struct {
	Title []string
	Text  []string
	Year  []string
	URL   []string
}

// DefaultFields are the names a JSONL or JSON record is read with unless
// the caller maps others (ReadRecords).
var DefaultFields = Fields{
	Title: []string{"title"},
	Text:  []string{"content", "text", "body"},
	Year:  []string{"year", "date"},
	URL:   []string{"url", "source"},
}

func init() {
	Register(&Format{Name: "jsonl", Exts: []string{".jsonl", ".ndjson"}, Read: func(ctx context.Context, path string, data []byte) ([]Document, error) {
		return ReadRecords(ctx, path, data, DefaultFields)
	}})
	Register(&Format{Name: "json", Exts: []string{".json"}, Read: func(ctx context.Context, path string, data []byte) ([]Document, error) {
		return ReadRecords(ctx, path, data, DefaultFields)
	}})
}

// ReadRecords reads a JSON array of objects, a single object, or one
// object a line (JSONL; blank lines are skipped), whichever data holds,
// mapping fields by f. Each good record becomes a Document whose Record is
// its line (JSONL) or element number (array); the text is cleaned (see
// CleanText). Bad records are skipped and returned as *RecordErrors
// alongside the good documents, each naming path and the line it starts on.
func ReadRecords(ctx context.Context, path string, data []byte, f Fields) ([]Document, error) {
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	trimmed = bytes.TrimPrefix(trimmed, []byte("\ufeff"))
	if len(trimmed) > 0 && trimmed[0] == '[' {
		return readArray(ctx, path, data, f)
	}
	var docs []Document
	var errs RecordErrors
	line := 0
	for rest := data; len(rest) > 0; {
		if line%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		var l []byte
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			l, rest = rest[:i], rest[i+1:]
		} else {
			l, rest = rest, nil
		}
		line++
		if line == 1 {
			l = bytes.TrimPrefix(l, []byte("\ufeff"))
		}
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		var rec map[string]any
		dec := json.NewDecoder(bytes.NewReader(l))
		dec.UseNumber()
		if err := dec.Decode(&rec); err != nil {
			// A pretty-printed single object spans lines: read it whole.
			if line == 1 && len(docs) == 0 {
				if d, ok := singleObject(path, trimmed, f); ok {
					return d, nil
				}
			}
			errs = append(errs, &RecordError{path, line, fmt.Errorf("not a JSON object: %v", jsonMsg(err))})
			continue
		}
		if dec.More() {
			errs = append(errs, &RecordError{path, line, errors.New("more than one JSON value on the line")})
			continue
		}
		d, err := document(rec, f)
		if err != nil {
			errs = append(errs, &RecordError{path, line, err})
			continue
		}
		d.Record, d.Line = line, line
		docs = append(docs, d)
	}
	return docs, errsOrNil(errs)
}

func singleObject(path string, data []byte, f Fields) ([]Document, bool) {
	var rec map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if dec.Decode(&rec) != nil || dec.More() {
		return nil, false
	}
	d, err := document(rec, f)
	if err != nil {
		return nil, false
	}
	d.Record, d.Line = 1, 1
	return []Document{d}, true
}

func readArray(ctx context.Context, path string, data []byte, f Fields) ([]Document, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil { // '['
		return nil, fmt.Errorf("%s: %v", path, jsonMsg(err))
	}
	var docs []Document
	var errs RecordErrors
	for n := 1; dec.More(); n++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		line := lineAt(data, dec.InputOffset())
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			// The array itself is broken: nothing after this point can be
			// read reliably.
			errs = append(errs, &RecordError{path, line, fmt.Errorf("element %d: %v (the rest of the file is skipped)", n, jsonMsg(err))})
			return docs, errsOrNil(errs)
		}
		var rec map[string]any
		rd := json.NewDecoder(bytes.NewReader(raw))
		rd.UseNumber()
		if err := rd.Decode(&rec); err != nil || rec == nil {
			errs = append(errs, &RecordError{path, line, fmt.Errorf("element %d: not a JSON object", n)})
			continue
		}
		d, err := document(rec, f)
		if err != nil {
			errs = append(errs, &RecordError{path, line, fmt.Errorf("element %d: %w", n, err)})
			continue
		}
		d.Record, d.Line = n, line
		docs = append(docs, d)
	}
	if _, err := dec.Token(); err != nil {
		errs = append(errs, &RecordError{path, lineAt(data, dec.InputOffset()), fmt.Errorf("the array is not closed: %v", jsonMsg(err))})
	}
	return docs, errsOrNil(errs)
}

// lineAt is the 1-based line of the first non-space byte at or after off.
func lineAt(data []byte, off int64) int {
	i := int(off)
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n' || data[i] == ',') {
		i++
	}
	return bytes.Count(data[:min(i, len(data))], []byte("\n")) + 1
}

func errsOrNil(errs RecordErrors) error {
	if len(errs) == 0 {
		return nil
	}
	return errs
}

func jsonMsg(err error) string {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return "unexpected end of JSON"
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

// document maps one record.
func document(rec map[string]any, f Fields) (Document, error) {
	if rec == nil {
		return Document{}, errors.New("not a JSON object (null)")
	}
	var d Document
	used := map[string]bool{}
	textKey, text, err := pick(rec, f.Text, used)
	if err != nil {
		return d, err
	}
	if textKey == "" {
		return d, fmt.Errorf("no text: none of the fields %s", strings.Join(f.Text, ", "))
	}
	d.Text = CleanText(text)
	if strings.TrimSpace(d.Text) == "" {
		return d, fmt.Errorf("field %q is empty", textKey)
	}
	if _, t, err := pick(rec, f.Title, used); err != nil {
		return d, err
	} else {
		d.Title = cleanTitle(t)
	}
	if _, u, err := pick(rec, f.URL, used); err != nil {
		return d, err
	} else {
		d.URL = strings.TrimSpace(u)
	}
	for _, k := range f.Year {
		v, ok := rec[k]
		if !ok {
			continue
		}
		used[k] = true
		y, err := recordYear(k, v)
		if err != nil {
			return d, err
		}
		if y != 0 {
			d.Year = y
			break
		}
	}
	if d.Year == 0 {
		d.Year = year.Of(d.Title, head(d.Text))
	}
	keys := make([]string, 0, len(rec))
	for k := range rec {
		if !used[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		if d.Meta == nil {
			d.Meta = map[string]string{}
		}
		d.Meta[k] = metaString(rec[k])
	}
	return d, nil
}

// pick returns the first of names present in rec with a string value;
// null counts as absent, any other type is an error naming the field.
func pick(rec map[string]any, names []string, used map[string]bool) (string, string, error) {
	for _, k := range names {
		v, ok := rec[k]
		if !ok {
			continue
		}
		used[k] = true
		switch v := v.(type) {
		case nil:
			continue
		case string:
			return k, v, nil
		default:
			return "", "", fmt.Errorf("field %q: want a string, got %s", k, typeName(v))
		}
	}
	return "", "", nil
}

// recordYear reads a year field: a number (2019), a string ("2019",
// "2023-03-05", "2019年") or null (unknown).
func recordYear(k string, v any) (int, error) {
	var s string
	switch v := v.(type) {
	case nil:
		return 0, nil
	case json.Number:
		s = v.String()
	case string:
		s = strings.TrimSpace(v)
		if s == "" {
			return 0, nil
		}
		if len(s) > 4 && s[4] != '-' && s[4] != '/' && s[4] != '.' && !strings.HasPrefix(s[4:], "年") {
			return 0, fmt.Errorf("field %q: %q is not a year or date", k, v)
		}
		if len(s) > 4 {
			s = s[:4]
		}
	default:
		return 0, fmt.Errorf("field %q: want a year (number or string), got %s", k, typeName(v))
	}
	y, err := strconv.Atoi(s)
	if err != nil || y < year.First || y > year.Last {
		return 0, fmt.Errorf("field %q: %v is not a year from %d to %d", k, v, year.First, year.Last)
	}
	return y, nil
}

func typeName(v any) string {
	switch v.(type) {
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	case string:
		return "a string"
	}
	return fmt.Sprintf("%T", v)
}

func metaString(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return v.String()
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// head is the first lines of a text, where a report states its date.
func head(s string) string {
	n := 0
	for i, r := range s {
		if r == '\n' {
			if n++; n > 40 {
				return s[:i]
			}
		}
	}
	return s
}

func cleanTitle(s string) string {
	s = CleanText(s)
	return strings.Join(strings.Fields(s), " ")
}

// zeroWidth are the invisible characters web pages leave in text: zero
// width space, non-joiner, joiner, word joiner, byte order mark. None
// carries meaning in Chinese text.
func zeroWidth(r rune) bool {
	return r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\u2060' || r == '\ufeff'
}

// CleanText removes what a web page's markup leaves in its text without
// touching the text itself:
//   - zero-width characters (a line holding only them is dropped with its
//     line break, so "规则。\n\u200b\n强化" does not become a paragraph
//     break);
//   - a single line break between two characters that belong together:
//     two CJK characters or CJK punctuation ("新建改建\n高速公路\n6700多公里"),
//     or two Latin letters or digits ("PM\n2.5") — what a link or span
//     boundary leaves. A line break after a sentence end (。！？；：) and
//     a blank line (a paragraph break) are kept, as is every character:
//     traditional characters, full-width spaces, Latin words with a space.
//
// "\r\n" is read as "\n".
func CleanText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	lines := strings.Split(s, "\n")
	kept := lines[:0]
	for i, l := range lines {
		if strings.IndexFunc(l, zeroWidth) >= 0 {
			l = strings.Map(func(r rune) rune {
				if zeroWidth(r) {
					return -1
				}
				return r
			}, l)
			if strings.TrimSpace(l) == "" && i > 0 && i < len(lines)-1 && lines[i-1] != "" && lines[i+1] != "" {
				// "a\n\u200b\nb": the line was a markup artifact.
				continue
			}
		}
		kept = append(kept, l)
	}
	var b strings.Builder
	b.Grow(len(s))
	for i, l := range kept {
		if i > 0 {
			prev := kept[i-1]
			if !(l != "" && prev != "" && joins(lastRune(prev), firstRune(l))) {
				b.WriteByte('\n')
			}
		}
		b.WriteString(l)
	}
	return b.String()
}

func lastRune(s string) rune  { r, _ := utf8.DecodeLastRuneInString(s); return r }
func firstRune(s string) rune { r, _ := utf8.DecodeRuneInString(s); return r }

// joins says whether a single line break between a and b is an artifact.
func joins(a, b rune) bool {
	if strings.ContainsRune("。！？；：!?;:", a) {
		return false
	}
	cjk := func(r rune) bool {
		return unicode.Is(unicode.Han, r) || (r >= 0x3001 && r <= 0x303f) || (r >= 0xff01 && r <= 0xff5e && !unicode.IsSpace(r)) || strings.ContainsRune("“”‘’…—·", r)
	}
	alnum := func(r rune) bool {
		return r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '%')
	}
	switch {
	case cjk(a) && (cjk(b) || alnum(b)), alnum(a) && cjk(b):
		return true
	case alnum(a) && alnum(b):
		// "PM\n2.5", "M\n2"; but two English words stay apart.
		return unicode.IsDigit(a) || unicode.IsDigit(b)
	}
	return false
}
