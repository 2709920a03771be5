package raft

// stepFollower handles messages while Follower.
func stepFollower(n *Node, m Message) error {
	switch m.Type {
	case MsgProp:
		// Forwarded proposals are not forwarded again: that could loop while leaders
		// change. The sender's client retries.
		return ErrProposalDropped
	case MsgApp:
		n.electionElapsed = 0
		n.lead = m.From
		n.handleAppend(m)
	case MsgHeartbeat:
		n.electionElapsed = 0
		n.lead = m.From
		n.handleHeartbeat(m)
	case MsgSnap:
		n.electionElapsed = 0
		n.lead = m.From
		n.handleSnapChunk(m)
	case MsgTimeoutNow:
		// §3.10: the leader found us caught up and asks us to take over at once.
		n.campaign(campaignTransfer)
	case MsgReadIndexResp:
		n.readStates = append(n.readStates, ReadState{Index: m.Index, Ctx: m.Context})
	}
	return nil
}

// handleAppend is the AppendEntries receiver (Figure 2, rules 1-5; rule 1 ran in
// stepMsg).
func (n *Node) handleAppend(m Message) {
	if m.Index < n.log.committed {
		// Everything up to our commit index is known to match the leader: tell it so.
		// (This also makes stale MsgApps harmless.)
		n.send(Message{To: m.From, Type: MsgAppResp, Index: n.log.committed})
		return
	}
	mu := &n.cfg.Mutations
	matched := n.log.matchTerm(m.Index, m.LogTerm)
	if !matched && mu.AppendWithoutPrevCheck && m.Index >= n.log.snapIndex && m.Index <= n.log.lastIndex() {
		matched = true
	}
	if !matched {
		// Rule 2: reply false, with a hint of where our logs may agree so that the
		// leader skips a whole term of mismatches per round trip.
		hint, hintTerm := n.log.findConflictByTerm(min(m.Index, n.log.lastIndex()), m.LogTerm)
		n.send(Message{To: m.From, Type: MsgAppResp, Reject: true, Index: m.Index,
			RejectHint: hint, LogTerm: hintTerm})
		return
	}
	lastNew := m.Index + uint64(len(m.Entries))
	n.appendFromLeader(m.Entries)
	// Rule 5: commit up to the last NEW entry only; entries beyond it may be stale
	// leftovers of an older term.
	commit := min(m.Commit, lastNew)
	if mu.CommitToLastIndex {
		commit = min(m.Commit, n.log.lastIndex())
	}
	n.log.commitTo(commit)
	n.send(Message{To: m.From, Type: MsgAppResp, Index: lastNew})
}

// appendFromLeader applies rules 3 and 4: entries already present with the same term are
// kept (a stale or duplicated MsgApp truncates nothing); from the first conflicting entry
// on, the log is replaced.
func (n *Node) appendFromLeader(ents []Entry) {
	if len(ents) == 0 {
		return
	}
	from := n.log.findConflict(ents)
	if n.cfg.Mutations.TruncateOnStaleAppend {
		from = ents[0].Index
	}
	if from == 0 {
		return
	}
	newEnts := ents[from-ents[0].Index:]
	if from <= n.log.lastIndex() && n.members.truncated(from) {
		// A configuration entry was truncated away: revert to the one before it.
		n.conf = n.members.current()
		n.confChanged()
	}
	n.log.truncateAndAppend(newEnts)
	n.noteConfEntries(newEnts)
}

// handleHeartbeat applies the leader's commit index. The leader sends at most what it
// knows we match, so it never exceeds our log; it is clamped anyway so that a broken
// peer cannot make us panic.
func (n *Node) handleHeartbeat(m Message) {
	n.log.commitTo(min(m.Commit, n.log.lastIndex()))
	n.send(Message{To: m.From, Type: MsgHeartbeatResp, Round: m.Round})
}

// noteConfEntries applies the configuration entries among ents, just appended.
func (n *Node) noteConfEntries(ents []Entry) {
	changed := false
	for i := range ents {
		if e := &ents[i]; e.Type.isConf() {
			n.members.appended(e) // validated on entry; a leader never appends a bad one
			changed = true
		}
	}
	if changed {
		n.conf = n.members.current()
		n.confChanged()
	}
}
