package raft

import "fmt"

// checkConfProposal decides whether the leader may append cc now. Single-server changes
// are safe only one at a time and only once the leader has committed an entry of its own
// term — the fix to the 2015 single-server membership change bug: without it a new leader
// could append a change while an uncommitted change of an earlier term sits in other
// logs, and the two configurations' majorities need not overlap.
// A joint change (thesis §4.3) obeys the same rule, and no other change may follow it
// until the configuration has left the joint state.
func (n *Node) checkConfProposal(e *Entry) error {
	if !n.cfg.Mutations.ConfChangeWithoutTermCommit {
		if err := n.confChangeBlocked(); err != nil {
			return err
		}
	}
	if e.Type == EntryJointChange {
		jc, err := DecodeJointChange(e.Data)
		if err != nil {
			return fmt.Errorf("%w: %w", ErrInvalidConfChange, err)
		}
		return checkJointChange(n.conf, jc)
	}
	cc, err := DecodeConfChange(e.Data)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidConfChange, err)
	}
	return checkConfChange(n.conf, cc)
}

// confChangeAllowed reports whether a configuration change may be appended now: the leader
// has committed an entry of its term and no change is pending. confChangeBlocked says why not.
func (n *Node) confChangeAllowed() bool {
	return n.log.mustTerm(n.log.committed) == n.term && n.members.lastIndex() <= n.log.committed
}

// confChangeBlocked reports why no configuration change may be appended now, or nil.
func (n *Node) confChangeBlocked() error {
	if n.confChangeAllowed() {
		return nil
	}
	if n.log.mustTerm(n.log.committed) != n.term {
		return fmt.Errorf("%w: commit index %d is of term %d, leader's term is %d",
			ErrNoTermCommit, n.log.committed, n.log.mustTerm(n.log.committed), n.term)
	}
	if pending := n.members.lastIndex(); pending > n.log.committed {
		return fmt.Errorf("%w: change at index %d, commit index %d", ErrConfChangePending,
			pending, n.log.committed)
	}
	return nil
}

// maybePromoteLearner has the leader propose AddVoter for the first learner (in ID order)
// whose match has reached the leader's commit index, when the one-change rule allows it.
// A learner is thus promoted once it has caught up with everything committed when it was
// checked; the leader needs no operator to finish an addition.
func (n *Node) maybePromoteLearner() {
	if len(n.conf.Learners) == 0 || n.leadTransferee != None || n.conf.Joint() {
		return
	}
	if !n.cfg.Mutations.ConfChangeWithoutTermCommit && !n.confChangeAllowed() {
		return
	}
	for _, id := range n.conf.Learners {
		pr := n.progress(id)
		if pr == nil || pr.match == 0 || pr.match < n.log.committed {
			continue
		}
		cc := ConfChange{Type: AddVoter, Node: id}
		n.appendEntries([]Entry{{Type: EntryConfChange, Data: EncodeConfChange(cc)}})
		return
	}
}

// confChanged brings a leader's bookkeeping in line with a new configuration.
func (n *Node) confChanged() {
	if n.role != Leader {
		return
	}
	n.syncProgress()
	if n.leadTransferee != None && !n.isVoter(n.leadTransferee) {
		n.leadTransferee = None
	}
	n.maybeCommit() // a smaller quorum may commit more at once
}

// syncProgress gives every member (voters of either half of a joint configuration and
// learners, the leader included) a progress entry, in ID order, keeping existing ones, and
// drops the progress of departed members.
func (n *Node) syncProgress() {
	members := n.conf.members()
	prs := make([]progress, 0, len(members))
	next := n.log.lastIndex() + 1
	for _, id := range members {
		learner := !n.conf.hasVoter(id)
		pr := n.progress(id)
		if pr == nil {
			np := newProgress(id, next, learner, n.cfg.MaxInflightMsgs)
			if id == n.id {
				np.match = n.log.stable
				np.state = ProgressReplicate
			}
			pr = &np
		}
		pr.learner = learner
		prs = append(prs, *pr)
	}
	n.prs = prs
}
