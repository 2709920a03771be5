package raft

import (
	"fmt"
	"slices"
)

// stepMsg applies the term rules common to every role (§5.1, Figure 2 "All Servers"),
// then hands the message to the role's step function.
func (n *Node) stepMsg(m Message) error {
	switch m.Type {
	case MsgProp, MsgReadIndex, MsgTransferLeader:
		// Forwarded requests carry no term; they are handled like local calls.
		return n.step(n, m)
	}
	switch {
	case m.Term > n.term:
		if !n.acceptHigherTerm(m) {
			return nil
		}
	case m.Term < n.term:
		if !n.acceptLowerTerm(m) {
			return nil
		}
	}
	switch m.Type {
	case MsgPreVote, MsgVote:
		n.handleVoteRequest(m)
		return nil
	}
	return n.step(n, m)
}

// acceptHigherTerm adopts the term of m when the rules say so and reports whether m is
// to be processed further.
func (n *Node) acceptHigherTerm(m Message) bool {
	isVoteReq := m.Type == MsgVote || m.Type == MsgPreVote
	if isVoteReq && !m.Force && n.inLease() {
		// Leader stickiness (thesis §4.2.3): a node that heard from a live leader within
		// the minimum election timeout ignores vote requests, so a partitioned server
		// rejoining cannot depose it.
		return false
	}
	if n.role == Leader && !isVoteReq && n.cfg.Mutations.NoStepDownOnHigherTerm {
		return false
	}
	switch {
	case m.Type == MsgPreVote:
		// A pre-vote never changes anyone's term.
	case m.Type == MsgPreVoteResp && !m.Reject:
		// Granted pre-votes carry the term we will campaign in; we raise our term when
		// we win the pre-election.
	case m.Type == MsgApp || m.Type == MsgHeartbeat || m.Type == MsgSnap:
		n.becomeFollower(m.Term, m.From)
	default:
		n.becomeFollower(m.Term, None)
	}
	return true
}

// acceptLowerTerm answers a message from an earlier term where that helps the sender
// catch up, and reports whether m is to be processed further (only for mutations).
func (n *Node) acceptLowerTerm(m Message) bool {
	mu := &n.cfg.Mutations
	if mu.CountStaleVotes && n.role == Candidate && m.Type == MsgVoteResp {
		return true
	}
	if mu.ProgressRegress && n.role == Leader && m.Type == MsgAppResp {
		return true
	}
	if mu.AcceptStaleAppend && n.role == Follower && m.Type == MsgApp {
		return true
	}
	silent := mu.StaleAppendUnansweredByOwnSettings && !n.cfg.CheckQuorum && !n.cfg.PreVote
	switch {
	case (m.Type == MsgApp || m.Type == MsgHeartbeat) && !silent:
		// Figure 2, AppendEntries rule 1: reply false with our term, so that a stale
		// leader steps down. (etcd does this only with CheckQuorum or PreVote; but a
		// node whose term ran ahead must be able to depose a leader whose followers
		// ignore its vote requests, whatever its own settings.)
		n.send(Message{To: m.From, Type: MsgAppResp})
	case m.Type == MsgPreVote:
		n.send(Message{To: m.From, Type: MsgPreVoteResp, Reject: true})
	case m.Type == MsgVote:
		// Figure 2, RequestVote rule 1: reply false with our term, so that the candidate
		// adopts it. (etcd ignores the request; but a candidate whose vote requests go
		// only to nodes of a higher term is stranded if none of them ever sends it that
		// term, as when the node running terms up has an older configuration without the
		// candidate in it: seed 63516.)
		n.send(Message{To: m.From, Type: MsgVoteResp, Reject: true})
	}
	return false
}

// inLease reports whether this node heard from a live leader within the election
// timeout (only tracked with CheckQuorum).
func (n *Node) inLease() bool {
	return n.cfg.CheckQuorum && n.lead != None && n.electionElapsed < n.cfg.ElectionTick
}

