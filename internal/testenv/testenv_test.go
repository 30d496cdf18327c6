package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

func TestSharedHonoursTheVariable(t *testing.T) {
	d := t.TempDir()
	if err := os.Mkdir(filepath.Join(d, "corpus"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("REPORTSEARCH_SHARED", d)
	if got := Shared(t); got != d {
		t.Errorf("Shared = %q, want %q", got, d)
	}
}

func TestRepoRootHoldsGoMod(t *testing.T) {
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Errorf("%s: %v", root, err)
	}
	// This package sits at internal/testenv.
	if want := filepath.Dir(filepath.Dir(mustGetwd(t))); root != want {
		t.Errorf("root %s, want %s", root, want)
	}
}

func mustGetwd(t *testing.T) string {
	d, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return d
}
