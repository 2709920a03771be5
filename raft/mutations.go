package raft

import (
	"fmt"
	"strings"
)

// Mutations plants known Raft bugs, for measuring how quickly a checker finds them. All
// fields are false by default; each costs one bool test when off. Never enable them
// outside tests.
type Mutations struct {
	// VoteWithoutLogCheck grants votes without the §5.4.1 up-to-date check, so a
	// candidate missing committed entries can win and overwrite them.
	VoteWithoutLogCheck bool
	// CommitPriorTermByCount lets a leader commit an entry of an earlier term once a
	// majority stores it (the Figure 8 bug).
	CommitPriorTermByCount bool
	// CommitToLastIndex makes a follower set commit = min(leaderCommit, lastIndex)
	// instead of min(leaderCommit, index of the last new entry), committing a stale
	// divergent suffix. Heartbeats then carry the leader's full commit index (as in
	// implementations that treat a heartbeat as an empty AppendEntries), which is how a
	// new leader's first heartbeat commits a follower's stale entries.
	CommitToLastIndex bool
	// TruncateOnStaleAppend truncates the log after every MsgApp's prevLogIndex even
	// when its entries match, so a stale or duplicated MsgApp erases acknowledged
	// entries.
	TruncateOnStaleAppend bool
	// AppendWithoutPrevCheck appends a MsgApp's entries without checking that the entry
	// at prevLogIndex has prevLogTerm (the Ractor talk's `log += values`).
	AppendWithoutPrevCheck bool
	// VoteNotPersisted leaves the vote out of the persisted HardState: Ready.HardState.Vote
	// keeps the previously persisted value, so a restarted node can vote twice in a term.
	VoteNotPersisted bool
	// ProgressRegress sets a follower's match and next index from any MsgAppResp, even a
	// reordered reply carrying a smaller index or one from an earlier term.
	ProgressRegress bool
	// CountStaleVotes counts vote responses from earlier terms and repeated votes from
	// the same node.
	CountStaleVotes bool
	// NoStepDownOnHigherTerm makes a leader ignore messages of a higher term other than
	// vote requests, instead of stepping down.
	NoStepDownOnHigherTerm bool
	// UnsafeLocalReads answers ReadIndex at once with the local commit index, on
	// whichever node is asked, without confirming leadership with a quorum.
	UnsafeLocalReads bool
	// SnapshotRegress installs any snapshot, even one behind the commit index, regressing
	// commit and applied to its index and discarding a matching log suffix.
	SnapshotRegress bool
	// ConfChangeWithoutTermCommit allows a configuration change before the leader has
	// committed an entry of its term and while another change is in flight.
	ConfChangeWithoutTermCommit bool
	// ReadBeforeTermCommit starts ReadIndex confirmation rounds before the leader has
	// committed an entry of its term, when its commit index may still lag behind what an
	// earlier leader committed (thesis §6.4 requires that entry first): a stale read.
	ReadBeforeTermCommit bool
	// AcceptStaleAppend makes a follower process an AppendEntries of an earlier term as if
	// it came from its current leader (Figure 2, AppendEntries rule 1 skipped): a deposed
	// leader's late message overwrites entries of the newer term.
	AcceptStaleAppend bool
	// JointCommitIncomingOnly makes a leader in a joint configuration commit on a majority
	// of the incoming voters alone, ignoring the outgoing ones (thesis §4.3 needs both).
	JointCommitIncomingOnly bool
	// JointElectIncomingOnly makes a candidate in a joint configuration win on a majority of
	// the incoming voters alone.
	JointElectIncomingOnly bool
	// JointNoLeave makes a leader never append the entry that leaves a joint configuration:
	// the change never completes.
	JointNoLeave bool
	// StaleAppendUnansweredByOwnSettings makes a node answer an AppendEntries or heartbeat
	// of an earlier term only if it runs CheckQuorum or PreVote itself (etcd raft's rule).
	// The answer is what lets a node whose term ran ahead depose the leader when the other
	// members ignore its vote requests (they run CheckQuorum): such a node running neither
	// never rejoins, which only a mixed cluster (a rolling change) shows.
	StaleAppendUnansweredByOwnSettings bool
}

// mutationFields lists every mutation with a pointer accessor; the order is the order of
// MutationNames.
var mutationFields = []struct {
	name string
	ptr  func(*Mutations) *bool
}{
	{"VoteWithoutLogCheck", func(m *Mutations) *bool { return &m.VoteWithoutLogCheck }},
	{"CommitPriorTermByCount", func(m *Mutations) *bool { return &m.CommitPriorTermByCount }},
	{"CommitToLastIndex", func(m *Mutations) *bool { return &m.CommitToLastIndex }},
	{"TruncateOnStaleAppend", func(m *Mutations) *bool { return &m.TruncateOnStaleAppend }},
	{"AppendWithoutPrevCheck", func(m *Mutations) *bool { return &m.AppendWithoutPrevCheck }},
	{"VoteNotPersisted", func(m *Mutations) *bool { return &m.VoteNotPersisted }},
	{"ProgressRegress", func(m *Mutations) *bool { return &m.ProgressRegress }},
	{"CountStaleVotes", func(m *Mutations) *bool { return &m.CountStaleVotes }},
	{"NoStepDownOnHigherTerm", func(m *Mutations) *bool { return &m.NoStepDownOnHigherTerm }},
	{"UnsafeLocalReads", func(m *Mutations) *bool { return &m.UnsafeLocalReads }},
	{"SnapshotRegress", func(m *Mutations) *bool { return &m.SnapshotRegress }},
	{"ConfChangeWithoutTermCommit", func(m *Mutations) *bool { return &m.ConfChangeWithoutTermCommit }},
	{"ReadBeforeTermCommit", func(m *Mutations) *bool { return &m.ReadBeforeTermCommit }},
	{"AcceptStaleAppend", func(m *Mutations) *bool { return &m.AcceptStaleAppend }},
	{"JointCommitIncomingOnly", func(m *Mutations) *bool { return &m.JointCommitIncomingOnly }},
	{"JointElectIncomingOnly", func(m *Mutations) *bool { return &m.JointElectIncomingOnly }},
	{"JointNoLeave", func(m *Mutations) *bool { return &m.JointNoLeave }},
	{"StaleAppendUnansweredByOwnSettings", func(m *Mutations) *bool { return &m.StaleAppendUnansweredByOwnSettings }},
}

// MutationNames returns the names of all mutations, as accepted by Set, in declaration
// order.
func MutationNames() []string {
	names := make([]string, len(mutationFields))
	for i, f := range mutationFields {
		names[i] = f.name
	}
	return names
}

// Set switches on the mutation called name (a field name of Mutations). An unknown name
// is an error listing the known ones.
func (m *Mutations) Set(name string) error {
	for _, f := range mutationFields {
		if f.name == name {
			*f.ptr(m) = true
			return nil
		}
	}
	return fmt.Errorf("raft: unknown mutation %q (known: %s)", name,
		strings.Join(MutationNames(), ", "))
}

// Enabled returns the names of the mutations switched on, in declaration order.
func (m *Mutations) Enabled() []string {
	var on []string
	for _, f := range mutationFields {
		if *f.ptr(m) {
			on = append(on, f.name)
		}
	}
	return on
}
