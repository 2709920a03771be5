package cluster

import (
	"math"
	"slices"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/simnet"
)

// calm tracks, per directed link between nodes, since when it has carried every message: not
// cut by a partition, its sender not holding messages back, neither end paused or resumed
// since. Loss, duplication, latency spikes, reordering, slow fsyncs and clock drift may be in
// effect: they only delay what gets through, by at most calmSlack. Checks that need two nodes to have
// heard of each other (a leader meeting a higher term) can then run during the load phase,
// not only after the heal.
type calm struct {
	since []int64 // by from*nemesis.MaxNodeIDs+to: when the link last became reachable (simulated ns)
	cut   []bool  // by link: cut at the last look
	// stale are the stale leaderships reported during the load phase (staleleader.go).
	stale []checker.StaleLeader
}

func (c *calm) init() {
	if c.since == nil {
		c.since = make([]int64, nemesis.MaxNodeIDs*nemesis.MaxNodeIDs)
		c.cut = make([]bool, nemesis.MaxNodeIDs*nemesis.MaxNodeIDs)
	}
}

// touchLinks records the links a change of partitions made reachable.
func (r *run) touchLinks() {
	c := &r.faults.calm
	c.init()
	for _, a := range r.nodes {
		for _, b := range r.nodes {
			k := a.id*nemesis.MaxNodeIDs + b.id
			cut := a != b && !r.net.Connected(simnet.NodeID(a.id), simnet.NodeID(b.id))
			if c.cut[k] && !cut {
				c.since[k] = r.now()
			}
			c.cut[k] = cut
		}
	}
}

// touchSender records that what n sends was held back or released now (a hold).
func (r *run) touchSender(n *node) {
	c := &r.faults.calm
	c.init()
	for _, b := range r.nodes {
		c.since[n.id*nemesis.MaxNodeIDs+b.id] = r.now()
	}
}

// touchNode records that n was paused or resumed now: a paused node sends nothing, and what
// reaches it waits, to be acted on only after it resumes, so links both from and to it start
// over.
func (r *run) touchNode(n *node) {
	r.touchSender(n)
	c := &r.faults.calm
	for _, a := range r.nodes {
		c.since[a.id*nemesis.MaxNodeIDs+n.id] = r.now()
	}
}

// calmSince is since when the link from -> to has carried every message: the heal once it
// has happened, or math.MaxInt64 while it is cut or from holds messages back.
func (r *run) calmSince(from, to *node) int64 {
	if r.healed {
		return r.res.Stats.HealedAt
	}
	c := &r.faults.calm
	c.init()
	k := from.id*nemesis.MaxNodeIDs + to.id
	if from.holding > 0 || c.cut[k] {
		return math.MaxInt64
	}
	return c.since[k]
}

// calmSlack bounds how much later than usual the faults in effect let a message arrive and
// be acted on: the latency added by spikes and reordering, and the slowest fsync a sender
// waits for before it sends. A fault that has ended still counts while what it slowed may
// be on its way: for its own latency after its end.
func (r *run) calmSlack() int64 {
	now := r.now()
	lingers := func(i int) bool {
		f := r.schedule[i]
		return r.faults.ended[i] && int64(f.At+f.For)+int64(f.Value*float64(simnet.Millisecond)) > now
	}
	var ms, slow float64
	for i, f := range r.schedule {
		switch {
		case f.Kind != nemesis.Delay && f.Kind != nemesis.Reorder && f.Kind != nemesis.SlowDisk:
		case f.Kind == nemesis.SlowDisk:
			if r.faults.targets != nil && r.faults.targets[i] != nil && !r.faults.ended[i] || lingers(i) {
				slow = max(slow, f.Value)
			}
		case slices.Contains(r.faults.links, i) || lingers(i):
			ms += f.Value
		}
	}
	return int64((ms + slow) * float64(simnet.Millisecond))
}
