package raft

import (
	"fmt"
)

// Step feeds a message received from a peer into the node. A message not addressed to
// this node, or malformed, returns an error wrapping ErrInvalidMessage and changes
// nothing. Dropping a forwarded proposal returns ErrProposalDropped (the sender's client
// will retry); other expected refusals are silent, as they are in Raft.
func (n *Node) Step(m Message) error {
	if err := n.validateMessage(m); err != nil {
		return err
	}
	return n.stepMsg(m)
}

// Propose asks to append data to the log. On the leader the entry is appended at once
// (sent at the next Ready); a follower forwards it to its leader if
// Config.ForwardProposals is set and otherwise returns a *NotLeaderError. Without a
// known leader, during a leadership transfer, or beyond the uncommitted-log limit it
// returns ErrProposalDropped. A nil error means only that the proposal was appended or
// forwarded: it is committed when it appears in CommittedEntries.
func (n *Node) Propose(data []byte) error {
	return n.propose(Entry{Type: EntryNormal, Data: data})
}

// ProposeConfChange asks to append a single-server membership change. Besides the errors
// of Propose, the leader refuses (with errors wrapping ErrNoTermCommit,
// ErrConfChangePending or ErrInvalidConfChange) while it has not committed an entry of
// its term, while another change is uncommitted, or if cc does not apply to the current
// configuration. A forwarded change is checked by the leader, which drops it silently if
// it is refused.
func (n *Node) ProposeConfChange(cc ConfChange) error {
	if !cc.Type.Valid() || cc.Node == None {
		return fmt.Errorf("%w: %v", ErrInvalidConfChange, cc)
	}
	return n.propose(Entry{Type: EntryConfChange, Data: EncodeConfChange(cc)})
}

// ProposeJointChange asks to change several members at once through the joint
// configuration (thesis §4.3). It is refused like ProposeConfChange, and also while the
// configuration is joint; once the joint entry commits, the leader appends the entry that
// leaves the joint configuration by itself.
func (n *Node) ProposeJointChange(jc JointChange) error {
	if jc.Leave() {
		return fmt.Errorf("%w: %v: no changes", ErrInvalidConfChange, jc)
	}
	for _, cc := range jc.Changes {
		if !cc.Type.Valid() || cc.Node == None {
			return fmt.Errorf("%w: %v", ErrInvalidConfChange, jc)
		}
	}
	return n.propose(Entry{Type: EntryJointChange, Data: EncodeJointChange(jc)})
}

func (n *Node) propose(e Entry) error {
	if n.role == Leader {
		return n.proposeEntries([]Entry{e})
	}
	if n.lead == None {
		return fmt.Errorf("%w: no leader known", ErrProposalDropped)
	}
	if !n.cfg.ForwardProposals {
		return &NotLeaderError{Leader: n.lead}
	}
	n.send(Message{To: n.lead, Type: MsgProp, Entries: []Entry{e}})
	return nil
}

// ReadIndex asks for a linearizable read point without writing the log (thesis §6.4).
// The answer arrives as a ReadState carrying ctx in a later Ready (on the leader once a
// quorum confirmed its leadership after the request; on a follower once the leader,
// asked with MsgReadIndex, answered). Serve the read once the state machine has applied
// ReadState.Index. Without a known leader, or beyond the pending-read limit, it returns
// ErrReadIndexDropped; a request lost on the way is simply never answered.
func (n *Node) ReadIndex(ctx []byte) error {
	if n.cfg.Mutations.UnsafeLocalReads {
		n.readStates = append(n.readStates, ReadState{Index: n.log.committed, Ctx: ctx})
		return nil
	}
	if n.role == Leader {
		return n.leaderRead(None, ctx)
	}
	if n.lead == None {
		return fmt.Errorf("%w: no leader known", ErrReadIndexDropped)
	}
	n.send(Message{To: n.lead, Type: MsgReadIndex, Context: ctx})
	return nil
}

// TransferLeadership asks the leader to hand leadership to voter to (thesis §3.10). The
// leader stops accepting proposals, brings to up to date, then tells it to campaign at
// once; the transfer is abandoned after an election timeout. A follower forwards the
// request to its leader. Transferring to a learner or a non-member returns an error
// wrapping ErrTransferTarget; without a known leader, ErrProposalDropped.
func (n *Node) TransferLeadership(to uint64) error {
	if n.role == Leader {
		return n.transferLeadership(to)
	}
	if !n.isVoter(to) {
		return fmt.Errorf("%w: node %d is not a voter", ErrTransferTarget, to)
	}
	if n.lead == None {
		return fmt.Errorf("%w: no leader known", ErrProposalDropped)
	}
	n.send(Message{To: n.lead, Type: MsgTransferLeader, Index: to})
	return nil
}

// Compact records that the application took a snapshot (data) of its state through
// index, which must be applied and after the current snapshot (else an error wrapping
// ErrCompactIndex). The node drops its log entries up to index and keeps the snapshot,
// data included, to send to followers that fall behind; data must not be modified
// afterwards. The host persists the snapshot itself (data, with SnapshotMeta for its
// index, term and configuration); Compact adds nothing to Ready.
func (n *Node) Compact(index uint64, data []byte) error {
	if index <= n.log.snapIndex {
		return fmt.Errorf("%w: index %d is not after the snapshot index %d", ErrCompactIndex, index, n.log.snapIndex)
	}
	if index > n.log.applied {
		return fmt.Errorf("%w: index %d is not applied (applied %d)", ErrCompactIndex, index, n.log.applied)
	}
	n.members.compacted(index)
	n.log.compact(index)
	n.setSnapshot(Snapshot{Meta: SnapshotMeta{Index: index, Term: n.log.snapTerm,
		Conf: cloneConf(n.members.base)}, Data: data})
	return nil
}

// SnapshotMeta returns the metadata of the node's current snapshot (taken by Compact,
// received from a leader, or restored): what a host needs to persist a snapshot it just
// took with Compact.
func (n *Node) SnapshotMeta() SnapshotMeta {
	m := n.snap.Meta
	m.Conf = cloneConf(m.Conf)
	return m
}

// Status returns a snapshot of the node's state. It shares nothing with the node.
func (n *Node) Status() Status {
	s := Status{
		ID:             n.id,
		HardState:      n.hardState(),
		Role:           n.role,
		Lead:           n.lead,
		Applied:        n.log.applied,
		LastIndex:      n.log.lastIndex(),
		SnapshotIndex:  n.log.snapIndex,
		Conf:           cloneConf(n.conf),
		LeadTransferee: n.leadTransferee,
	}
	s.Progress = n.AppendProgress(nil)
	return s
}

// AppendProgress appends a leader's view of every member's replication to dst, sorted by
// ID, and returns it; it appends nothing on a node that does not lead. Hosts that observe
// progress often reuse dst to avoid the allocations of Status.
func (n *Node) AppendProgress(dst []PeerStatus) []PeerStatus {
	if n.role != Leader {
		return dst
	}
	for i := range n.prs {
		dst = append(dst, n.prs[i].status()) // prs is sorted by ID
	}
	return dst
}

// AppendVoters appends the voters of the node's current configuration to dst, sorted, and
// returns it.
func (n *Node) AppendVoters(dst []uint64) []uint64 { return append(dst, n.conf.Voters...) }

// AppendVotersOutgoing appends the outgoing voters of a joint configuration to dst (none
// unless joint) and returns the extended slice.
func (n *Node) AppendVotersOutgoing(dst []uint64) []uint64 {
	return append(dst, n.conf.VotersOutgoing...)
}
