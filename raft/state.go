package raft

// EntryType says how an entry's Data is to be read.
type EntryType uint8

const (
	// EntryNormal carries an application command; a leader's no-op on election is an
	// EntryNormal entry with nil Data.
	EntryNormal EntryType = iota
	// EntryConfChange carries an encoded ConfChange.
	EntryConfChange
	// EntryJointChange carries an encoded JointChange: entering or leaving a joint
	// configuration.
	EntryJointChange
)

// isConf reports whether entries of type t change the configuration.
func (t EntryType) isConf() bool { return t == EntryConfChange || t == EntryJointChange }

// Entry is one slot of the replicated log.
type Entry struct {
	Term  uint64
	Index uint64
	Type  EntryType
	Data  []byte
}

// HardState is the state a node must persist before it answers any message (Figure 2:
// currentTerm, votedFor) plus the commit index, persisted so that applied never regresses
// across restarts.
type HardState struct {
	Term   uint64
	Vote   uint64 // 0 = no vote in Term
	Commit uint64
}

// IsEmpty reports whether h is the zero HardState.
func (h HardState) IsEmpty() bool { return h == HardState{} }

// ConfState is a cluster configuration: the voters and the non-voting learners, each sorted.
// A joint configuration (thesis §4.3) also has VotersOutgoing, the voters of C_old: a
// quorum is then a majority of Voters and a majority of VotersOutgoing. While joint, a
// demoted voter is in VotersOutgoing and in Learners (it votes until the leave).
type ConfState struct {
	Voters         []uint64
	Learners       []uint64
	VotersOutgoing []uint64 // empty unless joint
}

// SnapshotMeta describes a snapshot: the last log entry it covers and the configuration as of
// that entry.
type SnapshotMeta struct {
	Index uint64
	Term  uint64
	Conf  ConfState
}

// Snapshot is a state-machine image together with its metadata.
type Snapshot struct {
	Meta SnapshotMeta
	Data []byte
}

// IsEmpty reports whether s covers no entries.
func (s *Snapshot) IsEmpty() bool { return s == nil || s.Meta.Index == 0 }

// Recovered is the durable state a restarted node begins from: what its storage read back.
// Entries follow Snapshot.Meta.Index contiguously.
type Recovered struct {
	HardState HardState
	Snapshot  *Snapshot // nil if none was ever taken or received
	Entries   []Entry
}
