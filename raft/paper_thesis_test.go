package raft

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Paper tests for the thesis extensions: §6.4 ReadIndex, §3.10 leadership transfer,
// §4.1 single-server changes, §4.2.2 removing the leader.

// newCluster bootstraps size nodes and elects node 1.
func newCluster(t *testing.T, size int, opts ...func(*Config)) *paperNet {
	t.Helper()
	var voters []uint64
	for i := range size {
		voters = append(voters, uint64(i+1))
	}
	pn := newPaperNet(t)
	for _, id := range voters {
		cfg := paperConfig(id, opts...)
		cfg.Voters = voters
		n, err := New(cfg)
		require.NoError(t, err)
		pn.nodes[id] = n
	}
	pn.stabilize()
	pn.elect(1)
	require.Equal(t, Leader, pn.nodes[1].role)
	return pn
}

// readStates runs a Ready cycle of n and returns its ReadStates.
func readStates(n *Node) []ReadState {
	if !n.HasReady() {
		return nil
	}
	rd := n.Ready()
	n.Advance()
	return rd.ReadStates
}

// §6.4: a read index is the commit index at the time of the request, released only after
// a heartbeat round confirms, with a majority, that the node is still the leader.
func TestPaperReadIndexConfirmsLeadership(t *testing.T) {
	pn := newCluster(t, 5)
	lead := pn.nodes[1]
	require.NoError(t, lead.ReadIndex([]byte("r1")))
	rd := lead.Ready()
	lead.Advance()
	assert.Empty(t, rd.ReadStates, "released before confirmation")
	beats := msgsOfType(rd.Messages, MsgHeartbeat)
	require.Len(t, beats, 4)
	round := beats[0].Round
	require.NotZero(t, round)
	require.NoError(t, lead.Step(Message{Type: MsgHeartbeatResp, From: 2, To: 1, Term: lead.term, Round: round}))
	assert.Empty(t, readStates(lead), "leader + 1 of 5 is not a majority")
	require.NoError(t, lead.Step(Message{Type: MsgHeartbeatResp, From: 3, To: 1, Term: lead.term, Round: round}))
	assert.Equal(t, []ReadState{{Index: lead.log.committed, Ctx: []byte("r1")}}, readStates(lead))
}

// §6.4: a new leader first commits an entry of its term (its no-op); until then its commit
// index may be behind what earlier leaders committed, so reads wait.
func TestPaperReadIndexWaitsForTermCommit(t *testing.T) {
	pn := newCluster(t, 3)
	pn.cut[1] = true
	// The new leader's no-op is not acknowledged yet: drop the follower's answers.
	pn.drop = func(m Message) bool { return m.Type == MsgAppResp }
	pn.elect(2)
	lead := pn.nodes[2]
	require.Equal(t, Leader, lead.role)
	require.NoError(t, lead.ReadIndex([]byte("r")))
	pn.stabilize()
	assert.Empty(t, pn.collected[2])
	pn.drop = nil
	lead.Tick() // heartbeat: the follower is found behind and caught up
	for range 3 {
		pn.stabilize()
		lead.Tick()
	}
	got := pn.collected[2]
	require.Len(t, got, 1)
	assert.Equal(t, lead.log.committed, got[0].Index)
	assert.Equal(t, lead.term, lead.log.mustTerm(got[0].Index), "the read index covers the leader's own no-op")
}

// §6.4: a follower forwards the request to the leader and receives the index back.
func TestPaperReadIndexOnFollower(t *testing.T) {
	pn := newCluster(t, 3)
	f := pn.nodes[3]
	require.NoError(t, f.ReadIndex([]byte("fr")))
	pn.stabilize()
	got := pn.collected[3]
	require.Len(t, got, 1)
	assert.Equal(t, pn.nodes[1].log.committed, got[0].Index)
	assert.Equal(t, []byte("fr"), got[0].Ctx)
}

// §6.4: a deposed leader cannot confirm its leadership, so it serves no read; with
// UnsafeLocalReads it answers at once from its stale commit index.
func TestPaperReadIndexOnDeposedLeader(t *testing.T) {
	for _, unsafe := range []bool{false, true} {
		pn := newCluster(t, 3, func(c *Config) { c.Mutations.UnsafeLocalReads = unsafe })
		old := pn.nodes[1]
		pn.cut[1] = true
		pn.elect(2)
		require.NoError(t, pn.nodes[2].Propose([]byte("new")))
		pn.stabilize()
		require.NoError(t, old.ReadIndex([]byte("r")))
		rs := readStates(old)
		pn.cut[1] = false
		if unsafe {
			require.Len(t, rs, 1)
			assert.Less(t, rs[0].Index, pn.nodes[2].log.committed, "a stale read point")
		} else {
			assert.Empty(t, rs)
		}
	}
}

func TestReadIndexPendingLimit(t *testing.T) {
	pn := newCluster(t, 3, func(c *Config) { c.MaxPendingReads = 2 })
	lead := pn.nodes[1]
	require.NoError(t, lead.ReadIndex([]byte("a")))
	require.NoError(t, lead.ReadIndex([]byte("b")))
	err := lead.ReadIndex([]byte("c"))
	assert.True(t, errors.Is(err, ErrReadIndexDropped), "err = %v", err)
}

