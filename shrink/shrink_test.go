package shrink

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/engine/raftengine"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/simnet"
	"github.com/raftcheck/raftcheck/workloads"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// plantedBugs are mutants that default swarm runs catch within a few dozen seeds. Tests take
// the first one that fails, so that they survive changes to which seed catches which bug.
var plantedBugs = []string{"commit-to-last-index", "vote-without-log-check", "truncate-on-stale-append",
	"wal-truncate-on-corruption", "vote-not-persisted"}

// firstFailing finds the first of mutants, and its first seed in [1, 50], on which the
// default config fails.
func firstFailing(t *testing.T, mutants []string) (cluster.Config, uint64, *cluster.Result) {
	t.Helper()
	for _, m := range mutants {
		cfg := cluster.DefaultConfig()
		cfg.Mutants = []string{m}
		for seed := uint64(1); seed <= 50; seed++ {
			res, err := cluster.Run(seed, cfg, ours(nil))
			require.NoError(t, err)
			if res.Failed() {
				return cfg, seed, res
			}
		}
	}
	t.Fatalf("none of the mutants %v fails on a seed in [1, 50]", mutants)
	return cluster.Config{}, 0, nil
}

func TestShrinkPlantedBug(t *testing.T) {
	cfg, seed, orig := firstFailing(t, plantedBugs)
	kind := orig.Violations[0].Kind
	var lines []string
	sr, err := Run(seed, cfg, ours(nil), "", Budget{MaxRuns: 200}, func(s string) { lines = append(lines, s) })
	require.NoError(t, err)
	t.Logf("%v seed %d %s: %s -> %s in %d runs\n%s", cfg.Mutants, seed, kind, sr.Before, sr.After, sr.Runs, sr.Schedule)

	assert.Equal(t, kind, sr.Kind, "kind \"\" means the first violation's kind")
	assert.LessOrEqual(t, sr.After.Faults, 5, "faults left")
	assert.LessOrEqual(t, sr.Runs, 200, "runs used")
	assert.Equal(t, sizeOf(orig), sr.Before)
	assert.Equal(t, len(sr.Schedule), sr.After.Faults)
	assert.NotEmpty(t, lines, "progress lines")
	require.True(t, hasKind(sr.Result, kind), "shrunk result kinds %v; want %s", sr.Result.Kinds(), kind)

	data, err := sr.Repro().Marshal()
	require.NoError(t, err)
	rp, err := cluster.ParseRepro("shrunk.json", data)
	require.NoError(t, err)
	require.NotNil(t, rp.Schedule, "shrunk repro has an explicit schedule")
	require.Len(t, rp.Ops, sr.Config.Clients, "shrunk repro has every client's operations")
	assert.Less(t, sr.After.Ops, sr.Before.Ops, "operations dropped")
	require.Contains(t, rp.Expect.Kinds, kind)
	for i := range 2 {
		opts, err := rp.Options(raftengine.Descriptor())
		require.NoError(t, err)
		again, err := cluster.Run(rp.Seed, rp.Config, opts)
		require.NoError(t, err)
		assert.Equal(t, rp.Expect.TraceHash, fmt.Sprintf("%016x", again.TraceHash), "replay %d", i)
		assert.Equal(t, rp.Expect.Kinds, again.Kinds(), "replay %d", i)
	}
}

func TestShrinkNotFailing(t *testing.T) {
	cfg := cluster.DefaultConfig()
	cfg.Duration, cfg.Nemesis = simnet.Duration(2*time.Second), "none"
	_, err := Run(1, cfg, ours(nil), "durability", Budget{}, nil)
	require.ErrorIs(t, err, ErrNotFailing)

	cfg.Nodes = 1
	_, err = Run(1, cfg, ours(nil), "", Budget{}, nil)
	require.ErrorContains(t, err, "config nodes = 1")
}

func TestShrinkBudgetAndDeterminism(t *testing.T) {
	cfg, seed, _ := firstFailing(t, []string{"wal-truncate-on-corruption", "vote-not-persisted", "truncate-on-stale-append"})
	for _, maxRuns := range []int{1, 6, 40} {
		t.Run(fmt.Sprintf("max=%d", maxRuns), func(t *testing.T) {
			a, err := Run(seed, cfg, ours(nil), "", Budget{MaxRuns: maxRuns}, nil)
			require.NoError(t, err)
			b, err := Run(seed, cfg, ours(nil), "", Budget{MaxRuns: maxRuns}, nil)
			require.NoError(t, err)
			assert.LessOrEqual(t, a.Runs, maxRuns)
			assert.True(t, hasKind(a.Result, a.Kind), "kinds %v; want %s", a.Result.Kinds(), a.Kind)
			assert.Equal(t, a.Result.TraceHash, b.Result.TraceHash, "two shrinks differ")
			assert.Empty(t, cmp.Diff(a.Schedule.String(), b.Schedule.String()))
			if maxRuns == 1 {
				assert.True(t, a.Exhausted)
				assert.Equal(t, a.Before, a.After, "one run only confirms")
			}
		})
	}
}

