package cluster

import (
	"fmt"
	"slices"
	"time"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/nemesis"
)

// KindStalledFollower: a member that the leader of its term could reach, and it the leader,
// for stallTimeouts election timeouts, with nothing in effect that stops replication, gained
// no committed entry in all that time although the leader had committed entries it lacked.
const KindStalledFollower = "stalled-follower"

// stallTimeouts is how many election timeouts a reachable follower may stay behind without
// gaining a committed entry. A leader replicates to a follower it hears from at least once a
// heartbeat (a probe, an append, a snapshot); four election timeouts are sixteen heartbeats
// or more.
const stallTimeouts = 4

// stallMark is where a follower stood when its current stretch behind one leader began.
type stallMark struct {
	since    int64 // simulated ns
	leader   int
	term     uint64
	commit   uint64 // the follower's commit index at since
	target   uint64 // the leader's commit index at since
	reported bool
}

// watchStalls checks every follower of the leader (called with the periodic stale-leader
// check, load phase only): one behind the leader's commit index of stallTimeouts election
// timeouts ago, both of them up and in the leader's term all along, the links between them
// calm with no loss, delay or reordering in effect, no snapshot transfer of the leader's
// failing and neither disk slow or full, that has not gained a committed entry since, is
// reported: replication to it stalled (a leader waiting for a snapshot outcome it was told and ignored, a flow-control
// window never reopened).
func (r *run) watchStalls(now int64) {
	l := r.leader()
	if l == nil {
		return
	}
	st := l.h.eng.Status()
	for _, f := range r.liveMembers() {
		if f == l || !inConf(st, f.id) {
			continue
		}
		for len(r.faults.stalls) <= f.id {
			r.faults.stalls = append(r.faults.stalls, stallMark{})
		}
		m := &r.faults.stalls[f.id]
		commit := f.h.eng.Status().Commit
		if m.leader != l.id || m.term != st.Term || commit > m.commit || m.commit >= m.target || !r.stallQuiet(l, f, st.Term, m.since) {
			*m = stallMark{since: now, leader: l.id, term: st.Term, commit: commit, target: st.Commit}
			continue
		}
		if now-m.since >= r.stallWindow() && !m.reported {
			m.reported = true
			r.violate(checker.Violation{Kind: KindStalledFollower, Time: now, Nodes: []int{f.id, l.id},
				Detail: fmt.Sprintf("node %d stayed at commit index %d from %s to %s although leader %d of term %d had committed through %d by then and the two could reach each other all along: replication to it stalled",
					f.id, m.commit, fmtSeconds(m.since), fmtSeconds(now), l.id, st.Term, m.target)})
		}
	}
}

// stallQuiet says whether nothing that stops replication from leader l to follower f in term
// has been in effect since: both up and in term, the links calm and free of loss, delay and
// reordering, l's snapshot transfers not failing, neither disk slowed nor full (a sync of
// hundreds of milliseconds a round trip stretches catching up past any fixed window).
func (r *run) stallQuiet(l, f *node, term uint64, since int64) bool {
	return l.ledAt <= since && f.startedAt <= since && f.term == term && f.termAt <= since &&
		r.calmSince(l, f) <= since && r.calmSince(f, l) <= since &&
		l.snapFail == 0 && l.diskFaults == 0 && f.diskFaults == 0 && l.troubledAt <= since && f.troubledAt <= since &&
		!r.netFaultSince(since)
}

// stallWindow is how long a follower may gain nothing: stallTimeouts election timeouts plus
// the latency the faults in effect add.
func (r *run) stallWindow() int64 {
	return stallTimeouts*int64(r.cfg.ElectionTicks)*int64(r.cfg.Tick) + r.calmSlack()
}

// netFaultSince reports a loss, delay or reorder fault in effect at any time since since
// (simulated ns). Each stretches catching up by a factor no fixed window bounds: a lagging
// follower needs several round trips (a probe, a rejection, the chunks of a snapshot), and
// every one of them pays the added latency or risks a loss (seeds 5482, 5870, 6454).
func (r *run) netFaultSince(since int64) bool {
	for i, f := range r.schedule {
		if f.Kind != nemesis.Loss && f.Kind != nemesis.Delay && f.Kind != nemesis.Reorder {
			continue
		}
		if slices.Contains(r.faults.links, i) || r.faults.ended[i] && int64(f.At+f.For) > since {
			return true
		}
	}
	return false
}

// fmtSeconds renders simulated ns as a duration, to the millisecond.
func fmtSeconds(ns int64) string { return time.Duration(ns).Round(time.Millisecond).String() }
