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
// skips (a leader's no-op, a configuration change); Member is set for single-server
// configuration changes and Joint for joint ones (entering or leaving). Digest identifies the
// entry's content the same way Observations' entries do.
type Committed struct {
	Index, Term uint64
	Digest      uint64
	Command     []byte
	Member      *MemberChange
	Joint       *JointChange
}

// JointChange is a committed joint configuration change: entering C_old,new with Changes,
// or, with no Changes, leaving it for C_new.
type JointChange struct {
	Changes []MemberChange
}

// Leave reports whether j is the entry that leaves the joint configuration.
func (j *JointChange) Leave() bool { return len(j.Changes) == 0 }

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
	// Within a joint change it may also make a new node a voter directly.
	PromoteVoter
	RemoveMember
	// DemoteVoter makes a voter a learner; only within a joint change (it keeps voting in
	// the outgoing configuration until the joint configuration is left).
	DemoteVoter
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
	case DemoteVoter:
		return "demote"
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
	// VotersOutgoing are the voters of C_old while the configuration is joint (nil otherwise).
	VotersOutgoing []int
	// Matches is, on a leader, how far each other member's log is known to match its own.
	Matches []Match
}