// resetElectionTimeout draws a new randomized election timeout in
// [ElectionTick, 2*ElectionTick) (§5.2).
func (n *Node) resetElectionTimeout() {
	n.randomizedElectionTimeout = n.cfg.ElectionTick + int(n.cfg.Rand.Uint64()%uint64(n.cfg.ElectionTick))
}

// reset moves to term, clearing all per-term and per-role state.
func (n *Node) reset(term uint64) {
	if n.term != term {
		n.term = term
		n.vote = None
	}
	n.lead = None
	n.electionElapsed = 0
	n.heartbeatElapsed = 0
	n.resetElectionTimeout()
	n.leadTransferee = None
	n.votes = n.votes[:0]
	n.prs = nil
	n.reads.reset()
	n.uncommittedBytes = 0
}

func (n *Node) becomeFollower(term, lead uint64) {
	n.reset(term)
	n.lead = lead
	n.role = Follower
	n.step = stepFollower
}

func (n *Node) becomePreCandidate() {
	if n.role == Leader {
		panic(fmt.Sprintf("raft: node %d: leader -> pre-candidate", n.id))
	}
	// Like etcd: a pre-candidate keeps its term and vote; only the timers and votes reset.
	n.votes = n.votes[:0]
	n.lead = None
	n.electionElapsed = 0
	n.resetElectionTimeout()
	n.role = PreCandidate
	n.step = stepCandidate
}

func (n *Node) becomeCandidate() {
	if n.role == Leader {
		panic(fmt.Sprintf("raft: node %d: leader -> candidate", n.id))
	}
	n.reset(n.term + 1)
	n.vote = n.id
	n.role = Candidate
	n.step = stepCandidate
}

func (n *Node) becomeLeader() {
	if n.role != Candidate {
		panic(fmt.Sprintf("raft: node %d: %s -> leader", n.id, n.role))
	}
	n.reset(n.term)
	n.vote = n.id
	n.lead = n.id
	n.role = Leader
	n.step = stepLeader
	n.syncProgress()
	for i := range n.prs {
		n.prs[i].recentActive = n.prs[i].id == n.id
	}
	// §5.2/§8: a new leader appends a no-op so that it can commit an entry of its own
	// term, which commits everything before it.
	n.appendEntries([]Entry{{Type: EntryNormal}})
}

// Tick advances logical time by one tick.
func (n *Node) Tick() {
	if n.role == Leader {
		n.tickLeader()
		return
	}
	n.electionElapsed++
	if n.promotable() && n.electionElapsed >= n.randomizedElectionTimeout {
		n.electionElapsed = 0
		n.campaign(campaignPreElection)
	}
}

func (n *Node) tickLeader() {
	n.heartbeatElapsed++
	n.electionElapsed++
	if n.electionElapsed >= n.cfg.ElectionTick {
		n.electionElapsed = 0
		if n.cfg.CheckQuorum && !n.quorumActive() {
			// §6.2: a leader that cannot reach a quorum steps down.
			n.becomeFollower(n.term, None)
			return
		}
		n.leadTransferee = None // §3.10: abort a transfer that took an election timeout
	}
	n.tickSnapshotTransfers()
	if n.heartbeatElapsed >= n.cfg.HeartbeatTick {
		n.heartbeatElapsed = 0
		n.bcastHeartbeat()
	}
}

// quorumActive reports whether a quorum of voters was heard from since the last check,
// and starts a new check.
func (n *Node) quorumActive() bool {
	var active []uint64
	for i := range n.prs {
		pr := &n.prs[i]
		if pr.id == n.id {
			pr.recentActive = true
		}
		if pr.recentActive && n.isVoter(pr.id) {
			active = append(active, pr.id)
		}
		pr.recentActive = pr.id == n.id
	}
	return n.jointMajority(func(id uint64) bool { return slices.Contains(active, id) }, false)
}

