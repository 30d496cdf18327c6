package extract

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// DOCX files are zip archives of XML (ECMA-376): word/document.xml holds the
// paragraphs (w:p) with their style (w:pStyle), word/styles.xml says which
// styles are headings. Both are read with archive/zip and encoding/xml.
//
// A zip bomb cannot exhaust memory: the archive may hold at most
// DOCXMaxEntries entries, and each XML part read is refused when its
// declared size, or the bytes it actually inflates to, pass DOCXMaxXML.

// DOCXMaxXML caps the inflated size of each XML part read; the document.xml
// of a long report is a few MB. A variable for tests.
var DOCXMaxXML int64 = 64 << 20

// DOCXMaxEntries caps the number of entries in the archive.
const DOCXMaxEntries = 10000

func init() {
	Register(&Format{Name: "docx", Exts: []string{".docx"}, Read: readDOCX})
}

func readDOCX(ctx context.Context, path string, data []byte) ([]Document, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("docx: %s: not a Word document (zip: %v)", path, err)
	}
	if len(zr.File) > DOCXMaxEntries {
		return nil, fmt.Errorf("docx: %s: %d entries in the archive, over the limit of %d (a zip bomb?)", path, len(zr.File), DOCXMaxEntries)
	}
	part := func(name string) ([]byte, error) {
		for _, f := range zr.File {
			if f.Name != name {
				continue
			}
			if f.UncompressedSize64 > uint64(DOCXMaxXML) {
				return nil, fmt.Errorf("docx: %s: %s declares %d bytes, over the limit of %d (a zip bomb?)", path, name, f.UncompressedSize64, DOCXMaxXML)
			}
			rc, err := f.Open()
			if err != nil {
				return nil, fmt.Errorf("docx: %s: %s: %w", path, name, err)
			}
			defer rc.Close()
			b, err := io.ReadAll(io.LimitReader(rc, DOCXMaxXML+1))
			if errors.Is(err, zip.ErrFormat) {
				// archive/zip stops a part at the size it declares, with
				// ErrFormat: a crafted bomb is refused after at most that
				// many bytes. Say what it means.
				return nil, fmt.Errorf("docx: %s: %s inflates past the %d bytes it declares (a zip bomb?)", path, name, f.UncompressedSize64)
			}
			if err != nil {
				return nil, fmt.Errorf("docx: %s: %s: %w", path, name, err)
			}
			// Not reached with archive/zip (see above); kept in case the
			// reader changes, since the cap is what bounds memory.
			if int64(len(b)) > DOCXMaxXML {
				return nil, fmt.Errorf("docx: %s: %s inflates past %d bytes though it declares %d (a zip bomb?)", path, name, DOCXMaxXML, f.UncompressedSize64)
			}
			return b, nil
		}
		return nil, nil
	}
	body, err := part("word/document.xml")
	if err != nil {
		return nil, err
	}
	if body == nil {
		return nil, fmt.Errorf("docx: %s: no word/document.xml in the archive: not a Word document", path)
	}
	styles, err := part("word/styles.xml")
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	levels, err := headingStyles(styles)
	if err != nil {
		return nil, fmt.Errorf("docx: %s: word/styles.xml: %w", path, err)
	}
	doc, err := docxDocument(body, levels)
	if err != nil {
		return nil, fmt.Errorf("docx: %s: word/document.xml: %w", path, err)
	}
	if strings.TrimSpace(doc.Text) == "" {
		return nil, fmt.Errorf("docx: %s: %w: the document has no text", path, ErrNoText)
	}
	return []Document{doc}, nil
}

// headingName: the built-in heading styles by name, in English and in the
// Chinese of WPS and Word's Chinese edition ("标题 1").
var headingName = regexp.MustCompile(`(?i)^(?:heading|标题)\s*([1-9])$`)

// headingStyles maps the style IDs that are headings to their level (1..9),
// and a title style to 0.
func headingStyles(data []byte) (map[string]int, error) {
	levels := map[string]int{}
	if data == nil {
		return levels, nil
	}
	type style struct {
		ID      string `xml:"styleId,attr"`
		Name    val    `xml:"name"`
		Outline *val   `xml:"pPr>outlineLvl"`
	}
	var doc struct {
		Styles []style `xml:"style"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	for _, s := range doc.Styles {
		switch m := headingName.FindStringSubmatch(s.Name.Val); {
		case m != nil:
			levels[s.ID], _ = strconv.Atoi(m[1])
		case strings.EqualFold(s.Name.Val, "title") || s.Name.Val == "标题":
			levels[s.ID] = 0
		case s.Outline != nil:
			if n, err := strconv.Atoi(s.Outline.Val); err == nil && n < 9 {
				levels[s.ID] = n + 1
			}
		}
	}
	return levels, nil
}

type val struct {
	Val string `xml:"val,attr"`
}

// docxDocument reads the paragraphs of document.xml: a heading paragraph
// becomes a Markdown heading line ("## …", which the chunker takes as a
// heading and strips), the title the Document's Title and first line, a
// table row its cells joined by " | ", and every other paragraph a
// paragraph of its own.
func docxDocument(data []byte, levels map[string]int) (Document, error) {
	var d Document
	var paras []string
	dec := xml.NewDecoder(bytes.NewReader(data))
	var (
		cur       strings.Builder
		style     string
		inText    bool
		tableDeep int
		cells     []string
	)
	endPara := func() {
		t := strings.TrimSpace(cur.String())
		cur.Reset()
		st := style
		style = ""
		if tableDeep > 0 {
			if t != "" { // nested tables go into the outer cell
				if len(cells) == 0 {
					cells = append(cells, "")
				}
				if cells[len(cells)-1] != "" {
					cells[len(cells)-1] += " " // a cell's paragraphs
				}
				cells[len(cells)-1] += t
			}
			return
		}
		if t == "" {
			return
		}
		if lvl, ok := levels[st]; ok {
			if lvl == 0 {
				if d.Title == "" {
					d.Title = t
				}
				paras = append(paras, t)
				return
			}
			t = strings.Repeat("#", min(lvl, 6)) + " " + t
		}
		paras = append(paras, t)
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return d, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "p":
				cur.Reset()
				style = ""
			case "pStyle":
				for _, a := range t.Attr {
					if a.Name.Local == "val" {
						style = a.Value
					}
				}
			case "t":
				inText = true
			case "tab":
				cur.WriteString(" ")
			case "br", "cr":
				cur.WriteString("\n")
			case "tbl":
				tableDeep++
			case "tc":
				if tableDeep == 1 {
					cells = append(cells, "")
				}
			case "tr":
				if tableDeep == 1 {
					cells = cells[:0]
				}
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "t":
				inText = false
			case "p":
				endPara()
			case "tr":
				if tableDeep == 1 {
					row := strings.Join(cells, " | ")
					if strings.Trim(row, " |") != "" {
						paras = append(paras, row)
					}
					cells = cells[:0]
				}
			case "tbl":
				tableDeep--
			}
		case xml.CharData:
			if inText {
				cur.Write(t)
			}
		}
	}
	d.Text = strings.Join(paras, "\n\n")
	return d, nil
}
