package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/reportsearch/reportsearch/internal/testenv"
	"github.com/reportsearch/reportsearch/store"
)

// unreachableOllama makes index runs lexical-only without waiting: nothing
// listens on port 1.
const unreachableOllama = "127.0.0.1:1"

// interruptTree makes a corpus big enough that every indexing phase takes
// a good fraction of a second on a loaded machine: copies of the shared
// corpus (tens of thousands of chunks) and a few thousand empty folders.
func interruptTree(t *testing.T, copies, emptyDirs int) (root string, dirs, files int) {
	t.Helper()
	corpus := filepath.Join(testenv.Shared(t), "corpus")
	src, err := filepath.Glob(filepath.Join(corpus, "*.txt"))
	if err != nil || len(src) == 0 {
		t.Fatalf("no corpus in %s: %v", corpus, err)
	}
	root = t.TempDir()
	dirs = 1
	for i := range copies {
		d := filepath.Join(root, fmt.Sprintf("copy%02d", i))
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		dirs++
		for _, f := range src {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(d, filepath.Base(f)), b, 0o644); err != nil {
				t.Fatal(err)
			}
			files++
		}
	}
	for i := range emptyDirs {
		if err := os.MkdirAll(filepath.Join(root, "zz-empty", fmt.Sprintf("%02d", i/100), fmt.Sprintf("%04d", i)), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if emptyDirs > 0 {
		dirs += 1 + (emptyDirs+99)/100 + emptyDirs
	}
	return root, dirs, files
}

// lineProc is a reportsearch process whose stderr is read line by line as
// it is written, so a test can act the moment a phase begins.
type lineProc struct {
	cmd   *exec.Cmd
	mu    sync.Mutex
	lines []string
	seen  chan string // every stderr line
	done  chan struct{}
	code  int
}

func startLines(t *testing.T, dataDir string, args ...string) *lineProc {
	t.Helper()
	p := &lineProc{seen: make(chan string, 1<<16), done: make(chan struct{})}
	p.cmd = exec.Command(binary(t), args...)
	p.cmd.Env = append(os.Environ(), "REPORTSEARCH_DATA="+dataDir, "OLLAMA_HOST="+unreachableOllama, "REPORTSEARCH_MODEL=", "REPORTSEARCH_COLLECTION=")
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.lines = append(p.lines, sc.Text())
			p.mu.Unlock()
			select {
			case p.seen <- sc.Text():
			default:
			}
		}
		err := p.cmd.Wait()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			p.code = ee.ExitCode()
		} else if err != nil {
			p.code = -1
		}
		close(p.seen)
		close(p.done)
	}()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

func (p *lineProc) stderr() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.lines, "\n")
}

func (p *lineProc) count(prefix string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, l := range p.lines {
		if strings.HasPrefix(l, prefix) {
			n++
		}
	}
	return n
}

// waitWithin waits for the process to end and returns its exit code; the
// test fails if it runs longer than limit.
func (p *lineProc) waitWithin(t *testing.T, limit time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
		return p.code
	case <-time.After(limit):
		t.Fatalf("still running after %s:\n%s", limit, p.stderr())
		return 0
	}
}

// interruptAt sends SIGINT as soon as a stderr line starts with prefix and
// returns the exit code; the test fails if the line never comes or the
// process does not end within limit.
func (p *lineProc) interruptAt(t *testing.T, prefix string, limit time.Duration) int {
	t.Helper()
	deadline := time.After(limit)
	for {
		select {
		case line, ok := <-p.seen:
			if !ok {
				t.Fatalf("ended (code %d) before a line starting %q:\n%s", p.code, prefix, p.stderr())
			}
			if !strings.HasPrefix(line, prefix) {
				continue
			}
			if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
				t.Fatal(err)
			}
			select {
			case <-p.done:
				return p.code
			case <-deadline:
				t.Fatalf("still running %s after SIGINT at %q:\n%s", limit, prefix, p.stderr())
			}
		case <-deadline:
			t.Fatalf("no line starting %q within %s:\n%s", prefix, limit, p.stderr())
		}
	}
}

