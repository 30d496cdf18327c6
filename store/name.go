package store

import (
	"errors"
	"fmt"
	"path/filepath"
	"unicode"
	"unicode/utf8"
)

// MaxNameBytes bounds a collection name. File systems allow 255 bytes per
// path component; the margin keeps room for names derived from it.
const MaxNameBytes = 200

// ErrBadName is matched (errors.Is) by every *NameError.
var ErrBadName = errors.New("invalid collection name")

// NameError says why a collection name was refused.
type NameError struct {
	Name   string
	Reason string
}

func (e *NameError) Error() string {
	return fmt.Sprintf("invalid collection name %q: %s (a collection name is one folder name: letters of any script, digits, '-', '_' and '.', not starting with '.' or '-', at most %d bytes)",
		e.Name, e.Reason, MaxNameBytes)
}

// Is makes errors.Is(err, ErrBadName) true.
func (e *NameError) Is(target error) bool { return target == ErrBadName }

// ValidateName checks that name can be a collection: exactly one path
// component inside the data dir, so that no name reaches outside it ("..",
// "a/b", "/etc"), and one that prints as itself in a table or a shell
// (no control characters, spaces or quotes). It is the only place these
// rules live; Dir applies it, so every caller that turns a name into a
// folder gets it.
//
// Allowed: Unicode letters (CJK included) and digits, '-', '_' and '.';
// not starting with '.' (hidden, "." and "..") or '-' (read as a flag);
// valid UTF-8, 1 to MaxNameBytes bytes.
func ValidateName(name string) error {
	bad := func(reason string) error { return &NameError{Name: name, Reason: reason} }
	switch {
	case name == "":
		return bad("it is empty")
	case len(name) > MaxNameBytes:
		return bad(fmt.Sprintf("it is %d bytes long", len(name)))
	case !utf8.ValidString(name):
		return bad("it is not valid UTF-8")
	case name[0] == '.':
		return bad("it starts with '.'")
	case name[0] == '-':
		return bad("it starts with '-'")
	}
	for _, r := range name {
		switch {
		case unicode.IsLetter(r), unicode.IsDigit(r), r == '-', r == '_', r == '.':
		case r == '/' || r == '\\':
			return bad(fmt.Sprintf("it contains %q, a path separator", r))
		case unicode.IsControl(r) || r == 0:
			return bad(fmt.Sprintf("it contains the control character %U", r))
		default:
			return bad(fmt.Sprintf("it contains %q", r))
		}
	}
	return nil
}

// Dir returns the folder of the named collection in dataDir, or a
// *NameError when the name is not one safe folder name (see ValidateName).
func Dir(dataDir, name string) (string, error) {
	if err := ValidateName(name); err != nil {
		return "", err
	}
	return filepath.Join(dataDir, name), nil
}
