package raft

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Paper tests for leader election: "In Search of an Understandable Consensus Algorithm"
// §5.1, §5.2, §5.4.1 and Figure 2, and the thesis §9.6 (PreVote), §4.2.3 (leader
// stickiness) and §6.2 (CheckQuorum).

var voters3 = []uint64{1, 2, 3}

// becomeRole puts n in role at term for a test.
func becomeRole(t *testing.T, n *Node, role Role, term uint64) {
	t.Helper()
	switch role {
	case Follower:
		n.becomeFollower(term, None)
	case Candidate:
		n.becomeFollower(term-1, None)
		n.becomeCandidate()
	case PreCandidate:
		n.becomeFollower(term, None)
		n.becomePreCandidate()
	case Leader:
		n.becomeFollower(term-1, None)
		n.becomeCandidate()
		n.becomeLeader()
	}
	drain(n)
	require.Equal(t, role, n.role)
	require.Equal(t, term, n.term)
}

// §5.1 / Figure 2 "All servers": if a request or response contains term T > currentTerm,
// set currentTerm = T and convert to follower.
func TestPaperUpdateTermFromMessage(t *testing.T) {
	for _, role := range []Role{Follower, PreCandidate, Candidate, Leader} {
		for _, typ := range []MessageType{MsgApp, MsgHeartbeat, MsgAppResp, MsgVoteResp} {
			t.Run(role.String()+"/"+typ.String(), func(t *testing.T) {
				n := newPaperNode(t, 1, voters3, nil, 1)
				becomeRole(t, n, role, 2)
				require.NoError(t, n.Step(Message{Type: typ, From: 2, To: 1, Term: 5}))
				assert.Equal(t, uint64(5), n.term, "term")
				assert.Equal(t, Follower, n.role, "role")
				wantLead := None
				if typ == MsgApp || typ == MsgHeartbeat {
					wantLead = 2 // the sender is the leader of that term
				}
				assert.Equal(t, wantLead, n.lead, "lead")
			})
		}
	}
}

// §5.1 and Figure 2 (AppendEntries rule 1): a server rejects a request with a stale term:
// its state does not change, and the stale leader is told the newer term (so that it
// steps down).
func TestPaperRejectStaleTermMessage(t *testing.T) {
	for _, tc := range []struct {
		name       string
		opts       []func(*Config)
		wantNotice bool
	}{
		{"plain", nil, true},
		{"checkquorum", []func(*Config){withCheckQuorum}, true},
		{"prevote", []func(*Config){withPreVote}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := newPaperNode(t, 1, voters3, []uint64{1, 2}, 3, tc.opts...)
			before := termsOf(n)
			require.NoError(t, n.Step(Message{Type: MsgApp, From: 2, To: 1, Term: 2, Index: 2, LogTerm: 2,
				Entries: []Entry{{Term: 2, Index: 3}}, Commit: 3}))
			assert.Equal(t, uint64(3), n.term)
			assert.Equal(t, before, termsOf(n), "log changed by a stale MsgApp")
			assert.Equal(t, uint64(0), n.log.committed)
			msgs := drain(n)
			if tc.wantNotice {
				require.Len(t, msgs, 1)
				assert.Equal(t, Message{Type: MsgAppResp, From: 1, To: 2, Term: 3}, msgs[0])
			} else {
				assert.Empty(t, msgs)
			}
		})
	}
}

// §5.2: servers start as followers.
func TestPaperStartAsFollower(t *testing.T) {
	n := newPaperNode(t, 1, voters3, nil, 1)
	assert.Equal(t, Follower, n.role)
}

