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
// since at least settle, the other up and the link from it to the leader reachable since
// then too (calm.go): a member restarted with a higher term from its disk has only just
// been able to answer (seed 1305), and a node whose host waited longer than a tick for its
// disk (a slow disk's queue: each operation issued pays the fault's latency in turn, which
// calmSlack counts once) heard and answered nothing while it waited. With byLeader (used
// while faults may still strike) the higher term must have a way to the leader: the other
// member leads it with the stale leader in its configuration
// (its heartbeats carry it), or the other member is in the stale leader's configuration with
// both links calm (it answers the leader's heartbeats with its term, Figure 2; an engine that
// leaves them unanswered, as etcd raft does without CheckQuorum and PreVote, relies on the
// member's vote requests deposing the leader instead, which they do within two election
// timeouts unless the other members ignore them: a mixed cluster).
func (r *run) leadersBehind(now, settle int64, byLeader bool) []checker.StaleLeader {
	if byLeader {
		settle += r.calmSlack()
	}
	live := r.liveMembers()
	quiet := int64(0) // since when every running node has been up and every link calm (byLeader)
	if byLeader {
		quiet = r.quietSince()
	}
	var out []checker.StaleLeader
	for _, l := range live {
		st := l.h.eng.Status()
		if !st.IsLeader {
			continue
		}
		for _, o := range live {
			ost := o.h.eng.Status()
			since := max(r.calmSince(o, l), l.ledAt, o.aboveSince(st.Term), o.startedAt, o.deafUntil, l.deafUntil)
			if byLeader {
				var ok bool
				if since, ok = r.heardSince(l, st, o, ost, since, quiet); !ok {
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

// heardSince says whether the higher term of o has a way to reach leader l during the load
// phase, and since when: as a leader's heartbeats (since the calm links between them), or as
// a member's answer to l's heartbeats (Figure 2: since both links are calm). An engine that
// declares a member silent towards a lower term without CheckQuorum and PreVote (etcd raft)
// relies on that member's vote requests, sent once its election timer fires, to depose l; for
// such a member the whole cluster must have been quiet (up, and calm): while a partition
// lasts, a follower between the two sides can be kept in ever higher terms by the vote
// requests of candidates l cannot hear, its own timer reset by each, and a node that just
// restarted has a fresh timer. Its term must have held as long: while it grants votes to
// candidates of ever higher terms that l does not hear, their requests reset its timer.
func (r *run) heardSince(l *node, st engine.Status, o *node, ost engine.Status, since, quiet int64) (int64, bool) {
	switch {
	case ost.IsLeader && inConf(ost, l.id):
		return max(since, o.ledAt), true
	case !inConf(st, o.id) || o == l:
		return since, false
	case r.eng.Semantics.QuietBelowTermWithoutChecks && !o.protocol.CheckQuorum && !o.protocol.PreVote:
		// Its own term must have held too: a member granting votes to candidates of ever
		// higher terms (ones l does not hear, outside its configuration) has its timer reset
		// by each and never campaigns itself (seed 1263 of etcd).
		return max(since, quiet, r.calmSince(l, o), o.termAt), true
	}
	return max(since, r.calmSince(l, o)), true
}

// quietSince is since when every running node (a member or not: a removed node runs until it
// learns of its removal, and its vote requests can raise terms) has been up, and every link
// between them calm.
func (r *run) quietSince() int64 {
	var up []*node
	for _, n := range r.nodes {
		if n.h != nil && !n.h.dead && n.proc.State() == simnet.Running {
			up = append(up, n)
		}
	}
	var since int64
	for _, a := range up {
		since = max(since, a.startedAt)
		for _, b := range up {
			if a != b {
				since = max(since, r.calmSince(a, b))
			}
		}
	}
	return since
}

// termChange is a node entering a term.
type termChange struct {
	term uint64
	at   int64
}

// maxTermChanges bounds the term changes a node remembers: a node that keeps raising its
// term (campaigning unheard) is above a leader's term since the oldest it remembers, later
// than the truth, so a check that uses it only waits longer.
const maxTermChanges = 16

func (n *node) noteTerm(term uint64, at int64) {
	if len(n.terms) == maxTermChanges {
		n.terms = append(n.terms[:0], n.terms[1:]...)
	}
	n.terms = append(n.terms, termChange{term, at})
}

// aboveSince is since when node n has been in a term above term, as far as it remembers
// (its current term is above it).
func (n *node) aboveSince(term uint64) int64 {
	since := n.termAt
	for i := len(n.terms) - 1; i >= 0 && n.terms[i].term > term; i-- {
		since = n.terms[i].at
	}
	return since
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
// for staleSettleTimeouts election timeouts (that leader's heartbeats carry its term), or of
// a member of its configuration while the whole cluster was quiet that long (the member
// answers its heartbeats with its term): Figure 2 makes every server step down on a higher
// term. The heal phase is left to the check at the end of the run.
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
	r.watchStalls(int64(now))
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
