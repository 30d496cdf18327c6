package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
)

// A snapshot file, format version 2 (integers big-endian):
//
//	magic "RSDB\x00\x02\n"   7 bytes; byte 5 is the format version
//	uint64 M                 manifest length, at most maxManifestBytes
//	M bytes                  gob of Manifest
//	[32]byte                 SHA-256 of every byte before it (header checksum)
//	uint64 B                 body length
//	B bytes                  body: one gob stream of bodyHead{Records, Lexical},
//	                         then the records as []Record batches of at most
//	                         recordBatch, Records in all
//	[32]byte                 SHA-256 of every byte before it (file checksum)
//
// The header (magic to header checksum) is what ReadManifest reads: the
// manifest of a snapshot of any size costs a few hundred bytes of I/O, and
// the header checksum means a damaged manifest is never shown as true. The
// file's size must be exactly 7+8+M+32+8+B+32; it is checked against the
// lengths before anything is read beyond the header, so a length field can
// never make a reader allocate more than the file holds. Load checks the
// file checksum before decoding the body.
//
// Version 1 (read, never written; the next Save rewrites it as version 2):
//
//	magic "RSDB\x00\x01\n", uint64 N, N bytes gob of Snapshot,
//	[32]byte SHA-256 of every byte before it
//
// Its manifest can only be had by decoding the whole file.
//
// The body is written in batches because gob reads each message into a
// buffer of its own, grown step by step: with the whole body in one message
// BenchmarkLoad (20,000 records of 1024 dimensions) allocated 898 MB per
// load, with batches of 1024 records 405 MB.
const (
	magicLen   = 7
	magicStem  = "RSDB\x00"
	headerSize = magicLen + 8 // magic and the manifest length
	sumSize    = sha256.Size
	// maxManifestBytes bounds the manifest a reader will allocate for; a
	// real one is a few hundred bytes.
	maxManifestBytes = 1 << 20
)

func magicFor(version byte) []byte { return []byte(magicStem + string([]byte{version}) + "\n") }

// bodyHead is the first message of a version 2 body.
type bodyHead struct {
	Records int
	Lexical []byte
}

// recordBatch is how many records one gob message of the body holds.
const recordBatch = 1024

// formatVersion reads the version from a file's first bytes.
func formatVersion(head []byte) (int, error) {
	if len(head) < magicLen || !bytes.Equal(head[:5], []byte(magicStem)) || head[6] != '\n' {
		return 0, errors.New("not a reportsearch snapshot (bad magic)")
	}
	v := int(head[5])
	if v != 1 && v != FormatVersion {
		return 0, fmt.Errorf("snapshot format version %d; this reportsearch reads versions 1 and %d (was it written by a newer one?)", v, FormatVersion)
	}
	return v, nil
}

// encode writes s in the current format. Encoding the manifest first and
// separately is what lets ReadManifest skip the body.
func encode(s *Snapshot) ([]byte, error) {
	var man bytes.Buffer
	if err := gob.NewEncoder(&man).Encode(&s.Manifest); err != nil {
		return nil, fmt.Errorf("encoding manifest: %w", err)
	}
	var buf bytes.Buffer
	buf.Write(magicFor(FormatVersion))
	buf.Write(binary.BigEndian.AppendUint64(nil, uint64(man.Len())))
	buf.Write(man.Bytes())
	hsum := sha256.Sum256(buf.Bytes())
	buf.Write(hsum[:])
	bodyAt := buf.Len()
	buf.Write(make([]byte, 8))
	enc := gob.NewEncoder(&buf)
	if err := enc.Encode(&bodyHead{Records: len(s.Records), Lexical: s.Lexical}); err != nil {
		return nil, fmt.Errorf("encoding snapshot: %w", err)
	}
	for i := 0; i < len(s.Records); i += recordBatch {
		if err := enc.Encode(s.Records[i:min(i+recordBatch, len(s.Records))]); err != nil {
			return nil, fmt.Errorf("encoding snapshot: %w", err)
		}
	}
	data := buf.Bytes()
	binary.BigEndian.PutUint64(data[bodyAt:], uint64(len(data)-bodyAt-8))
	sum := sha256.Sum256(data)
	return append(data, sum[:]...), nil
}

