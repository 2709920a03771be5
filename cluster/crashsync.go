package cluster

import (
	"math/rand/v2"

	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/simnet"
)

// A crash fault of mode torn or subset tears writes that were in flight: it strikes a node
// while the node's host waits for a sync (simnet.Disk's sync in flight), the moment a power
// failure leaves a torn record at the tail of a log, which recovery must treat as never
// written (it was never acknowledged). A node that is not waiting when the fault starts is
// armed: the crash strikes halfway through its next wait for the disk, or, if none comes
// within half the fault's duration, then.

// armedCrash is a crash waiting for its node's next sync.
type armedCrash struct {
	mode simnet.CrashMode
	rnd  *rand.Rand
}

// crashStrike is the run seen as the handler that strikes an armed crash; arg is the node.
type crashStrike run

// crashInFlight crashes n at once if its host waits for a sync, and arms the crash otherwise.
func (r *run) crashInFlight(n *node, mode simnet.CrashMode, rnd *rand.Rand, f nemesis.Fault) {
	if _, open := n.disk.InFlight(); open || n.h == nil {
		r.crash(n, &mode, rnd)
		return
	}
	n.armed = &armedCrash{mode: mode, rnd: rnd}
	r.k.Schedule(r.k.Now()+simnet.Time(f.For/2), (*crashStrike)(r), uint64(n.id))
}

// tearsWrites reports whether a crash of mode m is one that strikes during a sync.
func tearsWrites(m simnet.CrashMode) bool {
	return m == simnet.TornSectors || m == simnet.RandomSectors
}

// diskWait is told that n's host waits lat for its disk: it notes when the wait ends (and, for
// a wait longer than a tick, that the node answers nothing until then), and an armed crash
// strikes halfway.
func (r *run) diskWait(n *node, lat simnet.Time) {
	n.diskDoneAt = int64(r.k.Now() + lat)
	if lat > simnet.Time(r.cfg.Tick) { // deaf longer than a heartbeat interval: a slow disk's queue
		n.deafUntil = n.diskDoneAt
	}
	if n.armed != nil {
		r.k.Schedule(r.k.Now()+lat/2, (*crashStrike)(r), uint64(n.id))
	}
}

// OnEvent strikes node arg's armed crash, unless it already struck or was called off.
func (s *crashStrike) OnEvent(_ simnet.Time, arg uint64) {
	r := (*run)(s)
	n := r.nodes[arg]
	if a := n.armed; a != nil {
		r.crash(n, &a.mode, a.rnd)
	}
}
