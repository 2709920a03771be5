package raft

import (
	"errors"
	"strconv"
)

// The errors a Node returns for expected failures. Callers test them with errors.Is; most
// are returned wrapped with details.
var (
	// ErrProposalDropped: the proposal was not appended — no leader is known, a
	// leadership transfer is in progress, or the uncommitted-log limit is reached.
	ErrProposalDropped = errors.New("raft: proposal dropped")
	// ErrNotLeader: this node is not the leader and does not forward proposals. The
	// returned error is a *NotLeaderError carrying the leader hint.
	ErrNotLeader = errors.New("raft: not the leader")
	// ErrConfChangePending: a configuration change is appended but not yet committed;
	// only one may be in flight at a time (thesis §4.1).
	ErrConfChangePending = errors.New("raft: a configuration change is already in flight")
	// ErrNoTermCommit: the leader has not yet committed an entry of its own term, so it
	// may not propose a configuration change (the 2015 single-server change fix).
	ErrNoTermCommit = errors.New("raft: leader has not committed an entry in its term")
	// ErrInvalidConfChange: the change does not apply to the current configuration
	// (adding a member twice, promoting a non-learner, removing a stranger, removing
	// the last voter).
	ErrInvalidConfChange = errors.New("raft: invalid configuration change")
	// ErrTransferTarget: leadership can only be transferred to a voter of the current
	// configuration.
	ErrTransferTarget = errors.New("raft: invalid leadership transfer target")
	// ErrReadIndexDropped: the ReadIndex request was not queued — no leader is known or
	// the pending-read limit is reached.
	ErrReadIndexDropped = errors.New("raft: read index request dropped")
	// ErrCompactIndex: Compact was asked for an index that is not applied yet or is not
	// after the current snapshot.
	ErrCompactIndex = errors.New("raft: invalid compaction index")
	// ErrInvalidMessage: Step was given a message that is not addressed to this node or
	// is malformed; the node's state is unchanged.
	ErrInvalidMessage = errors.New("raft: invalid message")
	// ErrMalformed: bytes given to a Decode function are not a valid encoding.
	ErrMalformed = errors.New("raft: malformed encoding")
)

// NotLeaderError is returned by Propose and ProposeConfChange on a node that is not the
// leader when Config.ForwardProposals is off. errors.Is(err, ErrNotLeader) holds.
type NotLeaderError struct {
	// Leader is the leader this node knows of, None if it knows none.
	Leader uint64
}

// Error describes the rejection with its leader hint.
func (e *NotLeaderError) Error() string {
	if e.Leader == None {
		return "raft: not the leader (leader unknown)"
	}
	return "raft: not the leader (leader is " + strconv.FormatUint(e.Leader, 10) + ")"
}

// Is makes errors.Is(err, ErrNotLeader) true.
func (e *NotLeaderError) Is(target error) bool { return target == ErrNotLeader }
