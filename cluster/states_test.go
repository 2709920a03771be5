package cluster

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/engine/raftengine"
)

// TestStatesAndVotes: a run records each node's term, vote, commit and last entry over time,
// and every vote granted as a timeline mark.
func TestStatesAndVotes(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Nemesis = "crash"
	res, err := Run(2, cfg, Options{Engine: raftengine.Descriptor()})
	require.NoError(t, err)
	require.NotEmpty(t, res.States)
	bound := cfg.Nodes * (int(res.Stats.Ended/stateEvery) + 200) // periodic samples, plus changes and restarts
	assert.Less(t, len(res.States), bound, "samples are throttled")
	last := map[int]NodeState{}
	for _, s := range res.States {
		if prev, ok := last[s.Node]; ok {
			assert.GreaterOrEqual(t, s.Time, prev.Time, "node %d's samples are in time order", s.Node)
		}
		last[s.Node] = s
	}
	for id := range cfg.Nodes {
		s, ok := last[id]
		require.True(t, ok, "node %d sampled", id)
		assert.Positive(t, s.Term)
		assert.Positive(t, s.Commit)
		assert.GreaterOrEqual(t, s.LastIndex, s.Commit)
	}
	votes := 0
	for _, m := range res.Timeline {
		if m.Kind == MarkVote {
			votes++
			assert.Contains(t, m.Detail, "voted for ")
			assert.Positive(t, m.Term)
		}
	}
	assert.GreaterOrEqual(t, votes, cfg.Nodes/2, "at least a quorum of votes for the first leader")
}

// TestAckKill: an ack-kill fault kills the leader at the moment it acknowledges a write, and
// the node comes back.
func TestAckKill(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Nemesis = "ack-kill"
	res, err := Run(1, cfg, Options{Engine: raftengine.Descriptor()})
	require.NoError(t, err)
	require.Empty(t, res.Violations)
	kills := 0
	for i, m := range res.Timeline {
		if m.Kind != MarkFaultStart || !strings.Contains(m.Detail, "acknowledged a write") {
			continue
		}
		kills++
		crashed := false
		for _, later := range res.Timeline[i:] {
			if later.Kind == MarkCrash && later.Node == m.Node && later.Time == m.Time {
				crashed = true
				break
			}
		}
		assert.True(t, crashed, "leader %d crashed at %d", m.Node, m.Time)
	}
	assert.Positive(t, kills)
	assert.Equal(t, res.Stats.FaultsApplied, kills, "every ack-kill fired")
}

// TestTransferFault: transfer faults move leadership without a fault otherwise, on both
// engines, and break nothing.
func TestTransferFault(t *testing.T) {
	for _, name := range []string{"raftcheck", "etcd"} {
		cfg := DefaultConfig()
		cfg.Nemesis, cfg.FaultInterval = "transfer", DefaultConfig().FaultInterval/4
		res, err := Run(3, cfg, Options{Engine: mustEngine(t, name)})
		require.NoError(t, err)
		require.Empty(t, res.Violations, name)
		require.Positive(t, res.Stats.FaultsApplied, name)
		assert.Greater(t, res.Stats.Elections, 1+res.Stats.FaultsApplied/2, "%s: transfers elect new leaders", name)
	}
}
