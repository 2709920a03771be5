package engine

import (
	"math/rand/v2"

	"github.com/raftcheck/raftcheck/raft/wal"
)

// Engine is the seam between a node's host and one Raft implementation together with its
// durable storage. The host owns the state machine, the clients' requests and the network;
// the engine owns consensus and its write-ahead log on the disk it was given. Every method is
// called from the run's one goroutine; an engine must not start goroutines or read clocks.
type Engine interface {
	// Tick advances the engine's logical clock by one tick.
	Tick()
	// Step takes a peer's message, in the implementation's own wire format. The bytes belong
	// to the network and are valid only during the call.
	Step(msg []byte) error
	// Propose appends a command; a *NotLeader or ErrDropped when it cannot.
	Propose(cmd []byte) error
	// ReadIndex starts a linearizable read; its ctx comes back in a Batch's Reads.
	ReadIndex(ctx []byte) error
	// ChangeMembership proposes a membership change. One change is a single-server change
	// (thesis §4.1). Several (each naming a different node) are made at once through the
	// joint configuration (thesis §4.3): the engine enters C_old,new, where elections and
	// commitment need majorities of both voter sets, and leaves it by itself once the joint
	// entry is committed. A refusal (not the leader, a change in flight, the configuration
	// still joint) is a *NotLeader or wraps ErrDropped.
	ChangeMembership(changes ...MemberChange) error
	// TransferLeader asks the leader to hand leadership to voter to (thesis §3.10); a
	// refusal (no leader, a transfer in progress, not a voter) wraps ErrDropped.
	TransferLeader(to int) error
	// Compact tells the engine that snapshot holds the state machine through index.
	Compact(index uint64, snapshot []byte) error
	// Ready persists whatever must be durable (syncing when required) and returns the work the
	// host must do next: ok is false when there is none. The host sends Messages, restores
	// Snapshot, applies Apply and serves Reads, in that order, then calls Advance.
	Ready() (b Batch, ok bool, err error)
	// Advance says the host is done with the last Batch.
	Advance()
	// Report tells the engine what the host's transport learned of a message it sent to peer.
	Report(peer int, d Delivery)
	Status() Status
}

// Config is what a Factory gets to build (or rebuild, after a crash) one node.
type Config struct {
	ID     int   // the node id, 0-based
	Voters []int // the founding voters when the disk is empty; nil for a node joining later
	Disk   FS    // the node's disk: the engine's storage lives here and nowhere else
	// Rand is the node's own random stream, derived from the run's seed: every random choice
	// the engine makes (election jitter) must come from it.
	Rand           *rand.Rand
	ElectionTicks  int
	HeartbeatTicks int
	Forward        bool     // followers forward proposals to the leader (else they refuse with a hint)
	Mutants        []string // names from this engine's Descriptor.Mutants to plant
	Protocol       Protocol
	// AsyncWrites asks for asynchronous storage writes, honoured only by an engine whose
	// Semantics declare AsyncWrites: the engine may return a Batch whose messages leave before
	// its own log append is durable, and persists that append in a later Batch (syncing then,
	// the host waiting for the disk as for any batch), whose messages are those that had to
	// wait for it (acknowledgements of the append, votes). The engine never says an append is
	// durable before that later batch's wait is over.
	AsyncWrites bool
	// SegmentBytes is the size at which the engine's log should start a new file, for a log
	// kept in segments (0: the implementation's default). Small ones exercise rotation.
	SegmentBytes int64
	// Image returns the host's state machine as of its applied index, for an engine that must
	// produce a snapshot on demand (to send to a follower that is too far behind). It may be
	// called from inside any engine method (a Step or Tick that decides to send a snapshot);
	// it reads the host's state and never calls back into the engine.
	Image func() (applied uint64, data []byte)
	// Log, when not nil, takes the implementation's own log lines; replay --trace shows them
	// among the run's events. It is nil when nobody reads them: log nothing then.
	Log func(line string)
}

// Protocol holds the Raft settings a run may vary. Zero limits mean the implementation's
// defaults.
type Protocol struct {
	PreVote       bool `json:"prevote"`
	CheckQuorum   bool `json:"check_quorum"`
	MaxAppend     int  `json:"max_append_entries"` // entries in one AppendEntries
	MaxInflight   int  `json:"max_inflight"`       // unacknowledged AppendEntries to one follower
	SnapshotChunk int  `json:"snapshot_chunk"`     // bytes in one InstallSnapshot chunk (where the engine chunks)
}

// Factory builds a node's engine from its disk, with the facts the checkers need of what it
// recovered. A disk whose durable data is damaged gives an error wrapping ErrCorrupt: the node
// refuses to start.
type Factory func(cfg Config) (Engine, Recovery, error)

// FS is the file interface of a node's disk: an engine keeps its storage there and nowhere
// else. raft/wal declares it; simnet.Disk satisfies it.
type FS = wal.FS

// Delivery is what a host's transport learned of a message it sent.
type Delivery uint8

// The deliveries a host reports. The simulated transport knows at send time whether a peer is
// reachable (the link is up and the peer runs), the way a connection-oriented transport does;
// a message lost on a live link is not reported.
const (
	Unreachable    Delivery = iota + 1 // a message could not be sent to the peer
	SnapshotSent                       // a snapshot message left for a reachable peer
	SnapshotFailed                     // a snapshot message could not be sent
)

// String names d.
func (d Delivery) String() string {
	switch d {
	case Unreachable:
		return "unreachable"
	case SnapshotSent:
		return "snapshot-sent"
	case SnapshotFailed:
		return "snapshot-failed"
	}
	return "delivery?"
}
