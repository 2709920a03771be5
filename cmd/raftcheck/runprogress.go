package main

import (
	"fmt"
	"io"
	"time"

	"github.com/raftcheck/raftcheck/simnet"
)

// runProgressEvery is the least wall time between two updates of a run's progress line.
const runProgressEvery = 250 * time.Millisecond

// runProgress shows how far one long run has got, on a terminal: a single line rewritten in
// place ("run: 812.4 of at most 3620 s simulated, 1.84 M events/s") and cleared at the end.
type runProgress struct {
	w           io.Writer
	now         func() time.Time
	start, last time.Time
	shown       bool
}

// runProgress returns the progress callback for a run's options and the function that clears
// its line; both do nothing unless stderr is a terminal.
func (e *env) runProgress() (func(now, end simnet.Duration, events uint64), func()) {
	if !e.isTerminal(e.stderr) {
		return nil, func() {}
	}
	t := e.now()
	p := &runProgress{w: e.stderr, now: e.now, start: t, last: t}
	return p.update, p.clear
}

func (p *runProgress) update(now, end simnet.Duration, events uint64) {
	t := p.now()
	if t.Sub(p.last) < runProgressEvery {
		return
	}
	p.last, p.shown = t, true
	rate := float64(events) / max(t.Sub(p.start).Seconds(), 1e-9)
	fmt.Fprintf(p.w, "\rrun: %.1f of at most %.0f s simulated, %.2f M events/s ",
		time.Duration(now).Seconds(), time.Duration(end).Seconds(), rate/1e6)
}

func (p *runProgress) clear() {
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