// TestIndexInterruptedInEachPhase: SIGINT in any phase of a lexical-only
// index run (walking, reading, loading the stored collection, building the
// lexical index) exits 130 promptly, says that nothing was
// changed, and leaves the previous snapshot byte-identical; SIGINT while
// the snapshot is being saved exits 130 with a whole snapshot, old or new.
// The moment is found from the --verbose lines, not by sleeping. Before the
// fix, SIGINT was ignored until embedding began: a lexical-only run of a
// 200 MB file went on for 56 s, saved and exited 0.
func TestIndexInterruptedInEachPhase(t *testing.T) {
	tree, dirs, files := interruptTree(t, 12, 8000)
	data := t.TempDir()
	// The previous snapshot, of the same tree: every phase still runs in
	// full on the next index (the lexical index is always rebuilt), and a
	// run that is not interrupted writes a new snapshot (a new time stamp).
	first := startLines(t, data, "index", tree)
	if code := first.waitWithin(t, 5*time.Minute); code != 0 {
		t.Fatalf("first index: code %d\n%s", code, first.stderr())
	}
	colls := collectionDirs(t, data)
	if len(colls) != 1 {
		t.Fatalf("collections: %v", colls)
	}
	snapPath := filepath.Join(colls[0], store.SnapshotName)
	before, err := os.ReadFile(snapPath)
	if err != nil {
		t.Fatal(err)
	}
	beforeSnap, err := store.Load(colls[0])
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		phase, line, message string
	}{
		{"walk", "reportsearch: walking ", "interrupted while reading the files; nothing was changed"},
		{"read", "reportsearch: reading ", "interrupted while reading the files; nothing was changed"},
		{"load", "reportsearch: loading the stored collection", "before anything was saved (while loading the stored collection); the stored collection is unchanged"},
		{"lexical", "reportsearch: building the lexical index", "before anything was saved (while building the lexical index); the stored collection is unchanged"},
	} {
		t.Run(tc.phase, func(t *testing.T) {
			p := startLines(t, data, "index", "--verbose", tree)
			if code := p.interruptAt(t, tc.line, 2*time.Minute); code != 130 {
				t.Fatalf("exit code %d, want 130:\n%s", code, p.stderr())
			}
			if !strings.Contains(p.stderr(), tc.message) {
				t.Errorf("stderr does not say %q:\n%s", tc.message, p.stderr())
			}
			if strings.Contains(p.stderr(), " chunks (") {
				t.Errorf("a summary was printed for a run that saved nothing:\n%s", p.stderr())
			}
			// Stopped inside the phase, not after it.
			switch tc.phase {
			case "walk":
				if n := p.count("reportsearch: walking "); n >= dirs {
					t.Errorf("all %d folders were walked after SIGINT", n)
				}
			case "read":
				if n := p.count("reportsearch: reading "); n >= files {
					t.Errorf("all %d files were read after SIGINT", n)
				}
			}
			after, err := os.ReadFile(snapPath)
			if err != nil || !bytes.Equal(after, before) {
				t.Fatalf("the snapshot changed (%v)", err)
			}
		})
	}

	t.Run("save", func(t *testing.T) {
		p := startLines(t, data, "index", "--verbose", tree)
		if code := p.interruptAt(t, "reportsearch: saving the snapshot", 2*time.Minute); code != 130 {
			t.Fatalf("exit code %d, want 130:\n%s", code, p.stderr())
		}
		after, err := os.ReadFile(snapPath)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(after, before) {
			// The signal came once the save had begun: the new snapshot
			// is whole.
			s, err := store.Load(colls[0])
			if err != nil {
				t.Fatalf("snapshot written during SIGINT does not load: %v", err)
			}
			if len(s.Records) != len(beforeSnap.Records) {
				t.Fatalf("snapshot written during SIGINT holds %d chunks, want %d", len(s.Records), len(beforeSnap.Records))
			}
		}
	})
}

