// Package progress draws a progress bar on a terminal and stays silent
// everywhere else, so that logs, pipes and CI output are not filled with
// carriage returns.
package progress

import (
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Bar is a progress bar. The zero value and a nil *Bar are valid no-op bars,
// so callers never need to check whether a bar is being shown.
type Bar struct {
	pb      *progressbar.ProgressBar
	spinner bool
}

// New returns a bar counting items up to total (a negative total draws a
// spinner), labelled with label, drawn on out. It is a no-op bar when out is
// not a terminal.
func New(total int64, label string, out io.Writer) *Bar {
	return newBar(total, label, out, false)
}

// NewBytes is New for byte counts (uploads, downloads): it shows sizes and
// rates in bytes.
func NewBytes(total int64, label string, out io.Writer) *Bar {
	return newBar(total, label, out, true)
}

func newBar(total int64, label string, out io.Writer, bytes bool) *Bar {
	if !IsTerminal(out) {
		return &Bar{}
	}
	opts := []progressbar.Option{
		progressbar.OptionSetWriter(out),
		progressbar.OptionSetDescription(label),
		progressbar.OptionSetWidth(30),
		// Redrawing more often than this only costs CPU on a 2-core box.
		progressbar.OptionThrottle(100 * time.Millisecond),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionShowElapsedTimeOnFinish(),
		progressbar.OptionOnCompletion(func() { io.WriteString(out, "\n") }),
	}
	switch {
	case total < 0: // a spinner: counts and rates would be noise
	case bytes:
		opts = append(opts, progressbar.OptionShowCount(), progressbar.OptionShowBytes(true))
	default:
		opts = append(opts, progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("it"))
	}
	return &Bar{pb: progressbar.NewOptions64(total, opts...), spinner: total < 0}
}

// IsTerminal reports whether w is a terminal (a character device the
// process can draw on).
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Add advances the bar by n.
func (b *Bar) Add(n int64) {
	if b == nil || b.pb == nil {
		return
	}
	_ = b.pb.Add64(n) // drawing errors are not worth failing the work for
}

// Set moves the bar to n, for sources that report absolute progress.
func (b *Bar) Set(n int64) {
	if b == nil || b.pb == nil {
		return
	}
	_ = b.pb.Set64(n)
}

// Describe replaces the bar's label, e.g. with the current step.
func (b *Bar) Describe(label string) {
	if b == nil || b.pb == nil {
		return
	}
	b.pb.Describe(label)
}

// Finish fills the bar and ends its line. Calling it twice is harmless.
func (b *Bar) Finish() {
	if b == nil || b.pb == nil || b.pb.IsFinished() {
		return
	}
	if b.spinner {
		_ = b.pb.Exit() // a spinner has no end to fill up to
		return
	}
	_ = b.pb.Finish()
}
