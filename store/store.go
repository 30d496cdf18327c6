// Package store keeps a collection of chunks, their vectors and their lexical
// index on disk, and answers vector queries through chromem-go.
//
// chromem-go's own persistent mode writes one file per document named by 32
// bits of a hash, so at tens of thousands of chunks two IDs share a file and a
// document silently disappears on reload. A collection is therefore written as
// one checksummed snapshot file that replaces the previous one atomically
// (write to a temporary file, fsync, rename), and loaded into an in-memory
// chromem-go collection for search. A reader always sees one whole snapshot,
// old or new, never a mix; a crash mid-write leaves the previous snapshot.
//
// Invariants:
//   - A collection is one folder directly inside the data dir, named by a
//     name that passes ValidateName (Dir refuses any other): no name
//     reaches outside the data dir. A collection's name is its folder's
//     name; a copied folder is a collection of its own.
//   - A snapshot is read only when it is a regular file, and never more of
//     it than its size (ErrNotRegular, ErrCorrupt otherwise, with the path).
//     Nothing here deletes a damaged snapshot: MoveAsideDamaged renames it.
//   - The manifest sits in a header of its own (format.go), so describing
//     a collection (ReadManifest, List) reads a few hundred bytes, not the
//     chunks and vectors.
package store

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/reportsearch/reportsearch/schema"
)

// FormatVersion is the snapshot format Save writes (see format.go for the
// byte layout). Version 1 files are still read, and rewritten as version 2 by
// the next Save; a file of an unknown version is refused as corrupted.
//
// The version must change when the encoding does: adding a field to a type
// the snapshot gob-encodes (package schema's Manifest, Record, Chunk,
// ModelInfo, ...) is compatible and needs no bump (gob decodes older files with the
// field at its zero value; older binaries ignore it), while removing,
// renaming or retyping one needs a bump and a migration or a compatible
// reader. TestFormatFields enforces this against testdata/format_fields.txt.
const FormatVersion = 2

// SnapshotName is the file name of a collection's snapshot inside its folder.
const SnapshotName = "snapshot.rsdb"

// ErrCorrupt is returned (wrapped, with the file name) when a snapshot does
// not pass its checksum or cannot be decoded.
var ErrCorrupt = errors.New("store snapshot is corrupted")

// Manifest says what a collection holds and what made its vectors (see
// schema.Manifest).
type Manifest = schema.Manifest

// Record is a chunk as stored: the chunk, where it came from and its
// vector (see schema.Record).
type Record = schema.Record

// Snapshot is everything a collection stores, as one unit.
type Snapshot struct {
	Manifest Manifest
	Records  []Record
	// Lexical is the encoded lexical index over Records (see package lexical);
	// it lives in the same file so the two can never disagree.
	Lexical []byte
}

// Embedded counts the records that have a vector. (Manifest.Embedded is
// this count as of the last Save; records gain vectors in between.)
func (s *Snapshot) Embedded() int {
	n := 0
	for i := range s.Records {
		if s.Records[i].Vector != nil {
			n++
		}
	}
	return n
}

// Load reads a collection's snapshot. A missing snapshot is
// os.ErrNotExist; a damaged one (see IsDamaged) names the file and what is
// wrong. The manifest's Name is the folder's name: a collection is what its
// folder holds, whatever name it was written under (a copied folder is a
// collection of its own).
func Load(dir string) (*Snapshot, error) {
	path := filepath.Join(dir, SnapshotName)
	f, size, err := openSnapshot(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// The size is the regular file's, taken after opening it: what is read
	// is bounded by it, never by a length field.
	data := make([]byte, size)
	if _, err := io.ReadFull(f, data); err != nil {
		return nil, fmt.Errorf("%s: %w: reading: %v", path, ErrCorrupt, err)
	}
	snap, err := decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %v", path, ErrCorrupt, err)
	}
	snap.Manifest.Name = filepath.Base(dir)
	return snap, nil
}

// ReadManifest reads only what is needed to describe a collection: the
// header of a version 2 snapshot, verified by its own checksum (a manifest
// from a damaged header would mislead) and by the file's size. A version 1
// snapshot has no separate header and is decoded whole. Name is the
// folder's name, as in Load.
func ReadManifest(dir string) (Manifest, error) { return readManifest(dir, false) }

// Check reads the manifest (as ReadManifest) and verifies the checksum of
// the whole file by streaming it, without decoding chunks or vectors: a
// truncated or altered snapshot is found in memory that does not grow with
// the file. A file whose checksum matches but whose body does not decode
// (a writer's bug rather than damage on disk) is only found by Load.
func Check(dir string) (Manifest, error) { return readManifest(dir, true) }

