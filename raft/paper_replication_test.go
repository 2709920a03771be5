package raft

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Paper tests for log replication and commitment: §5.3, §5.4.2, Figures 2, 7 and 8.

// newReplicatingLeader returns leader 1 of voters at term 2 whose followers have
// acknowledged its no-op (so they are in Replicate state).
func newReplicatingLeader(t *testing.T, voters []uint64, opts ...func(*Config)) *Node {
	t.Helper()
	n := newPaperNode(t, 1, voters, nil, 1, opts...)
	becomeRole(t, n, Leader, 2)
	for _, v := range voters[1:] {
		require.NoError(t, n.Step(Message{Type: MsgAppResp, From: v, To: 1, Term: 2, Index: 1}))
	}
	drain(n)
	require.Equal(t, uint64(1), n.log.committed)
	return n
}

// §5.3: the leader appends a client command to its log as a new entry of its term, then
// issues AppendEntries to each follower with the entries that follow prevLogIndex.
func TestPaperLeaderStartReplication(t *testing.T) {
	n := newReplicatingLeader(t, voters3)
	require.NoError(t, n.Propose([]byte("x")))
	assert.Equal(t, []uint64{2, 2}, termsOf(n))
	apps := msgsOfType(drain(n), MsgApp)
	require.Len(t, apps, 2)
	for i, to := range []uint64{2, 3} {
		want := Message{Type: MsgApp, From: 1, To: to, Term: 2, Index: 1, LogTerm: 2, Commit: 1,
			Entries: []Entry{{Term: 2, Index: 2, Data: []byte("x")}}}
		assert.Equal(t, want, apps[i])
	}
}

// §5.3: an entry is committed once the leader has replicated it on a majority; the leader
// then applies it and tells the followers the new commit index.
func TestPaperLeaderCommitEntry(t *testing.T) {
	n := newReplicatingLeader(t, voters3)
	require.NoError(t, n.Propose([]byte("x")))
	drain(n)
	require.NoError(t, n.Step(Message{Type: MsgAppResp, From: 2, To: 1, Term: 2, Index: 2}))
	assert.Equal(t, uint64(2), n.log.committed)
	rd := n.Ready()
	n.Advance()
	require.Len(t, rd.CommittedEntries, 1)
	assert.Equal(t, "x", string(rd.CommittedEntries[0].Data))
	for _, m := range msgsOfType(rd.Messages, MsgApp) {
		assert.Equal(t, uint64(2), m.Commit, "MsgApp to %d carries the commit index", m.To)
	}
}

// §5.3: committed means stored on a majority of the cluster, the leader included.
func TestPaperLeaderAcknowledgeCommit(t *testing.T) {
	for _, tc := range []struct {
		size int
		acks []uint64
		want bool
	}{
		{1, nil, true},
		{3, nil, false},
		{3, []uint64{2}, true},
		{3, []uint64{2, 3}, true},
		{5, nil, false},
		{5, []uint64{2}, false},
		{5, []uint64{2, 3}, true},
		{5, []uint64{2, 3, 4, 5}, true},
	} {
		var voters []uint64
		for i := range tc.size {
			voters = append(voters, uint64(i+1))
		}
		n := newReplicatingLeader(t, voters)
		require.NoError(t, n.Propose([]byte("x")))
		drain(n)
		for _, id := range tc.acks {
			require.NoError(t, n.Step(Message{Type: MsgAppResp, From: id, To: 1, Term: 2, Index: 2}))
		}
		assert.Equal(t, tc.want, n.log.committed == 2, "size %d acks %v", tc.size, tc.acks)
	}
}

// §5.3: committing an entry of the leader's term commits all preceding entries, including
// those created by previous leaders.
func TestPaperLeaderCommitPrecedingEntries(t *testing.T) {
	n := newPaperNode(t, 1, voters3, []uint64{1, 2, 2}, 2)
	becomeRole(t, n, Leader, 3)
	require.NoError(t, n.Step(Message{Type: MsgAppResp, From: 2, To: 1, Term: 3, Index: 4}))
	assert.Equal(t, uint64(4), n.log.committed)
	rd := n.Ready()
	n.Advance()
	assert.Len(t, rd.CommittedEntries, 4)
}