// §5.2: a leader sends heartbeats (empty AppendEntries) to all followers every heartbeat
// interval to maintain its authority.
func TestPaperLeaderBcastBeat(t *testing.T) {
	n := newPaperNode(t, 1, voters3, nil, 1, func(c *Config) { c.HeartbeatTick = 3 })
	becomeRole(t, n, Leader, 2)
	for range 2 {
		n.Tick()
	}
	assert.Empty(t, msgsOfType(drain(n), MsgHeartbeat), "heartbeat before the interval")
	n.Tick()
	beats := msgsOfType(drain(n), MsgHeartbeat)
	require.Len(t, beats, 2)
	for i, to := range []uint64{2, 3} {
		assert.Equal(t, Message{Type: MsgHeartbeat, From: 1, To: to, Term: 2}, beats[i])
	}
}

// §5.2: a follower (or candidate) that hears nothing for an election timeout increments
// its term, votes for itself and requests votes from all others.
func TestPaperStartElectionOnTimeout(t *testing.T) {
	for _, role := range []Role{Follower, Candidate} {
		t.Run(role.String(), func(t *testing.T) {
			n := newPaperNode(t, 1, voters3, []uint64{1}, 1)
			becomeRole(t, n, role, 2)
			for range 2 * n.cfg.ElectionTick {
				n.Tick()
			}
			assert.Equal(t, uint64(3), n.term)
			assert.Equal(t, Candidate, n.role)
			assert.Equal(t, uint64(1), n.vote)
			votes := msgsOfType(drain(n), MsgVote)
			require.Len(t, votes, 2)
			for i, to := range []uint64{2, 3} {
				assert.Equal(t, Message{Type: MsgVote, From: 1, To: to, Term: 3, Index: 1, LogTerm: 1}, votes[i])
			}
		})
	}
}

// §5.2: a candidate wins with votes from a majority, loses when a majority refuses, and
// otherwise keeps waiting.
func TestPaperElectionInOneRound(t *testing.T) {
	for _, tc := range []struct {
		size    int
		granted []uint64
		refused []uint64
		want    Role
	}{
		{1, nil, nil, Leader},
		{3, []uint64{2, 3}, nil, Leader},
		{3, []uint64{2}, nil, Leader},
		{5, []uint64{2, 3, 4, 5}, nil, Leader},
		{5, []uint64{2, 3, 4}, nil, Leader},
		{5, []uint64{2, 3}, nil, Leader},
		{3, nil, []uint64{2, 3}, Follower},
		{5, nil, []uint64{2, 3, 4}, Follower},
		{5, []uint64{2}, []uint64{3, 4, 5}, Follower},
		{5, []uint64{2}, []uint64{3, 4}, Candidate},
		{3, nil, nil, Candidate},
		{5, []uint64{2}, nil, Candidate},
		{5, []uint64{2}, []uint64{3}, Candidate},
	} {
		var voters []uint64
		for i := range tc.size {
			voters = append(voters, uint64(i+1))
		}
		n := newPaperNode(t, 1, voters, nil, 1)
		n.campaign(campaignElection)
		for _, v := range tc.granted {
			require.NoError(t, n.Step(Message{Type: MsgVoteResp, From: v, To: 1, Term: n.term}))
		}
		for _, v := range tc.refused {
			require.NoError(t, n.Step(Message{Type: MsgVoteResp, From: v, To: 1, Term: n.term, Reject: true}))
		}
		assert.Equal(t, tc.want, n.role, "size %d granted %v refused %v", tc.size, tc.granted, tc.refused)
	}
}

// §5.2: each server votes for at most one candidate in a term, first come first served.
func TestPaperFollowerVote(t *testing.T) {
	for _, tc := range []struct {
		vote, candidate uint64
		wantReject      bool
	}{
		{None, 2, false},
		{None, 3, false},
		{2, 2, false},
		{3, 3, false},
		{2, 3, true},
		{3, 2, true},
	} {
		n := newPaperNode(t, 1, voters3, nil, 1)
		n.vote = tc.vote
		require.NoError(t, n.Step(Message{Type: MsgVote, From: tc.candidate, To: 1, Term: 1}))
		msgs := drain(n)
		require.Len(t, msgs, 1)
		assert.Equal(t, Message{Type: MsgVoteResp, From: 1, To: tc.candidate, Term: 1, Reject: tc.wantReject}, msgs[0],
			"vote %d candidate %d", tc.vote, tc.candidate)
	}
}

