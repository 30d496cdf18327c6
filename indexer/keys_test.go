package indexer

import (
	"math/rand/v2"
	"path"
	"reflect"
	"testing"
)

func TestKeyCandidates(t *testing.T) {
	for _, tc := range []struct {
		src, natural string
		want         []string
	}{
		{"/x/rA/r.txt", "r.txt", []string{"r.txt", "rA/r.txt", "x/rA/r.txt", "/x/rA/r.txt"}},
		{"/x/root/sub/r.txt", "sub/r.txt", []string{"sub/r.txt", "root/sub/r.txt", "x/root/sub/r.txt", "/x/root/sub/r.txt"}},
		{"/r.txt", "r.txt", []string{"r.txt", "/r.txt"}},
		// A key that is not a trailing part of the path (not one this
		// package makes) is followed by the whole path.
		{"/x/a.txt", "other.txt", []string{"other.txt", "/x/a.txt"}},
	} {
		if got := keyCandidates(tc.src, tc.natural); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("keyCandidates(%q, %q) = %q, want %q", tc.src, tc.natural, got, tc.want)
		}
	}
}

func TestAssignKeys(t *testing.T) {
	for _, tc := range []struct {
		name          string
		stored, fresh map[string]string
		want          map[string]string
		notes         int
	}{
		{"no collision",
			nil, map[string]string{"/x/rA/a.txt": "a.txt", "/x/rB/b.txt": "b.txt"},
			map[string]string{"/x/rA/a.txt": "a.txt", "/x/rB/b.txt": "b.txt"}, 0},
		{"same run: both lengthened, whatever the order",
			nil, map[string]string{"/x/rA/r.txt": "r.txt", "/x/rB/r.txt": "r.txt"},
			map[string]string{"/x/rA/r.txt": "rA/r.txt", "/x/rB/r.txt": "rB/r.txt"}, 2},
		{"stored keeps its key, the newcomer is lengthened",
			map[string]string{"/x/rA/r.txt": "r.txt"}, map[string]string{"/x/rB/r.txt": "r.txt"},
			map[string]string{"/x/rA/r.txt": "r.txt", "/x/rB/r.txt": "rB/r.txt"}, 1},
		{"same parent name: lengthened further",
			nil, map[string]string{"/a/r/r.txt": "r.txt", "/b/r/r.txt": "r.txt"},
			map[string]string{"/a/r/r.txt": "a/r/r.txt", "/b/r/r.txt": "b/r/r.txt"}, 2},
		{"a lengthened key never takes another file's natural key",
			map[string]string{"/x/r.txt": "r.txt"},
			map[string]string{"/y/rB/r.txt": "r.txt", "/x/rB/r.txt": "rB/r.txt"},
			map[string]string{"/x/r.txt": "r.txt", "/x/rB/r.txt": "rB/r.txt", "/y/rB/r.txt": "y/rB/r.txt"}, 1},
		{"stored sources sharing a key (older version) are re-keyed",
			map[string]string{"/x/rA/r.txt": "r.txt", "/x/rB/r.txt": "r.txt"}, nil,
			map[string]string{"/x/rA/r.txt": "rA/r.txt", "/x/rB/r.txt": "rB/r.txt"}, 2},
		{"a stored lengthened key stays",
			map[string]string{"/x/rB/r.txt": "rB/r.txt"}, map[string]string{"/x/rA/r.txt": "r.txt"},
			map[string]string{"/x/rB/r.txt": "rB/r.txt", "/x/rA/r.txt": "r.txt"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, notes := assignKeys(tc.stored, tc.fresh)
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("keys = %q, want %q", got, tc.want)
			}
			if len(notes) != tc.notes {
				t.Errorf("%d notes, want %d: %q", len(notes), tc.notes, notes)
			}
		})
	}
}

// TestAssignKeysNeverCollide throws many sources with few distinct names
// at the rule, in batches as successive runs would: every source gets a key
// of its own, and a key once given never changes.
func TestAssignKeysNeverCollide(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	dirs := []string{"a", "b", "r", "rA"}
	names := []string{"r.txt", "s.txt"}
	stored := map[string]string{}
	for run := 0; run < 30; run++ {
		fresh := map[string]string{}
		for i := 0; i < 1+rng.IntN(6); i++ {
			depth := 1 + rng.IntN(4)
			p := ""
			for d := 0; d < depth; d++ {
				p += "/" + dirs[rng.IntN(len(dirs))]
			}
			src := p + "/" + names[rng.IntN(len(names))]
			if _, ok := stored[src]; ok {
				continue
			}
			// Natural key: relative to a random ancestor (a folder
			// argument) or the base name (a file argument).
			parts := rng.IntN(depth + 1)
			nat := path.Base(src)
			for j, dir := 0, path.Dir(src); j < parts; j, dir = j+1, path.Dir(dir) {
				nat = path.Base(dir) + "/" + nat
			}
			fresh[src] = nat
		}
		got, _ := assignKeys(stored, fresh)
		owner := map[string]string{}
		for src, key := range got {
			if o, dup := owner[key]; dup {
				t.Fatalf("run %d: %s and %s share the key %q", run, o, src, key)
			}
			owner[key] = src
		}
		for src, key := range stored {
			if got[src] != key {
				t.Fatalf("run %d: stored %s moved from %q to %q", run, src, key, got[src])
			}
		}
		if len(got) != len(stored)+len(fresh) {
			t.Fatalf("run %d: %d keys for %d sources", run, len(got), len(stored)+len(fresh))
		}
		stored = got
	}
	if len(stored) < 20 {
		t.Fatalf("only %d sources generated; the test is too weak", len(stored))
	}
}

func TestRekey(t *testing.T) {
	if got := rekey("r.txt#0.1", "r.txt", "rB/r.txt"); got != "rB/r.txt#0.1" {
		t.Errorf("got %q", got)
	}
	if got := rekey("r.txt#1.2.3", "r.txt", "r.txt"); got != "r.txt#1.2.3" {
		t.Errorf("got %q", got)
	}
}