// §5.3 / Figure 2 AppendEntries rule 5: a follower sets commitIndex = min(leaderCommit,
// index of the last new entry) — never beyond what this message proved matches.
func TestPaperFollowerCommitEntry(t *testing.T) {
	for _, tc := range []struct {
		name       string
		log        []uint64
		prev       uint64
		ents       []uint64 // terms of the entries after prev
		commit     uint64
		want       uint64
		wantMutant uint64 // under CommitToLastIndex
	}{
		{"commit below the new entries", []uint64{1}, 1, []uint64{1, 1}, 2, 2, 2},
		{"commit at the last new entry", []uint64{1}, 1, []uint64{1}, 2, 2, 2},
		{"commit beyond the message", []uint64{1}, 1, []uint64{1}, 9, 2, 2},
		{"stale suffix beyond the message", []uint64{1, 1, 1, 1}, 1, []uint64{1}, 4, 2, 4},
	} {
		for _, mutant := range []bool{false, true} {
			n := newPaperNode(t, 2, voters3, tc.log, 1, func(c *Config) { c.Mutations.CommitToLastIndex = mutant })
			var ents []Entry
			for i, tm := range tc.ents {
				ents = append(ents, Entry{Term: tm, Index: tc.prev + 1 + uint64(i), Data: []byte{byte(i)}})
			}
			require.NoError(t, n.Step(Message{Type: MsgApp, From: 1, To: 2, Term: 1, Index: tc.prev, LogTerm: 1,
				Entries: ents, Commit: tc.commit}))
			want := tc.want
			if mutant {
				want = tc.wantMutant
			}
			assert.Equal(t, want, n.log.committed, "%s (CommitToLastIndex=%v)", tc.name, mutant)
		}
	}
}

// §5.3 / Figure 2 AppendEntries rule 2: reply false if the log has no entry at
// prevLogIndex with prevLogTerm; the rejection carries a hint for fast backtracking.
func TestPaperFollowerCheckMsgApp(t *testing.T) {
	for _, tc := range []struct {
		prevTerm, prev uint64
		wantReject     bool
		wantHint       uint64
		wantHintTerm   uint64
	}{
		{0, 0, false, 0, 0},
		{1, 1, false, 0, 0},
		{2, 2, false, 0, 0},
		{1, 2, true, 1, 1}, // conflicting term at 2: skip back to the last entry of term <= 1
		{3, 3, true, 2, 2}, // beyond the log: try our last entry
	} {
		n := newPaperNode(t, 2, voters3, []uint64{1, 2}, 3)
		require.NoError(t, n.Step(Message{Type: MsgApp, From: 1, To: 2, Term: 3, Index: tc.prev, LogTerm: tc.prevTerm}))
		msgs := drain(n)
		require.Len(t, msgs, 1)
		m := msgs[0]
		assert.Equal(t, tc.wantReject, m.Reject, "prev %d/%d", tc.prevTerm, tc.prev)
		if tc.wantReject {
			assert.Equal(t, tc.prev, m.Index)
			assert.Equal(t, tc.wantHint, m.RejectHint)
			assert.Equal(t, tc.wantHintTerm, m.LogTerm)
		}
	}
}

// §5.3 / Figure 2 AppendEntries rules 3 and 4: delete an existing entry only when it
// conflicts with a new one (same index, different term), then append the new entries.
func TestPaperFollowerAppendEntries(t *testing.T) {
	for _, tc := range []struct {
		name           string
		prev, prevTerm uint64
		ents           []Entry
		want           []uint64
	}{
		{"append after the log", 2, 2, []Entry{{Term: 3, Index: 3}}, []uint64{1, 2, 3}},
		{"replace a conflicting suffix", 1, 1, []Entry{{Term: 3, Index: 2}, {Term: 4, Index: 3}}, []uint64{1, 3, 4}},
		{"present entries are kept", 0, 0, []Entry{{Term: 1, Index: 1}}, []uint64{1, 2}},
		{"conflict at the first entry", 0, 0, []Entry{{Term: 3, Index: 1}}, []uint64{3}},
	} {
		n := newPaperNode(t, 2, voters3, []uint64{1, 2}, 4)
		require.NoError(t, n.Step(Message{Type: MsgApp, From: 1, To: 2, Term: 4, Index: tc.prev, LogTerm: tc.prevTerm, Entries: tc.ents}))
		assert.Equal(t, tc.want, termsOf(n), tc.name)
		// What changed is handed out to be persisted again.
		rd := n.Ready()
		n.Advance()
		assert.Equal(t, tc.want, termsOf(n), tc.name)
		if len(rd.Entries) > 0 {
			assert.Equal(t, rd.Entries[len(rd.Entries)-1].Index, n.log.lastIndex())
		}
	}
}

