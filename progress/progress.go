// Package progress reports the progress of long work. On a terminal it
// draws a bar redrawn in place (count, unit, rate, ETA); anywhere else (a
// pipe, a log file, CI) it writes a plain line every few seconds, never a
// carriage return, so that a piped `index` is not silent for minutes and its
// log stays readable.
//
// Rates are measured over a sliding window and shown only once the window
// spans MinRateSpan: the first batch would otherwise show a burst rate (64
// chunks in 10 ms is not 6,400 chunks/s) and a wild ETA.
package progress

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

const (
	// LogInterval is how often a line is written when not on a terminal.
	LogInterval = 5 * time.Second
	// drawInterval throttles terminal redraws: more often only costs CPU
	// on a 2-core box.
	drawInterval = 100 * time.Millisecond
	// MinRateSpan is the least time a rate is measured over before it is
	// shown.
	MinRateSpan = 2 * time.Second
	// rateWindow is how far back the rate looks, so it follows the
	// current speed (the first batch waits for the model to load).
	rateWindow = 30 * time.Second
	barWidth   = 30
)

// Bar reports progress. The zero value and a nil *Bar are valid no-op bars,
// so callers never need to check whether progress is being shown.
type Bar struct {
	spin *progressbar.ProgressBar // a spinner on a terminal
	c    *counter
}

// New returns a bar counting items up to total, labelled with label, on
// out. A negative total is a spinner: drawn on a terminal, silent elsewhere
// (it has no counts worth a log line).
func New(total int64, label string, out io.Writer) *Bar {
	return NewCount(total, label, "items", out)
}

// NewCount is New with the unit counted ("chunks"), shown after the count
// and in the rate.
func NewCount(total int64, label, unit string, out io.Writer) *Bar {
	if total < 0 {
		return newSpinner(label, out)
	}
	return &Bar{c: newCounter(total, label, unit, false, out, IsTerminal(out), time.Now)}
}

// NewBytes is New for byte counts (uploads, downloads): sizes and rates are
// shown in bytes.
func NewBytes(total int64, label string, out io.Writer) *Bar {
	return &Bar{c: newCounter(total, label, "", true, out, IsTerminal(out), time.Now)}
}

func newSpinner(label string, out io.Writer) *Bar {
	if !IsTerminal(out) {
		return &Bar{}
	}
	return &Bar{spin: progressbar.NewOptions64(-1,
		progressbar.OptionSetWriter(out),
		progressbar.OptionSetDescription(label),
		progressbar.OptionThrottle(drawInterval),
		progressbar.OptionOnCompletion(func() { io.WriteString(out, "\n") }),
	)}
}

// IsTerminal reports whether w is a terminal (a character device the
// process can draw on).
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Add advances the bar by n.
func (b *Bar) Add(n int64) {
	switch {
	case b == nil:
	case b.spin != nil:
		_ = b.spin.Add64(n) // drawing errors are not worth failing the work for
	case b.c != nil:
		b.c.set(n, true)
	}
}

// Set moves the bar to n, for sources that report absolute progress.
func (b *Bar) Set(n int64) {
	switch {
	case b == nil:
	case b.spin != nil:
		_ = b.spin.Set64(n)
	case b.c != nil:
		b.c.set(n, false)
	}
}

// Describe replaces the bar's label, e.g. with the current step.
func (b *Bar) Describe(label string) {
	switch {
	case b == nil:
	case b.spin != nil:
		b.spin.Describe(label)
	case b.c != nil:
		b.c.describe(label)
	}
}

// Finish ends the bar: on a terminal the last frame with the elapsed time
// and a newline; elsewhere a closing line, if any line was written (a run
// too short to log stays silent). Calling it twice is harmless.
func (b *Bar) Finish() {
	switch {
	case b == nil:
	case b.spin != nil:
		if !b.spin.IsFinished() {
			_ = b.spin.Exit() // a spinner has no end to fill up to
		}
	case b.c != nil:
		b.c.finish()
	}
}

// counter is the state of a counting bar; now is the clock (a fake one in
// tests). Every write happens in a call from the worker, none from a
// goroutine of its own, so nothing is written after Finish.
type counter struct {
	mu       sync.Mutex
	out      io.Writer
	tty      bool
	label    string
	unit     string
	bytes    bool
	total, n int64
	now      func() time.Time
	start    time.Time
	last     time.Time // of the last line or frame
	lines    int       // lines (or frames) written
	width    int       // of the last terminal frame, to blank its rest
	samples  []sample  // for the rate, oldest first, within rateWindow
	done     bool
}

type sample struct {
	t time.Time
	n int64
}

func newCounter(total int64, label, unit string, bytes bool, out io.Writer, tty bool, now func() time.Time) *counter {
	t := now()
	return &counter{out: out, tty: tty, label: label, unit: unit, bytes: bytes, total: total,
		now: now, start: t, last: t, samples: []sample{{t, 0}}}
}

