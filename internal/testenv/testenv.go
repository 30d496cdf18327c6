// Package testenv finds the real services and data that integration tests
// and benchmarks use: the test Ollama server, the test Weaviate server, and
// ../shared beside the repository. What is absent skips the test, unless
// the environment says it is required (scripts/test.sh and CI do), in which
// case the test fails: CI must never pass by skipping.
package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Ollama is the host:port of the test Ollama server with the fixture model
// (REPORTSEARCH_TEST_OLLAMA; REPORTSEARCH_REQUIRE_OLLAMA makes it required).
func Ollama(tb testing.TB) string {
	tb.Helper()
	return server(tb, "REPORTSEARCH_TEST_OLLAMA", "REPORTSEARCH_REQUIRE_OLLAMA", `eval "$(scripts/ollama-up.sh)"`)
}

// OllamaIfAny is the test Ollama server, or "" when none is set: for
// benchmarks that measure what they can.
func OllamaIfAny() string { return os.Getenv("REPORTSEARCH_TEST_OLLAMA") }

// Weaviate is the host:port of the test Weaviate server
// (REPORTSEARCH_TEST_WEAVIATE; REPORTSEARCH_REQUIRE_WEAVIATE makes it required).
func Weaviate(tb testing.TB) string {
	tb.Helper()
	return server(tb, "REPORTSEARCH_TEST_WEAVIATE", "REPORTSEARCH_REQUIRE_WEAVIATE", `eval "$(scripts/weaviate-up.sh)"`)
}

func server(tb testing.TB, addrVar, requireVar, start string) string {
	tb.Helper()
	addr := os.Getenv(addrVar)
	if addr == "" {
		if os.Getenv(requireVar) != "" {
			tb.Fatalf("%s is not set but %s is", addrVar, requireVar)
		}
		tb.Skipf("no test server: run %s, or set %s=host:port", start, addrVar)
	}
	return addr
}

// Shared is the absolute path of the shared folder (corpus, fixture model,
// benchmarks): REPORTSEARCH_SHARED, else ../shared beside the repository.
// Without it the test is skipped, or fails when Ollama is required (the
// suite that needs the corpus is running).
func Shared(tb testing.TB) string {
	tb.Helper()
	d := os.Getenv("REPORTSEARCH_SHARED")
	if d == "" {
		root, err := repoRoot()
		if err != nil {
			tb.Fatal(err)
		}
		d = filepath.Join(filepath.Dir(root), "shared")
	}
	d, err := filepath.Abs(d)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(d, "corpus")); err != nil {
		Missing(tb, "shared folder not found at %s (set REPORTSEARCH_SHARED)", d)
	}
	return d
}

// Missing reports that something the Ollama suite needs (the shared folder,
// an Ollama binary, the fixture model files) is absent: the test is skipped,
// or fails when Ollama is required, so a required suite never passes by
// skipping.
func Missing(tb testing.TB, format string, args ...any) {
	tb.Helper()
	if os.Getenv("REPORTSEARCH_REQUIRE_OLLAMA") != "" {
		tb.Fatalf(format, args...)
	}
	tb.Skipf(format, args...)
}

// repoRoot is the folder holding go.mod, found upwards from the working
// directory (go test runs each package in its own folder).
func repoRoot() (string, error) {
	d, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", os.ErrNotExist
		}
		d = parent
	}
}

// Chromium is the path of a Chromium (or Chrome) executable for browser
// tests and for rendering test PDFs: REPORTSEARCH_CHROMIUM, else chromium,
// chromium-browser or google-chrome on PATH (scripts/deps.sh installs
// Debian's chromium with fonts-noto-cjk). When none is found the test is
// skipped, or fails when REPORTSEARCH_REQUIRE_BROWSER is set.
func Chromium(tb testing.TB) string {
	tb.Helper()
	if p := os.Getenv("REPORTSEARCH_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			tb.Fatalf("REPORTSEARCH_CHROMIUM=%s: %v", p, err)
		}
		return p
	}
	return program(tb, "REPORTSEARCH_REQUIRE_BROWSER", "scripts/deps.sh browser (Debian chromium and fonts-noto-cjk), or set REPORTSEARCH_CHROMIUM=/path/to/chrome", "chromium", "chromium-browser", "google-chrome")
}

// Pdftotext is the path of poppler's pdftotext; absent, the test is skipped
// unless REPORTSEARCH_REQUIRE_PDF is set.
func Pdftotext(tb testing.TB) string {
	tb.Helper()
	return program(tb, "REPORTSEARCH_REQUIRE_PDF", "scripts/deps.sh pdf", "pdftotext")
}

func program(tb testing.TB, requireVar, install string, names ...string) string {
	tb.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	if os.Getenv(requireVar) != "" {
		tb.Fatalf("%s not found on PATH but %s is set: run %s", names[0], requireVar, install)
	}
	tb.Skipf("%s not found on PATH: run %s (or set %s to make this a failure)", names[0], install, requireVar)
	return ""
}

// ArtefactDir is <repository>/.cache/<name>, created: where tests leave
// what a person may want to look at afterwards (screenshots). .cache is
// ignored by git.
func ArtefactDir(tb testing.TB, name string) string {
	tb.Helper()
	root, err := repoRoot()
	if err != nil {
		tb.Fatal(err)
	}
	d := filepath.Join(root, ".cache", name)
	if err := os.MkdirAll(d, 0o755); err != nil {
		tb.Fatal(err)
	}
	return d
}
