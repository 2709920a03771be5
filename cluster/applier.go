package cluster

import (
	"slices"

	"github.com/raftcheck/raftcheck/engine"
	"github.com/raftcheck/raftcheck/simnet"
)

// applier is a slow state machine (Config.ApplyDelay > 0): the host hands it each batch's
// snapshot and committed entries and calls Advance at once; it restores and applies them in
// order, one per ApplyDelay of the node's local time, so that applied lags behind commit the
// way it does behind a busy or slow application. Its queue dies with the host's life: after
// a crash the engine hands the committed entries out again from its snapshot.
type applier struct {
	h       *host
	queue   []applyWork
	running bool // a timer for the head of the queue is set
}

// applyWork is one step of the state machine: a snapshot to restore or an entry to apply.
// It owns its bytes: the engine's may be reused once Advance is called.
type applyWork struct {
	snapshot *engine.SnapshotData
	entry    engine.Committed
}

// push queues a batch's snapshot and committed entries, copying what the engine owns.
func (a *applier) push(snap *engine.SnapshotData, entries []engine.Committed) {
	if snap != nil {
		s := *snap
		s.Data = slices.Clone(s.Data)
		a.queue = append(a.queue, applyWork{snapshot: &s})
	}
	for _, c := range entries {
		c.Command = slices.Clone(c.Command)
		if c.Joint != nil {
			c.Joint = &engine.JointChange{Changes: slices.Clone(c.Joint.Changes)}
		}
		if c.Member != nil {
			m := *c.Member
			c.Member = &m
		}
		a.queue = append(a.queue, applyWork{entry: c})
	}
	a.schedule()
}

func (a *applier) schedule() {
	if a.running || len(a.queue) == 0 {
		return
	}
	a.running = true
	a.h.n.proc.After(simnet.Time(a.h.n.spec.cfg.ApplyDelay), a, 0)
}

// OnEvent applies the head of the queue, serves the reads it makes servable and goes on.
func (a *applier) OnEvent(simnet.Time, uint64) {
	a.running = false
	if a.h.dead || len(a.queue) == 0 {
		return
	}
	w := a.queue[0]
	a.queue[0] = applyWork{}
	a.queue = a.queue[1:]
	if w.snapshot != nil {
		a.h.restore(w.snapshot)
	} else {
		a.h.apply(w.entry)
	}
	a.h.serveReads()
	if !a.h.busy { // between Ready and Advance the engine takes no Compact
		a.h.maybeCompact()
	}
	a.schedule()
}
