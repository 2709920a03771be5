package checker

// HardStateSaved observes that node handed hard state hs to storage (Ready.HardState, only
// when the Ready carries one; report it after the Ready's snapshot and entries, before its
// committed entries are applied).
// Checks: the term never goes down within a life; the vote never changes within a term
// (also against the last synced vote, across restarts); the commit index never goes down
// within a life and never passes the end of the log. Entries newly covered by the commit
// index are recorded in the committed oracle, with hs.Term as the term in which commitment
// was observed; a different entry already committed at the same index is a state-machine
// safety violation.
func (c *Invariants) HardStateSaved(t int64, node int, hs HardState) {
	n := c.live(node, "HardStateSaved")
	c.checkTermVote(t, node, n, hs)
	switch {
	case hs.Commit < n.commit:
		c.report(KindCommitRegress, t, []int{node},
			"node %d commit index went from %d down to %d within one life (term %d)",
			node, n.commit, hs.Commit, hs.Term)
	case hs.Commit > n.commit:
		c.checkCommitRule(t, node, n, hs)
		c.commitRange(t, node, n, n.commit, hs.Commit, hs.Term)
	}
	n.hs = hs
	n.commit = hs.Commit
}

// checkCommitRule checks that a leader, still in the term it leads, advances its commit index
// only to an entry of that term: Figure 2, "if there exists an N such that N > commitIndex,
// a majority of matchIndex[i] >= N, and log[N].term == currentTerm: set commitIndex = N".
func (c *Invariants) checkCommitRule(t int64, node int, n *nodeState, hs HardState) {
	if n.leaderTerm == 0 || n.leaderTerm != hs.Term {
		return
	}
	if e, ok := n.log.at(hs.Commit); ok && e.term != hs.Term {
		c.report(KindCommitRule, t, []int{node},
			"leader %d of term %d advanced its commit index to %d, an entry of term %d: a leader commits only entries of its own term by counting replicas (§5.4.2, Figure 8)",
			node, hs.Term, hs.Commit, e.term)
	}
}

// checkTermVote checks hs against the node's current term and the vote it made in it.
func (c *Invariants) checkTermVote(t int64, node int, n *nodeState, hs HardState) {
	if hs.Term < n.hs.Term {
		c.report(KindTermRegress, t, []int{node},
			"node %d current term went from %d down to %d within one life", node, n.hs.Term, hs.Term)
		return
	}
	if hs.Vote == 0 {
		return
	}
	if b := n.ballot; b.term == hs.Term && b.vote != 0 && b.vote != hs.Vote {
		c.report(KindDoubleVote, t, []int{node},
			"node %d voted for %d in term %d after having voted for %d in the same term at %s",
			node, hs.Vote, hs.Term, b.vote, fmtTime(b.at))
	}
	if n.ballot.term != hs.Term || n.ballot.vote != hs.Vote {
		n.ballot = ballot{term: hs.Term, vote: hs.Vote, at: t}
	}
}

// commitRange records the node's entries (from, to] as committed at term.
func (c *Invariants) commitRange(t int64, node int, n *nodeState, from, to, term uint64) {
	last := n.log.lastIndex()
	if to > last {
		c.report(KindCommitBeyondLog, t, []int{node},
			"node %d advanced its commit index to %d but its log ends at index %d (snapshot %d)",
			node, to, last, n.log.snapIndex)
		to = last
	}
	if !c.inBound(t, node, to) {
		return
	}
	c.tab.grow(to)
	for i := max(from, n.log.snapIndex) + 1; i <= to; i++ {
		e, _ := n.log.entry(i)
		c.recordCommitted(t, node, i, e, term, n.log.anchored)
	}
}

// recordCommitted adds the entry e at index i, seen committed by node at term, to the
// oracle, or checks it against the entry already there.
func (c *Invariants) recordCommitted(t int64, node int, i uint64, e logEntry, term uint64, hasChain bool) {
	o := c.tab.oc(i)
	if !o.known {
		*o = committed{term: e.term, digest: e.digest, chain: e.chain, commitTerm: term,
			at: t, node: int32(node), known: true, hasChain: hasChain}
		return
	}
	if o.term != e.term || o.digest != e.digest {
		if c.rec.once(seenKey{kind: KindStateMachineSafety, node: -1, index: i}) {
			c.report(KindStateMachineSafety, t, []int{node, int(o.node)},
				"node %d committed %s in term %d, but node %d committed %s at %s (term %d)",
				node, fmtEntry(i, e.term, e.digest), term, o.node, fmtEntry(i, o.term, o.digest),
				fmtTime(o.at), o.commitTerm)
		}
		return
	}
	o.commitTerm = min(o.commitTerm, term)
	if !o.hasChain && hasChain {
		o.chain, o.hasChain = e.chain, true
	}
}

// Synced observes that everything node has handed to storage so far (entries, hard state,
// snapshots) is durable: its fsync returned. A later restart must recover at least this
// state (see Restarted).
func (c *Invariants) Synced(t int64, node int) {
	n := c.live(node, "Synced")
	n.undo = syncUndo{valid: true, required: n.required, synced: n.synced, syncedBallot: n.syncedBallot}
	last := n.log.lastIndex()
	e, _ := n.log.at(last)
	n.required = mark{index: last, chain: e.chain}
	n.synced = n.hs
	if n.hs.Vote != 0 && n.ballot.term == n.hs.Term {
		n.syncedBallot = n.ballot
	}
}
