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
		prev := n.matches[m.Node]
		n.matches[m.Node] = m.Index
		switch {
		case m.Index < prev:
			c.report(KindMatchIndex, t, []int{node, m.Node},
				"leader %d of term %d moved its matchIndex for node %d back from %d to %d",
				node, term, m.Node, prev, m.Index)
		case m.Index > prev:
			c.checkMatchHeld(t, node, n, term, m)
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
