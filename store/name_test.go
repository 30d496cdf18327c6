package store

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestValidateName(t *testing.T) {
	good := []string{"c", "backup", "政府工作报告", "bge-m3--1a2b3c4d", "x.v2", "a_b-c.d", "Ω9", strings.Repeat("x", MaxNameBytes)}
	for _, n := range good {
		if err := ValidateName(n); err != nil {
			t.Errorf("%q refused: %v", n, err)
		}
	}
	bad := map[string]string{
		"":                                "empty",
		".":                               "starts with '.'",
		"..":                              "starts with '.'",
		"../../victim":                    "starts with '.'",
		"grp/x":                           "path separator",
		`a\b`:                             "path separator",
		"/etc":                            "path separator",
		".hidden":                         "starts with '.'",
		"-rf":                             "starts with '-'",
		"a\nb":                            "control character",
		"a\x00b":                          "control character",
		"esc\x1b[31m":                     "control character",
		"a b":                             `contains ' '`,
		"a:b":                             `contains ':'`,
		"rtl\u202eexe":                    "contains",
		"\xff\xfe":                        "not valid UTF-8",
		strings.Repeat("x", 201):          "201 bytes",
		strings.Repeat("报", MaxNameBytes): "bytes long",
	}
	for n, why := range bad {
		err := ValidateName(n)
		if !errors.Is(err, ErrBadName) {
			t.Errorf("%q accepted (want refused: %s)", n, why)
			continue
		}
		var ne *NameError
		if !errors.As(err, &ne) || ne.Name != n || !strings.Contains(err.Error(), why) {
			t.Errorf("%q: error %q should be a *NameError saying %q", n, err, why)
		}
	}
}

// Dir is the one way from a name to a folder: a refused name gives no path
// at all, so no caller can create, lock or write anything for it.
func TestDirRefusesNamesOutsideTheDataDir(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	for _, n := range []string{"../../victim", "..", "a/../../b", "a\nb"} {
		if dir, err := Dir(data, n); !errors.Is(err, ErrBadName) || dir != "" {
			t.Errorf("Dir(%q) = %q, %v; want a NameError", n, dir, err)
		}
	}
	dir, err := Dir(data, "backup")
	if err != nil || dir != filepath.Join(data, "backup") {
		t.Errorf("Dir(backup) = %q, %v", dir, err)
	}
}

// Names derived from any model name are valid, so an index run never
// stumbles on its own default.
func TestCollectionNameIsAlwaysValid(t *testing.T) {
	models := []string{"", "bge-m3", "hf.co/BAAI/bge-m3:Q8_0", ".hidden", "-flag", "..", "../../x", "模型", "a\nb",
		strings.Repeat("very-long-model-name/", 40), strings.Repeat(".", 300)}
	rng := rand.New(rand.NewPCG(3, 4))
	for range 500 {
		b := make([]rune, rng.IntN(300))
		for i := range b {
			b[i] = rune(rng.IntN(0x3000))
		}
		models = append(models, string(b))
	}
	for _, m := range models {
		n := CollectionName(m, "chunk-v1-max400-min40")
		if err := ValidateName(n); err != nil {
			t.Fatalf("CollectionName(%q) = %q is invalid: %v", m, n, err)
		}
	}
	long1 := CollectionName(strings.Repeat("m", 300)+"a", "c")
	long2 := CollectionName(strings.Repeat("m", 300)+"b", "c")
	if long1 == long2 {
		t.Errorf("two long model names share a collection: %s", long1)
	}
	// Names users already have must not move.
	if got := CollectionName("bge-m3", "x"); !strings.HasPrefix(got, "bge-m3--") {
		t.Errorf("CollectionName(bge-m3) = %q", got)
	}
}

// A lock file that is a link is never opened: AcquireLock truncates the lock
// file, and through a link that would be someone else's file.
func TestLockRefusesALinkAndLeavesItsTarget(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(dir, "lock")); err != nil {
		t.Fatal(err)
	}
	if l, err := AcquireLock(dir); err == nil {
		l.Release()
		t.Fatal("a lock file that is a link was accepted")
	} else if !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("error does not say what is wrong: %v", err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "precious" {
		t.Errorf("the link's target was changed: %q", b)
	}
}