// §5.2: a candidate that receives AppendEntries from a leader whose term is at least its
// own recognizes the leader and returns to follower.
func TestPaperCandidateFallback(t *testing.T) {
	for _, term := range []uint64{2, 3} {
		n := newPaperNode(t, 1, voters3, nil, 1)
		n.campaign(campaignElection)
		require.Equal(t, uint64(2), n.term)
		require.NoError(t, n.Step(Message{Type: MsgApp, From: 2, To: 1, Term: term}))
		assert.Equal(t, Follower, n.role, "term %d", term)
		assert.Equal(t, term, n.term)
		assert.Equal(t, uint64(2), n.lead)
	}
}

// §5.2: election timeouts are chosen randomly from a fixed interval, here
// [ElectionTick, 2*ElectionTick), and they differ between elections.
func TestPaperElectionTimeoutRandomized(t *testing.T) {
	n := newPaperNode(t, 1, voters3, nil, 1)
	seen := map[int]bool{}
	for term := uint64(2); term < 200; term++ {
		n.becomeFollower(term, None)
		timeout := 0
		for n.role == Follower {
			n.Tick()
			timeout++
		}
		require.GreaterOrEqual(t, timeout, n.cfg.ElectionTick)
		require.Less(t, timeout, 2*n.cfg.ElectionTick)
		seen[timeout] = true
	}
	assert.Len(t, seen, n.cfg.ElectionTick, "every timeout in the interval should occur")
}

// §5.4.1: a voter denies its vote to a candidate whose log is less up-to-date: compare
// the last entries' terms, then the lengths.
func TestPaperVoterLogCheck(t *testing.T) {
	for _, tc := range []struct {
		name                string
		voterLog            []uint64
		lastTerm, lastIndex uint64
		wantReject          bool
	}{
		{"same term, same length", []uint64{1, 1}, 1, 2, false},
		{"same term, longer", []uint64{1, 1}, 1, 3, false},
		{"same term, shorter", []uint64{1, 1}, 1, 1, true},
		{"higher term, shorter", []uint64{1, 1}, 2, 1, false},
		{"higher term, longer", []uint64{1, 2}, 3, 5, false},
		{"lower term, longer", []uint64{2, 2}, 1, 5, true},
		{"lower term, shorter", []uint64{1, 2}, 1, 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := newPaperNode(t, 1, voters3, tc.voterLog, 3)
			require.NoError(t, n.Step(Message{Type: MsgVote, From: 2, To: 1, Term: 4, LogTerm: tc.lastTerm, Index: tc.lastIndex}))
			msgs := drain(n)
			require.Len(t, msgs, 1)
			assert.Equal(t, tc.wantReject, msgs[0].Reject)
			if tc.wantReject {
				assert.Equal(t, None, n.vote)
			} else {
				assert.Equal(t, uint64(2), n.vote)
			}
		})
	}
}

