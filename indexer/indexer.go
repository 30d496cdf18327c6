// Package indexer brings a stored collection up to date with its sources:
// it chunks files, keeps the vectors of chunks whose text is unchanged,
// deletes chunks whose source is gone, and embeds the rest in batches.
//
// The order of work is what makes interruption safe. The new set of chunks
// and its lexical index are saved first (chunks still to embed have no
// vector), then vectors are added and saved at checkpoints. At any moment the
// snapshot on disk is a whole, searchable collection, and the next run
// re-embeds nothing that a checkpoint saved. A cancelled context stops every
// phase (walking, reading, chunking, loading, the lexical build) within a
// moment; a cancellation seen before the first save leaves the snapshot on
// disk untouched (ErrNothingSaved).
//
// Every source file has a key that no other source in the collection shares
// (see keys.go); chunk IDs and report keys are built on it, so two files
// with the same name in different folders are cited apart. A stored file
// keeps its key across runs.
//
// Vectors are reused by the hash of the text embedded, never by ID, and a
// run never saves fewer valid vectors for the same chunks than it found:
// --rebuild reuses the old snapshot's vectors too, and a run that cannot
// embed keeps the collection's model rather than dropping its vectors.
package indexer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/reportsearch/reportsearch/chunk"
	"github.com/reportsearch/reportsearch/embed"
	"github.com/reportsearch/reportsearch/extract"
	"github.com/reportsearch/reportsearch/lexical"
	"github.com/reportsearch/reportsearch/store"
)

// DefaultLexical is the lexical tokenizer used unless told otherwise; see
// the README's tokenizer comparison for the measurement behind it.
const DefaultLexical = lexical.NameBigramUnigram

// Config says where and how to index.
type Config struct {
	// Dir is the collection's folder (store.Dir(dataDir, name)).
	Dir     string
	Options chunk.Options
	// ContextHeader puts the report title and heading path before a chunk's
	// text when embedding it, so a paragraph that never names its province
	// still carries it.
	ContextHeader bool
	// Lexical is the tokenizer name of the lexical index.
	Lexical string
	// Group is how many texts are handed to the embedder at once (it batches
	// and parallelises inside); progress, checkpoints and cancellation act
	// between groups, and an interrupted group's vectors are lost, so the
	// default (32) is one Ollama batch.
	Group int
	// Checkpoint is how often embedded vectors are saved.
	Checkpoint time.Duration
	// Rebuild replaces the stored snapshot instead of updating it, e.g. a
	// corrupted one or one chunked by other rules: stored chunks outside
	// this run are dropped and file keys are assigned afresh. Vectors of the
	// old snapshot are still reused by text hash when it can be read, so a
	// rebuild re-embeds only what changed, and a rebuild cut short leaves
	// every vector it could prove valid.
	Rebuild bool
	// Progress receives a progress bar on a terminal, a line every few
	// seconds elsewhere (package progress); Log receives warnings such as
	// files that could not be read.
	Progress io.Writer
	Log      io.Writer
	// Trace, when set, receives a line as each phase begins (index --verbose).
	Trace io.Writer

	// save writes a snapshot; nil means store.Save. A seam for tests of
	// failed saves (a full disk).
	save func(dir string, s *store.Snapshot) error
}

// Stats reports what a run did.
//
// Saved tells whether the run wrote the collection at all: when it is false
// the collection on disk is as it was before (the run failed before its
// first save) and the other counts describe only what was planned. When a
// save fails after an earlier one succeeded, Chunks, Embedded and Pending
// describe the last snapshot saved, which is what the next run starts from.
type Stats struct {
	Saved        bool          `json:"saved"`
	Files        int           `json:"files"`
	FileErrors   []string      `json:"file_errors,omitempty"`
	Chunks       int           `json:"chunks"`
	Added        int           `json:"added"`
	Removed      int           `json:"removed"`
	Reused       int           `json:"reused"`
	Embedded     int           `json:"embedded"`
	Pending      int           `json:"pending"`
	Failed       []string      `json:"failed,omitempty"`
	EmbedSeconds float64       `json:"embed_seconds"`
	EmbedRunes   int           `json:"embed_runes"`
	Elapsed      time.Duration `json:"-"`
	LexicalOnly  bool          `json:"lexical_only"`
}

// Set is the chunks a run should leave in the collection.
type Set struct {
	Records []store.Record
	// Roots are absolute paths the run covered: stored chunks from a source
	// under a root that the run did not produce are deleted.
	Roots []string
	// Unreadable sources keep their stored chunks: a file that failed to read
	// this time is not a file that is gone.
	Unreadable map[string]bool
	Errors     []string
	// TooLarge counts the files skipped for being over the size limit;
	// NoExtractor those skipped because the program their format needs is
	// not installed (extract.ErrNoExtractor).
	TooLarge, NoExtractor int
	// Unsupported lists the files found in folders whose extension no
	// reader handles (a .doc, a .xls); they are named in Errors too, in one
	// line per run.
	Unsupported []string
}

