// Package filekind names the kind of a file from its mode, for the
// messages that refuse to read anything but a regular file (the chunker's
// sources, the store's snapshot): one wording everywhere.
package filekind

import "io/fs"

// Of says what kind of file m describes: "a regular file", "a directory",
// "a named pipe (FIFO)", "a character device", ...
func Of(m fs.FileMode) string {
	switch t := m.Type(); {
	case t == 0:
		return "a regular file"
	case t&fs.ModeDir != 0:
		return "a directory"
	case t&fs.ModeSymlink != 0:
		return "a symbolic link"
	case t&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case t&fs.ModeSocket != 0:
		return "a socket"
	case t&fs.ModeCharDevice != 0:
		return "a character device"
	case t&fs.ModeDevice != 0:
		return "a block device"
	default:
		return "an irregular file"
	}
}
