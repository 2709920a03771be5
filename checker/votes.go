package checker

// VoteGranted observes that node told candidate it has its vote in term (a granted vote
// response left the node; pre-votes bind nothing and are not reported). Figure 2: a server
// votes for at most one candidate per term, and persists the vote before answering, so that
// a restart cannot make it vote again. Checks: the node never granted its vote in term to a
// different candidate, in this life or an earlier one. This sees the bug even when the second
// vote elects nobody, and whatever the node wrote to its disk.
func (c *Invariants) VoteGranted(t int64, node int, term, candidate uint64) {
	n := c.live(node, "VoteGranted")
	if g := n.granted; g.term == term && g.vote != candidate {
		c.report(KindDoubleVote, t, []int{node},
			"node %d granted its vote in term %d to %d after granting it to %d in the same term at %s",
			node, term, candidate, g.vote, fmtTime(g.at))
		return
	}
	if term >= n.granted.term {
		n.granted = ballot{term: term, vote: candidate, at: t}
	}
	c.grants[term] = append(c.grants[term], grant{voter: node, candidate: candidate})
}