// §5.3, Figure 7: whatever state a follower's log is in (missing entries, extra
// uncommitted entries, or both), the leader brings it in line with its own log.
func TestPaperLeaderSyncFollowerLog(t *testing.T) {
	leaderLog := []uint64{1, 1, 1, 4, 4, 5, 5, 6, 6, 6}
	for _, tc := range []struct {
		name        string
		followerLog []uint64
	}{
		{"a", []uint64{1, 1, 1, 4, 4, 5, 5, 6, 6}},
		{"b", []uint64{1, 1, 1, 4}},
		{"c", []uint64{1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6}},
		{"d", []uint64{1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7}},
		{"e", []uint64{1, 1, 1, 4, 4, 4, 4}},
		{"f", []uint64{1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3}},
	} {
		followerLog := tc.followerLog
		t.Run(tc.name, func(t *testing.T) {
			lead := newPaperNode(t, 1, voters3, leaderLog, 7)
			follower := newPaperNode(t, 2, voters3, followerLog, 7)
			voter := newPaperNode(t, 3, voters3, nil, 7)
			pn := newPaperNet(t, lead, follower, voter)
			pn.elect(1)
			require.Equal(t, Leader, lead.role)
			want := append(append([]uint64(nil), leaderLog...), 8) // plus the new leader's no-op
			assert.Equal(t, want, termsOf(follower))
			assert.Equal(t, lead.log.ents, follower.log.ents)
		})
	}
}

// §5.4.2, Figure 8: a leader never commits an entry of an earlier term by counting
// replicas; only once an entry of its own term is stored on a majority are the earlier
// ones committed with it. CommitPriorTermByCount plants exactly this bug.
func TestPaperLeaderOnlyCommitsLogFromCurrentTerm(t *testing.T) {
	for _, tc := range []struct {
		ack        uint64
		mutant     bool
		wantCommit uint64
	}{
		{2, false, 0}, // entries 1..2 are of terms 1 and 2: not committed by count
		{3, false, 3}, // the no-op of term 3 commits, and everything before it
		{2, true, 2},  // the Figure 8 bug
	} {
		n := newPaperNode(t, 1, voters3, []uint64{1, 2}, 2, func(c *Config) {
			c.Mutations.CommitPriorTermByCount = tc.mutant
		})
		becomeRole(t, n, Leader, 3)
		require.NoError(t, n.Step(Message{Type: MsgAppResp, From: 2, To: 1, Term: 3, Index: tc.ack}))
		assert.Equal(t, tc.wantCommit, n.log.committed, "ack %d mutant %v", tc.ack, tc.mutant)
	}
}

// §5.3 with §5.4: a heartbeat tells a follower to commit no further than the leader knows
// it matches; a follower's log beyond that may be a stale suffix of another term.
func TestPaperHeartbeatCommitBoundedByMatch(t *testing.T) {
	n := newReplicatingLeader(t, voters3)
	require.NoError(t, n.Propose([]byte("x")))
	drain(n)
	require.NoError(t, n.Step(Message{Type: MsgAppResp, From: 2, To: 1, Term: 2, Index: 2}))
	drain(n)
	n.Tick()
	beats := msgsOfType(drain(n), MsgHeartbeat)
	require.Len(t, beats, 2)
	assert.Equal(t, uint64(2), beats[0].Commit, "node 2 matches 2")
	assert.Equal(t, uint64(1), beats[1].Commit, "node 3 is known to match only 1")
}
