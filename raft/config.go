package raft

import (
	"fmt"
	"slices"
)

// RandSource supplies the randomness of a node (election jitter). A *rand.Rand from
// math/rand/v2 satisfies it; seed it from the run's seed to keep runs reproducible.
type RandSource interface{ Uint64() uint64 }

// Defaults used when the corresponding Config field is zero.
const (
	DefaultMaxEntriesPerMsg    = 256
	DefaultMaxBytesPerMsg      = 1 << 20
	DefaultMaxInflightMsgs     = 256
	DefaultMaxUncommittedBytes = 64 << 20
	DefaultMaxPendingReads     = 1024
	DefaultMaxApplyEntries     = 4096
	DefaultSnapshotChunkBytes  = 64 << 10
)

// Config holds the parameters of one node. ID, ElectionTick, HeartbeatTick and Rand are
// required; a zero limit means its Default.
type Config struct {
	// ID identifies the node; it must not be 0 (None).
	ID uint64
	// Voters is the initial configuration of a new cluster, used only when the node
	// starts with no durable state (Restore nil or empty). Every founding member must be
	// given the same list, including itself: the node writes it to its log as bootstrap
	// entries 1..len(Voters) of term 1 (one AddVoter each, in ID order), already
	// committed. A node joining a running cluster starts with Voters empty and learns
	// the configuration from the leader.
	Voters []uint64

	// ElectionTick is the election timeout in ticks: a follower that hears nothing from a
	// leader for a random duration in [ElectionTick, 2*ElectionTick) campaigns. It must
	// be greater than HeartbeatTick.
	ElectionTick int
	// HeartbeatTick is the number of ticks between a leader's heartbeats (> 0).
	HeartbeatTick int
	// Rand drives the election jitter.
	Rand RandSource

	// PreVote makes a node poll for votes before raising its term (thesis §9.6).
	PreVote bool
	// CheckQuorum makes a leader step down when it has not heard from a quorum within an
	// election timeout, and enables leader stickiness: a node that heard from a leader
	// within the election timeout ignores vote requests unless forced by a transfer.
	CheckQuorum bool
	// ForwardProposals makes a follower forward Propose and ProposeConfChange to its
	// leader (MsgProp); otherwise they fail with a *NotLeaderError.
	ForwardProposals bool

	// MaxEntriesPerMsg limits the entries in one MsgApp.
	MaxEntriesPerMsg int
	// MaxBytesPerMsg limits the entry payload bytes in one MsgApp (one entry is always
	// allowed, whatever its size).
	MaxBytesPerMsg uint64
	// MaxInflightMsgs limits the unacknowledged MsgApps (and snapshot chunks) to one peer.
	MaxInflightMsgs int
	// MaxUncommittedBytes limits the payload bytes a leader holds appended but not
	// committed; proposals beyond it fail with ErrProposalDropped.
	MaxUncommittedBytes uint64
	// MaxPendingReads limits the ReadIndex requests waiting for confirmation.
	MaxPendingReads int
	// MaxApplyEntries limits the CommittedEntries of one Ready.
	MaxApplyEntries int
	// SnapshotChunkBytes is the data size of one MsgSnap chunk.
	SnapshotChunkBytes int

	// Restore is the durable state read back from storage on restart; nil (or empty) for
	// a new node. New checks that it is a well-formed log (contiguous entries after the
	// snapshot, terms never decreasing, commit within the log). A HardState whose term is
	// below the last entry's (a torn write kept entries but not the HardState saved after
	// them) is raised to that term with no vote.
	Restore *Recovered

	// Mutations plants bugs for checker evaluation; all off by default.
	Mutations Mutations
}

// withDefaults returns c with zero limits replaced by their defaults.
func (c Config) withDefaults() Config {
	if c.MaxEntriesPerMsg == 0 {
		c.MaxEntriesPerMsg = DefaultMaxEntriesPerMsg
	}
	if c.MaxBytesPerMsg == 0 {
		c.MaxBytesPerMsg = DefaultMaxBytesPerMsg
	}
	if c.MaxInflightMsgs == 0 {
		c.MaxInflightMsgs = DefaultMaxInflightMsgs
	}
	if c.MaxUncommittedBytes == 0 {
		c.MaxUncommittedBytes = DefaultMaxUncommittedBytes
	}
	if c.MaxPendingReads == 0 {
		c.MaxPendingReads = DefaultMaxPendingReads
	}
	if c.MaxApplyEntries == 0 {
		c.MaxApplyEntries = DefaultMaxApplyEntries
	}
	if c.SnapshotChunkBytes == 0 {
		c.SnapshotChunkBytes = DefaultSnapshotChunkBytes
	}
	return c
}

// validate checks c (after withDefaults), naming the offending field and value.
func (c Config) validate() error {
	if c.ID == None {
		return fmt.Errorf("raft: Config.ID = 0: must be non-zero")
	}
	if c.HeartbeatTick <= 0 {
		return fmt.Errorf("raft: Config.HeartbeatTick = %d: must be > 0", c.HeartbeatTick)
	}
	if c.ElectionTick <= c.HeartbeatTick {
		return fmt.Errorf("raft: Config.ElectionTick = %d: must be > HeartbeatTick (%d)",
			c.ElectionTick, c.HeartbeatTick)
	}
	if c.Rand == nil {
		return fmt.Errorf("raft: Config.Rand = nil: a random source is required")
	}
	limits := []struct {
		name string
		v    int
	}{
		{"MaxEntriesPerMsg", c.MaxEntriesPerMsg},
		{"MaxInflightMsgs", c.MaxInflightMsgs},
		{"MaxPendingReads", c.MaxPendingReads},
		{"MaxApplyEntries", c.MaxApplyEntries},
		{"SnapshotChunkBytes", c.SnapshotChunkBytes},
	}
	for _, l := range limits {
		if l.v < 0 {
			return fmt.Errorf("raft: Config.%s = %d: must be >= 0 (0 = default)", l.name, l.v)
		}
	}
	return c.validateVoters()
}

func (c Config) validateVoters() error {
	if len(c.Voters) == 0 {
		return nil
	}
	sorted := slices.Clone(c.Voters)
	slices.Sort(sorted)
	for i, v := range sorted {
		if v == None {
			return fmt.Errorf("raft: Config.Voters = %v: contains 0", c.Voters)
		}
		if i > 0 && sorted[i-1] == v {
			return fmt.Errorf("raft: Config.Voters = %v: %d listed twice", c.Voters, v)
		}
	}
	if !slices.Contains(sorted, c.ID) {
		return fmt.Errorf("raft: Config.Voters = %v: must contain ID %d "+
			"(a node joining a running cluster starts with no Voters)", c.Voters, c.ID)
	}
	return nil
}
