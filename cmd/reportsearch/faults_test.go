package main

// Fault tests: the real binary is killed (kill -9 and Ctrl-C) at random
// points of an index run, its Ollama server dies under it, readers and a
// second writer run beside it, its store is damaged, and it is fed every kind
// of bad file. After each fault the store must be whole and searchable, and
// the next run must finish without re-embedding anything that was saved.
// Every loop is bounded in count; no assertion depends on timing.

import (
	"bytes"
	"crypto/sha256"
	bin "encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/reportsearch/reportsearch/chunk"
	"github.com/reportsearch/reportsearch/indexer"
	"github.com/reportsearch/reportsearch/internal/testenv"
	"github.com/reportsearch/reportsearch/store"
)

// faultQuery is answered by 003, which every fault corpus holds.
const faultQuery = "稳增长 部门协同"

// faultCorpus makes a small corpus in a temp folder: 001 and 003 and the
// first sliceBytes of 004 (cut at a line end). With 30 KB a full index run
// is a few seconds with the fixture model and spans several embedding groups,
// so checkpoints happen mid-run.
func faultCorpus(t *testing.T, sliceBytes int) string {
	t.Helper()
	corpus := filepath.Join(testenv.Shared(t), "corpus")
	dir := t.TempDir()
	for _, f := range []string{"001_5477da2e9dc24219.txt", "003_fc0e754ba3f6118e.txt"} {
		b, err := os.ReadFile(filepath.Join(corpus, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if sliceBytes > 0 {
		b, err := os.ReadFile(filepath.Join(corpus, "004_482334abf8830909.txt"))
		if err != nil {
			t.Fatal(err)
		}
		b = b[:bytes.LastIndexByte(b[:min(sliceBytes, len(b))], '\n')+1]
		if err := os.WriteFile(filepath.Join(dir, "004_slice.txt"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// proc is a reportsearch process running in the background.
type proc struct {
	cmd         *exec.Cmd
	out, errb   bytes.Buffer
	done        chan struct{}
	code        int
	signaled    syscall.Signal // the signal that ended it, 0 if it exited
	waitErr     error
	description string
}

// startRS starts the binary like rs does, without waiting for it.
func startRS(t *testing.T, dataDir, host string, args ...string) *proc {
	t.Helper()
	p := &proc{done: make(chan struct{}), description: strings.Join(args, " ")}
	p.cmd = exec.Command(binary(t), args...)
	p.cmd.Env = append(os.Environ(), "REPORTSEARCH_DATA="+dataDir, "OLLAMA_HOST="+host, "REPORTSEARCH_MODEL=", "REPORTSEARCH_COLLECTION=")
	p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.errb
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		err := p.cmd.Wait()
		var ee *exec.ExitError
		switch {
		case errors.As(err, &ee):
			p.code = ee.ExitCode()
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				p.signaled = ws.Signal()
			}
		case err != nil:
			p.waitErr = err
		}
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// wait waits for the process, at most limit; then it is killed and the test fails.
func (p *proc) wait(t *testing.T, limit time.Duration) {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(limit):
		p.cmd.Process.Kill()
		<-p.done
		t.Fatalf("%s did not end within %s; stderr:\n%s", p.description, limit, p.errb.String())
	}
	if p.waitErr != nil {
		t.Fatal(p.waitErr)
	}
}

func (p *proc) running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// collectionDirs lists the collection folders of a data dir that hold a
// snapshot.
func collectionDirs(t *testing.T, data string) []string {
	t.Helper()
	snaps, err := filepath.Glob(filepath.Join(data, "*", store.SnapshotName))
	if err != nil {
		t.Fatal(err)
	}
	for i := range snaps {
		snaps[i] = filepath.Dir(snaps[i])
	}
	return snaps
}

// onlySnapshot loads the one collection of data; nil when nothing was saved.
func onlySnapshot(t *testing.T, data string) (*store.Snapshot, string) {
	t.Helper()
	dirs := collectionDirs(t, data)
	switch len(dirs) {
	case 0:
		return nil, ""
	case 1:
	default:
		t.Fatalf("want one collection in %s, found %v", data, dirs)
	}
	snap, err := store.Load(dirs[0])
	if err != nil {
		t.Fatalf("snapshot left by the fault does not load: %v", err)
	}
	return snap, dirs[0]
}

func cosine(a, b []float32) float64 {
	var ab, aa, bb float64
	for i := range a {
		ab += float64(a[i]) * float64(b[i])
		aa += float64(a[i]) * float64(a[i])
		bb += float64(b[i]) * float64(b[i])
	}
	return ab / math.Sqrt(aa*bb)
}

// checkAgainstClean asserts that a snapshot holds no duplicated chunk, only
// chunks of the clean run with the clean run's text hash, and that every
// stored vector is the vector of that text (the fixture model is
// deterministic up to float rounding), with the manifest counting them.
func checkAgainstClean(t *testing.T, what string, snap *store.Snapshot, clean map[string]*store.Record) {
	t.Helper()
	seen := map[string]bool{}
	for i := range snap.Records {
		r := &snap.Records[i]
		if seen[r.ID] {
			t.Fatalf("%s: chunk %s stored twice", what, r.ID)
		}
		seen[r.ID] = true
		c, ok := clean[r.ID]
		if !ok {
			t.Fatalf("%s: chunk %s is not in a clean run's set", what, r.ID)
		}
		if r.Hash != c.Hash || r.Text != c.Text {
			t.Fatalf("%s: chunk %s: hash %s, a clean run has %s", what, r.ID, r.Hash, c.Hash)
		}
		if r.Vector != nil {
			if len(r.Vector) != len(c.Vector) || cosine(r.Vector, c.Vector) < 0.9999 {
				t.Fatalf("%s: chunk %s: stored vector is not the vector of its text", what, r.ID)
			}
		}
	}
	if n := snap.Embedded(); snap.Manifest.Embedded != n || snap.Manifest.Chunks != len(snap.Records) {
		t.Fatalf("%s: manifest counts %d chunks, %d embedded; snapshot holds %d, %d", what,
			snap.Manifest.Chunks, snap.Manifest.Embedded, len(snap.Records), n)
	}
	if snap.Manifest.Complete != (snap.Embedded() == len(snap.Records)) {
		t.Fatalf("%s: manifest says complete=%v with %d of %d chunks embedded", what, snap.Manifest.Complete, snap.Embedded(), len(snap.Records))
	}
}

// checkSearchable runs search and status on data after a fault: search
// answers with well-formed results (or says nothing is indexed yet, when
// nothing was saved), status shows no error.
func checkSearchable(t *testing.T, what, data, host string, saved bool, chunks int) {
	t.Helper()
	s := rs(t, data, host, "search", "--json", "-k", "3", faultQuery)
	if !saved {
		if s.code == 0 || !strings.Contains(s.stderr, "nothing is indexed") || strings.Contains(s.stderr, "panic") {
			t.Fatalf("%s: with nothing saved, search should say nothing is indexed: exit %d %s", what, s.code, s.stderr)
		}
	} else {
		if s.code != 0 {
			t.Fatalf("%s: search: exit %d: %s", what, s.code, s.stderr)
		}
		out := decodeJSON[SearchOutput](t, s.stdout)
		if len(out.Results) == 0 {
			t.Fatalf("%s: search found nothing for %q", what, faultQuery)
		}
		for _, r := range out.Results {
			if r.ID == "" || r.File == "" || r.Text == "" || r.End <= r.Start {
				t.Fatalf("%s: malformed result %+v", what, r)
			}
		}
	}
	st := rs(t, data, host, "status", "--json")
	if st.code != 0 {
		t.Fatalf("%s: status: exit %d: %s", what, st.code, st.stderr)
	}
	out := decodeJSON[StatusOutput](t, st.stdout)
	for _, c := range out.Collections {
		if c.Error != "" {
			t.Fatalf("%s: status shows an error: %s", what, c.Error)
		}
	}
	if saved && (len(out.Collections) != 1 || out.Collections[0].Chunks != chunks) {
		t.Fatalf("%s: status: want one collection of %d chunks, got %+v", what, chunks, out.Collections)
	}
}

// faultSeed is the seed of the random kill points, logged so a failing
// sequence can be replayed with REPORTSEARCH_FAULT_SEED.
func faultSeed(t *testing.T) uint64 {
	if s := os.Getenv("REPORTSEARCH_FAULT_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("REPORTSEARCH_FAULT_SEED: %v", err)
		}
		return n
	}
	return 20260305
}

// TestIndexSurvivesKills kills `index` with SIGKILL and SIGINT at seeded
// random points between 0.2 s and the length of a clean run, 20 times, and
// checks the store after each kill and after the run that follows.
func TestIndexSurvivesKills(t *testing.T) {
	host := testenv.Ollama(t)
	src := faultCorpus(t, 30000)
	index := []string{"--model", fixtureModel, "index", "--json", "--checkpoint", "200ms", src}

	cleanData := t.TempDir()
	t0 := time.Now()
	r := rs(t, cleanData, host, index...)
	full := time.Since(t0)
	if r.code != 0 {
		t.Fatalf("clean run: exit %d: %s", r.code, r.stderr)
	}
	cleanSnap, _ := onlySnapshot(t, cleanData)
	if cleanSnap == nil || !cleanSnap.Manifest.Complete || cleanSnap.Embedded() != len(cleanSnap.Records) {
		t.Fatalf("clean run left no complete snapshot: %s\n%s", r.stdout, r.stderr)
	}
	clean := map[string]*store.Record{}
	for i := range cleanSnap.Records {
		clean[cleanSnap.Records[i].ID] = &cleanSnap.Records[i]
	}
	checkAgainstClean(t, "clean run", cleanSnap, clean)
	chunks := len(cleanSnap.Records)
	t.Logf("clean run: %d chunks in %s", chunks, full.Round(time.Millisecond))

	// A fault counts when the signal ended a running index (killed, or
	// exit 130). On a busy machine a run can finish before its signal, so
	// trials go on until 20 faults landed (at most 40), and the delay range
	// follows the latest full run's length.
	const wantFaults, maxTrials = 20, 40
	const minDelay = 200 * time.Millisecond
	seed := faultSeed(t)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	var trials, faults, sent, beforeSave, lost, staleTemps int
	sigs := map[syscall.Signal]int{}
	for i := 0; faults < wantFaults && i < maxTrials; i++ {
		trials++
		sig := syscall.SIGKILL
		if i%2 == 1 {
			sig = syscall.SIGINT
		}
		delay := minDelay + time.Duration(rng.Int64N(int64(max(full*9/10-minDelay, time.Millisecond))))
		what := fmt.Sprintf("trial %d (%s after %s)", i+1, sig, delay.Round(time.Millisecond))
		data := t.TempDir()
		start := time.Now()
		p := startRS(t, data, host, index...)
		select {
		case <-p.done:
			full = time.Since(start) // a whole run: the new delay range
		case <-time.After(delay):
			if err := p.cmd.Process.Signal(sig); err == nil {
				sent++
			}
		}
		p.wait(t, 2*time.Minute)

		// How it ended: killed, interrupted (exit 130, having saved), or
		// done before the signal landed.
		switch {
		case p.signaled == syscall.SIGKILL && sig == syscall.SIGKILL:
			faults++
			sigs[sig]++
		case p.code == 130 && sig == syscall.SIGINT:
			faults++
			sigs[sig]++
			if e := p.errb.String(); !strings.Contains(e, "run the same index command again") && !strings.Contains(e, "nothing was changed") {
				t.Errorf("%s: interrupted run does not say how to finish: %s", what, e)
			}
		case p.code == 0:
		default:
			t.Fatalf("%s: index ended with exit %d, signal %v: %s", what, p.code, p.signaled, p.errb.String())
		}

		snap, dir := onlySnapshot(t, data)
		saved := snap != nil
		if !saved {
			beforeSave++
		}
		checkSearchable(t, what, data, host, saved, chunks)
		stored := 0
		if saved {
			checkAgainstClean(t, what, snap, clean)
			stored = snap.Embedded()
			if temps, _ := filepath.Glob(filepath.Join(dir, ".snapshot-*.tmp")); len(temps) > 0 {
				staleTemps += len(temps)
			}
		}
		// Ctrl-C saves what was embedded: the interrupted run's own count
		// must all be in the snapshot.
		if p.code == 130 && p.out.Len() > 0 {
			st := decodeJSON[indexJSON](t, p.out.String())
			if st.Embedded > stored {
				lost += st.Embedded - stored
				t.Errorf("%s: the run embedded %d chunks, the snapshot holds %d", what, st.Embedded, stored)
			}
		}

		// The next run re-embeds nothing that was saved and ends with the
		// clean run's chunk set.
		next := rs(t, data, host, index...)
		if next.code != 0 {
			t.Fatalf("%s: next index: exit %d: %s", what, next.code, next.stderr)
		}
		st := decodeJSON[indexJSON](t, next.stdout)
		if st.Reused != stored || st.Embedded != chunks-stored || st.Pending != 0 || st.Chunks != chunks || len(st.Failed) != 0 {
			if st.Reused < stored {
				lost += stored - st.Reused
			}
			t.Fatalf("%s: %d chunks were saved; the next run reused %d and embedded %d (%d chunks, %d pending)",
				what, stored, st.Reused, st.Embedded, st.Chunks, st.Pending)
		}
		final, finalDir := onlySnapshot(t, data)
		if temps, _ := filepath.Glob(filepath.Join(finalDir, ".snapshot-*.tmp")); len(temps) > 0 {
			t.Errorf("%s: the next run left the killed run's temporaries: %v", what, temps)
		}
		checkAgainstClean(t, what+", next run", final, clean)
		if len(final.Records) != chunks || !final.Manifest.Complete {
			lost += chunks - len(final.Records)
			t.Fatalf("%s: next run left %d chunks (complete=%v), a clean run %d", what, len(final.Records), final.Manifest.Complete, chunks)
		}
		ended := fmt.Sprintf("exit %d", p.code)
		if p.signaled != 0 {
			ended = p.signaled.String()
		}
		t.Logf("%s: %s, %d of %d chunks saved, next run reused %d and embedded %d",
			what, ended, stored, chunks, st.Reused, st.Embedded)
	}
	t.Logf("kill trials: %d trials (seed %d), %d signals sent, %d faults landed on a running index (%d SIGKILL, %d SIGINT), %d of them before the first save, %d runs finished before their signal; chunks lost: %d; snapshot temporaries left by kill -9 (removed by the next run): %d",
		trials, seed, sent, faults, sigs[syscall.SIGKILL], sigs[syscall.SIGINT], beforeSave, trials-faults, lost, staleTemps)
	if lost != 0 {
		t.Errorf("%d chunks lost", lost)
	}
	if faults < wantFaults {
		t.Errorf("only %d of %d trials stopped a running index (want %d): the machine was too busy for the delays to land", faults, trials, wantFaults)
	}
}

// ollamaServer is a private Ollama server for a test that kills it.
type ollamaServer struct {
	cmd  *exec.Cmd
	host string
	once sync.Once
	done chan struct{}
}

// ollamaForKilling finds an Ollama binary and the models folder holding the
// fixture model (what scripts/ollama-up.sh sets up), or skips (fails when
// Ollama is required).
func ollamaForKilling(t *testing.T) (bin, models string) {
	t.Helper()
	repo, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	bin = filepath.Join(repo, ".cache", "bin", "ollama")
	if _, err := os.Stat(bin); err != nil {
		if bin, err = exec.LookPath("ollama"); err != nil {
			testenv.Missing(t, "no Ollama binary (.cache/bin/ollama or ollama on PATH) to start a second server: run scripts/ollama-up.sh")
		}
	}
	models = filepath.Join(repo, ".cache", "ollama-models")
	if _, err := os.Stat(filepath.Join(models, "manifests", "registry.ollama.ai", "library", fixtureModel)); err != nil {
		testenv.Missing(t, "the fixture model is not in %s: run scripts/ollama-up.sh", models)
	}
	return bin, models
}

// startOllama starts `ollama serve` on a free loopback port in its own
// process group (so its model runner dies with it) and waits until it answers.
func startOllama(t *testing.T, bin, models string) *ollamaServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	host := l.Addr().String()
	l.Close()
	logFile := filepath.Join(t.TempDir(), "ollama.log")
	logw, err := os.Create(logFile)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logw.Close() })
	s := &ollamaServer{host: host, done: make(chan struct{})}
	s.cmd = exec.Command(bin, "serve")
	// OLLAMA_NOPRUNE: the models folder is shared with the test server.
	s.cmd.Env = append(os.Environ(), "OLLAMA_HOST="+host, "OLLAMA_MODELS="+models, "OLLAMA_NOPRUNE=1")
	s.cmd.Stdout, s.cmd.Stderr = logw, logw
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.cmd.Wait(); close(s.done) }()
	t.Cleanup(s.kill)
	client := &http.Client{Timeout: 2 * time.Second}
	for range 240 { // up to a minute
		if resp, err := client.Get("http://" + host + "/api/version"); err == nil {
			resp.Body.Close()
			return s
		}
		select {
		case <-s.done:
			b, _ := os.ReadFile(logFile)
			t.Fatalf("ollama serve exited at start:\n%s", b)
		case <-time.After(250 * time.Millisecond):
		}
	}
	b, _ := os.ReadFile(logFile)
	t.Fatalf("ollama serve on %s did not answer within a minute:\n%s", host, b)
	return nil
}

// kill ends the server and its runner with SIGKILL, as a crash would.
func (s *ollamaServer) kill() {
	s.once.Do(func() {
		syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.done
	})
}

// TestOllamaDiesMidIndex kills a private Ollama server once the index run has
// saved its first vectors: the run must stop with a message naming Ollama
// and saying to run again, the store stays searchable (lexically), and after
// a restart the next run embeds only what was not saved.
func TestOllamaDiesMidIndex(t *testing.T) {
	testenv.Ollama(t)
	bin, models := ollamaForKilling(t)
	srv := startOllama(t, bin, models)
	src := faultCorpus(t, 60000)
	data := t.TempDir()
	index := []string{"--model", fixtureModel, "index", "--json", "--checkpoint", "200ms", src}
	p := startRS(t, data, srv.host, index...)

	// Wait (bounded) for a checkpoint holding vectors, so Ollama dies mid-run.
	var snap *store.Snapshot
	for range 2400 { // 2 minutes at most
		if !p.running() {
			break
		}
		if dirs := collectionDirs(t, data); len(dirs) == 1 {
			if s, err := store.Load(dirs[0]); err == nil && s.Manifest.Embedded > 0 {
				snap = s
				break
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if snap == nil {
		p.wait(t, time.Minute)
		t.Fatalf("index ended (exit %d) before a checkpoint could be seen: %s", p.code, p.errb.String())
	}
	// No sleep "into the next batch": the run is past a checkpoint and, as
	// checked here, still running, which is all "mid-index" means.
	if !p.running() {
		p.wait(t, time.Minute)
		t.Fatalf("index ended (exit %d) right after its first checkpoint; the test needs a longer run: %s", p.code, p.errb.String())
	}
	srv.kill()
	p.wait(t, 2*time.Minute)
	stderr := p.errb.String()
	if p.code == 0 || p.code == 130 || !strings.Contains(stderr, "Ollama") || !strings.Contains(stderr, "run the same index command again") || strings.Contains(stderr, "panic") {
		t.Fatalf("index after Ollama died: want a failure naming Ollama and saying to run again, got exit %d:\n%s", p.code, stderr)
	}
	t.Logf("index when Ollama died: exit %d: %s", p.code, strings.TrimSpace(stderr))

	snap, _ = onlySnapshot(t, data)
	stored := snap.Embedded()
	if stored == 0 || stored == len(snap.Records) {
		t.Fatalf("want a partly embedded snapshot, have %d of %d chunks embedded", stored, len(snap.Records))
	}
	s := rs(t, data, srv.host, "search", "--json", "--mode", "lexical", faultQuery)
	if s.code != 0 {
		t.Fatalf("lexical search with Ollama down: exit %d: %s", s.code, s.stderr)
	}
	if out := decodeJSON[SearchOutput](t, s.stdout); len(out.Results) == 0 {
		t.Fatal("lexical search with Ollama down found nothing")
	}
	// Hybrid (the default) falls back to lexical rather than failing.
	if s := rs(t, data, srv.host, "search", "--json", faultQuery); s.code != 0 {
		t.Fatalf("default search with Ollama down: exit %d: %s", s.code, s.stderr)
	}

	srv2 := startOllama(t, bin, models)
	next := rs(t, data, srv2.host, index...)
	if next.code != 0 {
		t.Fatalf("index after the restart: exit %d: %s", next.code, next.stderr)
	}
	st := decodeJSON[indexJSON](t, next.stdout)
	if st.Reused != stored || st.Embedded != len(snap.Records)-stored || st.Pending != 0 {
		t.Fatalf("%d chunks were saved before Ollama died; the next run reused %d, embedded %d, left %d pending",
			stored, st.Reused, st.Embedded, st.Pending)
	}
	t.Logf("Ollama killed with %d of %d chunks saved; after a restart the next run reused %d and embedded %d",
		stored, len(snap.Records), st.Reused, st.Embedded)
}

// TestConcurrentSearchDuringRebuild: readers never see a half-written store.
// While `index --rebuild` alternates between two sources in another process,
// search and status answer every time, with a chunk count that one of the
// two complete snapshots has. A second writer fails fast on the lock.
func TestConcurrentSearchDuringRebuild(t *testing.T) {
	host := testenv.Ollama(t)
	corpus := filepath.Join(testenv.Shared(t), "corpus")
	// srcB (two reports and a slice of a third) is the larger, so a rebuild
	// from it embeds for a while with the lock held.
	srcA, srcB := t.TempDir(), faultCorpus(t, 15000)
	for dir, files := range map[string][]string{
		srcA: {"003_fc0e754ba3f6118e.txt"},
	} {
		for _, f := range files {
			b, err := os.ReadFile(filepath.Join(corpus, f))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The chunk sets a complete snapshot can hold, as the CLI chunks them.
	counts := map[int]bool{}
	ids := map[string]bool{}
	for _, src := range []string{srcA, srcB} {
		set, err := indexer.ReadFiles(t.Context(), []string{src}, chunk.DefaultOptions())
		if err != nil || len(set.Errors) > 0 {
			t.Fatalf("%v %v", err, set.Errors)
		}
		counts[len(set.Records)] = true
		for _, r := range set.Records {
			ids[r.ID] = true
		}
	}
	if len(counts) != 2 {
		t.Fatalf("the two sources should differ in chunk count: %v", counts)
	}

	data := t.TempDir()
	if r := rs(t, data, host, "--model", fixtureModel, "index", srcA); r.code != 0 {
		t.Fatalf("first index: %s", r.stderr)
	}

	dirs := collectionDirs(t, data)
	if len(dirs) != 1 {
		t.Fatalf("want one collection after the first index, got %v", dirs)
	}
	lockFile := filepath.Join(dirs[0], "lock")

	// maxReads only bounds a hang: the reads go on until the rebuilds end.
	// At least minRebuilds, and more (up to maxRebuilds) until some read has
	// run wholly inside one; maxReads only bounds a hang: the reads go on
	// until the rebuilds end.
	const minRebuilds, maxRebuilds, maxReads = 4, 16, 4000
	var overlapped atomic.Int32
	exe := binary(t)
	writer := make(chan []result, 1)
	go func() {
		var outs []result
		for i := 0; i < maxRebuilds && (i < minRebuilds || overlapped.Load() == 0); i++ {
			src := []string{srcA, srcB}[(i+1)%2]
			cmd := exec.Command(exe, "--model", fixtureModel, "index", "--rebuild", "--checkpoint", "200ms", src)
			cmd.Env = append(os.Environ(), "REPORTSEARCH_DATA="+data, "OLLAMA_HOST="+host, "REPORTSEARCH_MODEL=", "REPORTSEARCH_COLLECTION=")
			var errb bytes.Buffer
			cmd.Stderr = &errb
			err := cmd.Run()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				code = -1
			}
			outs = append(outs, result{"", errb.String(), code})
		}
		writer <- outs
	}()

	// A read overlapped a rebuild when the same rebuild process held the
	// writer lock (per the kernel's lock table) both before the read started
	// and after it ended: the flock is held without a break from before the
	// rebuild's first write to after its last, so the read ran wholly inside
	// it and saw the snapshot being replaced.
	inside := func(read func()) {
		before := flockHolder(t, lockFile)
		read()
		if before != 0 && before == flockHolder(t, lockFile) {
			overlapped.Add(1)
		}
	}
	var reads int
	seenCounts := map[int]int{}
	var writes []result
loop:
	for reads < maxReads {
		select {
		case writes = <-writer:
			break loop
		default:
		}
		reads++
		inside(func() {
			s := rs(t, data, host, "search", "--json", "-k", "5", faultQuery)
			if s.code != 0 {
				t.Fatalf("search %d during rebuilds: exit %d: %s", reads, s.code, s.stderr)
			}
			for _, r := range decodeJSON[SearchOutput](t, s.stdout).Results {
				if !ids[r.ID] || r.Text == "" || r.End <= r.Start {
					t.Fatalf("search %d during rebuilds: result not from a complete snapshot: %+v", reads, r)
				}
			}
		})
		inside(func() {
			st := rs(t, data, host, "status", "--json")
			out := decodeJSON[StatusOutput](t, st.stdout)
			if st.code != 0 || len(out.Collections) != 1 || out.Collections[0].Error != "" || !counts[out.Collections[0].Chunks] {
				t.Fatalf("status %d during rebuilds: exit %d %+v (want one collection of %v chunks)", reads, st.code, out.Collections, counts)
			}
			seenCounts[out.Collections[0].Chunks]++
		})
	}
	if writes == nil {
		writes = <-writer
	}
	for i, w := range writes {
		if w.code != 0 {
			t.Fatalf("rebuild %d: exit %d: %s", i+1, w.code, w.stderr)
		}
	}
	if overlapped.Load() == 0 {
		t.Fatalf("none of %d search and status reads ran wholly while one of %d rebuilds held the lock: the test proved nothing", 2*reads, len(writes))
	}
	t.Logf("%d rebuilds, %d search and status reads beside them (%d wholly inside a rebuild holding the lock), chunk counts seen: %v", len(writes), 2*reads, overlapped.Load(), seenCounts)

	// A second writer while one runs: fails at once on the lock, naming the
	// holder, and the first run is undisturbed.
	big := faultCorpus(t, 30000)
	p := startRS(t, data, host, "--model", fixtureModel, "index", "--rebuild", "--json", "--checkpoint", "200ms", big)
	for range 2400 { // until p holds the lock and has saved a checkpoint, 2 minutes at most
		if !p.running() {
			break
		}
		if dirs := collectionDirs(t, data); len(dirs) == 1 {
			s, err := store.Load(dirs[0])
			if flockHolder(t, lockFile) == p.cmd.Process.Pid && err == nil && s.Manifest.Embedded > 0 && len(s.Records) > len(ids) {
				break
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	second := rs(t, data, host, "--model", fixtureModel, "index", big)
	stillRunning := p.running()
	if second.code == 0 || !strings.Contains(second.stderr, "locked by another process") || !strings.Contains(second.stderr, strconv.Itoa(p.cmd.Process.Pid)) {
		t.Fatalf("second index while one runs: want the lock error naming pid %d, got exit %d: %s", p.cmd.Process.Pid, second.code, second.stderr)
	}
	if !stillRunning {
		t.Fatalf("the first index ended before the second was refused; the test needs a longer first run")
	}
	p.wait(t, 2*time.Minute)
	if p.code != 0 {
		t.Fatalf("the first index failed beside the refused second: exit %d: %s", p.code, p.errb.String())
	}
	t.Logf("second writer refused: %s", strings.TrimSpace(second.stderr))
}

// TestDamagedStore: a flipped byte, a garbage file, an empty file and
// garbage framed with a valid checksum all give a clear error naming
// --rebuild (never a panic), status lists the damage, index refuses to
// build on it, and index --rebuild recovers.
func TestDamagedStore(t *testing.T) {
	corpus := filepath.Join(testenv.Shared(t), "corpus")
	file := filepath.Join(corpus, "003_fc0e754ba3f6118e.txt")
	dead := "127.0.0.1:9"
	data := t.TempDir()
	// --model names the collection without Ollama (lexical only), so both
	// ways of finding it are tried: by model, and the newest one.
	index := []string{"--model", fixtureModel, "index", file}
	rebuild := []string{"--model", fixtureModel, "index", "--rebuild", file}
	if r := rs(t, data, dead, index...); r.code != 0 {
		t.Fatal(r.stderr)
	}
	dirs := collectionDirs(t, data)
	if len(dirs) != 1 {
		t.Fatalf("want one collection, found %v", dirs)
	}
	path := filepath.Join(dirs[0], store.SnapshotName)
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	noise := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	flipped := slices.Clone(good)
	flipped[len(flipped)/2] ^= 0x10
	// The file's own header (magic line, manifest and its checksum, see
	// store/format.go), a length, gob-shaped garbage, and a checksum that
	// matches: only the decoder can refuse it.
	magicEnd := bytes.IndexByte(good, '\n') + 1
	header := good[:magicEnd+8+int(bin.BigEndian.Uint64(good[magicEnd:]))+sha256.Size]
	payload := noise(4096)
	framed := append(slices.Clone(header), bin.BigEndian.AppendUint64(nil, uint64(len(payload)))...)
	framed = append(framed, payload...)
	sum := sha256.Sum256(framed)
	framed = append(framed, sum[:]...)

	for _, tc := range []struct {
		name string
		b    []byte
		// decodeOnly: the checksum matches, so status (which verifies
		// checksums without decoding) cannot see it; loading does.
		decodeOnly bool
	}{
		{"flipped byte", flipped, false},
		{"garbage", noise(64 << 10), false},
		{"empty file", nil, false},
		{"framed garbage", framed, true},
	} {
		if err := os.WriteFile(path, tc.b, 0o644); err != nil {
			t.Fatal(err)
		}
		clear := func(r result, what string) {
			t.Helper()
			if r.code == 0 || !strings.Contains(r.stderr, "corrupted") || !strings.Contains(r.stderr, "--rebuild") ||
				strings.Contains(r.stderr, "panic") || strings.Contains(r.stderr, "goroutine") {
				t.Errorf("%s: %s: want a clear corruption error naming --rebuild, got exit %d: %s", tc.name, what, r.code, r.stderr)
			}
		}
		clear(rs(t, data, dead, "search", "稳增长"), "search")
		clear(rs(t, data, dead, "--model", fixtureModel, "search", "稳增长"), "search --model")
		clear(rs(t, data, dead, index...), "index without --rebuild")
		st := rs(t, data, dead, "status", "--json")
		out := decodeJSON[StatusOutput](t, st.stdout)
		if !tc.decodeOnly && (st.code != 1 || len(out.Collections) != 1 || !strings.Contains(out.Collections[0].Error, "corrupted")) {
			t.Errorf("%s: status should list the collection with its damage: exit %d %+v", tc.name, st.code, out.Collections)
		}
		if r := rs(t, data, dead, rebuild...); r.code != 0 {
			t.Fatalf("%s: rebuild: exit %d: %s", tc.name, r.code, r.stderr)
		}
		if s := rs(t, data, dead, "search", "--json", "稳增长"); s.code != 0 || len(decodeJSON[SearchOutput](t, s.stdout).Results) == 0 {
			t.Fatalf("%s: search after rebuild: exit %d: %s", tc.name, s.code, s.stderr)
		}
	}
}

// TestBadInputFolderE2E indexes a folder holding every kind of bad file
// beside one good one: each bad file is named in stderr with what is wrong,
// GBK text and a 10 MB file without line breaks are indexed, a symlink loop
// ends, and the exit code is 3. Broken evaluation files are named by
// file:line.
func TestBadInputFolderE2E(t *testing.T) {
	corpus := filepath.Join(testenv.Shared(t), "corpus")
	src := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(src, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	goodText, err := os.ReadFile(filepath.Join(corpus, "003_fc0e754ba3f6118e.txt"))
	if err != nil {
		t.Fatal(err)
	}
	write("good.txt", goodText)
	write("binary.txt", []byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x03\x00>\x00\x01"))
	write("badutf8.txt", []byte("青海省政府工作报告\n\n推进\xe6\x94\xff\x80生态保护。\n"))
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(
		"海晏县政府工作报告\n\n一、过去一年的工作\n\n我们建成了青稞酒产业园区，带动农牧民增收，高原特色农牧业稳步发展。\n"))
	if err != nil {
		t.Fatal(err)
	}
	write("gbk.txt", gbk)
	write("empty.txt", nil)
	// 10 MB on one line: sentences, no line break anywhere, and one phrase
	// found nowhere else near the end.
	unit := "推进高质量发展，加快建设现代化产业体系。"
	huge := strings.Repeat(unit, (10<<20)/len(unit)) + "最后一句提到了冬虫夏草保护区。"
	write("huge.txt", []byte(huge))
	write("sub/inner.md", []byte("# 附件\n\n坚持稳中求进工作总基调，完整准确全面贯彻新发展理念。\n"))
	if err := os.Symlink("..", filepath.Join(src, "sub", "loop")); err != nil {
		t.Skipf("symlinks: %v", err)
	}
	os.Symlink("selfloop.txt", filepath.Join(src, "selfloop.txt"))
	unreadable, why := "locked.txt", "permission denied"
	args := []string{"index", "--json"}
	if os.Geteuid() == 0 {
		// Root reads files whatever their mode (and enters folders without
		// x permission), so chmod cannot make an unreadable file here. A
		// link to /proc/self/mem is unreadable even for root (EIO).
		t.Log("running as root: chmod 000 does not stop root, so the unreadable file is a link to /proc/self/mem")
		unreadable, why = "mem.txt", "input/output error"
		os.Symlink("/proc/self/mem", filepath.Join(src, unreadable))
		args = append(args, "--follow-symlinks") // the link leaves src
	} else {
		os.Chmod(write(unreadable, goodText), 0)
	}

	data := t.TempDir()
	r := rs(t, data, "127.0.0.1:9", append(args, src)...)
	if r.code != 3 {
		t.Fatalf("want exit 3 (indexed, with files skipped), got %d: %s", r.code, r.stderr)
	}
	for name, what := range map[string]string{
		"binary.txt":   "binary file",
		"badutf8.txt":  "binary or unknown encoding",
		"empty.txt":    "empty file",
		"selfloop.txt": "too many levels of symbolic links",
		unreadable:     why,
	} {
		found := false
		for _, l := range strings.Split(r.stderr, "\n") {
			if strings.Contains(l, filepath.Join(src, name)) && strings.Contains(l, what) {
				found = true
			}
		}
		if !found {
			t.Errorf("stderr does not name %s with %q:\n%s", name, what, r.stderr)
		}
	}
	for _, name := range []string{"good.txt", "gbk.txt", "huge.txt", "inner.md"} {
		if strings.Contains(r.stderr, name) {
			t.Errorf("%s should be indexed, stderr names it:\n%s", name, r.stderr)
		}
	}
	st := decodeJSON[indexJSON](t, r.stdout)
	snap, _ := onlySnapshot(t, data)
	files := map[string]int{}
	for i := range snap.Records {
		rec := &snap.Records[i]
		files[rec.File]++
		if n := utf8.RuneCountInString(rec.Text); n > chunk.DefaultOptions().MaxRunes {
			t.Fatalf("%s: %d runes, over MaxRunes", rec.ID, n)
		}
	}
	if len(files) != 4 || files["good.txt"] == 0 || files["gbk.txt"] == 0 || files["huge.txt"] < 8000 || files["sub/inner.md"] == 0 {
		t.Fatalf("want good.txt, gbk.txt, huge.txt and sub/inner.md indexed once each, got chunks per file %v", files)
	}
	t.Logf("bad-input folder: %d files, %d chunks (%d from the 10 MB line), stderr:\n%s", st.Files, st.Chunks, files["huge.txt"], r.stderr)

	for q, file := range map[string]string{"青稞酒产业园区": "gbk.txt", "冬虫夏草保护区": "huge.txt", faultQuery: "good.txt"} {
		s := rs(t, data, "127.0.0.1:9", "search", "--json", "-k", "1", q)
		if s.code != 0 {
			t.Fatalf("search %q: exit %d: %s", q, s.code, s.stderr)
		}
		out := decodeJSON[SearchOutput](t, s.stdout)
		if len(out.Results) == 0 || out.Results[0].File != file {
			t.Errorf("search %q: want %s first, got %+v", q, file, out.Results)
		}
	}

	// Broken evaluation files: each problem named by file:line.
	qfile := filepath.Join(t.TempDir(), "questions.jsonl")
	os.WriteFile(qfile, []byte(`{"id":"q1","query":"稳增长","answers":[{"quote":"部门协同"}]}`+"\n"+
		`{"id":"q2","query":"x"`+"\n"+
		`{"id":"q1","query":"重复","answers":[{"quote":"部门协同"}]}`+"\n"+
		`{"id":"q4","answers":[]}`+"\n"), 0o644)
	c := rs(t, data, "127.0.0.1:9", "eval", "check", qfile)
	for _, want := range []string{qfile + ":2:", qfile + ":3:", qfile + ":4:"} {
		if c.code != 1 || !strings.Contains(c.stdout+c.stderr, want) {
			t.Errorf("eval check: want exit 1 naming %s, got exit %d:\n%s%s", want, c.code, c.stdout, c.stderr)
		}
	}
	beir := filepath.Join(t.TempDir(), "beir")
	os.MkdirAll(filepath.Join(beir, "qrels"), 0o755)
	os.WriteFile(filepath.Join(beir, "corpus.jsonl"), []byte(`{"_id":"d1","text":"稳增长"}`+"\n"+`{"_id":"d2","text":"部门协同"}`+"\n"), 0o644)
	os.WriteFile(filepath.Join(beir, "queries.jsonl"), []byte(`{"_id":"q1","text":"稳增长"}`+"\n"+`{"_id":"q2","text":`+"\n"), 0o644)
	os.WriteFile(filepath.Join(beir, "qrels", "test.tsv"), []byte("query-id\tcorpus-id\tscore\nq1\td1\t1\nq1 d2\n"), 0o644)
	for _, step := range []struct{ fix, want string }{
		{"", filepath.Join(beir, "queries.jsonl") + ":2:"},
		{"queries.jsonl", filepath.Join(beir, "qrels", "test.tsv") + ":3:"},
	} {
		if step.fix != "" {
			os.WriteFile(filepath.Join(beir, step.fix), []byte(`{"_id":"q1","text":"稳增长"}`+"\n"), 0o644)
		}
		r := rs(t, data, "127.0.0.1:9", "eval", "import-beir", beir, filepath.Join(t.TempDir(), "out"))
		if r.code != 1 || !strings.Contains(r.stderr, step.want) {
			t.Errorf("eval import-beir: want exit 1 naming %s, got exit %d: %s", step.want, r.code, r.stderr)
		}
	}
}

// flockHolder is the pid holding an exclusive flock on path, or 0, as the
// kernel's lock table (/proc/locks) says: unlike the pid written in the lock
// file, which stays after the lock is released, it is true right now, and
// reading it never disturbs the holder.
func flockHolder(t *testing.T, path string) int {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		if errors.Is(err, syscall.ENOENT) {
			return 0
		}
		t.Fatal(err)
	}
	table, err := os.ReadFile("/proc/locks")
	if err != nil {
		t.Fatalf("the test needs /proc/locks to see who holds the lock: %v", err)
	}
	// "1: FLOCK  ADVISORY  WRITE 12345 08:01:1234567 0 EOF"
	ino := ":" + strconv.FormatUint(st.Ino, 10)
	for _, line := range strings.Split(string(table), "\n") {
		f := strings.Fields(line)
		if len(f) >= 6 && f[1] == "FLOCK" && f[3] == "WRITE" && strings.HasSuffix(f[5], ino) {
			pid, err := strconv.Atoi(f[4])
			if err != nil {
				t.Fatalf("/proc/locks: %q: %v", line, err)
			}
			return pid
		}
	}
	return 0
}
