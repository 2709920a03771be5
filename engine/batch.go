package engine

// Batch is one round of an engine's output, already persisted as the implementation requires.
type Batch struct {
	Messages []Outbound
	Snapshot *SnapshotData // restore the state machine from it before applying Apply
	Apply    []Committed
	Reads    []ReadReady
	Observed Observations
}

// Outbound is a message for a peer. Data is valid until the next Ready.
type Outbound struct {
	To       int
	Data     []byte
	Snapshot bool // it carries a snapshot: the host reports SnapshotSent or SnapshotFailed
}

// SnapshotData is a state-machine image to restore (received from the leader, or recovered
// from the disk at start).
type SnapshotData struct {
	Index, Term uint64
	Data        []byte
}

// Committed is a committed log entry to apply. Command is nil for entries the state machine
// skips (a leader's no-op, a configuration change); Member is set for configuration changes.
// Digest identifies the entry's content the same way Observations' entries do.
type Committed struct {
	Index, Term uint64
	Digest      uint64
	Command     []byte
	Member      *MemberChange
}

// ReadReady says a read with Ctx may be served once the state machine has applied Index.
type ReadReady struct {
	Index uint64
	Ctx   []byte
}

// MemberOp is a single-server membership change.
type MemberOp uint8

// The membership changes.
const (
	AddLearner MemberOp = iota + 1
	// PromoteVoter makes a caught-up learner a voter. An engine whose Semantics say
	// PromotesLearners does it on its own and only reports it; otherwise the host proposes it.
	PromoteVoter
	RemoveMember
)

// String names op.
func (op MemberOp) String() string {
	switch op {
	case AddLearner:
		return "add-learner"
	case PromoteVoter:
		return "promote"
	case RemoveMember:
		return "remove"
	}
	return "member-op?"
}

// MemberChange asks for Op on Node.
type MemberChange struct {
	Op   MemberOp
	Node int
}

// Status is what the host and the nemesis need to know of a node.
type Status struct {
	Leader   int // NoHint if none known
	IsLeader bool
	Term     uint64
	Commit   uint64
	Voters   []int
	Learners []int
	// Matches is, on a leader, how far each other member's log is known to match its own.
	Matches []Match
}