func (c *counter) set(n int64, add bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done {
		return
	}
	if add {
		n += c.n
	}
	c.n = n
	t := c.now()
	// Keep a sample per 100 ms at most: uploads call Add per read.
	if k := len(c.samples) - 1; k > 0 && t.Sub(c.samples[k-1].t) < drawInterval {
		c.samples[k] = sample{t, n}
	} else {
		c.samples = append(c.samples, sample{t, n})
	}
	for len(c.samples) > 2 && t.Sub(c.samples[1].t) >= rateWindow {
		c.samples = c.samples[1:]
	}
	interval := LogInterval
	if c.tty {
		interval = drawInterval
	}
	if t.Sub(c.last) >= interval || (c.tty && c.lines == 0) {
		c.emit(t, false)
	}
}

func (c *counter) describe(label string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.label = label
}

func (c *counter) finish() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done {
		return
	}
	c.done = true
	if c.lines > 0 {
		c.emit(c.now(), true)
	}
}

// emit writes one frame (terminal) or line (elsewhere).
// A nil writer is silent: callers such as indexer.Config.Progress leave it
// nil to say "no progress", and a slow run must not then write to nil.
func (c *counter) emit(t time.Time, final bool) {
	if c.out == nil {
		return
	}
	line := c.render(t, final)
	c.last = t
	c.lines++
	if !c.tty {
		fmt.Fprintln(c.out, line)
		return
	}
	w := len([]rune(line))
	pad := strings.Repeat(" ", max(0, c.width-w))
	c.width = w
	end := ""
	if final {
		end = "\n"
	}
	fmt.Fprintf(c.out, "\r%s%s%s", line, pad, end)
}

// rate is the speed over the sample window in units per second; ok is false
// until the window spans MinRateSpan.
func (c *counter) rate() (float64, bool) {
	first, last := c.samples[0], c.samples[len(c.samples)-1]
	span := last.t.Sub(first.t)
	if span < MinRateSpan || last.n <= first.n {
		return 0, false
	}
	return float64(last.n-first.n) / span.Seconds(), true
}

// render is the text of a frame or line, e.g.
//
//	embedding  35% [==========>                   ] 1024/2886 chunks, 41.2 chunks/s, ETA 45s
//	embedding: 1024/2886 chunks (35%), 41.2 chunks/s, ETA 45s
func (c *counter) render(t time.Time, final bool) string {
	var parts []string
	count := c.amount(c.n)
	if c.total > 0 {
		count += "/" + c.amount(c.total)
	}
	if !c.bytes {
		count += " " + c.unit
	}
	parts = append(parts, count)
	switch {
	case final && c.total > 0 && c.n < c.total:
		parts = append(parts, "stopped after "+duration(t.Sub(c.start)))
	case final:
		parts = append(parts, "done in "+duration(t.Sub(c.start)))
	default:
		r, ok := c.rate()
		if !ok {
			break
		}
		parts = append(parts, c.speed(r))
		if c.total > 0 && c.n < c.total {
			eta := time.Duration(float64(c.total-c.n) / r * float64(time.Second))
			parts = append(parts, "ETA "+duration(eta))
		}
	}
	pct := ""
	if c.total > 0 {
		pct = fmt.Sprintf("%3d%%", min(100, c.n*100/c.total))
	}
	if c.tty {
		bar := ""
		if c.total > 0 {
			fill := int(min(barWidth, c.n*barWidth/c.total))
			head := ""
			if fill < barWidth {
				head = ">"
			}
			bar = " [" + strings.Repeat("=", fill) + head + strings.Repeat(" ", barWidth-fill-len(head)) + "]"
		}
		return fmt.Sprintf("%s %s%s %s", c.label, pct, bar, strings.Join(parts, ", "))
	}
	if pct != "" {
		parts[0] += " (" + strings.TrimSpace(pct) + ")"
	}
	return c.label + ": " + strings.Join(parts, ", ")
}

func (c *counter) amount(n int64) string {
	if c.bytes {
		return humanBytes(float64(n))
	}
	return fmt.Sprint(n)
}

func (c *counter) speed(r float64) string {
	if c.bytes {
		return humanBytes(r) + "/s"
	}
	if r < 10 {
		return fmt.Sprintf("%.1f %s/s", r, c.unit)
	}
	return fmt.Sprintf("%.0f %s/s", r, c.unit)
}

func humanBytes(b float64) string {
	const unit = 1000
	if b < unit {
		return fmt.Sprintf("%.0f B", b)
	}
	div, exp := float64(unit), 0
	for n := b / unit; n >= unit && exp < 4; n /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", b/div, "kMGTP"[exp])
}

// duration is d for people: 45s, 3m20s, 1h05m.
func duration(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}
