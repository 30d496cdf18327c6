package progress

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct{ t time.Time }

func (f *fakeClock) now() time.Time       { return f.t }
func (f *fakeClock) step(d time.Duration) { f.t = f.t.Add(d) }
func newClock() *fakeClock                { return &fakeClock{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }
func lines(b *bytes.Buffer) []string {
	return strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
}
func countBar(w *bytes.Buffer, c *fakeClock, tty bool) *Bar {
	return &Bar{c: newCounter(2886, "embedding", "chunks", false, w, tty, c.now)}
}

// Piped: a plain line every LogInterval with count, percentage, rate and
// ETA, never a carriage return, and a closing line.
func TestLogLinesWhenPiped(t *testing.T) {
	var w bytes.Buffer
	clk := newClock()
	b := countBar(&w, clk, false)
	for i := 0; i < 20; i++ { // 64 chunks per second, Add once a second
		clk.step(time.Second)
		b.Add(64)
	}
	b.Finish()
	got := lines(&w)
	want := []string{
		"embedding: 320/2886 chunks (11%), 64 chunks/s, ETA 40s",
		"embedding: 640/2886 chunks (22%), 64 chunks/s, ETA 35s",
		"embedding: 960/2886 chunks (33%), 64 chunks/s, ETA 30s",
		"embedding: 1280/2886 chunks (44%), 64 chunks/s, ETA 25s",
		"embedding: 1280/2886 chunks (44%), stopped after 20s",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if strings.ContainsAny(w.String(), "\r\x1b") {
		t.Errorf("carriage return or escape in piped output: %q", w.String())
	}
}

// A piped run shorter than LogInterval writes nothing, and Finish after
// the last Add closes with "done".
func TestShortPipedRunIsSilentAndDoneSaysDone(t *testing.T) {
	var w bytes.Buffer
	clk := newClock()
	b := countBar(&w, clk, false)
	clk.step(4 * time.Second)
	b.Add(2886)
	b.Finish()
	if w.Len() != 0 {
		t.Errorf("short run wrote %q", w.String())
	}
	w.Reset()
	b = countBar(&w, clk, false)
	clk.step(6 * time.Second)
	b.Add(2000)
	clk.step(3 * time.Second)
	b.Add(886)
	b.Finish()
	b.Finish()
	b.Add(5) // after Finish: nothing
	if got := lines(&w); len(got) != 2 || got[1] != "embedding: 2886/2886 chunks (100%), done in 9s" {
		t.Errorf("got %q", got)
	}
}

// On a terminal the bar counts chunks, and its first frame shows no rate:
// one batch in 10 ms is not 6,400 chunks/s.
func TestTerminalBarCountsChunksWithoutBurstRate(t *testing.T) {
	var w bytes.Buffer
	clk := newClock()
	b := countBar(&w, clk, true)
	clk.step(10 * time.Millisecond)
	b.Add(64)
	first := w.String()
	if want := "\rembedding   2% [>                             ] 64/2886 chunks"; first != want {
		t.Errorf("first frame %q, want %q", first, want)
	}
	for i := 0; i < 4; i++ {
		clk.step(time.Second)
		b.Add(64)
	}
	frames := strings.Split(w.String(), "\r")
	if strings.Contains(frames[2], "/s") || !strings.Contains(frames[3], "/s") {
		t.Errorf("a rate before %v of measuring, or none after: %q", MinRateSpan, frames[1:4])
	}
	last := frames[len(frames)-1]
	// 320 chunks in 4.01 s since the bar started.
	if want := "embedding  11% [===>                          ] 320/2886 chunks, 80 chunks/s, ETA 32s"; strings.TrimRight(last, " ") != want {
		t.Errorf("frame after 4 s %q, want %q", last, want)
	}
	if strings.Contains(w.String(), "it/s") || strings.Contains(w.String(), "\n") {
		t.Errorf("terminal output %q", w.String())
	}
	b.Finish()
	if out := w.String(); !strings.Contains(out, "320/2886 chunks, stopped after 4s ") || !strings.HasSuffix(out, " \n") {
		t.Errorf("last frame: %q", w.String())
	}
}

// The rate follows the current speed (the last 30 s), not the average since
// a slow start such as a model load.
func TestRateFollowsCurrentSpeed(t *testing.T) {
	var w bytes.Buffer
	clk := newClock()
	b := countBar(&w, clk, false)
	clk.step(60 * time.Second) // the model loads
	b.Add(10)
	for i := 0; i < 60; i++ {
		clk.step(time.Second)
		b.Add(20)
	}
	got := lines(&w)
	if last := got[len(got)-1]; !strings.Contains(last, "1210/2886 chunks (41%), 20 chunks/s, ETA 1m24s") {
		t.Errorf("last line %q", last)
	}
}

func TestBytes(t *testing.T) {
	var w bytes.Buffer
	clk := newClock()
	b := &Bar{c: newCounter(1_200_000_000, "pulling abc", "", true, &w, false, clk.now)}
	for i := 0; i < 50; i++ { // 12 MB/s in 100 ms reads
		clk.step(100 * time.Millisecond)
		b.Add(1_200_000)
	}
	if got := lines(&w); got[0] != "pulling abc: 60.0 MB/1.2 GB (5%), 12.0 MB/s, ETA 1m35s" {
		t.Errorf("got %q", got)
	}
}

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0s", 44600 * time.Millisecond: "45s", 200 * time.Second: "3m20s", 3900 * time.Second: "1h05m",
	} {
		if got := duration(d); got != want {
			t.Errorf("duration(%v) = %q, want %q", d, got, want)
		}
	}
}

// Spinners stay off pipes and files; the real constructors pick the log
// mode for them (no carriage returns).
func TestNotATerminal(t *testing.T) {
	var buf bytes.Buffer
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, b := range []*Bar{New(10, "embedding", &buf), NewBytes(1<<20, "uploading", f), New(-1, "creating", f)} {
		b.Add(3)
		b.Set(7)
		b.Describe("still going")
		b.Finish()
		b.Finish()
	}
	st, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	// Milliseconds of work: shorter than LogInterval, so nothing is logged.
	if buf.Len() != 0 || st.Size() != 0 {
		t.Errorf("wrote %d bytes to a buffer and %d to a file", buf.Len(), st.Size())
	}
	if IsTerminal(&buf) || IsTerminal(f) {
		t.Error("a buffer or a regular file taken for a terminal")
	}
}

func TestNilBarIsNoOp(t *testing.T) {
	var b *Bar
	b.Add(1)
	b.Set(2)
	b.Describe("x")
	b.Finish()
	var z Bar
	z.Add(1)
	z.Finish()
}

// TestNilWriterIsSilent: a counter given no writer (indexer.Config with no
// Progress) must not write, however long the run: it used to panic writing
// to nil once a log interval had passed (seen in server TestHybrid under load).
func TestNilWriterIsSilent(t *testing.T) {
	clk := newClock()
	b := &Bar{c: newCounter(10, "embedding", "chunks", false, nil, false, clk.now)}
	for range 5 {
		clk.step(LogInterval + time.Second)
		b.Add(1)
	}
	b.Finish()
}