// Thesis §9.6: a pre-candidate polls without raising anyone's term; it raises its own
// term only after a majority granted the pre-vote, and a pre-vote is granted only for an
// up-to-date log.
func TestPaperPreVote(t *testing.T) {
	t.Run("no term change while polling", func(t *testing.T) {
		n := newPaperNode(t, 1, voters3, []uint64{1}, 1, withPreVote)
		n.campaign(campaignPreElection)
		assert.Equal(t, PreCandidate, n.role)
		assert.Equal(t, uint64(1), n.term)
		assert.Equal(t, None, n.vote)
		pre := msgsOfType(drain(n), MsgPreVote)
		require.Len(t, pre, 2)
		assert.Equal(t, uint64(2), pre[0].Term, "pre-vote asks for the next term")
	})
	t.Run("voter keeps its term", func(t *testing.T) {
		v := newPaperNode(t, 2, voters3, []uint64{1}, 1, withPreVote)
		require.NoError(t, v.Step(Message{Type: MsgPreVote, From: 1, To: 2, Term: 2, Index: 1, LogTerm: 1}))
		assert.Equal(t, uint64(1), v.term)
		assert.Equal(t, None, v.vote)
		msgs := drain(v)
		require.Len(t, msgs, 1)
		assert.Equal(t, Message{Type: MsgPreVoteResp, From: 2, To: 1, Term: 2}, msgs[0])
	})
	t.Run("stale log refused", func(t *testing.T) {
		v := newPaperNode(t, 2, voters3, []uint64{1, 1}, 1, withPreVote)
		require.NoError(t, v.Step(Message{Type: MsgPreVote, From: 1, To: 2, Term: 2, Index: 1, LogTerm: 1}))
		msgs := drain(v)
		require.Len(t, msgs, 1)
		assert.True(t, msgs[0].Reject)
	})
	t.Run("partitioned node does not inflate its term", func(t *testing.T) {
		n := newPaperNode(t, 1, voters3, []uint64{1}, 1, withPreVote)
		for range 10 * n.cfg.ElectionTick {
			n.Tick()
			drain(n) // nobody answers
		}
		assert.Equal(t, uint64(1), n.term)
	})
	t.Run("majority grants, then real election", func(t *testing.T) {
		n := newPaperNode(t, 1, voters3, []uint64{1}, 1, withPreVote)
		n.campaign(campaignPreElection)
		drain(n)
		require.NoError(t, n.Step(Message{Type: MsgPreVoteResp, From: 2, To: 1, Term: 2}))
		assert.Equal(t, Candidate, n.role)
		assert.Equal(t, uint64(2), n.term)
		assert.Len(t, msgsOfType(drain(n), MsgVote), 2)
	})
}

// Thesis §4.2.3: with CheckQuorum, a server that heard from a current leader within the
// minimum election timeout neither updates its term nor grants its vote — unless the
// request is a leadership transfer's forced campaign.
func TestPaperLeaderStickiness(t *testing.T) {
	for _, force := range []bool{false, true} {
		n := newPaperNode(t, 1, voters3, []uint64{1}, 2, withCheckQuorum)
		require.NoError(t, n.Step(Message{Type: MsgHeartbeat, From: 2, To: 1, Term: 2}))
		drain(n)
		require.NoError(t, n.Step(Message{Type: MsgVote, From: 3, To: 1, Term: 3, Index: 1, LogTerm: 1, Force: force}))
		msgs := drain(n)
		if force {
			assert.Equal(t, uint64(3), n.term)
			require.Len(t, msgs, 1)
			assert.False(t, msgs[0].Reject, "forced campaign should get the vote")
		} else {
			assert.Equal(t, uint64(2), n.term, "term must not change inside the lease")
			assert.Empty(t, msgs)
		}
	}
}

// Thesis §6.2: with CheckQuorum, a leader that has not heard from a majority within an
// election timeout steps down.
func TestPaperCheckQuorumStepDown(t *testing.T) {
	for _, heard := range [][]uint64{nil, {2}, {2, 3}} {
		n := newPaperNode(t, 1, voters3, nil, 1, withCheckQuorum)
		becomeRole(t, n, Leader, 2)
		for range n.cfg.ElectionTick - 1 {
			n.Tick()
		}
		for _, id := range heard {
			require.NoError(t, n.Step(Message{Type: MsgHeartbeatResp, From: id, To: 1, Term: 2}))
		}
		n.Tick()
		want := Follower
		if len(heard) >= 1 { // itself + one follower = majority of 3
			want = Leader
		}
		assert.Equal(t, want, n.role, "heard from %v", heard)
	}
}