// validateMessage checks that m is addressed to this node and well formed, so that no
// input can break an invariant.
func (n *Node) validateMessage(m Message) error {
	switch {
	case !m.Type.Valid():
		return fmt.Errorf("%w: type %d", ErrInvalidMessage, m.Type)
	case m.To != n.id:
		return fmt.Errorf("%w: %s addressed to %d, this is %d", ErrInvalidMessage, m.Type, m.To, n.id)
	case m.From == None || m.From == n.id:
		return fmt.Errorf("%w: %s from %d", ErrInvalidMessage, m.Type, m.From)
	}
	switch m.Type {
	case MsgProp, MsgReadIndex, MsgTransferLeader:
	default:
		if m.Term == 0 {
			return fmt.Errorf("%w: %s with term 0", ErrInvalidMessage, m.Type)
		}
	}
	switch m.Type {
	case MsgApp:
		return validateAppend(m)
	case MsgProp:
		return validateProposal(m.Entries)
	case MsgSnap:
		return validateSnapChunk(m)
	}
	return nil
}

// validateAppend checks that a MsgApp's entries follow prevLogIndex contiguously with
// terms that never decrease and never exceed the leader's term.
func validateAppend(m Message) error {
	prevTerm := m.LogTerm
	if prevTerm > m.Term {
		return fmt.Errorf("%w: MsgApp prev term %d > term %d", ErrInvalidMessage, prevTerm, m.Term)
	}
	if m.Index > ^uint64(0)-uint64(len(m.Entries)) {
		return fmt.Errorf("%w: MsgApp index %d overflows", ErrInvalidMessage, m.Index)
	}
	for i := range m.Entries {
		e := &m.Entries[i]
		if e.Index != m.Index+1+uint64(i) {
			return fmt.Errorf("%w: MsgApp entry %d has index %d, want %d", ErrInvalidMessage, i, e.Index, m.Index+1+uint64(i))
		}
		if e.Term < prevTerm || e.Term > m.Term || e.Term == 0 {
			return fmt.Errorf("%w: MsgApp entry %d has term %d (previous %d, leader %d)", ErrInvalidMessage, e.Index, e.Term, prevTerm, m.Term)
		}
		prevTerm = e.Term
		if err := validateEntryType(e); err != nil {
			return err
		}
	}
	return nil
}

func validateProposal(ents []Entry) error {
	if len(ents) == 0 {
		return fmt.Errorf("%w: MsgProp without entries", ErrInvalidMessage)
	}
	for i := range ents {
		if err := validateEntryType(&ents[i]); err != nil {
			return err
		}
	}
	return nil
}

func validateEntryType(e *Entry) error {
	switch e.Type {
	case EntryNormal:
		return nil
	case EntryConfChange, EntryJointChange:
		if err := decodeConfEntry(e); err != nil {
			return fmt.Errorf("%w: entry %d: %w", ErrInvalidMessage, e.Index, err)
		}
		return nil
	}
	return fmt.Errorf("%w: entry %d has type %d", ErrInvalidMessage, e.Index, e.Type)
}

func validateSnapChunk(m Message) error {
	end := m.SnapOffset + uint64(len(m.SnapData))
	switch {
	case m.Snap.Index == 0 || m.Snap.Term == 0 || m.Snap.Term > m.Term:
		return fmt.Errorf("%w: MsgSnap of snapshot %d/%d at term %d", ErrInvalidMessage, m.Snap.Term, m.Snap.Index, m.Term)
	case end < m.SnapOffset || end > m.SnapSize:
		return fmt.Errorf("%w: MsgSnap chunk [%d, %d) beyond size %d", ErrInvalidMessage, m.SnapOffset, end, m.SnapSize)
	case m.SnapDone != (end == m.SnapSize):
		return fmt.Errorf("%w: MsgSnap done=%v for chunk ending at %d of %d", ErrInvalidMessage, m.SnapDone, end, m.SnapSize)
	case len(m.Snap.Conf.Voters) == 0:
		return fmt.Errorf("%w: MsgSnap with no voters", ErrInvalidMessage)
	case slices.Contains(m.Snap.Conf.Voters, None) || slices.Contains(m.Snap.Conf.Learners, None) ||
		slices.Contains(m.Snap.Conf.VotersOutgoing, None):
		return fmt.Errorf("%w: MsgSnap configuration names node 0", ErrInvalidMessage)
	}
	return nil
}
