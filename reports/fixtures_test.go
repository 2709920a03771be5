package reports

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/engine/raftengine"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/simnet"
	"github.com/raftcheck/raftcheck/workloads"
)

// hostile is a string a run could carry (a key, a detail) that must never reach the page as
// markup.
const hostile = `</script><b>bold</b>"'&`

var (
	shortOnce sync.Once
	shortRes  *cluster.Result
	shortErr  error
)

// shortRun is a real 3 s run with the default config otherwise, run once per test binary.
func shortRun(t testing.TB) *cluster.Result {
	t.Helper()
	shortOnce.Do(func() {
		cfg := cluster.DefaultConfig()
		cfg.Duration = simnet.Duration(3 * time.Second)
		shortRes, shortErr = cluster.Run(1, cfg, cluster.Options{Engine: raftengine.Descriptor()})
	})
	require.NoError(t, shortErr)
	return shortRes
}

var (
	illegalOnce sync.Once
	illegalRes  *cluster.Result
)

// illegalRun is a real run with a planted bug (no session dedup, append workload) whose
// history Porcupine finds illegal: the first such seed of 1..20.
func illegalRun(t testing.TB) *cluster.Result {
	t.Helper()
	illegalOnce.Do(func() {
		cfg := cluster.DefaultConfig()
		cfg.Duration = simnet.Duration(10 * time.Second)
		cfg.Workload = "append"
		cfg.Mutants = []string{"no-session-dedup"}
		for seed := uint64(1); seed <= 20; seed++ {
			res, err := cluster.Run(seed, cfg, cluster.Options{Engine: raftengine.Descriptor()})
			if err == nil && res.Lin.Outcome == checker.Illegal && res.Lin.HasInfo {
				illegalRes = res
				return
			}
		}
	})
	if illegalRes == nil {
		t.Fatal("no seed in 1..20 gave an illegal history with mutant no-session-dedup")
	}
	return illegalRes
}

const ms = int64(time.Millisecond)

// handResult is a small run made by hand: 3 nodes, a known timeline, a history that is not
// linearizable (put k1=1, then get k1 returns 2), and hostile strings wherever a run carries
// text.
func handResult(t testing.TB) *cluster.Result {
	t.Helper()
	hist := []workloads.HistoryOp{
		{Client: 0, Op: workloads.Op{Kind: workloads.Put, Key: "k1", Value: "1"}, Call: 100 * ms, Return: 200 * ms, Outcome: workloads.OutcomeOK},
		{Client: 1, Op: workloads.Op{Kind: workloads.Get, Key: "k1"}, Reply: workloads.Reply{Value: "2", Found: true}, Call: 300 * ms, Return: 400 * ms, Outcome: workloads.OutcomeOK},
		{Client: 2, Op: workloads.Op{Kind: workloads.Put, Key: hostile, Value: "3"}, Call: 150 * ms, Return: 900 * ms, Outcome: workloads.OutcomeUnknown},
		{Client: 0, Op: workloads.Op{Kind: workloads.Put, Key: "k2", Value: "4"}, Call: 500 * ms, Return: 520 * ms, Outcome: workloads.OutcomeFail},
	}
	ops, err := workloads.Operations(workloads.ForLinearizability(hist)) // as the cluster checks it
	require.NoError(t, err)
	model, err := workloads.Model("kv")
	require.NoError(t, err)
	lin := checker.CheckLinearizability(model, ops, 5*time.Second)
	require.Equal(t, checker.Illegal, lin.Outcome, "hand-made history must be illegal")
	linV, ok := lin.Violation(1000 * ms)
	require.True(t, ok)
	cfg := cluster.DefaultConfig()
	cfg.Nodes, cfg.Duration, cfg.Workload = 3, simnet.Duration(800*time.Millisecond), "kv"
	partition := nemesis.Fault{At: simnet.Duration(250 * time.Millisecond), Kind: nemesis.Partition, For: simnet.Duration(200 * time.Millisecond), Nodes: []int{0, 1, 2}, Shape: "halves"}
	return &cluster.Result{
		Seed: 42, Config: cfg, History: hist, TraceHash: 0x00ab_cdef_0123_4567,
		Schedule: nemesis.Schedule{partition},
		Violations: []checker.Violation{
			{Kind: checker.KindDurability, Time: 350 * ms, Nodes: []int{1, 2}, Detail: hostile},
			linV,
		},
		Linearizable: lin.Outcome, LinDetail: lin.Detail, Lin: lin,
		Timeline: handMarks(partition), States: handStates(),
		Stats: cluster.Stats{
			Events: 1234, SimSeconds: 1, WallSeconds: 0.5, OpsOK: 2, OpsFailed: 1, OpsIndeterminate: 1,
			Messages: 99, Delivered: 90, Dropped: 9, FaultsApplied: 1, FaultsSkipped: 1, Elections: 2,
			HealedAt: 800 * ms, LeaderAfterHeal: 820 * ms, Ended: 1000 * ms,
		},
	}
}

