package cluster

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/engine/raftengine"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/simnet"
)

// TestStaleLeaderKeepsRunning: a leader cut off without CheckQuorum while the others elect a
// new one must step down once it hears of the higher term after the heal; with the
// no-step-down bug it does not, the run goes on to its heal bound instead of ending once
// settled, and the stale-leader check names it: first during the load phase, three election
// timeouts after the partition ended (the new leader's heartbeats reach it from then on), then
// at the end. Without the bug the run ends soon after the heal with no violation.
func TestStaleLeaderKeepsRunning(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Duration, cfg.Nemesis, cfg.Workload = simnet.Duration(10*time.Second), "none", "kv"
	cfg.Tuning, cfg.Protocol.CheckQuorum = "fixed", false
	sched := nemesis.Schedule{{Kind: nemesis.Partition, At: simnet.Duration(2 * time.Second), For: simnet.Duration(3 * time.Second),
		Nodes: []int{0, 1, 2, 3, 4}, Leader: true, Shape: "isolate"}}
	clean, err := Run(3, cfg, Options{Engine: raftengine.Descriptor(), Schedule: &sched})
	require.NoError(t, err)
	require.False(t, clean.Failed(), "%v", clean.Violations)
	require.Less(t, clean.Stats.SimSeconds, 12.0, "a healed run ends once settled")

	cfg.Mutants = []string{"no-step-down"}
	res, err := Run(3, cfg, Options{Engine: raftengine.Descriptor(), Schedule: &sched})
	require.NoError(t, err)
	var stale []checker.Violation
	for _, v := range res.Violations {
		if v.Kind == checker.KindStaleLeader {
			stale = append(stale, v)
		}
	}
	require.Len(t, stale, 2, "%v", res.Violations)
	require.Contains(t, stale[0].Detail, "still led term")
	settle := int64(staleSettleTimeouts * cfg.ElectionTicks * int(cfg.Tick))
	require.GreaterOrEqual(t, stale[0].Time, int64(5*time.Second)+settle, "not before the settle time after the partition ended")
	require.Less(t, stale[0].Time, int64(cfg.Duration), "seen during the load phase")
	require.Equal(t, int64(cfg.Duration+cfg.HealTime), stale[1].Time, "the run went on to its heal bound")
}

// TestStaleLeaderHearsFollower: with CheckQuorum or PreVote a member answers a stale leader's
// heartbeat with its higher term, so a leader that goes on leading with such a member in
// its configuration, both links calm, is reported during the load phase even when no leader
// of the higher term reaches it. Seed 71 of the default config: node 2 keeps leading term 5
// under no-step-down although node 1, a follower in term 6, answers it. Clean, it passes.
func TestStaleLeaderHearsFollower(t *testing.T) {
	cfg := DefaultConfig()
	clean, err := Run(71, cfg, Options{Engine: raftengine.Descriptor()})
	require.NoError(t, err)
	require.False(t, clean.Failed(), "%v", clean.Violations)
	cfg.Mutants = []string{"no-step-down"}
	res, err := Run(71, cfg, Options{Engine: raftengine.Descriptor()})
	require.NoError(t, err)
	require.NotEmpty(t, res.Violations)
	v := res.Violations[0]
	require.Equal(t, checker.KindStaleLeader, v.Kind, "%v", res.Violations)
	require.Less(t, v.Time, int64(cfg.Duration), "seen during the load phase")
	require.Contains(t, v.Detail, "node 2 still led term 5")
	require.Contains(t, v.Detail, "node 1 had been in term 6")
}
