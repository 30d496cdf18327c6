package server

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/reportsearch/reportsearch/retrieve"
	"github.com/reportsearch/reportsearch/store"
)

// handleReport answers GET /report?id=CHUNK. The query string is held to
// the document as strictly as bodies are: id once, and nothing else.
func (s *Server) handleReport(w http.ResponseWriter, r *http.Request) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		fail(w, http.StatusBadRequest, "", "query string could not be parsed: %v", err)
		return
	}
	for k := range q {
		if k != "id" {
			fail(w, http.StatusBadRequest, k, "unknown query parameter %q; GET /report takes id only", k)
			return
		}
	}
	ids := q["id"]
	switch {
	case len(ids) == 0:
		fail(w, http.StatusBadRequest, "id", "id is required: a chunk ID as /search returns it")
		return
	case len(ids) > 1:
		fail(w, http.StatusBadRequest, "id", "id is given %d times; give it once", len(ids))
		return
	case ids[0] == "":
		fail(w, http.StatusBadRequest, "id", "id is empty")
		return
	}
	ix := s.index.Load()
	v, ok := reportView(ix, ids[0])
	if !ok {
		fail(w, http.StatusNotFound, "id", "no chunk with ID %q in collection %s", ids[0], ix.Manifest.Name)
		return
	}
	writeJSON(w, 200, v)
}

// reportView gathers the report of chunk id; false when there is no such
// chunk.
func reportView(ix *retrieve.Index, id string) (ReportView, bool) {
	c, ok := ix.Chunk(id)
	if !ok {
		return ReportView{}, false
	}
	v := ReportView{Collection: ix.Manifest.Name, ID: id, Source: ix.Source(id), Outline: []OutlineEntry{}}
	key := store.ReportKey(c.File, c.ReportIndex)
	for _, rep := range ix.Reports() {
		if rep.Key == key {
			v.Report = rep
			break
		}
	}
	// Neighbours keeps to the report, so asking for as many as the whole
	// collection holds gives exactly the report.
	v.Chunks = ix.Neighbours(id, ix.Len(), ix.Len())
	var prev []string
	for i := range v.Chunks {
		ch := &v.Chunks[i]
		if ch.Headings == nil {
			ch.Headings = []string{}
		}
		// A heading starts an entry where the path up to it differs from
		// the previous chunk's.
		for l := range ch.Headings {
			if l < len(prev) && slices.Equal(prev[:l+1], ch.Headings[:l+1]) {
				continue
			}
			v.Outline = append(v.Outline, OutlineEntry{Heading: ch.Headings[l], Level: l + 1, ID: ch.ID})
		}
		prev = ch.Headings
	}
	return v, true
}
