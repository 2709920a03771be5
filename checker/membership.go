package checker

// ConfAppended observes that node saved a configuration-change entry at index, of term
// (report it after the HardStateSaved of the same batch, so that the commit index is
// current). Single-server changes are safe only one at a time (thesis §4.1): checks that no
// other configuration entry in the node's log is uncommitted, and that a leader appending
// its own change has already committed an entry of its term (the 2015 fix: otherwise a change
// from an earlier leader may still be in flight, unseen).
//
// With Options.ConfOnApply a configuration takes effect when applied, so a follower may hold
// several unapplied changes, and an uncommitted change of an earlier leader never took effect
// anywhere (the 2015 bug needs append-time semantics). The rule is then the leader's: it
// appends a change only once it has applied every earlier one in its log, so that the
// configurations in effect never differ by more than one server.
func (c *Invariants) ConfAppended(t int64, node int, index, term uint64) {
	n := c.live(node, "ConfAppended")
	n.dropConfsFrom(index)
	if c.confOnApply {
		c.confAppliedRule(t, node, n, index, term)
		n.confs = append(n.confs, index)
		return
	}
	for _, other := range n.confs {
		if other > n.commit {
			c.report(KindMembershipRule, t, []int{node},
				"node %d appended a configuration change at index %d (term %d) while the one at index %d is not committed (commit %d): two changes in flight",
				node, index, term, other, n.commit)
			break
		}
	}
	if n.leaderTerm == term {
		if e, ok := n.log.at(n.commit); !ok || e.term != term {
			c.report(KindMembershipRule, t, []int{node},
				"leader %d of term %d appended a configuration change at index %d before committing an entry of its term (commit %d)",
				node, term, index, n.commit)
		}
	}
	n.confs = append(n.confs, index)
}

// dropConfsFrom forgets the configuration entries at or after index (they were replaced).
func (n *nodeState) dropConfsFrom(index uint64) {
	k := len(n.confs)
	for k > 0 && n.confs[k-1] >= index {
		k--
	}
	n.confs = n.confs[:k]
}

// confAppliedRule checks a leader's own configuration change against the apply-time rule.
func (c *Invariants) confAppliedRule(t int64, node int, n *nodeState, index, term uint64) {
	if n.leaderTerm != term {
		return
	}
	if len(n.confs) > 0 && n.confs[len(n.confs)-1] > n.applied {
		c.report(KindMembershipRule, t, []int{node},
			"leader %d of term %d appended a configuration change at index %d before applying the one at index %d (applied %d): two changes in flight",
			node, term, index, n.confs[len(n.confs)-1], n.applied)
	}
}
