package raft

import (
	"fmt"
	"hash/crc32"
	"slices"
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// Node is one Raft server as a pure state machine in the shape of etcd-io/raft's
// RawNode: input arrives through Tick, Step, Propose, ProposeConfChange, ReadIndex,
// TransferLeadership and Compact; output leaves through Ready, which the host must
// process in order and acknowledge with Advance (see Ready). A Node has no clock, no
// goroutines and no I/O, and is not safe for concurrent use.
type Node struct {
	id  uint64
	cfg Config

	// term and vote are currentTerm and votedFor of Figure 2.
	// Invariant: a Leader's vote is its own ID and lead == id.
	term uint64
	vote uint64
	role Role
	lead uint64
	step func(*Node, Message) error

	log     raftLog
	members membership
	// conf caches members.current().
	conf ConfState
	// snap is the latest snapshot (taken by Compact, installed, or restored), kept with
	// its data to send to followers. Invariant: snap.Meta.Index == log.snapIndex.
	snap    Snapshot
	snapCRC uint32
	// recv assembles the chunks of a snapshot being received (follower side).
	recv *snapReceiver
	// pendingSnap is an installed snapshot not yet handed out in a Ready.
	pendingSnap *Snapshot

	// prs holds the leader's progress for each member, itself included, sorted by ID.
	prs []progress
	// votes collects vote responses while PreCandidate or Candidate.
	votes []voteRecord

	electionElapsed           int
	heartbeatElapsed          int
	randomizedElectionTimeout int
	// leadTransferee is the target of a leadership transfer in progress (leader only).
	leadTransferee uint64
	// uncommittedBytes is the payload a leader appended in its term and not yet committed.
	uncommittedBytes uint64
	reads            readQueue

	msgs       []Message
	sentMsgs   []Message   // the last advanced Ready's Messages, valid until the next Advance
	freeMsgs   [][]Message // arrays no Ready's Messages use any more, for msgs
	readStates []ReadState

	// prevSoft and prevHard are what the last Ready reported.
	prevSoft SoftState
	prevHard HardState
	rd       readyMark
	scratch  []uint64
}

// readyMark remembers what the outstanding Ready handed out, for Advance.
type readyMark struct {
	out       bool
	lastIndex uint64 // last entry in Ready.Entries (0 if none)
	lastTerm  uint64
	applyTo   uint64    // last index in Ready.CommittedEntries (0 if none)
	snapIndex uint64    // Ready.Snapshot's index (0 if none)
	msgs      []Message // Ready.Messages, whose array Advance recycles
}

type voteRecord struct {
	from    uint64
	granted bool
}

// New returns a node configured by cfg: restarted from cfg.Restore if it holds durable
// state, otherwise new (bootstrapping cfg.Voters, or joining with an empty log when
// Voters is empty). It returns an error naming the field and value for a bad config or
// inconsistent restored state.
func New(cfg Config) (*Node, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	n := &Node{id: cfg.ID, cfg: cfg}
	if rs := cfg.Restore; rs != nil && !recoveredEmpty(rs) {
		if err := n.restore(rs); err != nil {
			return nil, err
		}
	} else {
		n.bootstrap(cfg.Voters)
	}
	n.conf = n.members.current()
	n.becomeFollower(n.term, None)
	n.prevSoft = SoftState{Lead: None, Role: Follower}
	n.checkInvariants()
	return n, nil
}

func recoveredEmpty(rs *Recovered) bool {
	return rs.HardState.IsEmpty() && rs.Snapshot.IsEmpty() && len(rs.Entries) == 0
}

// bootstrap writes the initial configuration as committed entries of term 1, one AddVoter
// per voter in ID order, identical on every founding member.
func (n *Node) bootstrap(voters []uint64) {
	if len(voters) == 0 {
		return
	}
	sorted := slices.Clone(voters)
	slices.Sort(sorted)
	for i, v := range sorted {
		e := Entry{Term: 1, Index: uint64(i + 1), Type: EntryConfChange,
			Data: EncodeConfChange(ConfChange{Type: AddVoter, Node: v})}
		n.log.appendOwn(e)
		n.members.appended(&e)
	}
	n.term = 1
	n.log.committed = uint64(len(sorted))
}

// restore loads durable state, checking that it is a well-formed Raft log.
func (n *Node) restore(rs *Recovered) error {
	hs := rs.HardState
	if s := rs.Snapshot; !s.IsEmpty() {
		if s.Meta.Term == 0 {
			return fmt.Errorf("raft: Config.Restore.Snapshot.Meta.Term = 0 at index %d: must be > 0", s.Meta.Index)
		}
		n.log.snapIndex, n.log.snapTerm = s.Meta.Index, s.Meta.Term
		n.members.reset(s.Meta.Conf)
		n.setSnapshot(Snapshot{Meta: SnapshotMeta{Index: s.Meta.Index, Term: s.Meta.Term,
			Conf: n.members.base}, Data: s.Data})
	}
	if err := n.checkRestoredEntries(rs.Entries, hs.Term); err != nil {
		return err
	}
	n.log.ents = slices.Clone(rs.Entries)
	for i := range n.log.ents {
		if e := &n.log.ents[i]; e.Type.isConf() {
			n.members.appended(e) // checked above
		}
	}
	n.log.committed = max(hs.Commit, n.log.snapIndex)
	if n.log.committed > n.log.lastIndex() {
		return fmt.Errorf("raft: Config.Restore.HardState.Commit = %d: beyond the last index %d",
			hs.Commit, n.log.lastIndex())
	}
	n.log.applied, n.log.applying = n.log.snapIndex, n.log.snapIndex
	n.log.stable = n.log.lastIndex()
	n.term, n.vote = hs.Term, hs.Vote
	if n.term < n.log.lastTerm() {
		// A torn write kept entries but lost the HardState saved after them in the same
		// Ready. Nothing that depended on the lost state left the node (it was never
		// synced), so adopting the entries' term with no vote is safe.
		n.term, n.vote = n.log.lastTerm(), None
	}
	n.prevHard = hs
	return nil
}

func (n *Node) checkRestoredEntries(ents []Entry, term uint64) error {
	prevTerm := n.log.snapTerm
	for i := range ents {
		e := &ents[i]
		if want := n.log.snapIndex + 1 + uint64(i); e.Index != want {
			return fmt.Errorf("raft: Config.Restore.Entries[%d].Index = %d: want %d", i, e.Index, want)
		}
		if e.Term < prevTerm || e.Term == 0 {
			return fmt.Errorf("raft: Config.Restore.Entries[%d].Term = %d: below the previous term %d",
				i, e.Term, prevTerm)
		}
		prevTerm = e.Term
		switch e.Type {
		case EntryNormal:
		case EntryConfChange, EntryJointChange:
			if err := decodeConfEntry(e); err != nil {
				return fmt.Errorf("raft: Config.Restore.Entries[%d] (index %d): %w", i, e.Index, err)
			}
		default:
			return fmt.Errorf("raft: Config.Restore.Entries[%d].Type = %d: unknown", i, e.Type)
		}
	}
	return nil
}

// setSnapshot makes s the snapshot sent to followers.
func (n *Node) setSnapshot(s Snapshot) {
	n.snap = s
	n.snapCRC = crc32.Checksum(s.Data, crcTable)
}

func (n *Node) hardState() HardState {
	return HardState{Term: n.term, Vote: n.vote, Commit: n.log.committed}
}

// isVoter reports whether id votes: in the voters or, while joint, the outgoing voters.
func (n *Node) isVoter(id uint64) bool { return n.conf.hasVoter(id) }

// isLearner reports whether id is a learner and not (while joint) still an outgoing voter.
func (n *Node) isLearner(id uint64) bool {
	_, found := slices.BinarySearch(n.conf.Learners, id)
	return found && !n.isVoter(id)
}

// promotable reports whether this node may campaign: a voter of its latest configuration, or
// of the committed one while a change removing it is not yet committed. Thesis §4.2.2: "a
// server that is not part of its own latest configuration should still start new elections,
// as it might still be needed until the C_new entry is committed"; without that, a leader that
// appended its own removal and lost its quorum before replicating it holds the most
// up-to-date log, which no other voter can win against, and the cluster never elects again.
// Such a node does not count its own vote (electionResolved counts current voters only).
func (n *Node) promotable() bool {
	if n.isVoter(n.id) {
		return true
	}
	return n.members.asOf(n.log.committed).hasVoter(n.id)
}

// progress returns the leader's progress of id, nil if id is not a member.
func (n *Node) progress(id uint64) *progress {
	for i := range n.prs {
		if n.prs[i].id == id {
			return &n.prs[i]
		}
	}
	return nil
}

// send queues m for the next Ready. From is filled in; Term too unless m is a forwarded
// request (which carries none) or already has one (vote responses).
func (n *Node) send(m Message) {
	m.From = n.id
	switch m.Type {
	case MsgProp, MsgReadIndex, MsgTransferLeader:
		m.Term = 0
	default:
		if m.Term == 0 {
			m.Term = n.term
		}
	}
	n.msgs = append(n.msgs, m)
}

func (n *Node) checkInvariants() {
	n.log.checkInvariants()
	if n.role == Leader && (n.lead != n.id || n.vote != n.id) {
		panic(fmt.Sprintf("raft: node %d is leader of term %d with lead %d and vote %d",
			n.id, n.term, n.lead, n.vote))
	}
	if n.snap.Meta.Index != n.log.snapIndex {
		panic(fmt.Sprintf("raft: snapshot index %d != log snapshot index %d", n.snap.Meta.Index, n.log.snapIndex))
	}
	if n.term < n.log.lastTerm() {
		panic(fmt.Sprintf("raft: term %d below last log term %d", n.term, n.log.lastTerm()))
	}
	last := n.log.lastIndex()
	for i := range n.prs {
		n.prs[i].checkInvariants(last)
		if i > 0 && n.prs[i-1].id >= n.prs[i].id {
			panic(fmt.Sprintf("raft: node %d: progress not sorted by ID: %d before %d", n.id, n.prs[i-1].id, n.prs[i].id))
		}
	}
}
