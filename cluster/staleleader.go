package cluster

import (
	"slices"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/engine"
	"github.com/raftcheck/raftcheck/simnet"
)

// staleSettleTimeouts is how many election timeouts a leader and a member in a higher term
// must have been connected, after the heal, before the leader's not stepping down counts: a
// leader hears of the higher term from the first reply to its next heartbeat.
const staleSettleTimeouts = 3

// staleLeaders lists, at the end of a healed run, every live member that still leads a term
// below another live member's, both since long enough to have heard of each other.
func (r *run) staleLeaders(now int64) []checker.StaleLeader {
	return r.leadersBehind(now, r.staleSettle(), false)
}

// staleSettle is how long two nodes must have been connected before a leader of the lower
// term must have heard of the higher one.
func (r *run) staleSettle() int64 {
	return staleSettleTimeouts * int64(r.cfg.ElectionTicks) * int64(r.cfg.Tick)
}

// leadersBehind lists every live member that leads a term below another live member's, both
// since at least settle, the link from the other to the leader reachable since then too
// (calm.go). With byLeader (used while faults may still strike) the other member must carry
// its term to the leader: either it leads its term with the stale leader in its
// configuration (its heartbeats carry the term), or it is in the stale leader's
// configuration, the link back to it is calm too, and the protocol makes a member answer a
// stale leader's heartbeat with its term (etcd does only with CheckQuorum or PreVote; our raft
// always), and the answer is a message of a higher term, on which a leader steps down.
func (r *run) leadersBehind(now, settle int64, byLeader bool) []checker.StaleLeader {
	if byLeader {
		settle += r.calmSlack()
	}
	live := r.liveMembers()
	var out []checker.StaleLeader
	for _, l := range live {
		st := l.h.eng.Status()
		if !st.IsLeader {
			continue
		}
		for _, o := range live {
			ost := o.h.eng.Status()
			since := max(r.calmSince(o, l), l.ledAt, o.termAt)
			if byLeader {
				var ok bool
				if since, ok = r.carriesTerm(l, o, st, ost, since); !ok {
					continue
				}
			}
			if ost.Term > st.Term && o.term == ost.Term && since <= now-settle {
				out = append(out, checker.StaleLeader{Node: l.id, Term: st.Term, Other: o.id, OtherTerm: ost.Term, Since: since, At: now})
				break
			}
		}
	}
	return out
}

// carriesTerm reports whether o's messages carry its term to the leader l during the load
// phase (see leadersBehind), and since when at the earliest.
func (r *run) carriesTerm(l, o *node, st, ost engine.Status, since int64) (int64, bool) {
	if ost.IsLeader && inConf(ost, l.id) {
		return max(since, o.ledAt), true
	}
	answers := r.cfg.Protocol.CheckQuorum || r.cfg.Protocol.PreVote
	if !answers || !inConf(st, o.id) || o.id == l.id {
		return 0, false
	}
	return max(since, r.calmSince(l, o)), true
}

// liveMembers are the members running now.
func (r *run) liveMembers() []*node {
	var live []*node
	for _, id := range r.members.all() {
		if n := r.nodes[id]; n.h != nil && !n.h.dead && n.proc.State() == simnet.Running {
			live = append(live, n)
		}
	}
	return live
}

// inConf reports whether node id is a member of the configuration st describes.
func inConf(st engine.Status, id int) bool {
	return slices.Contains(st.Voters, id) || slices.Contains(st.Learners, id) || slices.Contains(st.VotersOutgoing, id)
}

// staleWatch is the run seen as the handler of the periodic stale-leader check.
type staleWatch run

// watchStaleLeaders checks, every election timeout of the load phase, for a leader that has
// gone on leading a term below that of a leader it has been connected to in a calm stretch
// for staleSettleTimeouts election timeouts: Figure 2 makes every server step down on a
// higher term, and that leader's heartbeats carry it. The heal phase is left to the check
// at the end of the run.
func (r *run) watchStaleLeaders() {
	r.k.Schedule(r.k.Now()+simnet.Time(r.staleSettle()/staleSettleTimeouts), (*staleWatch)(r), 0)
}

// OnEvent checks once and schedules the next check.
func (e *staleWatch) OnEvent(now simnet.Time, _ uint64) {
	r := (*run)(e)
	if r.healed {
		return
	}
	for _, s := range r.leadersBehind(int64(now), r.staleSettle(), true) {
		if !r.staleSeen(s) {
			r.violate(checker.StaleLeaderViolation(s))
		}
	}
	r.watchStaleLeaders()
}

// staleSeen reports whether the stale leadership s (a node and its term) was reported
// already, recording it if not.
func (r *run) staleSeen(s checker.StaleLeader) bool {
	c := &r.faults.calm
	for _, p := range c.stale {
		if p.Node == s.Node && p.Term == s.Term {
			return true
		}
	}
	c.stale = append(c.stale, s)
	return false
}
