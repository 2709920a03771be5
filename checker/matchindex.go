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
	// The write replaces the log from its first index on: a shorter one removes the rest.
	c.checkAckedRetained(t, node, n, ents[len(ents)-1].Index, "saved entries ending there")
}

// checkAckedRetained checks that node, cutting its log after index end (why says how), keeps
// every entry it acknowledged in its current term: a correct follower removes entries only
// where a leader's entries conflict with them, and the leader of the term it acknowledged to
// holds them all. Removing them leaves an entry the leader may have counted as replicated on
// one node fewer: a snapshot installed over a matching log (§7: the entries after the
// snapshot's last one are retained), or a truncation without a conflict.
func (c *Invariants) checkAckedRetained(t int64, node int, n *nodeState, end uint64, why string) {
	if !ackedAfter(n, end) {
		return
	}
	a := n.acked
	c.report(KindAckedOverwritten, t, []int{node, a.leader},
		"node %d cut its log after index %d (%s), removing entries %d..%d, while in term %d, in which it had acknowledged its log through index %d to leader %d",
		node, end, why, end+1, min(a.index, n.log.lastIndex()), a.term, a.index, a.leader)
}

// ackedAfter reports whether n's log holds entries after index end that n acknowledged to
// the leader of its current term.
func ackedAfter(n *nodeState, end uint64) bool {
	a := n.acked
	return a.term != 0 && n.hs.Term == a.term && end < a.index && n.log.lastIndex() > end
}

// cut is a snapshot installed over a node's log without its suffix, while the node had
// acknowledged entries after the snapshot in its current term: a violation unless the same
// batch saves those entries again (an engine may report a kept suffix as a fresh write).
type cut struct {
	t        int64
	snap     SnapshotObs
	ack      ack
	removed  []logEntry // the acknowledged entries after snap.Index, from snap.Index+1
	restored bool
}

// noteCut records the cut snapshot s makes in node's log, if it removes entries the node
// acknowledged in its current term; the batch's EntriesSaved may restate them, BatchSaved
// decides.
func (c *Invariants) noteCut(t int64, node int, n *nodeState, s SnapshotObs) {
	if !ackedAfter(n, s.Index) {
		return
	}
	a := n.acked
	k := &cut{t: t, snap: s, ack: a}
	for i := s.Index + 1; i <= min(a.index, n.log.lastIndex()); i++ {
		e, ok := n.log.entry(i)
		if !ok {
			break
		}
		k.removed = append(k.removed, e)
	}
	n.cut = k
}

// restated notes a write that puts back every entry a pending cut removed, as they were.
func (c *Invariants) restated(n *nodeState, ents []EntryObs) {
	k := n.cut
	if k == nil || len(ents) < len(k.removed) || ents[0].Index != k.snap.Index+1 {
		return
	}
	for i, e := range k.removed {
		if ents[i].Term != e.term || ents[i].Digest != e.digest {
			return
		}
	}
	k.restored = true
}

// reportCut reports, at the end of a batch, a cut whose entries the batch did not restate.
func (c *Invariants) reportCut(node int, n *nodeState) {
	k := n.cut
	n.cut = nil
	if k == nil || k.restored || len(k.removed) == 0 {
		return
	}
	last := k.snap.Index + uint64(len(k.removed))
	c.report(KindAckedOverwritten, k.t, []int{node, k.ack.leader},
		"node %d installed a snapshot at (index %d, term %d) and discarded the entries after it (%d..%d), while in term %d, in which it had acknowledged its log through index %d to leader %d (§7: a follower whose log holds the snapshot's last entry keeps what follows it)",
		node, k.snap.Index, k.snap.Term, k.snap.Index+1, last, k.ack.term, k.ack.index, k.ack.leader)
}
