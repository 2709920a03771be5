package checker

import (
	"fmt"
	"slices"
)

// grant is a vote granted to candidate (named as the engine names it in votes) by voter.
type grant struct {
	voter     int
	candidate uint64
}

// ElectionQuorum observes that node became leader of term in configuration conf (report it
// after the HardStateSaved that persisted its own vote, which names it as votes do).
// §5.2: a candidate wins with votes from a majority of the voters; thesis §4.3: while the
// configuration is joint, from a majority of both voter sets. Checks that the votes granted
// to it in term (every VoteGranted observation; a vote sent is counted whether or not it
// arrived, so a correct engine never fails this) make that quorum, and that it saved its own
// vote in term first (Figure 2: a candidate that did not could, restarted, vote again). A
// leader that counted one voter set only, or stale, repeated or unsaved votes, is caught here.
func (c *Invariants) ElectionQuorum(t int64, node int, term uint64, conf Conf) {
	n := c.live(node, "ElectionQuorum")
	if n.hs.Term != term || n.hs.Vote == 0 {
		c.report(KindElectionQuorum, t, []int{node},
			"node %d became leader of term %d without having saved a vote for itself in that term (its last saved hard state: vote %d in term %d)",
			node, term, n.hs.Vote, n.hs.Term)
		return
	}
	self := n.hs.Vote
	voted := func(v int) bool {
		return v == node || slices.ContainsFunc(c.grants[term], func(g grant) bool {
			return g.voter == v && g.candidate == self
		})
	}
	for _, voters := range [][]int{conf.Voters, conf.Outgoing} {
		if len(voters) == 0 {
			continue
		}
		var yes []int
		for _, v := range voters {
			if voted(v) {
				yes = append(yes, v)
			}
		}
		if len(yes) < len(voters)/2+1 {
			c.report(KindElectionQuorum, t, []int{node},
				"node %d became leader of term %d in configuration %s with votes from %v only: no majority of voters %v",
				node, term, fmtConfig(conf), yes, voters)
			return
		}
	}
}

// fmtConfig renders conf as "voters [0 1 2]" or, joint, "voters [0 3 4] outgoing [0 1 2]".
func fmtConfig(conf Conf) string {
	if conf.Joint() {
		return fmt.Sprintf("voters %v outgoing %v", conf.Voters, conf.Outgoing)
	}
	return fmt.Sprintf("voters %v", conf.Voters)
}
