package store

import (
	"encoding"
	"encoding/gob"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/format_fields.txt (see TestFormatFields)")

// formatFieldsFile is the golden list of every field the snapshot's gob
// encodes, with the format version it belongs to.
var formatFieldsFile = filepath.Join("testdata", "format_fields.txt")

// formatRoots are the types the snapshot file gob-encodes (see format.go):
// the manifest of the header, the body's head and its record batches, and
// the whole Snapshot of a version 1 file (still read).
var formatRoots = []struct {
	name string
	v    any
}{
	{"Manifest", Manifest{}},
	{"bodyHead", bodyHead{}},
	{"Record", Record{}},
	{"Snapshot(v1)", Snapshot{}},
}

// formatFields lists the encoded fields as gob sees them: a path of field
// names from a root (gob matches fields by name; type names are not in the
// stream) and a shape made of kinds, so renaming a Go type changes nothing
// here but renaming, removing or retyping a field does. Types that encode
// themselves (time.Time) are leaves, named by their type.
func formatFields() []string {
	gobEnc := reflect.TypeFor[gob.GobEncoder]()
	binEnc := reflect.TypeFor[encoding.BinaryMarshaler]()
	var shape func(t reflect.Type) string
	shape = func(t reflect.Type) string {
		switch {
		case t.Implements(gobEnc) || t.Implements(binEnc):
			return t.String()
		case t.Kind() == reflect.Pointer:
			return shape(t.Elem()) // gob sends what a pointer points to
		case t.Kind() == reflect.Slice, t.Kind() == reflect.Array:
			return "[]" + shape(t.Elem())
		case t.Kind() == reflect.Map:
			return "map[" + shape(t.Key()) + "]" + shape(t.Elem())
		case t.Kind() == reflect.Struct:
			return "struct"
		}
		return t.Kind().String()
	}
	var out []string
	var walk func(path string, t reflect.Type, seen map[reflect.Type]bool)
	walk = func(path string, t reflect.Type, seen map[reflect.Type]bool) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map {
			if t.Kind() == reflect.Map {
				walk(path+"[key]", t.Key(), seen)
			}
			path, t = path+"[]", t.Elem()
		}
		if t.Kind() != reflect.Struct || t.Implements(gobEnc) || t.Implements(binEnc) || seen[t] {
			return
		}
		seen[t] = true
		defer delete(seen, t)
		for f := range t.Fields() {
			if !f.IsExported() || f.Type.Kind() == reflect.Func || f.Type.Kind() == reflect.Chan {
				continue // gob ignores these
			}
			p := path + "." + f.Name // an embedded struct is a field named after its type, as in gob
			out = append(out, p+" "+shape(f.Type))
			walk(p, f.Type, seen)
		}
	}
	for _, r := range formatRoots {
		walk(r.name, reflect.TypeOf(r.v), map[reflect.Type]bool{})
	}
	slices.Sort(out)
	return out
}

// TestFormatFields guards the snapshot format. The rule: adding a field to
// an encoded type is compatible (gob decodes older files with the new field
// at its zero value, and older binaries ignore fields they do not know), so
// it needs only the golden file regenerated; removing, renaming or retyping
// a field is not (older files lose data or fail to decode), so it needs
// FormatVersion bumped with a migration or a compatible reader. The test
// fails on any difference; -update rewrites the golden file for additions,
// and for anything else only once FormatVersion has changed.
func TestFormatFields(t *testing.T) {
	got := formatFields()
	header := "format " + strconv.Itoa(FormatVersion)
	const regen = "go test ./store -run TestFormatFields -update"
	b, err := os.ReadFile(formatFieldsFile)
	if err != nil && !(*update && os.IsNotExist(err)) {
		t.Fatalf("%v (create it with `%s`)", err, regen)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	wantHeader, want := lines[0], lines[1:]
	var removed, added []string
	for _, l := range want {
		if !slices.Contains(got, l) {
			removed = append(removed, l)
		}
	}
	for _, l := range got {
		if !slices.Contains(want, l) {
			added = append(added, l)
		}
	}
	sameVersion := wantHeader == header
	if len(removed) > 0 && sameVersion {
		t.Fatalf("encoded fields removed, renamed or retyped without a new store.FormatVersion (still %d):\n  %s\n"+
			"Files written before cannot be read the same way. Bump FormatVersion in store/store.go, add a migration "+
			"or keep reading the old version, then regenerate the golden file with `%s`.",
			FormatVersion, strings.Join(removed, "\n  "), regen)
	}
	if *update {
		out := header + "\n" + strings.Join(got, "\n") + "\n"
		if err := os.WriteFile(formatFieldsFile, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s: %d fields, %s (%d added, %d removed)", formatFieldsFile, len(got), header, len(added), len(removed))
		return
	}
	switch {
	case !sameVersion:
		t.Errorf("FormatVersion is %d but %s is for %q: regenerate it with `%s`", FormatVersion, formatFieldsFile, wantHeader, regen)
	case len(added) > 0:
		t.Errorf("new encoded fields (compatible: older files decode with them at zero values):\n  %s\nrecord them with `%s`",
			strings.Join(added, "\n  "), regen)
	}
}

// TestFormatFieldsSeesChanges: the walk notices what the rule is about (a
// field renamed, retyped or added in a nested or embedded type), so the
// guard cannot pass by not looking.
func TestFormatFieldsSeesChanges(t *testing.T) {
	saved := formatRoots
	defer func() { formatRoots = saved }()
	type Emb struct{ X int }
	type inner struct{ A int }
	type innerRenamed struct{ B int }
	type innerRetyped struct{ A string }
	type innerAdded struct {
		A int
		C []float32
	}
	type base struct {
		Emb
		In   inner
		List []inner
		skip int
	}
	type renamed struct {
		Emb
		In   innerRenamed
		List []inner
	}
	type retyped struct {
		Emb
		In   inner
		List []innerRetyped
	}
	type added struct {
		Emb
		In   innerAdded
		List []inner
	}
	fields := func(v any) []string {
		formatRoots = []struct {
			name string
			v    any
		}{{"R", v}}
		return formatFields()
	}
	want := fields(base{})
	if fmt.Sprint(want) != "[R.Emb struct R.Emb.X int R.In struct R.In.A int R.List []struct R.List[].A int]" {
		t.Fatalf("fields of the base type: %q", want)
	}
	_ = base{}.skip
	for name, v := range map[string]any{"renamed": renamed{}, "retyped": retyped{}, "added": added{}} {
		if slices.Equal(fields(v), want) {
			t.Errorf("%s field not seen", name)
		}
	}
}
