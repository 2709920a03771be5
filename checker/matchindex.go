package checker

// Match is a leader's matchIndex for one follower.
type Match struct {
	Node  int
	Index uint64
}

// LeaderMatches observes a leader's matchIndex for its followers, in the term it leads
// (report it after the batch's HardStateSaved, while the node leads term; unchanged values
// may be repeated). Figure 2: matchIndex is the index of the highest log entry known to be
// replicated on the server, initialized to 0, increasing monotonically. Checks, per
// follower: the value never goes down within the term; and when it grows, a follower still in
// that term holds the leader's entry there (it acknowledged it after saving it, and within a
// term only the leader writes to its log), unless a snapshot covers it.
func (c *Invariants) LeaderMatches(t int64, node int, term uint64, matches []Match) {
	n := c.live(node, "LeaderMatches")
	if n.leaderTerm != term || n.matches == nil {
		return
	}
	for _, m := range matches {
		if m.Node == node || m.Node < 0 || m.Node >= len(c.nodes) {
			continue
		}
		for len(n.matches) <= m.Node { // a node the run added since the term began
			n.matches = append(n.matches, 0)
		}
		prev := n.matches[m.Node]
		n.matches[m.Node] = m.Index
		switch {
		case m.Index < prev:
			c.report(KindMatchIndex, t, []int{node, m.Node},
				"leader %d of term %d moved its matchIndex for node %d back from %d to %d",
				node, term, m.Node, prev, m.Index)
		case m.Index > prev:
			c.checkMatchHeld(t, node, n, term, m)
			if f := &c.nodes[m.Node]; term > f.acked.term || term == f.acked.term && m.Index > f.acked.index {
				f.acked = ack{term: term, index: m.Index, leader: node}
			}
		}
	}
}

// checkMatchHeld checks that follower m.Node holds the leader's entry at m.Index.
func (c *Invariants) checkMatchHeld(t int64, node int, n *nodeState, term uint64, m Match) {
	f := &c.nodes[m.Node]
	mine, ok := n.log.at(m.Index)
	if !ok || f.hs.Term != term || f.log.snapIndex >= m.Index {
		return // beyond our own log, compacted, or the follower moved on: nothing certain
	}
	if theirs, ok := f.log.at(m.Index); ok && theirs.chain == mine.chain {
		return
	}
	c.report(KindMatchIndex, t, []int{node, m.Node},
		"leader %d of term %d set its matchIndex for node %d to %d (term %d), but that node, in the same term, does not hold the entry (its log ends at %d)",
		node, term, m.Node, m.Index, mine.term, f.log.lastIndex())
}

// ack is how far a follower's log is known to match the leader of a term: the leader's
// matchIndex for it, which only the follower's acknowledgement can have raised.
type ack struct {
	term, index uint64
	leader      int
}

// checkAckedKept checks that node, still in the term in which it acknowledged its log up to
// n.acked.index to that term's leader, does not replace any of those entries: in that term it
// takes entries only from that leader, whose log holds everything it acknowledged, so a
// replacement means it took an older leader's late message for the current one's.
func (c *Invariants) checkAckedKept(t int64, node int, n *nodeState, ents []EntryObs) {
	a := n.acked
	if a.term == 0 || n.hs.Term != a.term || ents[0].Index > a.index || ents[len(ents)-1].Term > a.term {
		return // not in that term any more, or this write comes from a later term's leader
	}
	for _, e := range ents {
		if e.Index > a.index {
			return
		}
		if old, ok := n.log.at(e.Index); ok && old.term != e.Term {
			c.report(KindAckedOverwritten, t, []int{node, a.leader},
				"node %d replaced its entry at index %d (term %d) with one of term %d while in term %d, in which it had acknowledged its log through index %d to leader %d",
				node, e.Index, old.term, e.Term, a.term, a.index, a.leader)
			return
		}
	}
}
