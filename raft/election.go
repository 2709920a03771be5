package raft

import "slices"

// campaignKind says how an election starts.
type campaignKind uint8

const (
	// campaignPreElection polls with MsgPreVote first if Config.PreVote is on.
	campaignPreElection campaignKind = iota
	// campaignElection raises the term and asks for votes.
	campaignElection
	// campaignTransfer is an election forced by MsgTimeoutNow: no pre-vote, and the
	// requests carry Force so that leader stickiness does not refuse them.
	campaignTransfer
)

// campaign starts an election (§5.2) or a pre-election (thesis §9.6).
func (n *Node) campaign(kind campaignKind) {
	if !n.promotable() {
		return
	}
	voteType := MsgVote
	if kind == campaignPreElection && n.cfg.PreVote {
		n.becomePreCandidate()
		voteType = MsgPreVote
	} else {
		n.becomeCandidate()
	}
	term := n.term
	if voteType == MsgPreVote {
		term = n.term + 1
	}
	n.recordVote(n.id, true)
	if n.electionResolved() {
		return // a single-voter cluster needs no one else
	}
	last, lastTerm := n.log.lastIndex(), n.log.lastTerm()
	for _, v := range n.conf.members() {
		if v == n.id || !n.isVoter(v) {
			continue
		}
		n.send(Message{Type: voteType, To: v, Term: term, Index: last, LogTerm: lastTerm,
			Force: kind == campaignTransfer})
	}
}

// handleVoteRequest answers MsgVote and MsgPreVote (Figure 2 RequestVote receiver rules).
// The term rules have run already: m.Term >= n.term, except a MsgPreVote may be for a
// later term than ours.
func (n *Node) handleVoteRequest(m Message) {
	respType := MsgVoteResp
	if m.Type == MsgPreVote {
		respType = MsgPreVoteResp
	}
	// §5.2: at most one vote per term, first come first served. We may also grant if we
	// already voted for this candidate (a retransmission), and a pre-vote for a future
	// term binds nothing.
	canVote := n.vote == m.From ||
		(n.vote == None && n.lead == None) ||
		(m.Type == MsgPreVote && m.Term > n.term)
	// §5.4.1: only for a candidate whose log is at least as up-to-date as ours.
	upToDate := n.cfg.Mutations.VoteWithoutLogCheck || n.log.isUpToDate(m.Index, m.LogTerm)
	if !canVote || !upToDate {
		n.send(Message{To: m.From, Type: respType, Term: n.term, Reject: true})
		return
	}
	// A granted pre-vote answers in the term the candidate will use, so that it is not
	// dropped as stale; a real vote's term equals ours already.
	n.send(Message{To: m.From, Type: respType, Term: m.Term})
	if m.Type == MsgVote {
		n.electionElapsed = 0
		n.vote = m.From
	}
}

// recordVote notes a vote response. A node's second answer in an election is ignored,
// unless the CountStaleVotes mutation counts it again.
func (n *Node) recordVote(from uint64, granted bool) {
	if !n.cfg.Mutations.CountStaleVotes {
		for _, v := range n.votes {
			if v.from == from {
				return
			}
		}
	}
	n.votes = append(n.votes, voteRecord{from: from, granted: granted})
}

// electionResolved tallies the votes of current voters and acts on the outcome: winning
// a pre-election starts the election, winning an election makes the leader, losing
// returns to follower. It reports whether the election is over. In a joint configuration
// winning takes a majority of both halves, and a majority of rejections in either half
// loses (thesis §4.3); the JointElectIncomingOnly mutation counts the incoming half only.
func (n *Node) electionResolved() bool {
	won, lost := n.tally(n.conf.Voters)
	if n.conf.Joint() && !n.cfg.Mutations.JointElectIncomingOnly {
		wonOut, lostOut := n.tally(n.conf.VotersOutgoing)
		won, lost = won && wonOut, lost || lostOut
	}
	switch {
	case won:
		if n.role == PreCandidate {
			n.campaign(campaignElection)
		} else {
			n.becomeLeader()
		}
		return true
	case lost:
		n.becomeFollower(n.term, None)
		return true
	}
	return false
}

// tally counts the votes recorded from voters and reports whether they make a majority
// of voters, or whether the rejections leave too few to make one.
func (n *Node) tally(voters []uint64) (won, lost bool) {
	granted, rejected := 0, 0
	for _, v := range n.votes {
		if _, ok := slices.BinarySearch(voters, v.from); !ok {
			continue
		}
		if v.granted {
			granted++
		} else {
			rejected++
		}
	}
	q := quorum(len(voters))
	return granted >= q, rejected > len(voters)-q
}

// stepCandidate handles messages while PreCandidate or Candidate.
func stepCandidate(n *Node, m Message) error {
	respType := MsgVoteResp
	if n.role == PreCandidate {
		respType = MsgPreVoteResp
	}
	switch m.Type {
	case MsgProp:
		return ErrProposalDropped
	case MsgApp:
		// §5.2: a candidate that hears from a leader of its term returns to follower.
		n.becomeFollower(m.Term, m.From)
		n.handleAppend(m)
	case MsgHeartbeat:
		n.becomeFollower(m.Term, m.From)
		n.handleHeartbeat(m)
	case MsgSnap:
		n.becomeFollower(m.Term, m.From)
		n.handleSnapChunk(m)
	case respType:
		n.recordVote(m.From, !m.Reject)
		n.electionResolved()
	}
	return nil
}
