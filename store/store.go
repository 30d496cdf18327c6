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
package store

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/reportsearch/reportsearch/chunk"
	"github.com/reportsearch/reportsearch/embed"
)

// FormatVersion is written into every snapshot; a snapshot of another
// version is refused with a message saying how to rebuild.
const FormatVersion = 1

// SnapshotName is the file name of a collection's snapshot inside its folder.
const SnapshotName = "snapshot.rsdb"

var magic = []byte("RSDB\x00\x01\n")

// ErrCorrupt is returned (wrapped, with the file name) when a snapshot does
// not pass its checksum or cannot be decoded.
var ErrCorrupt = errors.New("store snapshot is corrupted")

// Manifest says what a collection holds and what made its vectors. Vectors are
// only comparable with query vectors from the same model, prefixes and text
// form, so any change there means re-embedding.
type Manifest struct {
	Name string `json:"name"`
	// Model is empty (Name "") for a collection indexed without a model.
	Model embed.ModelInfo `json:"model"`
	// Chunker is chunk.Fingerprint of the options used; Options are kept to
	// re-chunk the same way.
	Chunker string        `json:"chunker"`
	Options chunk.Options `json:"options"`
	// Embedding input settings that are part of the vector's meaning.
	ContextHeader bool `json:"context_header"`
	// Lexical names the tokenizer of the stored lexical index.
	Lexical string `json:"lexical"`
	// Complete is false for a checkpoint written while an index run was still
	// embedding: search works on it, the next index finishes it.
	Complete bool      `json:"complete"`
	Updated  time.Time `json:"updated"`
	Chunks   int       `json:"chunks"`
	Embedded int       `json:"embedded"`
}

// Record is a chunk as stored: the chunk, where it came from and its vector.
type Record struct {
	chunk.Chunk
	// Source is the absolute path the chunk was read from, so chunks whose
	// file is gone can be deleted. Empty for chunks that came from a dataset.
	Source string
	// Hash identifies the exact text that was (or is to be) embedded; a vector
	// is reused across runs only when the hash matches.
	Hash string
	// Vector is nil until the chunk has been embedded.
	Vector []float32
}

// Snapshot is everything a collection stores, as one unit.
type Snapshot struct {
	Manifest Manifest
	Records  []Record
	// Lexical is the encoded lexical index over Records (see package lexical);
	// it lives in the same file so the two can never disagree.
	Lexical []byte
}

// Dir returns the folder of the named collection in dataDir.
func Dir(dataDir, name string) string { return filepath.Join(dataDir, name) }

// Load reads a collection's snapshot. A missing snapshot is os.ErrNotExist.
func Load(dir string) (*Snapshot, error) {
	path := filepath.Join(dir, SnapshotName)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	snap, err := decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %v (recover with `reportsearch index --rebuild PATH...`, which rewrites it from the source files)", path, ErrCorrupt, err)
	}
	return snap, nil
}

// ReadManifest reads only what is needed to describe a collection. It still
// verifies the checksum, since a manifest from a damaged file would mislead.
func ReadManifest(dir string) (Manifest, error) {
	s, err := Load(dir)
	if err != nil {
		return Manifest{}, err
	}
	return s.Manifest, nil
}

func decode(data []byte) (*Snapshot, error) {
	if len(data) < len(magic)+8+sha256.Size {
		return nil, fmt.Errorf("file is %d bytes, too short to be a snapshot", len(data))
	}
	if !bytes.Equal(data[:len(magic)], magic) {
		return nil, errors.New("not a reportsearch snapshot (bad magic)")
	}
	body := data[:len(data)-sha256.Size]
	sum := sha256.Sum256(body)
	if !bytes.Equal(sum[:], data[len(data)-sha256.Size:]) {
		return nil, errors.New("checksum mismatch (the file was truncated or altered)")
	}
	payload := body[len(magic):]
	n := binary.BigEndian.Uint64(payload[:8])
	if n != uint64(len(payload)-8) {
		return nil, fmt.Errorf("length field says %d bytes, file holds %d", n, len(payload)-8)
	}
	var s Snapshot
	if err := gob.NewDecoder(bytes.NewReader(payload[8:])).Decode(&s); err != nil {
		return nil, fmt.Errorf("decoding: %v", err)
	}
	if s.Manifest.Chunks != len(s.Records) {
		return nil, fmt.Errorf("manifest counts %d chunks, snapshot holds %d", s.Manifest.Chunks, len(s.Records))
	}
	return &s, nil
}

// Save writes the snapshot atomically into dir, creating dir if needed. The
// manifest's counts are filled in from the records.
func Save(dir string, s *Snapshot) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	s.Manifest.Chunks = len(s.Records)
	s.Manifest.Embedded = 0
	for i := range s.Records {
		if s.Records[i].Vector != nil {
			s.Manifest.Embedded++
		}
	}
	var buf bytes.Buffer
	buf.Write(magic)
	buf.Write(make([]byte, 8))
	if err := gob.NewEncoder(&buf).Encode(s); err != nil {
		return fmt.Errorf("encoding snapshot: %w", err)
	}
	data := buf.Bytes()
	binary.BigEndian.PutUint64(data[len(magic):], uint64(len(data)-len(magic)-8))
	sum := sha256.Sum256(data)

	tmp, err := os.CreateTemp(dir, ".snapshot-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	w := bufio.NewWriterSize(tmp, 1<<20)
	if _, err := w.Write(data); err == nil {
		_, err = w.Write(sum[:])
	}
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

// Info describes one stored collection.
type Info struct {
	Dir      string
	Manifest Manifest
	Err      error // set when the snapshot could not be read
}

// List returns the collections in dataDir, most recently updated first.
// Unreadable ones are listed with Err set, so `status` can show them.
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
		if _, err := os.Stat(filepath.Join(dir, SnapshotName)); err != nil {
			continue
		}
		m, err := ReadManifest(dir)
		out = append(out, Info{Dir: dir, Manifest: m, Err: err})
	}
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].Manifest.Updated.After(out[j].Manifest.Updated)
	})
	return out, nil
}

// CollectionName names the collection for a model and chunker fingerprint:
// readable, file-system safe and distinct for different settings.
func CollectionName(model, chunker string) string {
	if model == "" {
		model = "lexical"
	}
	var b strings.Builder
	for _, r := range strings.ToLower(model) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	sum := sha256.Sum256([]byte(chunker))
	return fmt.Sprintf("%s--%x", b.String(), sum[:4])
}
