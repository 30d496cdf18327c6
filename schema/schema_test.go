package schema

import (
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
)

// The package's promise is that reading a snapshot's types costs no
// dependency: every import of its (non-test) files is the standard
// library's, whose paths have no dot in their first element.
func TestImportsOnlyTheStandardLibrary(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	files := 0
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		files++
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if first, _, _ := strings.Cut(path, "/"); strings.Contains(first, ".") {
				t.Errorf("%s imports %s: package schema may import only the standard library", name, path)
			}
		}
	}
	if files == 0 {
		t.Fatal("no source files read")
	}
}

func TestChunkOptionsValidate(t *testing.T) {
	for _, c := range []struct {
		opt ChunkOptions
		ok  bool
	}{
		{ChunkOptions{MaxRunes: 400, MinRunes: 40}, true},
		{ChunkOptions{MaxRunes: 50, MinRunes: 0}, true},
		{ChunkOptions{MaxRunes: 49, MinRunes: 0}, false},
		{ChunkOptions{MaxRunes: 400, MinRunes: -1}, false},
		{ChunkOptions{MaxRunes: 400, MinRunes: 400}, false},
	} {
		if err := c.opt.Validate(); (err == nil) != c.ok {
			t.Errorf("%+v: Validate() = %v, want ok=%v", c.opt, err, c.ok)
		}
	}
}
