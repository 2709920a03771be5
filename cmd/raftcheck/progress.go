package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress shows how far a sweep has got.
type progress interface {
	update(done, failed int)
	finish()
}

// newProgress picks the display: "bar" (a progress bar, for terminals), "lines" (a plain line
// every progressEvery, for CI logs and pipes), "none", or "auto" (bar on a terminal, else lines).
func (e *env) newProgress(mode string, total int) (progress, error) {
	if mode == "auto" {
		mode = "lines"
		if e.isTerminal(e.stderr) {
			mode = "bar"
		}
	}
	switch mode {
	case "bar":
		return newBar(e.stderr, total), nil
	case "lines":
		return &lineProgress{w: e.stderr, now: e.now, every: e.progressEvery, start: e.now(), last: e.now(), total: total}, nil
	case "none":
		return noProgress{}, nil
	}
	return nil, usageErr("--progress %s: want auto, bar, lines or none", mode)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

type noProgress struct{}

func (noProgress) update(int, int) {}
func (noProgress) finish()         {}

// lineProgress prints "sweep: 120/1000 seeds, 2 failed, 40.1 seeds/s, 22s left" at most every
// interval; the time left is the seeds left at the rate so far.
type lineProgress struct {
	w           io.Writer
	now         func() time.Time
	every       time.Duration
	start, last time.Time
	total       int
}

func (p *lineProgress) update(done, failed int) {
	now := p.now()
	if now.Sub(p.last) < p.every || done == p.total {
		return
	}
	p.last = now
	rate, left := 0.0, ""
	if s := now.Sub(p.start).Seconds(); s > 0 {
		rate = float64(done) / s
	}
	if rate > 0 {
		eta := time.Duration(float64(p.total-done) / rate * float64(time.Second))
		left = ", " + eta.Round(time.Second).String() + " left"
	}
	fmt.Fprintf(p.w, "sweep: %d/%d seeds, %d failed, %.1f seeds/s%s\n", done, p.total, failed, rate, left)
}

func (p *lineProgress) finish() {}

// barProgress is a terminal progress bar with the failure count in its description.
type barProgress struct {
	bar    *progressbar.ProgressBar
	failed int
}

func newBar(w io.Writer, total int) *barProgress {
	bar := progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("sweep"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("seeds"),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
	return &barProgress{bar: bar, failed: -1}
}

func (p *barProgress) update(done, failed int) {
	if failed != p.failed {
		p.failed = failed
		p.bar.Describe(fmt.Sprintf("sweep, %d failed", failed))
	}
	_ = p.bar.Set(done) // a terminal write error only loses a redraw
}

func (p *barProgress) finish() { _ = p.bar.Finish() }