// TestIndexSpecialFilesE2E: a FIFO named on the command line and /dev/zero
// are skipped at once and named with their type (they hung, and read 1.4 GB
// in 15 s, ignoring SIGINT); a file over --max-file-size is skipped with its
// size and the limit; links out of the corpus are skipped and named on
// stderr and in the JSON statistics. Each run exits 3 (something skipped).
func TestIndexSpecialFilesE2E(t *testing.T) {
	dir := t.TempDir()
	corpus := filepath.Join(testenv.Shared(t), "corpus")
	good, err := os.ReadFile(filepath.Join(corpus, "003_fc0e754ba3f6118e.txt"))
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(dir, "corpus")
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "good.txt"), good, 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(t.TempDir(), "pipe.txt") // not under etcdir, which --follow-symlinks walks
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip(err)
	}
	secret := filepath.Join(dir, "secret.txt")
	if err := os.WriteFile(secret, good, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(root, "passwd.txt")); err != nil {
		t.Skip(err)
	}
	if err := os.Symlink(dir, filepath.Join(root, "etcdir")); err != nil {
		t.Skip(err)
	}

	run := func(args ...string) result {
		t.Helper()
		done := make(chan result, 1)
		go func() { done <- rs(t, t.TempDir(), unreachableOllama, args...) }()
		select {
		case r := <-done:
			return r
		case <-time.After(2 * time.Minute):
			t.Fatalf("index %q did not end", args)
			return result{}
		}
	}
	r := run("index", fifo)
	if r.code != 3 || !strings.Contains(r.stderr, "skipped: chunk: "+fifo+": not a regular file but a named pipe (FIFO)") {
		t.Errorf("FIFO: code %d\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat("/dev/zero"); err == nil {
		r = run("index", "/dev/zero")
		if r.code != 3 || !strings.Contains(r.stderr, "/dev/zero: not a regular file but a character device") {
			t.Errorf("/dev/zero: code %d\n%s", r.code, r.stderr)
		}
	}
	r = run("index", "--max-file-size", "1KiB", root)
	if r.code != 3 || !strings.Contains(r.stderr, fmt.Sprintf("good.txt: file is over the size limit: it is %d bytes, the limit is 1 KiB", len(good))) ||
		!strings.Contains(r.stderr, "--max-file-size 1KiB") {
		t.Errorf("--max-file-size: code %d\n%s", r.code, r.stderr)
	}
	if r = run("index", "--max-file-size", "lots", root); r.code != 2 || !strings.Contains(r.stderr, "--max-file-size") {
		t.Errorf("bad --max-file-size: code %d\n%s", r.code, r.stderr)
	}

	r = run("index", "--json", root)
	var st struct {
		Files      int      `json:"files"`
		FileErrors []string `json:"file_errors"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		t.Fatalf("%v\n%s\n%s", err, r.stdout, r.stderr)
	}
	errs := strings.Join(st.FileErrors, "\n")
	for _, name := range []string{"passwd.txt", "etcdir"} {
		want := filepath.Join(root, name) + ": symbolic link to "
		if !strings.Contains(errs, want) || !strings.Contains(r.stderr, want) {
			t.Errorf("link %s not named in the JSON and on stderr:\n%s\n%s", name, errs, r.stderr)
		}
	}
	if r.code != 3 || st.Files != 1 {
		t.Errorf("links: code %d, %d files, want 3 and 1 (good.txt only)", r.code, st.Files)
	}
	r = run("index", "--json", "--follow-symlinks", root)
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	// good.txt, and secret.txt through passwd.txt (or through etcdir: the
	// same real file counts once).
	if r.code != 0 || st.Files != 2 {
		t.Errorf("--follow-symlinks: code %d, %d files, want 0 and 2\n%s", r.code, st.Files, r.stderr)
	}
}
