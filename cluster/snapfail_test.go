package cluster

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/engine/builtin"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/simnet"
)

// TestSnapshotFailNeedsReport: node 2 is paused while the leader compacts past it (what the
// leader sends it waits, so no transfer fails for want of a link), so it needs a snapshot
// once it resumes; the leader's snapshot transfers fail for two seconds from then on, and
// the fault compacts the leader's log as it starts, so a follower a few entries behind at
// that instant needs a snapshot too. A host that reports the failures (ReportSnapshot) lets
// etcd raft retry and the followers catch up; without the reports (mutant etcd-no-report-snapshot) the leader waits for a
// transfer that will never end and the follower stays behind to the end (stalled-follower
// during the load phase once the transfers work again, liveness after the heal). Our raft, which
// resends a stalled transfer itself, catches up either way.
func TestSnapshotFailNeedsReport(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Duration, cfg.HealTime = simnet.Duration(9*time.Second), simnet.Duration(3*time.Second)
	cfg.Nemesis, cfg.Workload, cfg.Tuning, cfg.Host, cfg.CompactEvery = "none", "kv", "fixed", "fixed", 16
	sched := nemesis.Schedule{
		{Kind: nemesis.Pause, At: simnet.Duration(time.Second), For: simnet.Duration(3 * time.Second), Nodes: []int{2}},
		{Kind: nemesis.SnapFail, At: simnet.Duration(3900 * time.Millisecond), For: simnet.Duration(2 * time.Second), Leader: true},
	}
	run := func(engineName string, sched nemesis.Schedule, mutants ...string) *Result {
		d, err := builtin.Lookup(engineName)
		require.NoError(t, err)
		c := cfg
		c.Mutants = mutants
		res, err := Run(7, c, Options{Engine: d, Schedule: &sched})
		require.NoError(t, err)
		return res
	}
	for _, name := range []string{"raftcheck", "etcd"} {
		res := run(name, sched)
		require.False(t, res.Failed(), "%s: %v", name, res.Violations)
		require.Equal(t, 2, res.Stats.FaultsApplied)
	}
	res := run("etcd", sched, "etcd-no-report-snapshot")
	require.Contains(t, res.Kinds(), checker.KindLiveness, "%v", res.Violations)
	stalled := map[int]bool{}
	for _, v := range res.Violations {
		if v.Kind == KindStalledFollower {
			require.False(t, stalled[v.Nodes[0]], "one report per follower: %v", res.Violations)
			stalled[v.Nodes[0]] = true
			require.Less(t, v.Time, int64(cfg.Duration), "seen during the load phase, once the transfers work again: %v", v)
			require.Greater(t, v.Time, int64(5900*time.Millisecond), "not while they still fail: %v", v)
		}
	}
	require.True(t, stalled[2], "node 2 is a follower left behind: %v", res.Violations)
	require.Equal(t, map[int]bool{2: true, 3: true}, stalled, "node 3 was behind when the fault compacted the leader's log: %v", res.Violations)
	res = run("etcd", sched[:1], "etcd-no-report-snapshot")
	require.False(t, res.Failed(), "without failed transfers the missing reports do no harm: %v", res.Violations)
}