// ReadOptions say which files ReadFilesWith reads and how they are chunked.
type ReadOptions struct {
	Chunk chunk.Options
	// FollowSymlinks follows links that leave the folder named (see
	// chunk.WalkOptions); by default they are skipped and named.
	FollowSymlinks bool
	// MaxFileSize is the largest file read, in bytes; larger ones are
	// skipped and named. 0 means chunk.DefaultMaxFileSize.
	MaxFileSize int64
	// Trace, when set, receives a line as each path is walked and each file
	// is read (index --verbose).
	Trace io.Writer
}

// ReadFiles is ReadFilesWith with default ReadOptions and chunk options opt.
func ReadFiles(ctx context.Context, paths []string, opt chunk.Options) (*Set, error) {
	return ReadFilesWith(ctx, paths, ReadOptions{Chunk: opt})
}

// ReadFilesWith walks paths and chunks every .txt and .md file. A file that
// cannot be read or decoded is reported in Set.Errors and the rest go on;
// so are links out of a folder, files that are not regular files and files
// over the size limit. When ctx is done it stops between files (or inside
// a long one) and returns ctx.Err().
func ReadFilesWith(ctx context.Context, paths []string, ro ReadOptions) (*Set, error) {
	set := &Set{Unreadable: map[string]bool{}}
	trace := func(format string, args ...any) {
		if ro.Trace != nil {
			fmt.Fprintf(ro.Trace, format+"\n", args...)
		}
	}
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, err
		}
		info, err := os.Stat(abs)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		set.Roots = append(set.Roots, abs)
		wo := chunk.WalkOptions{
			FollowSymlinks: ro.FollowSymlinks,
			Collect:        func(name string) bool { return extract.ForPath(name) != nil },
			OnUnsupported:  func(path string) { set.Unsupported = append(set.Unsupported, path) },
		}
		if ro.Trace != nil {
			wo.OnDir = func(dir string) { trace("walking %s", dir) }
		}
		files, errs, err := chunk.Walk(ctx, []string{abs}, wo)
		// A file found in a folder is read only if it is still inside it
		// (it may have become a link since the walk); a file named is read
		// wherever it is.
		root := ""
		if info.IsDir() && !ro.FollowSymlinks {
			root, _ = filepath.EvalSymlinks(abs)
		}
		for _, e := range errs {
			set.Errors = append(set.Errors, e.Error())
		}
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			rel := filepath.Base(f)
			if info.IsDir() {
				if r, err := filepath.Rel(abs, f); err == nil {
					rel = filepath.ToSlash(r)
				}
			}
			trace("reading %s", f)
			chunks, err := fileChunks(ctx, f, root, rel, ro)
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			var recErrs extract.RecordErrors
			if err != nil && errors.As(err, &recErrs) && len(chunks) > 0 {
				// Some records of a multi-document file were bad: each
				// is named, and the good ones are indexed.
				for _, re := range recErrs {
					set.Errors = append(set.Errors, re.Error())
				}
				err = nil
			}
			if err != nil {
				set.Errors = append(set.Errors, err.Error())
				set.Unreadable[f] = true
				switch {
				case errors.Is(err, chunk.ErrTooLarge):
					set.TooLarge++
				case errors.Is(err, extract.ErrNoExtractor):
					set.NoExtractor++
				}
				continue
			}
			for _, c := range chunks {
				set.Records = append(set.Records, store.Record{Chunk: c, Source: f})
			}
		}
	}
	if len(set.Unsupported) > 0 {
		set.Errors = append(set.Errors, unsupportedLine(set.Unsupported))
	}
	return set, nil
}

// unsupportedLine names, in one line, the files a folder walk passed over
// for their extension: "3 files with unsupported extensions (.doc, .xls):
// a.doc, b.doc, c.xls" (the names capped, the extensions all listed).
func unsupportedLine(paths []string) string {
	seen := map[string]bool{}
	var exts []string
	for _, p := range paths {
		e := strings.ToLower(filepath.Ext(p))
		if e == "" {
			e = "no extension"
		}
		if !seen[e] {
			seen[e] = true
			exts = append(exts, e)
		}
	}
	sort.Strings(exts)
	what := "1 file with an unsupported extension"
	if len(paths) > 1 {
		what = fmt.Sprintf("%d files with unsupported extensions", len(paths))
	}
	names := paths
	more := ""
	if len(names) > 5 {
		names, more = names[:5], fmt.Sprintf(" and %d more", len(paths)-5)
	}
	return fmt.Sprintf("%s (%s; readable: .txt .md %s): %s%s", what, strings.Join(exts, ", "),
		strings.Join(extract.Exts(), " "), strings.Join(names, ", "), more)
}

