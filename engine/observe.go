package engine

import "github.com/raftcheck/raftcheck/checker"

// Observations are the facts of one Batch the checkers need, in the order they happened. They
// are stated in terms any Raft has (entries saved, hard state, syncs, votes, leadership,
// commit quorums), never in an implementation's internals.
type Observations struct {
	Snapshot  *checker.SnapshotObs
	Saved     []checker.EntryObs
	HardState *checker.HardState
	Synced    bool
	Leader    uint64             // term this node became leader in, 0 if it did not
	Role      Role               // the node's role when its role or term changed, else NoRole
	Term      uint64             // the node's term, with Role
	Votes     []Vote             // votes granted in this batch's messages (not pre-votes)
	Confs     []checker.EntryObs // the configuration-change entries among Saved
	// Quorums are the configurations that could count for this batch's commit when, leading,
	// the node advanced its commit index in it (nil otherwise): those before and after the
	// batch for an engine whose configurations take effect when appended, the one in effect
	// for one whose take effect when applied. The checker verifies that the committed entry
	// is held by a majority of the voters of one of them and, if that one is joint, by a
	// majority of its outgoing voters too.
	Quorums []Conf
	// Elected is, with Leader, the configuration the node won its election in (both voter
	// sets while joint); the checker verifies that granted votes make its quorum.
	Elected *Conf
	// Matches is a leader's matchIndex per follower after this batch (nil unless leading).
	Matches []checker.Match
}

// The checker's observation types, named here so that an engine needs no other import.
type (
	Match       = checker.Match       // how far one member's log is known to match a leader's
	EntryObs    = checker.EntryObs    // a log entry as the checkers see it: index, term, content digest
	HardState   = checker.HardState   // term, vote and commit as persisted
	SnapshotObs = checker.SnapshotObs // a snapshot saved, and whether the log after it was kept
	Conf        = checker.Conf        // a configuration's voters and, while joint, its outgoing voters
)

// Recovery is what an engine recovered from its disk at start, for the checkers.
type Recovery = checker.Recovery

// Vote is a vote a node granted: to Candidate in Term. Candidate is named as the engine's
// HardState.Vote names it, so that the checker can compare them.
type Vote struct {
	Term      uint64
	Candidate uint64
}

// Role is a node's role in the protocol.
type Role uint8

// The roles. NoRole in Observations means the role did not change.
const (
	NoRole Role = iota
	Follower
	PreCandidate
	Candidate
	Leader
	Learner
)

// String names r the way reports draw it.
func (r Role) String() string {
	switch r {
	case Follower:
		return "follower"
	case PreCandidate:
		return "pre-candidate"
	case Candidate:
		return "candidate"
	case Leader:
		return "leader"
	case Learner:
		return "learner"
	}
	return "none"
}
