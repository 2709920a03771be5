package cluster

import (
	"errors"
	"math/rand/v2"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/raft/wal"
)

// Engine is the narrow interface between a node host and one Raft implementation together with
// its durable storage. The host owns the state machine, the clients' requests and the network;
// the engine owns consensus and its write-ahead log on the disk it was given. Our raft package
// is plugged in by raftEngine; another implementation (go.etcd.io/raft/v3 is the intended one)
// needs only an Engine and an EngineFactory, and the checkers stay untouched because they see
// nodes only through the Observations an engine reports.
type Engine interface {
	Tick()
	// Step takes a peer's message, in the implementation's own wire format.
	Step(msg []byte) error
	// Propose appends a command; ErrNotLeader (with Hint) or ErrDropped when it cannot.
	Propose(cmd []byte) error
	// ReadIndex starts a linearizable read; its ctx comes back in a Batch's Reads.
	ReadIndex(ctx []byte) error
	// ChangeMembership proposes one single-server change.
	ChangeMembership(change MemberChange) error
	// Compact tells the engine that snapshot holds the state machine through index.
	Compact(index uint64, snapshot []byte) error
	// Ready persists whatever must be durable (syncing when required) and returns the work the
	// host must do next: ok is false when there is none. The host sends Messages, restores
	// Snapshot, applies Apply and serves Reads, then calls Advance.
	Ready() (b Batch, ok bool, err error)
	Advance()
	Status() EngineStatus
}

// EngineConfig is what an EngineFactory gets to build (or rebuild, after a crash) one node.
type EngineConfig struct {
	ID       int   // the node id, 0-based
	Voters   []int // the founding voters when the disk is empty; nil for a node joining later
	Disk     FS    // the node's disk: the engine's storage lives here and nowhere else
	Rand     *rand.Rand
	Election int // election timeout in ticks
	Beat     int // heartbeat interval in ticks
	Forward  bool
	Mutants  []string
	Protocol Protocol
}

// Protocol holds the Raft settings a run may vary (Config.Tuning "swarm" draws them per seed).
// Zero limits mean the implementation's defaults.
type Protocol struct {
	PreVote       bool `json:"prevote"`
	CheckQuorum   bool `json:"check_quorum"`
	MaxAppend     int  `json:"max_append_entries"` // entries in one AppendEntries
	MaxInflight   int  `json:"max_inflight"`       // unacknowledged AppendEntries to one follower
	SnapshotChunk int  `json:"snapshot_chunk"`     // bytes in one InstallSnapshot chunk
}

// EngineFactory builds a node's engine from its disk. A disk whose durable data is damaged
// gives an error wrapping ErrCorrupt: the node refuses to start.
type EngineFactory func(cfg EngineConfig) (Engine, checker.Recovery, error)

// FS is the file interface of a node's disk: an engine keeps its storage there and nowhere
// else. raft/wal declares it; simnet.Disk satisfies it.
type FS = wal.FS

// Errors an Engine returns for expected refusals.
var (
	ErrNotLeader = errors.New("cluster: not the leader")
	ErrDropped   = errors.New("cluster: request dropped")
	ErrCorrupt   = errors.New("cluster: durable data corrupt")
)

// NotLeader is returned by Propose when the node does not lead; Hint is a node believed to lead,
// or -1.
type NotLeader struct{ Hint int }

func (e *NotLeader) Error() string        { return "cluster: not the leader" }
func (e *NotLeader) Is(target error) bool { return target == ErrNotLeader }

// MemberOp is a single-server membership change.
type MemberOp uint8

// The membership changes.
const (
	AddLearner   MemberOp = iota + 1
	PromoteVoter          // reported only: the leader promotes a learner once it has caught up
	RemoveMember
)

// MemberChange asks for Op on Node.
type MemberChange struct {
	Op   MemberOp
	Node int
}

// Batch is one round of an engine's output, already persisted as the implementation requires.
type Batch struct {
	Messages []Outbound
	Snapshot *SnapshotData // restore the state machine from it before applying Apply
	Apply    []Committed
	Reads    []ReadReady
	Observed Observations
}

// Outbound is a message for a peer.
type Outbound struct {
	To   int
	Data []byte
}

// SnapshotData is a state-machine image received from the leader.
type SnapshotData struct {
	Index, Term uint64
	KeepSuffix  bool
	Data        []byte
}

// Committed is a committed log entry to apply. Command is nil for entries the state machine
// skips (a leader's no-op, a configuration change); Member is set for configuration changes.
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

// Observations are the facts of one Batch the checkers need, in the order they happened.
type Observations struct {
	Snapshot  *checker.SnapshotObs
	Saved     []checker.EntryObs
	HardState *checker.HardState
	Synced    bool
	Leader    uint64             // term this node became leader in, 0 if it did not
	Role      string             // the node's role when its role or term changed ("follower", "leader", ...), else ""
	Term      uint64             // the node's term, with Role
	Votes     []Vote             // votes granted in this batch's messages (not pre-votes)
	Confs     []checker.EntryObs // the configuration-change entries among Saved
	// Quorums are the node's voter sets before and after this batch when, leading, it
	// advanced its commit index in it (nil otherwise): the checker verifies that a majority of
	// one of them holds the committed entry.
	Quorums [][]int
	// Matches is a leader's matchIndex per follower after this batch (nil unless leading).
	Matches []checker.Match
}

// Vote is a vote a node granted: to Candidate in Term. Candidate is named as the engine's
// HardState.Vote names it, so that the checker can compare them.
type Vote struct {
	Term      uint64
	Candidate uint64
}

// EngineStatus is what the host and the nemesis need to know of a node.
type EngineStatus struct {
	Leader   int // -1 if none known
	IsLeader bool
	Term     uint64
	Commit   uint64
	Voters   []int
	Learners []int
}