func TestShrinkExplicitSchedule(t *testing.T) {
	cfg, seed, orig := firstFailing(t, []string{"wal-truncate-on-corruption", "vote-not-persisted", "truncate-on-stale-append"})
	sched := append(nemesis.Schedule{}, orig.Schedule...)
	sr, err := Run(seed, cfg, ours(&sched), orig.Violations[0].Kind, Budget{MaxRuns: 60}, nil)
	require.NoError(t, err)
	assert.Equal(t, len(orig.Schedule), sr.Before.Faults)
	assert.Less(t, sr.After.Faults, sr.Before.Faults)
	assert.Equal(t, orig.Schedule.String(), sched.String(), "the caller's schedule is not modified")
}

func TestDropNodes(t *testing.T) {
	sched, err := nemesis.ParseSchedule(`
1s crash for=1s nodes=1,4 mode=torn
2s pause for=1s nodes=3,4
3s remove leader
4s remove nodes=4
5s partition for=1s nodes=4,0,2,1,3 shape=ring
6s loss for=1s value=0.2
`)
	require.NoError(t, err)
	got := dropNodes(sched, 4).String()
	want := `1s crash for=1s nodes=1 mode=torn
2s pause for=1s nodes=3
3s remove leader
5s partition for=1s nodes=0,2,1,3 shape=ring
6s loss for=1s value=0.2
`
	assert.Empty(t, cmp.Diff(want, got))
	got = dropNodes(sched, 3).String()
	want = `1s crash for=1s nodes=1 mode=torn
3s remove leader
5s partition for=1s nodes=0,2,1 shape=ring
6s loss for=1s value=0.2
`
	assert.Empty(t, cmp.Diff(want, got), "down to 3 nodes, the pause of nodes 3 and 4 goes")
	assert.Equal(t, "1s crash for=1s nodes=1,4 mode=torn", sched[0].String(), "the input is not modified")
}

func TestShrinkSizeString(t *testing.T) {
	s := Size{Faults: 2, Duration: simnet.Duration(3 * time.Second), HealTime: simnet.Duration(time.Second),
		Clients: 1, Rate: 6.25, Ops: 40, Nodes: 3}
	want := "2 faults, duration 3s, heal bound 1s, 1 clients at 6.25 ops/s, 40 ops, 3 nodes"
	assert.Equal(t, want, s.String())
}

// ours is the options of a run of our raft with schedule (nil: generated from the seed).
func ours(schedule *nemesis.Schedule) cluster.Options {
	return cluster.Options{Engine: raftengine.Descriptor(), Schedule: schedule}
}

func TestWithoutOps(t *testing.T) {
	op := func(v string) workloads.Op { return workloads.Op{Kind: workloads.Put, Key: "k", Value: v} }
	ops := cluster.ClientOps{{op("1"), op("2"), op("3")}, {}, {op("4"), op("5")}}
	for _, c := range []struct {
		from, to int
		want     cluster.ClientOps
	}{
		{0, 1, cluster.ClientOps{{op("2"), op("3")}, {}, {op("4"), op("5")}}},
		{2, 4, cluster.ClientOps{{op("1"), op("2")}, {}, {op("5")}}},
		{0, 5, cluster.ClientOps{{}, {}, {}}},
		{4, 9, cluster.ClientOps{{op("1"), op("2"), op("3")}, {}, {op("4")}}},
	} {
		got := withoutOps(ops, c.from, c.to)
		assert.Equal(t, c.want.Lines(), got.Lines(), "[%d,%d)", c.from, c.to)
	}
	assert.Equal(t, 5, ops.Len(), "the input is not modified")
}

func TestKindSubset(t *testing.T) {
	kinds := []string{"crash", "pause", "hold", "loss"}
	assert.Equal(t, []string{"crash", "hold"}, kindSubset(kinds, 0b0101))
	assert.Equal(t, kinds, kindSubset(kinds, 0b1111))
	assert.Equal(t, []string{"crash"}, kindSubset(kinds, 16), "no bit of a kind set: one kind, picked by the bits")
}

// TestShrinkTriesTheStrictestHost: shrinking tries each host behaviour off; a bug that only a
// slow state machine exposes keeps it (the run cannot fail without it).
func TestShrinkTriesTheStrictestHost(t *testing.T) {
	cfg := cluster.DefaultConfig()
	cfg.Mutants = []string{"read-at-handed-index"}
	cfg.Host, cfg.ApplyDelay, cfg.ReadRetry = "fixed", simnet.Duration(time.Millisecond), simnet.Duration(100*time.Millisecond)
	cfg.Duration = simnet.Duration(10 * time.Second)
	seed := uint64(0)
	for s := uint64(1); s <= 30 && seed == 0; s++ {
		res, err := cluster.Run(s, cfg, ours(nil))
		require.NoError(t, err)
		if hasKind(res, checker.KindStaleRead) {
			seed = s
		}
	}
	require.NotZero(t, seed, "read-at-handed-index shows a stale read on a seed in [1, 30]")
	var steps []string
	sr, err := Run(seed, cfg, ours(nil), checker.KindStaleRead, Budget{MaxRuns: 150}, func(s string) { steps = append(steps, s) })
	require.NoError(t, err)
	require.True(t, hasKind(sr.Result, checker.KindStaleRead))
	assert.Equal(t, cfg.ApplyDelay, sr.Config.ApplyDelay, "the slow state machine is what the bug needs")
	assert.True(t, slices.ContainsFunc(steps, func(s string) bool { return strings.HasPrefix(s, "host behaviours: ") }), "steps: %q", steps)
}
