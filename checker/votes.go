package checker

import "slices"

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
	k := grantKey{term: term, candidate: candidate}
	if !slices.Contains(c.grants[k], node) {
		c.grants[k] = append(c.grants[k], node)
	}
}

// grantKey names the votes granted to one candidate in one term.
type grantKey struct{ term, candidate uint64 }

// ElectionQuorum observes the voter sets under which node, having just become leader of term
// (report it after BecameLeader), may have counted its votes: its configuration when it won.
// §5.2: a candidate votes for itself, saving the vote, and wins with the votes of a majority
// of the voters. Checks that node saved a vote for itself in term (its HardState names it as
// votes name it), and that it and the nodes whose granted votes for it in term left them
// (VoteGranted, in any life) are a majority of one of configs: a candidate that counted stale,
// duplicated, misattributed or unsaved votes wins without one.
func (c *Invariants) ElectionQuorum(t int64, node int, term uint64, configs [][]int) {
	n := c.live(node, "ElectionQuorum")
	if len(configs) == 0 {
		return
	}
	if n.ballot.term != term || n.ballot.vote == 0 {
		c.report(KindElectionQuorum, t, []int{node},
			"node %d became leader of term %d without having saved a vote for itself in that term (its last saved vote: %d in term %d)",
			node, term, n.ballot.vote, n.ballot.term)
		return
	}
	votes := append([]int{node}, c.grants[grantKey{term: term, candidate: n.ballot.vote}]...)
	for _, voters := range configs {
		if majorityOf(votes, voters) {
			return
		}
	}
	slices.Sort(votes)
	c.report(KindElectionQuorum, t, []int{node},
		"node %d became leader of term %d with votes from %v only (its own and those granted to it in the term); a majority of voters %v is %d",
		node, term, votes, configs[0], len(configs[0])/2+1)
}

// majorityOf reports whether nodes include a majority of voters (an empty set has none).
func majorityOf(nodes, voters []int) bool {
	have := 0
	for _, v := range voters {
		if slices.Contains(nodes, v) {
			have++
		}
	}
	return len(voters) > 0 && have >= len(voters)/2+1
}
