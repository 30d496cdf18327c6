package extract

import (
	"bytes"
	"encoding/xml"
	"io"
	"sort"
	"strconv"
	"strings"
)

// pdfWord is one <word> of pdftotext -bbox: its text and box in points,
// y growing down the page.
type pdfWord struct {
	text           string
	x0, y0, x1, y1 float64
}

// pdfLine is the words printed on one line of a column.
type pdfLine struct {
	text           string
	x0, y0, x1, y1 float64
}

// parseBBox reads pdftotext -bbox output into pages of lines, in the order
// the words came. A word joins the line before when it sits at the same
// height and does not start left of where the line began (a kerned-back
// punctuation mark is its own <word>, slightly left of the previous one's
// end); a gap of more than 7% of the box height (about a quarter em: box
// heights span the font's ascent and descent) between two words
// is a space (a Latin word break, or the space the text had between a
// Chinese character and a number).
func parseBBox(out []byte) ([][]pdfLine, error) {
	dec := xml.NewDecoder(bytes.NewReader(out))
	dec.Strict = false
	dec.AutoClose = xml.HTMLAutoClose
	dec.Entity = xml.HTMLEntity
	var pages [][]pdfLine
	var w *pdfWord
	var text strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "page":
				pages = append(pages, nil)
			case "word":
				w = &pdfWord{}
				for _, a := range t.Attr {
					v, _ := strconv.ParseFloat(a.Value, 64)
					switch a.Name.Local {
					case "xMin":
						w.x0 = v
					case "yMin":
						w.y0 = v
					case "xMax":
						w.x1 = v
					case "yMax":
						w.y1 = v
					}
				}
				text.Reset()
			}
		case xml.CharData:
			if w != nil {
				text.Write(t)
			}
		case xml.EndElement:
			if t.Name.Local == "word" && w != nil && len(pages) > 0 {
				w.text = strings.ToValidUTF8(text.String(), "\uFFFD")
				pages[len(pages)-1] = addWord(pages[len(pages)-1], *w)
				w = nil
			}
		}
	}
	return pages, nil
}

func addWord(lines []pdfLine, w pdfWord) []pdfLine {
	if w.text == "" {
		return lines
	}
	if n := len(lines); n > 0 {
		l := &lines[n-1]
		h := l.y1 - l.y0
		if abs(w.y0-l.y0) < h*0.3 && w.x0 >= l.x0 && w.x0 > l.x1-h {
			if w.x0-l.x1 > h*0.07 {
				l.text += " "
			}
			l.text += w.text
			l.x1 = max(l.x1, w.x1)
			l.y1 = max(l.y1, w.y1)
			return lines
		}
	}
	return append(lines, pdfLine(w))
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[len(s)/2]
}

// layoutDocument drops the page furniture and joins lines into paragraphs.
// A line starts a new paragraph when it is indented from its column's left
// edge, when the line before ended short of the column's right edge, or
// when a gap wider than the usual line pitch lies between them; otherwise
// it continues the paragraph (across a page break too). A heading after a
// full line is kept apart, and a Latin word hyphenated at a line end is
// joined.
func layoutDocument(pages [][]pdfLine) Document {
	// Furniture, from each page's lines top to bottom.
	texts := make([][]string, len(pages))
	orders := make([][]int, len(pages))
	for i, ls := range pages {
		ord := make([]int, len(ls))
		for j := range ord {
			ord[j] = j
		}
		sort.SliceStable(ord, func(a, b int) bool { return ls[ord[a]].y0 < ls[ord[b]].y0 })
		orders[i] = ord
		for _, j := range ord {
			texts[i] = append(texts[i], ls[j].text)
		}
	}
	drops := furniture(texts)
	body := make([][]pdfLine, len(pages))
	var ems, pitches []float64
	for i, ls := range pages {
		drop := map[int]bool{}
		for k := range drops[i] {
			drop[orders[i][k]] = true
		}
		for j, l := range ls {
			if drop[j] || strings.TrimSpace(l.text) == "" {
				continue
			}
			l.text = strings.TrimSpace(l.text)
			body[i] = append(body[i], l)
			if n := displayWidth(l.text); n >= 20 {
				ems = append(ems, (l.x1-l.x0)*2/float64(n))
			}
		}
		for j := 1; j < len(body[i]); j++ {
			if d := body[i][j].y0 - body[i][j-1].y0; d > 0 {
				pitches = append(pitches, d)
			}
		}
	}
	em := median(ems)
	if em <= 0 {
		em = 12
	}
	pitch := median(pitches)
	// Column edges: the left edges many lines share, and the right edge of
	// the lines starting there.
	var b strings.Builder
	starts := make([]int, len(pages))
	var prev *pdfLine
	var prevRight float64
	for i, ls := range body {
		lefts := map[int]int{}
		for _, l := range ls {
			lefts[int(l.x0/em*2)]++ // half-em buckets
		}
		// A line's column starts at the leftmost edge that three lines or
		// more share, no more than 6 em left of the line: an indented
		// first line's own edge is shared by the other first lines.
		leftOf := func(l pdfLine) float64 {
			best := l.x0
			for k, n := range lefts {
				if x := float64(k) * em / 2; n >= 3 && x < best && l.x0-x < 6*em {
					best = x
				}
			}
			return best
		}
		rightOf := func(left float64) float64 {
			r := 0.0
			for _, l := range ls {
				if abs(leftOf(l)-left) < em/2 {
					r = max(r, l.x1)
				}
			}
			return r
		}
		rights := map[float64]float64{}
		for j, l := range ls {
			left := leftOf(l)
			right, ok := rights[left]
			if !ok {
				right = rightOf(left)
				rights[left] = right
			}
			if j == 0 {
				starts[i] = b.Len()
			}
			if prev != nil {
				newPara := l.x0-left > em*0.8 || // indented (or centred)
					prev.x1 < prevRight-em*1.2 || // the line before ended short
					(j > 0 && l.y0 > prev.y0 && pitch > 0 && l.y0-prev.y0 > pitch*1.35) || // a gap
					(headingStart.MatchString(l.text) && endsSentence(b.String()))
				text := b.String()
				switch {
				case newPara:
					b.WriteString("\n\n")
				case strings.HasSuffix(text, "-") && len(text) >= 2 && isLatin(text[len(text)-2]) && l.text[0] >= 'a' && l.text[0] <= 'z':
					// "develop-\nment": the hyphen was the line's.
					b.Reset()
					b.WriteString(text[:len(text)-1])
				case isLatin(text[len(text)-1]) && isLatin(l.text[0]):
					b.WriteByte(' ')
				}
				if j == 0 {
					starts[i] = b.Len()
				}
			}
			b.WriteString(l.text)
			pl := l
			prev, prevRight = &pl, right
		}
		if len(ls) == 0 {
			starts[i] = b.Len()
		}
	}
	return Document{Text: b.String(), PageStarts: starts}
}