func readManifest(dir string, verify bool) (Manifest, error) {
	path := filepath.Join(dir, SnapshotName)
	f, size, err := openSnapshot(path)
	if err != nil {
		return Manifest{}, err
	}
	defer f.Close()
	corrupt := func(format string, a ...any) error {
		return fmt.Errorf("%s: %w: %s", path, ErrCorrupt, fmt.Sprintf(format, a...))
	}
	h := sha256.New()
	var r io.Reader = f
	if verify {
		r = io.TeeReader(f, h)
	}
	head := make([]byte, magicLen)
	if _, err := io.ReadFull(r, head); err != nil {
		return Manifest{}, corrupt("file is %d bytes, too short to be a snapshot", size)
	}
	v, err := formatVersion(head)
	if err != nil {
		return Manifest{}, corrupt("%v", err)
	}
	if v == 1 {
		f.Close()
		s, err := Load(dir) // checks the checksum too
		if err != nil {
			return Manifest{}, err
		}
		return s.Manifest, nil
	}
	m, hdrLen, err := readHeader(io.MultiReader(bytes.NewReader(head), r), size)
	if err != nil {
		return Manifest{}, corrupt("%v", err)
	}
	m.Name = filepath.Base(dir)
	if !verify {
		return m, nil
	}
	// readHeader has read the body length too; readHeader checked that
	// the lengths add up to size.
	_, err = io.CopyN(h, f, size-sumSize-(hdrLen+8))
	want := make([]byte, sumSize)
	if err == nil {
		_, err = io.ReadFull(f, want)
	}
	if err != nil {
		return Manifest{}, corrupt("reading: %v", err)
	}
	if !bytes.Equal(h.Sum(nil), want) {
		return Manifest{}, corrupt("checksum mismatch (the file was truncated or altered)")
	}
	return m, nil
}

// Save writes the snapshot atomically into dir, creating dir if needed. The
// manifest's counts are filled in from the records. It always writes the
// current FormatVersion.
func Save(dir string, s *Snapshot) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	s.Manifest.Chunks = len(s.Records)
	s.Manifest.Embedded = s.Embedded()
	s.Manifest.Files, s.Manifest.Reports = CountFilesReports(s.Records)
	data, err := encode(s)
	if err != nil {
		return err
	}

	tmp, err := os.CreateTemp(dir, ".snapshot-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	w := bufio.NewWriterSize(tmp, 1<<20)
	_, err = w.Write(data)
	if err == nil {
		err = w.Flush()
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing snapshot in %s: %w", dir, err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dir, SnapshotName)); err != nil {
		return err
	}
	// The rename is durable only once the folder itself is synced.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// CountFilesReports counts the distinct files and reports (a file's
// reports are told apart by ReportIndex) of records.
func CountFilesReports(recs []Record) (files, reports int) {
	type report struct {
		file string
		n    int
	}
	fs, rs := map[string]struct{}{}, map[report]struct{}{}
	for i := range recs {
		fs[recs[i].File] = struct{}{}
		rs[report{recs[i].File, recs[i].ReportIndex}] = struct{}{}
	}
	return len(fs), len(rs)
}

// Info describes one stored collection.
type Info struct {
	// Name is the folder's name, Dir its path.
	Name     string
	Dir      string
	Manifest Manifest
	Err      error // set when the snapshot could not be read
}

// List returns the collections in dataDir, most recently updated first: the
// folders holding a snapshot entry of any kind. Unreadable ones are listed
// with Err set (a damaged snapshot, a snapshot that is a link, a folder
// whose name is not a valid collection name), so `status` can show them;
// only a folder with no snapshot at all is left out. Only manifests are
// read, so listing costs little however large the collections are.
func List(dataDir string) ([]Info, error) {
	entries, err := os.ReadDir(dataDir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Info
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		dir := filepath.Join(dataDir, e.Name())
		// Lstat: a dangling link is damage to report, not an empty folder.
		if _, err := os.Lstat(filepath.Join(dir, SnapshotName)); err != nil {
			continue
		}
		in := Info{Name: e.Name(), Dir: dir}
		if in.Err = ValidateName(e.Name()); in.Err == nil {
			in.Manifest, in.Err = ReadManifest(dir)
		}
		out = append(out, in)
	}
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].Manifest.Updated.After(out[j].Manifest.Updated)
	})
	return out, nil
}

// maxModelPart bounds the model's share of a derived collection name, so
// that CollectionName always passes ValidateName.
const maxModelPart = 150

// CollectionName names the collection for a model and chunker fingerprint:
// readable, distinct for different settings, and always a valid name
// (ValidateName): ASCII letters, digits, '-', '.', '_', starting with
// neither '.' nor '-', at most maxModelPart+10 bytes.
func CollectionName(model, chunker string) string {
	if model == "" {
		model = "lexical"
	}
	var b strings.Builder
	for _, r := range strings.ToLower(model) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case (r == '-' || r == '.') && b.Len() > 0:
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	m := b.String()
	if len(m) > maxModelPart {
		// Distinct long names stay distinct: the cut is replaced by a hash
		// of the whole.
		sum := sha256.Sum256([]byte(model))
		m = fmt.Sprintf("%s_%x", m[:maxModelPart-9], sum[:4])
	}
	sum := sha256.Sum256([]byte(chunker))
	return fmt.Sprintf("%s--%x", m, sum[:4])
}
