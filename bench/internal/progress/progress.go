// Package progress draws crmlens-bench's progress bars on standard error
// (github.com/schollz/progressbar) when it is a terminal, and follows work
// that reports no progress of its own by polling a counter, such as the
// largest id of a table.
package progress

import (
	"context"
	"io"
	"os"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"
)

// Bar is a progress bar of total units.
type Bar struct{ b *progressbar.ProgressBar }

// New returns a bar titled what, counting total units named unit.
func New(what string, total int64, unit string) *Bar {
	return &Bar{b: progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(os.Stderr),
		progressbar.OptionSetVisibility(isatty.IsTerminal(os.Stderr.Fd())),
		progressbar.OptionSetDescription(what),
		progressbar.OptionSetItsString(unit),
		progressbar.OptionShowIts(),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionOnCompletion(func() { _, _ = io.WriteString(os.Stderr, "\n") }),
	)}
}

// NewBytes returns a bar over total bytes.
func NewBytes(what string, total int64) *Bar {
	return &Bar{b: progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(os.Stderr),
		progressbar.OptionSetVisibility(isatty.IsTerminal(os.Stderr.Fd())),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionOnCompletion(func() { _, _ = io.WriteString(os.Stderr, "\n") }),
	)}
}

// Add advances the bar by n.
func (b *Bar) Add(n int) { _ = b.b.Add(n) }

// Set moves the bar to n.
func (b *Bar) Set(n int64) { _ = b.b.Set64(n) }

// Finish fills the bar and ends its line.
func (b *Bar) Finish() { _ = b.b.Finish() }

// Writer returns an io.Writer that advances the bar by the bytes written,
// for io.TeeReader.
func (b *Bar) Writer() io.Writer { return b.b }

// Poll calls count every interval and moves the bar to its answer until
// ctx ends; it returns a function that stops polling and waits for it.
func Poll(ctx context.Context, b *Bar, interval time.Duration, count func(context.Context) (int64, error)) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if n, err := count(ctx); err == nil {
					b.Set(n)
				}
			}
		}
	}()
	return func() { cancel(); <-done }
}
