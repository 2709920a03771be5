package raft

import (
	"fmt"
	"slices"
)

// stepLeader handles messages while Leader.
func stepLeader(n *Node, m Message) error {
	switch m.Type {
	case MsgProp:
		return n.proposeEntries(m.Entries)
	case MsgReadIndex:
		return n.leaderRead(m.From, m.Context)
	case MsgTransferLeader:
		return n.transferLeadership(m.Index)
	}
	pr := n.progress(m.From)
	if pr == nil {
		return nil // not a member (any more)
	}
	switch m.Type {
	case MsgAppResp:
		pr.recentActive = true
		n.handleAppResp(pr, m)
	case MsgHeartbeatResp:
		pr.recentActive = true
		n.handleHeartbeatResp(pr, m)
	case MsgSnapResp:
		pr.recentActive = true
		n.handleSnapResp(pr, m)
	}
	return nil
}

// proposeEntries appends client proposals (local or forwarded) to the leader's log.
// Messages carrying them leave at the next Ready, batched with whatever else arrived.
func (n *Node) proposeEntries(ents []Entry) error {
	if n.leadTransferee != None {
		return fmt.Errorf("%w: leadership transfer to %d in progress", ErrProposalDropped, n.leadTransferee)
	}
	for i := range ents {
		size := uint64(len(ents[i].Data))
		if n.uncommittedBytes > 0 && n.uncommittedBytes+size > n.cfg.MaxUncommittedBytes {
			return fmt.Errorf("%w: %d bytes uncommitted, limit %d", ErrProposalDropped,
				n.uncommittedBytes, n.cfg.MaxUncommittedBytes)
		}
		if ents[i].Type.isConf() {
			if err := n.checkConfProposal(&ents[i]); err != nil {
				return err
			}
		}
		n.appendEntries(ents[i : i+1])
		if n.role != Leader {
			return nil // a proposal that committed our own removal made us step down
		}
	}
	return nil
}

// appendEntries appends new entries to the leader's log in its term.
func (n *Node) appendEntries(ents []Entry) {
	added := n.log.appendLeader(n.term, ents)
	for i := range added {
		n.uncommittedBytes += uint64(len(added[i].Data))
	}
	n.noteConfEntries(added)
}

// flush sends what the leader owes its followers: entries and commit updates, snapshot
// chunks, ReadIndex confirmation rounds, and a learner promotion. Proposals and
// responses only record what is owed, so whatever arrived between two Readies leaves in
// as few messages as the limits allow.
func (n *Node) flush() {
	if n.role != Leader {
		return
	}
	n.maybeLeaveJoint()
	n.maybePromoteLearner()
	if n.role != Leader {
		return
	}
	n.startReadRound()
	for i := range n.prs {
		if n.prs[i].id != n.id {
			n.sendAppends(&n.prs[i])
		}
	}
}

// sendAppends sends MsgApps to pr while its progress state allows.
func (n *Node) sendAppends(pr *progress) {
	for range n.cfg.MaxInflightMsgs + 1 {
		if !n.maybeSendAppend(pr) {
			return
		}
	}
}

// maybeSendAppend sends one MsgApp (or snapshot chunks) to pr and reports whether
// another MsgApp may follow at once.
func (n *Node) maybeSendAppend(pr *progress) bool {
	if pr.state == ProgressSnapshot {
		n.sendSnapChunks(pr)
		return false
	}
	force := pr.forceApp
	pr.forceApp = false
	paused := pr.paused()
	if paused && !force {
		return false
	}
	prev := pr.next - 1
	prevTerm, ok := n.log.term(prev)
	if !ok {
		// The entries the follower needs are compacted away: send the snapshot.
		pr.becomeSnapshot(n.snap, n.snapCRC)
		n.sendSnapChunks(pr)
		return false
	}
	last := n.log.lastIndex()
	var ents []Entry
	if !paused && pr.next <= last {
		ents = n.log.slice(pr.next, last+1, n.cfg.MaxEntriesPerMsg, n.cfg.MaxBytesPerMsg)
	}
	if len(ents) == 0 && !force && pr.sentCommit >= n.log.committed {
		return false
	}
	n.send(Message{To: pr.id, Type: MsgApp, Index: prev, LogTerm: prevTerm,
		Entries: ents, Commit: n.log.committed})
	pr.sentCommit = n.log.committed
	pr.sentEntries(prev+uint64(len(ents)), len(ents))
	return len(ents) > 0 && pr.state == ProgressReplicate
}

func (n *Node) bcastHeartbeat() {
	for i := range n.prs {
		pr := &n.prs[i]
		if pr.id == n.id {
			continue
		}
		// Never tell a follower to commit beyond what it is known to hold: its log
		// past its match may still be a stale suffix. (Under CommitToLastIndex the full
		// commit index is sent, as implementations that treat a heartbeat as an empty
		// AppendEntries with leaderCommit do.)
		commit := min(n.log.committed, pr.match)
		if n.cfg.Mutations.CommitToLastIndex {
			commit = n.log.committed
		}
		n.send(Message{To: pr.id, Type: MsgHeartbeat, Commit: commit, Round: n.reads.round})
	}
}

func (n *Node) handleHeartbeatResp(pr *progress, m Message) {
	pr.probeSent = false
	if pr.match < n.log.lastIndex() {
		// One MsgApp even if paused: if every MsgApp in flight was lost, its rejection
		// (or acceptance) is what restarts the flow.
		pr.forceApp = true
	}
	if m.Round > pr.roundAck && m.Round <= n.reads.round { // never a round not yet started
		pr.roundAck = m.Round
		n.releaseReads()
	}
}

