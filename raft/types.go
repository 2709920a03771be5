package raft

import (
	"fmt"
	"strconv"
)

// None is the node ID meaning "no node": no leader known, no vote cast.
const None uint64 = 0

// Role is what a node currently is in its term.
type Role uint8

const (
	// Follower is passive: it answers leaders and candidates (Figure 2).
	Follower Role = iota
	// PreCandidate is polling for votes without raising its term (thesis §9.6).
	PreCandidate
	// Candidate has raised its term and is collecting votes (§5.2).
	Candidate
	// Leader handles proposals and replicates the log (§5.3).
	Leader
)

var roleNames = [...]string{"Follower", "PreCandidate", "Candidate", "Leader"}

// String returns the role's name, e.g. "Leader".
func (r Role) String() string {
	if int(r) < len(roleNames) {
		return roleNames[r]
	}
	return "Role(" + strconv.Itoa(int(r)) + ")"
}

// String returns "normal", "conf" or "joint".
func (t EntryType) String() string {
	switch t {
	case EntryNormal:
		return "normal"
	case EntryConfChange:
		return "conf"
	case EntryJointChange:
		return "joint"
	}
	return "EntryType(" + strconv.Itoa(int(t)) + ")"
}

// String renders e as "term/index data", decoding a configuration change, e.g.
// `2/7 "put x"` or `1/1 conf add-voter 1`.
func (e Entry) String() string {
	if e.Type == EntryConfChange {
		cc, err := DecodeConfChange(e.Data)
		if err != nil {
			return fmt.Sprintf("%d/%d conf <%v>", e.Term, e.Index, err)
		}
		return fmt.Sprintf("%d/%d conf %s", e.Term, e.Index, cc)
	}
	if e.Type == EntryJointChange {
		jc, err := DecodeJointChange(e.Data)
		if err != nil {
			return fmt.Sprintf("%d/%d joint <%v>", e.Term, e.Index, err)
		}
		return fmt.Sprintf("%d/%d conf %s", e.Term, e.Index, jc)
	}
	if e.Type != EntryNormal {
		return fmt.Sprintf("%d/%d %s %q", e.Term, e.Index, e.Type, e.Data)
	}
	return fmt.Sprintf("%d/%d %q", e.Term, e.Index, e.Data)
}

// ConfChangeType is the kind of a single-server membership change (thesis §4.1).
type ConfChangeType uint8

const (
	// AddLearner adds a non-voting member that receives the log but does not vote or
	// count towards any quorum. The leader promotes it by itself (appending AddVoter) once
	// the learner's match has reached the leader's commit index, as soon as the
	// one-change-at-a-time rule allows.
	AddLearner ConfChangeType = iota + 1
	// AddVoter promotes a learner to a voter. (Applied to a node that is not a learner
	// it adds the node as a voter directly; only the bootstrap entries do that.)
	AddVoter
	// RemoveNode removes a voter or learner from the configuration.
	RemoveNode

	confChangeTypeEnd
)

var confChangeNames = [...]string{
	AddLearner: "add-learner",
	AddVoter:   "add-voter",
	RemoveNode: "remove",
}

// Valid reports whether t is one of the defined change types.
func (t ConfChangeType) Valid() bool { return t >= AddLearner && t < confChangeTypeEnd }

// String returns "add-learner", "add-voter" or "remove".
func (t ConfChangeType) String() string {
	if t.Valid() {
		return confChangeNames[t]
	}
	return "ConfChangeType(" + strconv.Itoa(int(t)) + ")"
}

// ConfChangeTypeByName returns the ConfChangeType whose String is name.
func ConfChangeTypeByName(name string) (ConfChangeType, bool) {
	for t := AddLearner; t < confChangeTypeEnd; t++ {
		if confChangeNames[t] == name {
			return t, true
		}
	}
	return 0, false
}

// ConfChange is one single-server membership change, carried encoded (EncodeConfChange)
// in the Data of an EntryConfChange entry. It takes effect on every node as soon as the
// entry is appended to that node's log.
type ConfChange struct {
	Type ConfChangeType
	Node uint64
}

// String renders cc as e.g. "add-learner 4".
func (cc ConfChange) String() string { return fmt.Sprintf("%s %d", cc.Type, cc.Node) }

// SoftState is volatile state worth reporting to the host: who leads and this node's role.
type SoftState struct {
	Lead uint64
	Role Role
}

// ReadState answers a ReadIndex request: once the state machine has applied Index, a read
// of the state reflects every write acknowledged before the request (thesis §6.4). Ctx is
// the request's context, returned unchanged.
type ReadState struct {
	Index uint64
	Ctx   []byte
}

// ProgressState is how a leader currently replicates to one peer.
type ProgressState uint8

const (
	// ProgressProbe sends one MsgApp at a time until the peer's match is found.
	ProgressProbe ProgressState = iota
	// ProgressReplicate streams entries optimistically, up to MaxInflightMsgs unacked.
	ProgressReplicate
	// ProgressSnapshot transfers the leader's snapshot in chunks.
	ProgressSnapshot
)

var progressNames = [...]string{"Probe", "Replicate", "Snapshot"}

// String returns "Probe", "Replicate" or "Snapshot".
func (s ProgressState) String() string {
	if int(s) < len(progressNames) {
		return progressNames[s]
	}
	return "ProgressState(" + strconv.Itoa(int(s)) + ")"
}

// PeerStatus is a leader's view of one member's replication.
type PeerStatus struct {
	ID      uint64
	Match   uint64
	Next    uint64
	State   ProgressState
	Learner bool
}

// Status is a snapshot of a node's state, for observers and tests.
type Status struct {
	ID             uint64
	HardState      HardState
	Role           Role
	Lead           uint64
	Applied        uint64
	LastIndex      uint64
	SnapshotIndex  uint64
	Conf           ConfState
	LeadTransferee uint64
	// Progress holds one entry per member, sorted by ID; only a leader has it.
	Progress []PeerStatus
}
