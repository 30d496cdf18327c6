package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
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

// fakeTB records how a helper ended the test: Fatal and Skip stop it (as
// runtime.Goexit does in a real test) by panicking with the verdict.
type fakeTB struct {
	testing.TB
}

type verdict struct{ how, msg string }

func (fakeTB) Helper()           {}
func (fakeTB) Fatal(args ...any) { panic(verdict{"fatal", fmt.Sprint(args...)}) }
func (fakeTB) Fatalf(format string, args ...any) {
	panic(verdict{"fatal", fmt.Sprintf(format, args...)})
}
func (fakeTB) Skip(args ...any)                 { panic(verdict{"skip", fmt.Sprint(args...)}) }
func (fakeTB) Skipf(format string, args ...any) { panic(verdict{"skip", fmt.Sprintf(format, args...)}) }

func chromiumVerdict(t *testing.T) (path string, v verdict) {
	defer func() {
		if r := recover(); r != nil {
			v = r.(verdict)
		}
	}()
	return Chromium(fakeTB{t}), verdict{}
}

// No browser: skipped with the way to get one, or failed when required.
func TestChromium(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	t.Setenv("REPORTSEARCH_CHROMIUM", "")
	t.Setenv("REPORTSEARCH_REQUIRE_BROWSER", "")
	if _, v := chromiumVerdict(t); v.how != "skip" || !strings.Contains(v.msg, "scripts/deps.sh") {
		t.Errorf("no browser: %+v, want a skip naming scripts/deps.sh", v)
	}
	t.Setenv("REPORTSEARCH_REQUIRE_BROWSER", "1")
	if _, v := chromiumVerdict(t); v.how != "fatal" {
		t.Errorf("no browser, required: %+v, want a failure", v)
	}
	exe := filepath.Join(t.TempDir(), "chrome")
	if err := os.WriteFile(exe, nil, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("REPORTSEARCH_CHROMIUM", exe)
	if p, v := chromiumVerdict(t); p != exe || v.how != "" {
		t.Errorf("REPORTSEARCH_CHROMIUM: %q %+v", p, v)
	}
	t.Setenv("REPORTSEARCH_CHROMIUM", "")
	t.Setenv("PATH", filepath.Dir(exe))
	if err := os.Rename(exe, filepath.Join(filepath.Dir(exe), "chromium")); err != nil {
		t.Fatal(err)
	}
	if p, v := chromiumVerdict(t); p != filepath.Join(filepath.Dir(exe), "chromium") || v.how != "" {
		t.Errorf("chromium on PATH: %q %+v", p, v)
	}
}
