package indexer

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/reportsearch/reportsearch/chunk"
	"github.com/reportsearch/reportsearch/embed"
	"github.com/reportsearch/reportsearch/store"
)

const sampleReport = "某省政府工作报告\n\n一、过去一年的工作\n\n全省生产总值增长百分之五，经济运行总体平稳、稳中有进。\n\n" +
	"二、今年的主要任务\n\n推进城市更新，加快老旧小区改造，扩大有效投资和居民消费。\n"

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func sources(set *Set) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range set.Records {
		if !seen[r.Source] {
			seen[r.Source] = true
			out = append(out, filepath.Base(r.Source))
		}
	}
	return out
}

// TestReadFilesStaysInsideRoot: the red-team corpus (passwd.txt ->
// /etc/passwd, etcdir -> /etc) indexes nothing from outside; the links are
// in the run's skipped list, are not "unreadable" (so chunks an older run
// took through them are removed), and --follow-symlinks reads them.
func TestReadFilesStaysInsideRoot(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "corpus")
	writeFile(t, filepath.Join(root, "a.txt"), sampleReport)
	writeFile(t, filepath.Join(base, "secret", "passwd"), sampleReport)
	writeFile(t, filepath.Join(base, "etc", "hosts.txt"), sampleReport)
	for target, name := range map[string]string{"../secret/passwd": "passwd.txt", "../etc": "etcdir"} {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Skip(err)
		}
	}
	set, err := ReadFiles(t.Context(), []string{root}, chunk.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(sources(set), " "); got != "a.txt" {
		t.Errorf("sources %q, want only a.txt", got)
	}
	joined := strings.Join(set.Errors, "\n")
	for _, name := range []string{"passwd.txt", "etcdir"} {
		if !strings.Contains(joined, filepath.Join(root, name)+": symbolic link to ") {
			t.Errorf("skipped list does not name %s:\n%s", name, joined)
		}
	}
	if len(set.Unreadable) != 0 {
		t.Errorf("links out of the root kept as unreadable: %v", set.Unreadable)
	}

	set, err = ReadFilesWith(t.Context(), []string{root}, ReadOptions{Chunk: chunk.DefaultOptions(), FollowSymlinks: true})
	if err != nil || len(set.Errors) != 0 {
		t.Fatal(err, set.Errors)
	}
	if got := strings.Join(sources(set), " "); got != "a.txt hosts.txt passwd.txt" {
		t.Errorf("with FollowSymlinks: sources %q", got)
	}
}

// TestReadFilesSkipsSpecialAndLargeFiles: a FIFO named on the command line
// and a file over MaxFileSize are skipped and named, the rest is read.
func TestReadFilesSkipsSpecialAndLargeFiles(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.txt"), sampleReport)
	big := filepath.Join(dir, "big.txt")
	writeFile(t, big, strings.Repeat(sampleReport, 10))
	fifo := filepath.Join(dir, "pipe.txt")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip(err)
	}
	set, err := ReadFilesWith(t.Context(), []string{dir, fifo}, ReadOptions{Chunk: chunk.DefaultOptions(), MaxFileSize: int64(len(sampleReport) * 2)})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(sources(set), " "); got != "a.txt" {
		t.Errorf("sources %q, want a.txt", got)
	}
	joined := strings.Join(set.Errors, "\n")
	if !strings.Contains(joined, big+": file is over the size limit") || set.TooLarge != 1 || !set.Unreadable[big] {
		t.Errorf("big file: TooLarge %d, unreadable %v, errors:\n%s", set.TooLarge, set.Unreadable, joined)
	}
	if strings.Count(joined, "pipe.txt: not a regular file but a named pipe (FIFO)") != 2 {
		t.Errorf("FIFO not named twice (in the folder and as named):\n%s", joined)
	}
}

// TestReadFilesCancelled: a done context stops ReadFiles with ctx.Err().
func TestReadFilesCancelled(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.txt"), sampleReport)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	set, err := ReadFiles(ctx, []string{dir}, chunk.DefaultOptions())
	if !errors.Is(err, context.Canceled) || set != nil {
		t.Errorf("got %v, %v; want context.Canceled", set, err)
	}
}

// cancelAt is a Trace writer that cancels the run when a phase line with
// the given prefix is written: the phase begins with its ctx already done.
type cancelAt struct {
	prefix string
	cancel context.CancelFunc
	lines  []string
}

func (c *cancelAt) Write(b []byte) (int, error) {
	line := strings.TrimSuffix(string(b), "\n")
	c.lines = append(c.lines, line)
	if strings.HasPrefix(line, c.prefix) {
		c.cancel()
	}
	return len(b), nil
}

