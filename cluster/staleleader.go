package cluster

import (
	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/simnet"
)

// staleSettleTimeouts is how many election timeouts a leader and a member in a higher term
// must have been connected, after the heal, before the leader's not stepping down counts: a
// leader hears of the higher term from the first reply to its next heartbeat.
const staleSettleTimeouts = 3

// staleLeaders lists, at the end of a healed run, every live member that still leads a term
// below another live member's, both since long enough to have heard of each other.
func (r *run) staleLeaders(now int64) []checker.StaleLeader {
	return r.leadersBehind(now, staleSettleTimeouts*int64(r.cfg.ElectionTicks)*int64(r.cfg.Tick))
}

// leadersBehind lists every live member that leads a term below another live member's, both
// since at least settle (and since the heal).
func (r *run) leadersBehind(now, settle int64) []checker.StaleLeader {
	var live []*node
	for _, id := range r.members.all() {
		if n := r.nodes[id]; n.h != nil && !n.h.dead && n.proc.State() == simnet.Running {
			live = append(live, n)
		}
	}
	var out []checker.StaleLeader
	for _, l := range live {
		st := l.h.eng.Status()
		if !st.IsLeader {
			continue
		}
		for _, o := range live {
			ot := o.h.eng.Status().Term
			since := max(r.res.Stats.HealedAt, l.ledAt, o.termAt)
			if ot > st.Term && o.term == ot && now-since >= settle {
				out = append(out, checker.StaleLeader{Node: l.id, Term: st.Term, Other: o.id, OtherTerm: ot, Since: since, At: now})
				break
			}
		}
	}
	return out
}
