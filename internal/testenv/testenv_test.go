package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
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

func TestMissingFailsWhenOllamaIsRequired(t *testing.T) {
	for _, required := range []string{"", "1"} {
		t.Setenv("REPORTSEARCH_REQUIRE_OLLAMA", required)
		rec := &recordTB{TB: t}
		done := make(chan struct{})
		go func() { // Fatalf and Skipf end the goroutine, as in a test
			defer close(done)
			Missing(rec, "no %s", "thing")
		}()
		<-done
		if wantFail := required != ""; rec.failed != wantFail || rec.skipped == wantFail || rec.msg != "no thing" {
			t.Errorf("required=%q: failed=%v skipped=%v msg=%q", required, rec.failed, rec.skipped, rec.msg)
		}
	}
}

// recordTB records Fatalf and Skipf instead of ending the real test.
type recordTB struct {
	testing.TB
	failed, skipped bool
	msg             string
}

func (r *recordTB) Helper() {}
func (r *recordTB) Fatalf(format string, args ...any) {
	r.failed, r.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}
func (r *recordTB) Skipf(format string, args ...any) {
	r.skipped, r.msg = true, fmt.Sprintf(format, args...)
	runtime.Goexit()
}