func (n *Node) handleAppResp(pr *progress, m Message) {
	if m.Index > n.log.lastIndex() {
		// A reply about entries we never had: a reply accepted by ProgressRegress from an
		// earlier term, or a broken peer.
		return
	}
	if m.Reject {
		hint := m.RejectHint
		if m.LogTerm > 0 {
			hint, _ = n.log.findConflictByTerm(m.RejectHint, m.LogTerm)
		}
		pr.maybeDecrTo(m.Index, hint)
		return
	}
	regress := n.cfg.Mutations.ProgressRegress
	grew := pr.maybeUpdate(m.Index, regress)
	if pr.state == ProgressReplicate {
		pr.inflights.freeLE(m.Index)
	}
	if !grew && !(pr.state == ProgressProbe && pr.match == m.Index) {
		return
	}
	switch pr.state {
	case ProgressProbe:
		pr.becomeReplicate()
	case ProgressSnapshot:
		if pr.match >= pr.snap.index {
			pr.becomeReplicate()
		}
	}
	if n.leadTransferee == pr.id && pr.match == n.log.lastIndex() {
		n.send(Message{To: pr.id, Type: MsgTimeoutNow})
	}
	if grew {
		n.maybeCommit() // last: committing our own removal makes us step down
	}
}

// maybeCommit advances the commit index to the highest index stored by a majority of
// voters, provided that entry is of the leader's term (§5.3, §5.4.2: entries of earlier
// terms are committed only indirectly, Figure 8).
func (n *Node) maybeCommit() bool {
	idx := n.quorumMatch()
	if idx <= n.log.committed {
		return false
	}
	if n.log.mustTerm(idx) != n.term && !n.cfg.Mutations.CommitPriorTermByCount {
		return false
	}
	old := n.log.committed
	n.log.commitTo(idx)
	n.afterCommit(old)
	return true
}

// quorumMatch returns the highest index that a majority of voters hold (of both halves
// of a joint configuration, unless the JointCommitIncomingOnly mutation counts only the
// incoming one). The leader counts itself only for what it has persisted.
func (n *Node) quorumMatch() uint64 {
	match := func(pr *progress) uint64 { return pr.match }
	idx := n.votersValue(n.conf.Voters, n.log.stable, match)
	if n.conf.Joint() && !n.cfg.Mutations.JointCommitIncomingOnly {
		idx = min(idx, n.votersValue(n.conf.VotersOutgoing, n.log.stable, match))
	}
	return idx
}

// quorumValue returns the highest value that a majority of voters have reached (in both
// halves of a joint configuration): own for this node, of(progress) for the others (0 for
// a voter without progress).
func (n *Node) quorumValue(own uint64, of func(*progress) uint64) uint64 {
	v := n.votersValue(n.conf.Voters, own, of)
	if n.conf.Joint() {
		v = min(v, n.votersValue(n.conf.VotersOutgoing, own, of))
	}
	return v
}

// votersValue returns the highest value that a majority of voters have reached.
func (n *Node) votersValue(voters []uint64, own uint64, of func(*progress) uint64) uint64 {
	m := n.scratch[:0]
	for _, v := range voters {
		var x uint64
		if v == n.id {
			x = own
		} else if pr := n.progress(v); pr != nil {
			x = of(pr)
		}
		m = append(m, x)
	}
	n.scratch = m
	if len(m) == 0 {
		return 0
	}
	slices.Sort(m)
	return m[len(m)-quorum(len(m))]
}

// afterCommit updates leader bookkeeping once the commit index moved past old.
func (n *Node) afterCommit(old uint64) {
	for i := old + 1; i <= n.log.committed; i++ {
		if e := n.log.entry(i); e.Term == n.term {
			n.uncommittedBytes -= min(n.uncommittedBytes, uint64(len(e.Data)))
		}
	}
	if !n.isVoter(n.id) && n.members.lastIndex() <= n.log.committed {
		n.stepDownRemoved()
	}
}

// stepDownRemoved ends the leadership of a leader whose removal committed (thesis
// §4.2.2). It hands over to a caught-up voter if there is one, so the cluster need not
// wait for an election timeout.
func (n *Node) stepDownRemoved() {
	last := n.log.lastIndex()
	for i := range n.prs {
		if pr := &n.prs[i]; pr.id != n.id && n.isVoter(pr.id) && pr.match == last {
			n.send(Message{To: pr.id, Type: MsgTimeoutNow})
			break
		}
	}
	n.becomeFollower(n.term, None)
}

// transferLeadership starts handing leadership to voter to (thesis §3.10): proposals stop,
// the target is caught up, then told to campaign at once with MsgTimeoutNow. The transfer
// is abandoned after an election timeout.
func (n *Node) transferLeadership(to uint64) error {
	if to == n.id {
		return nil
	}
	if !n.isVoter(to) {
		what := "not a member"
		if n.isLearner(to) {
			what = "a learner"
		}
		return fmt.Errorf("%w: node %d is %s", ErrTransferTarget, to, what)
	}
	if n.leadTransferee == to {
		return nil
	}
	n.leadTransferee = to
	n.electionElapsed = 0
	if pr := n.progress(to); pr != nil && pr.match == n.log.lastIndex() {
		n.send(Message{To: to, Type: MsgTimeoutNow})
	}
	return nil
}
