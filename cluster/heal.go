package cluster

import (
	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/simnet"
)

type healEvent run // the run itself, seen as an event handler

// OnEvent begins the heal phase: every fault is lifted; clients take no new operations but
// finish the ones they have; the supervisor restarts every node that may run.
func (e *healEvent) OnEvent(now simnet.Time, _ uint64) {
	r := (*run)(e)
	r.healed = true
	r.res.Stats.HealedAt = int64(now)
	r.res.Stats.LeaderAfterHeal = -1
	r.mark(Mark{Kind: MarkHeal, Node: -1})
	r.k.Trace().Event(traceHeal, 0, 0, 0)
	r.faults.network, r.faults.links, r.faults.churn = nil, nil, nil
	r.net.Heal()
	r.net.ResetLinks()
	r.applyLinks()
	for _, n := range r.nodes {
		r.healNode(n)
	}
	r.members.tasks = nil
	if l := r.leader(); l != nil {
		r.res.Stats.LeaderAfterHeal = int64(now)
	}
	r.k.Schedule(now+simnet.Time(r.cfg.HealTime), (*healBound)(r), 0)
}

func (r *run) healNode(n *node) {
	n.holds, n.snapFail, n.diskFaults = 0, 0, 0
	for n.holding > 0 {
		r.unhold(n, 1)
	}
	if n.paused > 0 {
		n.paused = 1
		r.resume(n)
	}
	mustDisk(n, n.proc.SetClockRate(1))
	mustDisk(n, n.disk.SetLatency(simnet.FixedLatency(0), r.baseSync()))
	mustDisk(n, n.disk.SetCapacity(simnet.DefaultDiskCapacity))
}

type healBound run // the run itself, seen as an event handler

// OnEvent ends the run at the heal bound, whatever is left undone (liveness decides).
func (e *healBound) OnEvent(simnet.Time, uint64) { (*run)(e).k.Stop() }

// checkHealed ends the run early once it has settled: a leader, no client operation
// outstanding, every live member caught up with the leader's commit index, no joint
// configuration left in the committed view or in any live member's, and no leader of a term
// below another live member's (a stale leader keeps the run going to its bound, where the
// stale-leader check judges it).
func (r *run) checkHealed() {
	if r.leader() == nil {
		return
	}
	if r.res.Stats.LeaderAfterHeal < 0 {
		r.res.Stats.LeaderAfterHeal = r.now()
	}
	for _, c := range r.clients {
		if c.cur >= 0 {
			return
		}
	}
	if len(r.lagging()) == 0 && r.jointLeft() == nil && len(r.leadersBehind(r.now(), 0, false)) == 0 {
		r.k.Stop()
	}
}

// lagging lists the live members that have not applied the highest commit index any live
// node knows.
func (r *run) lagging() []checker.LaggingNode {
	var want uint64
	for _, n := range r.nodes {
		if n.h != nil {
			want = max(want, n.h.eng.Status().Commit)
		}
	}
	var out []checker.LaggingNode
	for _, id := range r.members.all() {
		n := r.nodes[id]
		if n.corrupt || n.removed {
			continue
		}
		applied := uint64(0)
		if n.h != nil {
			applied = n.h.kv.AppliedIndex()
		}
		if applied < want {
			out = append(out, checker.LaggingNode{Node: id, Applied: applied, Want: want})
		}
	}
	return out
}

// liveVoters lists the voters that are up, for the final durability check.
func (r *run) liveVoters() []int {
	var out []int
	for _, id := range r.members.voters { // voters are unique
		if r.nodes[id].h != nil {
			out = append(out, id)
		}
	}
	return out
}