// handMarks is the timeline of handResult.
func handMarks(partition nemesis.Fault) []cluster.Mark {
	return []cluster.Mark{
		{Time: 0, Kind: cluster.MarkStart, Node: 0},
		{Time: 0, Kind: cluster.MarkStart, Node: 1},
		{Time: 0, Kind: cluster.MarkStart, Node: 2},
		{Time: 10 * ms, Kind: cluster.MarkRole, Node: 0, Term: 1, Detail: "Follower"},
		{Time: 10 * ms, Kind: cluster.MarkRole, Node: 1, Term: 1, Detail: "Follower"},
		{Time: 10 * ms, Kind: cluster.MarkRole, Node: 2, Term: 1, Detail: "Follower"},
		{Time: 50 * ms, Kind: cluster.MarkRole, Node: 0, Term: 1, Detail: "PreCandidate"},
		{Time: 60 * ms, Kind: cluster.MarkRole, Node: 0, Term: 2, Detail: "Candidate"},
		{Time: 60 * ms, Kind: cluster.MarkVote, Node: 0, Term: 2, Detail: "voted for 1 (as the engine names it)"},
		{Time: 65 * ms, Kind: cluster.MarkVote, Node: 2, Term: 2, Detail: "voted for 1 (as the engine names it)"},
		{Time: 70 * ms, Kind: cluster.MarkRole, Node: 0, Term: 2, Detail: "Leader"},
		{Time: 70 * ms, Kind: cluster.MarkLeader, Node: 0, Term: 2},
		{Time: 100 * ms, Kind: cluster.MarkFaultStart, Node: 0, Detail: "100ms slow-disk for=100ms nodes=0 value=30 → nodes [0]"},
		{Time: 200 * ms, Kind: cluster.MarkFaultEnd, Node: 0, Detail: "100ms slow-disk for=100ms nodes=0 value=30"},
		{Time: 200 * ms, Kind: cluster.MarkCrash, Node: 1},
		{Time: 250 * ms, Kind: cluster.MarkFaultStart, Node: 0, Detail: partition.String() + " → nodes [0 1 2]"},
		{Time: 260 * ms, Kind: cluster.MarkFaultStart, Node: -1, Detail: "skipped: 260ms corrupt for=50ms nodes=2"},
		{Time: 300 * ms, Kind: cluster.MarkRefused, Node: 1, Detail: hostile},
		{Time: 350 * ms, Kind: cluster.MarkStart, Node: 1},
		{Time: 350 * ms, Kind: cluster.MarkRole, Node: 1, Term: 2, Detail: "Follower"},
		{Time: 350 * ms, Kind: cluster.MarkViolation, Node: 1, Detail: checker.KindDurability + ": " + hostile},
		{Time: 400 * ms, Kind: cluster.MarkPause, Node: 2},
		{Time: 450 * ms, Kind: cluster.MarkFaultEnd, Node: 0, Detail: partition.String()},
		{Time: 500 * ms, Kind: cluster.MarkResume, Node: 2},
		{Time: 600 * ms, Kind: cluster.MarkMember, Node: 2, Detail: "remove 2 at index 9 (voters [0 1], learners [])"},
		{Time: 600 * ms, Kind: cluster.MarkRemoved, Node: 2},
		{Time: 600 * ms, Kind: cluster.MarkCrash, Node: 2},
		{Time: 700 * ms, Kind: cluster.MarkFaultStart, Node: -1, Detail: "700ms delay for=5s value=40 → nodes []"},
		{Time: 800 * ms, Kind: cluster.MarkHeal, Node: -1},
		{Time: 900 * ms, Kind: cluster.MarkViolation, Node: -1, Detail: "liveness: " + hostile},
	}
}

// handStates are handResult's node state samples: node 0 campaigns and wins term 2 with node
// 2's vote; node 1 restarts at 350 ms with less log than it had.
func handStates() []cluster.NodeState {
	return []cluster.NodeState{
		{Time: 0, Node: 0, Term: 1}, {Time: 0, Node: 1, Term: 1}, {Time: 0, Node: 2, Term: 1},
		{Time: 60 * ms, Node: 0, Term: 2, Vote: 1},
		{Time: 65 * ms, Node: 2, Term: 2, Vote: 1},
		{Time: 80 * ms, Node: 0, Term: 2, Vote: 1, LastIndex: 1, LastTerm: 2, Commit: 1},
		{Time: 90 * ms, Node: 1, Term: 2, LastIndex: 1, LastTerm: 2, Commit: 1},
		{Time: 350 * ms, Node: 1, Term: 2},
		{Time: 990 * ms, Node: 2, Term: 3, Vote: 3, LastIndex: 1, LastTerm: 2, Commit: 1},
	}
}

// shrunkResult is handResult as a shrunk run's report sees it: no wall time recorded, a
// violation just before the heal point (its label and the heal's compete for room), and a
// drift whose value prints with float noise.
func shrunkResult(t testing.TB) *cluster.Result {
	t.Helper()
	res := handResult(t)
	res.Stats.WallSeconds = 0
	res.Violations = append(res.Violations, checker.Violation{Kind: checker.KindStaleRead, Time: 770 * ms, Nodes: []int{0}, Detail: "read at index 1 below commit 2"})
	drift := nemesis.Fault{At: simnet.Duration(600 * time.Millisecond), Kind: nemesis.Drift, For: simnet.Duration(100 * time.Millisecond), Nodes: []int{2}, Value: 0.9500000000000001}
	res.Schedule = append(res.Schedule, drift)
	res.Timeline = append(res.Timeline,
		cluster.Mark{Time: 600 * ms, Kind: cluster.MarkFaultStart, Node: -1, Fault: len(res.Schedule), Nodes: []int{2}, Detail: drift.String() + " → nodes [2]"},
		cluster.Mark{Time: 700 * ms, Kind: cluster.MarkFaultEnd, Node: -1, Fault: len(res.Schedule), Detail: drift.String()})
	return res
}