// fileChunks reads and chunks one file: .txt/.md (and any file named
// whose extension no format claims) as text, decoded by chunk; a registered
// format's file through its extract.Format, each Document chunked apart.
func fileChunks(ctx context.Context, path, root, name string, ro ReadOptions) ([]chunk.Chunk, error) {
	f := extract.ForPath(path)
	if f == nil {
		text, _, err := chunk.ReadFileWithin(path, root, ro.MaxFileSize)
		if err != nil {
			return nil, err
		}
		return chunk.SplitContext(ctx, name, text, ro.Chunk)
	}
	data, err := chunk.ReadBytesWithin(path, root, ro.MaxFileSize)
	if err != nil {
		return nil, err
	}
	docs, rerr := f.Read(ctx, path, data)
	var recErrs extract.RecordErrors
	if rerr != nil && !errors.As(rerr, &recErrs) {
		return nil, rerr
	}
	if len(docs) == 0 && rerr != nil {
		return nil, rerr
	}
	out, err := docChunks(ctx, name, docs, ro.Chunk)
	if err != nil {
		return nil, err
	}
	if rerr != nil {
		// The good documents are indexed; the bad records are named. A
		// multi-document file with bad records is reported by the caller
		// like any unreadable file would be, but keeps what was read.
		return out, rerr
	}
	return out, nil
}

// docChunks chunks the documents of one file. A single document is chunked
// like a text file (its IDs are the same); in a file of several, the
// reports of each document are numbered on from the previous document's, so
// IDs stay unique within the file. Every chunk gets the document's page
// range, year and URL; a chunk whose report title the chunker could not
// find (it fell back to the file name) takes the document's title.
func docChunks(ctx context.Context, name string, docs []extract.Document, opt chunk.Options) ([]chunk.Chunk, error) {
	var out []chunk.Chunk
	stem := strings.TrimSuffix(path.Base(name), path.Ext(name))
	base := 0
	for _, d := range docs {
		cs, err := chunk.SplitContext(ctx, name, d.Text, opt)
		if err != nil {
			return nil, err
		}
		next := base
		for i := range cs {
			c := &cs[i]
			if d.Title != "" && c.Report == stem {
				c.Report = d.Title
			}
			if len(docs) > 1 {
				c.ReportIndex += base
				c.ID = fmt.Sprintf("%s#%d.%d", name, c.ReportIndex, c.Paragraph)
				if c.Part > 0 {
					c.ID += fmt.Sprintf(".%d", c.Part)
				}
			}
			next = max(next, c.ReportIndex+1)
			c.Page, c.PageEnd = pageOf(d.PageStarts, c.Start), pageOf(d.PageStarts, max(c.Start, c.End-1))
			c.Year, c.URL = d.Year, d.URL
			if d.Line > 0 {
				c.Line = d.Line // the record's line: its content's lines are not the file's
			}
		}
		base = next
		out = append(out, cs...)
	}
	return out, nil
}

// pageOf is the 1-based page holding byte offset at, given where each page
// starts; 0 when there are no pages.
func pageOf(starts []int, at int) int {
	if len(starts) == 0 {
		return 0
	}
	// The last page whose start is at or before at.
	return max(1, sort.SearchInts(starts, at+1))
}

// EmbedText is what is embedded for a chunk.
func EmbedText(c *chunk.Chunk, header bool) string {
	if !header {
		return c.Text
	}
	var b strings.Builder
	b.WriteString(c.Report)
	for _, h := range c.Headings {
		b.WriteString(" ")
		b.WriteString(h)
	}
	b.WriteString("\n")
	b.WriteString(c.Text)
	return b.String()
}

// LexicalText is what the lexical index sees for a chunk: the text with its
// report title and headings, which name the province and topic that the
// paragraph itself often leaves out.
func LexicalText(c *chunk.Chunk) string { return EmbedText(c, true) }

func hashOf(model embed.ModelInfo, text string) string {
	h := sha256.New()
	// The document prefix and text form change what the model sees, so they
	// are part of the identity of a vector.
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00", model.DocumentPrefix, model.TextForm, text)
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// ErrInterrupted is returned when the context was cancelled; what was embedded
// before has been saved.
var ErrInterrupted = errors.New("indexing interrupted")

// ErrNothingSaved wraps ErrInterrupted when the run was cancelled before it
// began to save: the stored collection is exactly as it was.
var ErrNothingSaved = fmt.Errorf("%w before anything was saved", ErrInterrupted)

// interrupted is the error for a cancellation seen in a phase before the
// first save.
func interrupted(phase string) error {
	return fmt.Errorf("%w (while %s)", ErrNothingSaved, phase)
}

func countSources(set *Set) int {
	m := map[string]bool{}
	for _, r := range set.Records {
		m[r.Source] = true
	}
	return len(m) + len(set.Unreadable)
}

func underAny(path string, roots []string) bool {
	for _, r := range roots {
		if path == r || strings.HasPrefix(path, r+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// UnfinishedError is an index run that stopped on an error (not an
// interruption) after saving what it had embedded: running it again embeds
// only the Pending chunks. The command says how to run it again.
type UnfinishedError struct {
	Err               error
	Embedded, Pending int
}

func (e *UnfinishedError) Error() string {
	return fmt.Sprintf("%v; the %d chunks embedded so far are saved and %d are pending", e.Err, e.Embedded, e.Pending)
}

func (e *UnfinishedError) Unwrap() error { return e.Err }