// §3.10: leadership transfer. The leader stops accepting proposals, brings the target up
// to date, then sends MsgTimeoutNow; the target campaigns at once and wins.
func TestPaperTransferLeadership(t *testing.T) {
	pn := newCluster(t, 3, withCheckQuorum)
	lead := pn.nodes[1]
	pn.cut[3] = true
	require.NoError(t, lead.Propose([]byte("x")))
	pn.stabilize()
	pn.cut[3] = false
	require.Less(t, pn.nodes[3].log.lastIndex(), lead.log.lastIndex(), "target lags")

	require.NoError(t, lead.TransferLeadership(3))
	assert.True(t, errors.Is(lead.Propose([]byte("y")), ErrProposalDropped), "proposals stop during a transfer")
	lead.Tick() // heartbeat: the target is found behind and caught up, then told to campaign
	pn.stabilize()
	assert.Equal(t, Leader, pn.nodes[3].role)
	assert.Equal(t, Follower, lead.role)
	assert.Equal(t, uint64(3), lead.lead)
}

// §3.10: a transfer that does not complete within an election timeout is abandoned, and
// the leader accepts proposals again.
func TestPaperTransferLeadershipAborts(t *testing.T) {
	pn := newCluster(t, 3)
	lead := pn.nodes[1]
	pn.cut[3] = true
	require.NoError(t, lead.TransferLeadership(3))
	for range lead.cfg.ElectionTick {
		lead.Tick()
		pn.stabilize()
	}
	assert.Equal(t, None, lead.leadTransferee)
	assert.Equal(t, Leader, lead.role)
	assert.NoError(t, lead.Propose([]byte("y")))
}

func TestTransferLeadershipRefusesNonVoters(t *testing.T) {
	pn := newCluster(t, 3)
	lead := pn.nodes[1]
	assert.True(t, errors.Is(lead.TransferLeadership(9), ErrTransferTarget))
	j, err := New(paperConfig(4))
	require.NoError(t, err)
	pn.nodes[4] = j
	require.NoError(t, lead.ProposeConfChange(ConfChange{Type: AddLearner, Node: 4}))
	pn.cut[4] = true // keep it a learner
	pn.stabilize()
	assert.True(t, errors.Is(lead.TransferLeadership(4), ErrTransferTarget))
	assert.True(t, errors.Is(pn.nodes[2].TransferLeadership(4), ErrTransferTarget))
}

// §4.1 and the 2015 fix: one change at a time, and only after the leader committed an
// entry of its own term.
func TestPaperSingleServerChangeRules(t *testing.T) {
	pn := newCluster(t, 3)
	lead := pn.nodes[1]
	pn.cut[2], pn.cut[3] = true, true
	require.NoError(t, lead.ProposeConfChange(ConfChange{Type: AddLearner, Node: 4}))
	err := lead.ProposeConfChange(ConfChange{Type: AddLearner, Node: 5})
	assert.True(t, errors.Is(err, ErrConfChangePending), "err = %v", err)

	pn2 := newCluster(t, 3)
	pn2.cut[1] = true
	pn2.nodes[2].campaign(campaignElection)
	pn2.drop = func(m Message) bool { return m.Type == MsgApp } // the no-op never replicates
	pn2.stabilize()
	require.Equal(t, Leader, pn2.nodes[2].role)
	err = pn2.nodes[2].ProposeConfChange(ConfChange{Type: AddLearner, Node: 4})
	assert.True(t, errors.Is(err, ErrNoTermCommit), "err = %v", err)

	for _, cc := range []ConfChange{{AddLearner, 2}, {AddVoter, 2}, {AddVoter, 9}, {RemoveNode, 9}} {
		pn3 := newCluster(t, 3)
		err := pn3.nodes[1].ProposeConfChange(cc)
		assert.True(t, errors.Is(err, ErrInvalidConfChange), "%v: err = %v", cc, err)
	}
}

// §4.2.2: a leader that removes itself keeps leading, without counting itself, until the
// change commits, then steps down; the others elect a new leader among themselves.
func TestPaperLeaderRemovesItself(t *testing.T) {
	pn := newCluster(t, 3)
	lead := pn.nodes[1]
	pn.cut[2], pn.cut[3] = true, true
	require.NoError(t, lead.ProposeConfChange(ConfChange{Type: RemoveNode, Node: 1}))
	drain(lead)
	assert.Equal(t, Leader, lead.role, "leads until the removal commits")
	assert.Equal(t, []uint64{2, 3}, lead.conf.Voters)
	require.NoError(t, lead.Propose([]byte("still leading")))
	idx := lead.log.lastIndex()
	// Its own persisted copy does not count: both others are needed.
	require.NoError(t, lead.Step(Message{Type: MsgAppResp, From: 2, To: 1, Term: lead.term, Index: idx}))
	assert.Equal(t, Leader, lead.role)
	assert.Less(t, lead.log.committed, idx)
	require.NoError(t, lead.Step(Message{Type: MsgAppResp, From: 3, To: 1, Term: lead.term, Index: idx}))
	assert.Equal(t, idx, lead.log.committed)
	assert.Equal(t, Follower, lead.role, "steps down once the removal is committed")
	msgs := drain(lead)
	assert.Len(t, msgsOfType(msgs, MsgTimeoutNow), 1, "hands over to a caught-up voter")
	lead.Tick()
	for range 5 * lead.cfg.ElectionTick {
		lead.Tick()
	}
	assert.Equal(t, Follower, lead.role, "a removed node never campaigns")
}