// TestRunCancelledBeforeSaving: cancellation seen in any phase before the
// first save (loading, building the lexical index, just before saving) ends
// the run with ErrNothingSaved naming the phase, and leaves the stored
// snapshot byte-identical.
func TestRunCancelledBeforeSaving(t *testing.T) {
	src := t.TempDir()
	writeFile(t, filepath.Join(src, "a.txt"), sampleReport)
	dir := filepath.Join(t.TempDir(), "coll")
	cfg := Config{Dir: dir, Options: chunk.DefaultOptions(), Lexical: DefaultLexical}
	set, err := ReadFiles(t.Context(), []string{src}, cfg.Options)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Run(t.Context(), cfg, nil, embed.ModelInfo{}, set); err != nil {
		t.Fatal(err)
	}
	snapPath := filepath.Join(dir, store.SnapshotName)
	before, err := os.ReadFile(snapPath)
	if err != nil {
		t.Fatal(err)
	}
	// A changed file, so that the run would write a different snapshot.
	writeFile(t, filepath.Join(src, "a.txt"), sampleReport+"\n三、附加段落\n\n新增的一段文字，用来改变索引的内容。\n")
	set, err = ReadFiles(t.Context(), []string{src}, cfg.Options)
	if err != nil {
		t.Fatal(err)
	}
	for _, phase := range []struct{ trace, named string }{
		{"loading the stored collection", "loading the stored collection"},
		{"building the lexical index", "building the lexical index"},
		{"saving the snapshot", "saving the snapshot"},
	} {
		ctx, cancel := context.WithCancel(t.Context())
		tr := &cancelAt{prefix: phase.trace, cancel: cancel}
		c := cfg
		c.Trace = tr
		_, err := Run(ctx, c, nil, embed.ModelInfo{}, set)
		cancel()
		if !errors.Is(err, ErrNothingSaved) || !errors.Is(err, ErrInterrupted) || !strings.Contains(err.Error(), "while "+phase.named) {
			t.Errorf("%s: %v, want ErrNothingSaved while %s (trace %q)", phase.trace, err, phase.named, tr.lines)
		}
		after, err := os.ReadFile(snapPath)
		if err != nil || !bytes.Equal(after, before) {
			t.Fatalf("%s: the snapshot changed (%v)", phase.trace, err)
		}
	}
	// The same run, not cancelled, does write: the check above can fail.
	if _, err := Run(t.Context(), cfg, nil, embed.ModelInfo{}, set); err != nil {
		t.Fatal(err)
	}
	if after, _ := os.ReadFile(snapPath); bytes.Equal(after, before) {
		t.Error("an uncancelled run left the snapshot as it was")
	}
}

// swapAt is a Trace writer that, when the line "reading <path>" is
// written (just before the file is read), replaces the file with a link to
// target: the walk saw a regular file inside the root.
type swapAt struct {
	t            *testing.T
	path, target string
}

func (s swapAt) Write(b []byte) (int, error) {
	if strings.TrimSpace(string(b)) == "reading "+s.path {
		if err := os.Remove(s.path); err != nil {
			s.t.Error(err)
		}
		if err := os.Symlink(s.target, s.path); err != nil {
			s.t.Error(err)
		}
	}
	return len(b), nil
}

// TestReadFilesRefusesFileSwappedForLink: a file that becomes a link out
// of the corpus between the walk and the read is not read, and is named.
func TestReadFilesRefusesFileSwappedForLink(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "corpus")
	victim := filepath.Join(root, "b.txt")
	writeFile(t, filepath.Join(root, "a.txt"), sampleReport)
	writeFile(t, victim, sampleReport)
	secret := filepath.Join(base, "secret.txt")
	writeFile(t, secret, sampleReport+"\n机密内容不应被索引。\n")
	set, err := ReadFilesWith(t.Context(), []string{root}, ReadOptions{Chunk: chunk.DefaultOptions(), Trace: swapAt{t, victim, secret}})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(sources(set), " "); got != "a.txt" {
		t.Errorf("sources %q, want a.txt only", got)
	}
	for _, r := range set.Records {
		if strings.Contains(r.Text, "机密") {
			t.Fatalf("the secret was indexed: %s", r.ID)
		}
	}
	if joined := strings.Join(set.Errors, "\n"); !strings.Contains(joined, victim+": symbolic link to "+secret) {
		t.Errorf("the swapped file is not named:\n%s", joined)
	}
}