// readHeader reads and checks a version 2 header from r, whose file is size
// bytes long, and returns the manifest and the header's length in bytes.
func readHeader(r io.Reader, size int64) (Manifest, int64, error) {
	head := make([]byte, headerSize)
	if _, err := io.ReadFull(r, head); err != nil {
		return Manifest{}, 0, fmt.Errorf("reading the header: %v", err)
	}
	m := binary.BigEndian.Uint64(head[magicLen:])
	if m > maxManifestBytes || int64(m) > size-headerSize-sumSize-8-sumSize {
		return Manifest{}, 0, fmt.Errorf("manifest length field says %d bytes, the file is %d bytes", m, size)
	}
	rest := make([]byte, int(m)+sumSize+8)
	if _, err := io.ReadFull(r, rest); err != nil {
		return Manifest{}, 0, fmt.Errorf("reading the header: %v", err)
	}
	h := sha256.New()
	h.Write(head)
	h.Write(rest[:m])
	if !bytes.Equal(h.Sum(nil), rest[m:m+sumSize]) {
		return Manifest{}, 0, errors.New("header checksum mismatch (the file was altered)")
	}
	hdrLen := int64(headerSize) + int64(m) + sumSize
	b := binary.BigEndian.Uint64(rest[m+sumSize:])
	if want := hdrLen + 8 + int64(b) + sumSize; b > uint64(size) || want != size {
		return Manifest{}, 0, fmt.Errorf("length fields say %d bytes, the file is %d (truncated or altered)", want, size)
	}
	var man Manifest
	if err := gob.NewDecoder(bytes.NewReader(rest[:m])).Decode(&man); err != nil {
		return Manifest{}, 0, fmt.Errorf("decoding the manifest: %v", err)
	}
	return man, hdrLen, nil
}

// decode reads a whole snapshot file of either version.
func decode(data []byte) (*Snapshot, error) {
	if len(data) < magicLen {
		return nil, fmt.Errorf("file is %d bytes, too short to be a snapshot", len(data))
	}
	v, err := formatVersion(data)
	if err != nil {
		return nil, err
	}
	if v == 1 {
		return decodeV1(data)
	}
	man, hdrLen, err := readHeader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data[:len(data)-sumSize])
	if !bytes.Equal(sum[:], data[len(data)-sumSize:]) {
		return nil, errors.New("checksum mismatch (the file was truncated or altered)")
	}
	bodyBytes := data[hdrLen+8 : len(data)-sumSize]
	dec := gob.NewDecoder(bytes.NewReader(bodyBytes))
	var head bodyHead
	if err := dec.Decode(&head); err != nil {
		return nil, fmt.Errorf("decoding: %v", err)
	}
	// Every record takes at least a byte: a count beyond that is a lie,
	// refused before it sizes an allocation.
	if head.Records != man.Chunks || head.Records < 0 || head.Records > len(bodyBytes) {
		return nil, fmt.Errorf("manifest counts %d chunks, the body says %d", man.Chunks, head.Records)
	}
	s := &Snapshot{Manifest: man, Records: make([]Record, 0, head.Records), Lexical: head.Lexical}
	for len(s.Records) < head.Records {
		var batch []Record
		if err := dec.Decode(&batch); err != nil {
			return nil, fmt.Errorf("decoding record %d: %v", len(s.Records), err)
		}
		if len(batch) == 0 || len(batch) > head.Records-len(s.Records) {
			return nil, fmt.Errorf("a batch of %d records after %d of %d", len(batch), len(s.Records), head.Records)
		}
		s.Records = append(s.Records, batch...)
	}
	var extra bodyHead
	if err := dec.Decode(&extra); err != io.EOF {
		return nil, fmt.Errorf("data after the last of %d records", head.Records)
	}
	return s, nil
}

func decodeV1(data []byte) (*Snapshot, error) {
	if len(data) < headerSize+sumSize {
		return nil, fmt.Errorf("file is %d bytes, too short to be a snapshot", len(data))
	}
	payload := data[magicLen : len(data)-sumSize]
	sum := sha256.Sum256(data[:len(data)-sumSize])
	if !bytes.Equal(sum[:], data[len(data)-sumSize:]) {
		return nil, errors.New("checksum mismatch (the file was truncated or altered)")
	}
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
