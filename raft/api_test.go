package raft

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConfigValidationNamesFieldAndValue(t *testing.T) {
	base := func() Config {
		return Config{ID: 1, ElectionTick: 10, HeartbeatTick: 1, Rand: rand.New(rand.NewPCG(1, 1))}
	}
	for _, tc := range []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{"zero ID", func(c *Config) { c.ID = 0 }, "Config.ID = 0"},
		{"zero heartbeat", func(c *Config) { c.HeartbeatTick = 0 }, "Config.HeartbeatTick = 0"},
		{"election not above heartbeat", func(c *Config) { c.ElectionTick = 1 }, "Config.ElectionTick = 1"},
		{"no rand", func(c *Config) { c.Rand = nil }, "Config.Rand = nil"},
		{"negative inflight", func(c *Config) { c.MaxInflightMsgs = -1 }, "Config.MaxInflightMsgs = -1"},
		{"voter 0", func(c *Config) { c.Voters = []uint64{1, 0} }, "Config.Voters = [1 0]"},
		{"voter twice", func(c *Config) { c.Voters = []uint64{1, 2, 2} }, "listed twice"},
		{"self not a voter", func(c *Config) { c.Voters = []uint64{2, 3} }, "must contain ID 1"},
		{"restored gap", func(c *Config) {
			c.Restore = &Recovered{HardState: HardState{Term: 1}, Entries: []Entry{{Term: 1, Index: 2}}}
		}, "Config.Restore.Entries[0].Index = 2"},
		{"restored term regress", func(c *Config) {
			c.Restore = &Recovered{HardState: HardState{Term: 2}, Entries: []Entry{{Term: 2, Index: 1}, {Term: 1, Index: 2}}}
		}, "Config.Restore.Entries[1].Term = 1"},
		{"restored commit beyond log", func(c *Config) {
			c.Restore = &Recovered{HardState: HardState{Term: 1, Commit: 5}, Entries: []Entry{{Term: 1, Index: 1}}}
		}, "Config.Restore.HardState.Commit = 5"},
		{"restored bad conf entry", func(c *Config) {
			c.Restore = &Recovered{HardState: HardState{Term: 1}, Entries: []Entry{{Term: 1, Index: 1, Type: EntryConfChange}}}
		}, "Config.Restore.Entries[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := base()
			tc.change(&cfg)
			_, err := New(cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// A torn write can keep entries but lose the HardState saved after them: the node adopts
// the entries' term, with no vote.
func TestRestoreTermBelowLog(t *testing.T) {
	cfg := paperConfig(1)
	cfg.Restore = &Recovered{HardState: HardState{Term: 1, Vote: 2}, Entries: []Entry{{Term: 1, Index: 1}, {Term: 3, Index: 2}}}
	n, err := New(cfg)
	require.NoError(t, err)
	assert.Equal(t, HardState{Term: 3}, n.hardState())
}

func TestMutationsSetByName(t *testing.T) {
	names := MutationNames()
	require.Len(t, names, 18)
	for _, name := range names {
		var m Mutations
		require.NoError(t, m.Set(name))
		assert.Equal(t, []string{name}, m.Enabled())
	}
	var m Mutations
	err := m.Set("NoSuchBug")
	require.Error(t, err)
	for _, name := range names {
		assert.Contains(t, err.Error(), name, "the error lists the known mutations")
	}
}

func TestProposeOnFollower(t *testing.T) {
	pn := newCluster(t, 3)
	f := pn.nodes[2]
	err := f.Propose([]byte("x"))
	var nl *NotLeaderError
	require.True(t, errors.As(err, &nl), "err = %v", err)
	assert.Equal(t, uint64(1), nl.Leader)
	assert.True(t, errors.Is(err, ErrNotLeader))

	lonely := newPaperNode(t, 1, voters3, nil, 1)
	assert.True(t, errors.Is(lonely.Propose([]byte("x")), ErrProposalDropped), "no leader known")

	fwd := newCluster(t, 3, withForward)
	require.NoError(t, fwd.nodes[3].Propose([]byte("fwd")))
	fwd.stabilize()
	last := fwd.nodes[1].log.entry(fwd.nodes[1].log.lastIndex())
	assert.Equal(t, "fwd", string(last.Data))
}

// The leader bounds the payload it holds uncommitted; a proposal that does not fit is
// dropped (one is always accepted when nothing is pending).
func TestUncommittedBytesLimit(t *testing.T) {
	pn := newCluster(t, 3, func(c *Config) { c.MaxUncommittedBytes = 100 })
	lead := pn.nodes[1]
	pn.cut[2], pn.cut[3] = true, true
	require.NoError(t, lead.Propose(make([]byte, 150)), "the first proposal always fits")
	err := lead.Propose(make([]byte, 1))
	assert.True(t, errors.Is(err, ErrProposalDropped), "err = %v", err)
	pn.cut[2], pn.cut[3] = false, false
	lead.Tick()
	pn.stabilize()
	lead.Tick()
	pn.stabilize()
	assert.NoError(t, lead.Propose(make([]byte, 50)), "room again once committed")
}

// §4.1: configurations take effect when appended; if a configuration entry is truncated
// away by a conflict, the node reverts to the configuration before it.
func TestTruncatedConfEntryReverts(t *testing.T) {
	n := newPaperNode(t, 2, voters3, []uint64{1}, 2)
	cc := Entry{Term: 2, Index: 2, Type: EntryConfChange, Data: EncodeConfChange(ConfChange{Type: AddLearner, Node: 4})}
	require.NoError(t, n.Step(Message{Type: MsgApp, From: 1, To: 2, Term: 2, Index: 1, LogTerm: 1, Entries: []Entry{cc}}))
	assert.Equal(t, []uint64{4}, n.Status().Conf.Learners)
	require.NoError(t, n.Step(Message{Type: MsgApp, From: 3, To: 2, Term: 3, Index: 1, LogTerm: 1,
		Entries: []Entry{{Term: 3, Index: 2, Data: []byte("other")}}}))
	assert.Empty(t, n.Status().Conf.Learners)
	assert.Equal(t, voters3, n.Status().Conf.Voters)
}

// A node that is not a voter (a learner, a removed node, a joining node) never campaigns.
func TestNonVotersNeverCampaign(t *testing.T) {
	for _, conf := range []ConfState{
		{Voters: []uint64{2, 3}, Learners: []uint64{1}},
		{Voters: []uint64{2, 3}},
		{},
	} {
		n := newPaperNode(t, 1, nil, nil, 1)
		n.members.reset(conf)
		n.conf = n.members.current()
		for range 10 * n.cfg.ElectionTick {
			n.Tick()
		}
		assert.Equal(t, Follower, n.role, "conf %+v", conf)
		assert.Empty(t, drain(n))
	}
}

func TestReadyMisusePanics(t *testing.T) {
	n := newPaperNode(t, 1, voters3, nil, 1)
	n.campaign(campaignElection)
	_ = n.Ready()
	assert.False(t, n.HasReady(), "nothing new while a Ready is out")
	assert.Panics(t, func() { n.Ready() })
	n.Advance()
	assert.Panics(t, func() { n.Advance() })
}

// Step may be called between Ready and Advance: entries handed out in the Ready and
// truncated before Advance are not recorded as persisted, and their replacements are
// handed out next.
func TestStepBetweenReadyAndAdvance(t *testing.T) {
	n := newPaperNode(t, 2, voters3, []uint64{1}, 2)
	require.NoError(t, n.Step(Message{Type: MsgApp, From: 1, To: 2, Term: 2, Index: 1, LogTerm: 1,
		Entries: []Entry{{Term: 2, Index: 2, Data: []byte("a")}, {Term: 2, Index: 3, Data: []byte("b")}}}))
	rd := n.Ready()
	require.Len(t, rd.Entries, 2)
	require.NoError(t, n.Step(Message{Type: MsgApp, From: 3, To: 2, Term: 3, Index: 1, LogTerm: 1,
		Entries: []Entry{{Term: 3, Index: 2, Data: []byte("c")}}}))
	assert.Equal(t, "a", string(rd.Entries[0].Data), "a Ready's entries are never overwritten")
	n.Advance()
	assert.Equal(t, uint64(1), n.log.stable)
	rd = n.Ready()
	require.Len(t, rd.Entries, 1)
	assert.Equal(t, Entry{Term: 3, Index: 2, Data: []byte("c")}, rd.Entries[0])
	n.Advance()
	assert.Equal(t, uint64(2), n.log.stable)
}

// Ready contract: a vote leaves in the same Ready as the HardState recording it, and that
// Ready must be synced.
func TestReadyCarriesVoteWithItsResponse(t *testing.T) {
	n := newPaperNode(t, 2, voters3, nil, 1)
	require.NoError(t, n.Step(Message{Type: MsgVote, From: 1, To: 2, Term: 2}))
	rd := n.Ready()
	require.Len(t, rd.Messages, 1)
	assert.False(t, rd.Messages[0].Reject)
	assert.Equal(t, HardState{Term: 2, Vote: 1}, rd.HardState)
	assert.True(t, rd.MustSync)
	n.Advance()
}

// Ready contract: a Ready's Messages stay valid until the Advance of the next Ready, which
// recycles their array, so a steady stream of Readys allocates no message buffers; messages
// produced between Ready and Advance are neither lost nor overwritten.
func TestMessagesRecycledAfterAdvance(t *testing.T) {
	n := newPaperNode(t, 2, voters3, nil, 1)
	beat := Message{Type: MsgHeartbeat, From: 1, To: 2, Term: 2}
	require.NoError(t, n.Step(Message{Type: MsgVote, From: 1, To: 2, Term: 2}))
	rd1 := n.Ready()
	require.Len(t, rd1.Messages, 1)
	first := &rd1.Messages[0]
	require.NoError(t, n.Step(beat))
	n.Advance()
	rd2 := n.Ready()
	require.Len(t, rd2.Messages, 1, "the heartbeat response produced before Advance")
	assert.Equal(t, MsgHeartbeatResp, rd2.Messages[0].Type)
	assert.Equal(t, MsgVoteResp, rd1.Messages[0].Type, "valid until the next Ready's Advance")
	n.Advance()
	require.NoError(t, n.Step(beat))
	rd3 := n.Ready()
	require.Len(t, rd3.Messages, 1)
	assert.Same(t, first, &rd3.Messages[0], "the first Ready's array, recycled")
	assert.Equal(t, MsgHeartbeatResp, rd2.Messages[0].Type, "rd2 untouched by rd3")
	n.Advance()
	require.NoError(t, n.Step(beat))
	rd4 := n.Ready()
	require.Len(t, rd4.Messages, 1)
	assert.Same(t, &rd2.Messages[0], &rd4.Messages[0], "the second Ready's array, recycled")
	n.Advance()
	assert.Zero(t, testing.AllocsPerRun(100, func() {
		_ = n.Step(Message{Type: MsgHeartbeat, From: 1, To: 2, Term: 2})
		n.Ready()
		n.Advance()
	}), "heartbeat round trips allocate nothing")
	assert.Zero(t, testing.AllocsPerRun(100, func() {
		n.Ready()
		_ = n.Step(Message{Type: MsgHeartbeat, From: 1, To: 2, Term: 2}) // while the Ready is out
		n.Advance()
	}), "nor do messages stepped between a Ready and its Advance")
}

// On restart, the committed entries after the snapshot are handed out again so that the
// application, restored from the snapshot, re-applies them: applied never regresses.
func TestRestartReappliesCommittedEntries(t *testing.T) {
	snap := &Snapshot{Meta: SnapshotMeta{Index: 3, Term: 1, Conf: ConfState{Voters: voters3}}, Data: []byte("s")}
	ents := []Entry{{Term: 2, Index: 4}, {Term: 2, Index: 5, Data: []byte("x")}, {Term: 2, Index: 6, Data: []byte("y")}}
	cfg := paperConfig(1)
	cfg.Restore = &Recovered{HardState: HardState{Term: 2, Vote: 1, Commit: 5}, Snapshot: snap, Entries: ents}
	n, err := New(cfg)
	require.NoError(t, err)
	assert.Equal(t, uint64(3), n.Status().Applied)
	rd := n.Ready()
	n.Advance()
	require.Len(t, rd.CommittedEntries, 2)
	assert.Equal(t, uint64(4), rd.CommittedEntries[0].Index)
	assert.Equal(t, uint64(5), rd.CommittedEntries[1].Index)
	assert.Empty(t, rd.Entries, "restored entries are durable already")
	assert.True(t, rd.HardState.IsEmpty(), "nothing new to persist")
	assert.Equal(t, voters3, n.Status().Conf.Voters)
	assert.Equal(t, snap.Meta, n.SnapshotMeta())
}

func TestStepRejectsInvalidMessages(t *testing.T) {
	n := newPaperNode(t, 1, voters3, []uint64{1}, 2)
	for _, m := range []Message{
		{Type: 0, From: 2, To: 1, Term: 2},
		{Type: MsgApp, From: 2, To: 9, Term: 2},
		{Type: MsgApp, From: 0, To: 1, Term: 2},
		{Type: MsgApp, From: 1, To: 1, Term: 2},
		{Type: MsgHeartbeat, From: 2, To: 1},
		{Type: MsgApp, From: 2, To: 1, Term: 2, Index: 1, LogTerm: 1, Entries: []Entry{{Term: 2, Index: 3}}},
		{Type: MsgApp, From: 2, To: 1, Term: 2, Index: 1, LogTerm: 1, Entries: []Entry{{Term: 3, Index: 2}}},
		{Type: MsgApp, From: 2, To: 1, Term: 2, Index: 1, LogTerm: 1, Entries: []Entry{{Term: 2, Index: 2, Type: 9}}},
		{Type: MsgProp, From: 2, To: 1},
		{Type: MsgSnap, From: 2, To: 1, Term: 2, Snap: SnapshotMeta{Index: 5, Term: 1}, SnapSize: 1, SnapData: []byte("xx"), SnapDone: true},
	} {
		before := n.Status()
		err := n.Step(m)
		assert.True(t, errors.Is(err, ErrInvalidMessage), "%s: err = %v", m, err)
		assert.Equal(t, before, n.Status(), "%s changed the node", m)
	}
}

func TestStatusProgressSortedByID(t *testing.T) {
	pn := newCluster(t, 5)
	st := pn.nodes[1].Status()
	require.Len(t, st.Progress, 5)
	for i, p := range st.Progress {
		assert.Equal(t, uint64(i+1), p.ID)
		assert.Equal(t, pn.nodes[1].log.lastIndex(), p.Match)
	}
	assert.Nil(t, pn.nodes[2].Status().Progress, "only a leader reports progress")
	assert.Equal(t, Leader, st.Role)
}
