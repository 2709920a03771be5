package cluster

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/raftcheck/raftcheck/engine/raftengine"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/simnet"
	"github.com/stretchr/testify/require"
)

// short is a 6-second run without swarm tuning, for scenario tests with hand-written
// schedules.
func short() Config {
	cfg := DefaultConfig()
	cfg.Duration, cfg.HealTime, cfg.Tuning, cfg.Host = simnet.Duration(6*time.Second), simnet.Duration(10*time.Second), "fixed", "fixed"
	return cfg
}

func runSchedule(t *testing.T, seed uint64, cfg Config, text string) *Result {
	t.Helper()
	s, err := nemesis.ParseSchedule(text)
	require.NoError(t, err)
	res, err := Run(seed, cfg, Options{Engine: raftengine.Descriptor(), Schedule: &s})
	require.NoError(t, err)
	return res
}

func marks(res *Result, kind MarkKind) []Mark {
	var out []Mark
	for _, m := range res.Timeline {
		if m.Kind == kind {
			out = append(out, m)
		}
	}
	return out
}

// TestCorruptedNodeRefusesToStart: a bit flipped in a synced sector makes the node refuse to
// restart (recorded, no violation) while the others go on and heal.
func TestCorruptedNodeRefusesToStart(t *testing.T) {
	res := runSchedule(t, 3, short(), "2s corrupt for=500ms nodes=2")
	require.False(t, res.Failed(), "violations: %v", res.Violations)
	refused := marks(res, MarkRefused)
	require.Len(t, refused, 1)
	require.Equal(t, 2, refused[0].Node)
	require.Contains(t, refused[0].Detail, "corrupt")
	require.Greater(t, res.Stats.OpsOK, 100, "the cluster goes on without node 2")
	require.GreaterOrEqual(t, res.Stats.LeaderAfterHeal, res.Stats.HealedAt)
}

// TestCrashAndPartitionHeal: a majority crash and a partition stop progress while they last;
// after the heal everything pending completes and nothing is violated.
func TestCrashAndPartitionHeal(t *testing.T) {
	res := runSchedule(t, 5, short(), `
		1s crash for=1.5s nodes=0,1,2 mode=torn
		3s partition for=2s nodes=0,1,2,3,4 shape=halves`)
	require.False(t, res.Failed(), "violations: %v", res.Violations)
	require.Equal(t, 2, res.Stats.FaultsApplied)
	crashed := map[int]bool{}
	for _, m := range marks(res, MarkCrash) {
		crashed[m.Node] = true
	}
	require.Equal(t, map[int]bool{0: true, 1: true, 2: true}, crashed)
	require.Len(t, marks(res, MarkStart), 5+3, "five boots and three restarts")
	for _, h := range res.History {
		require.NotZero(t, h.Outcome, "every operation ends with an outcome: %s", h)
	}
}

// TestReplaceNode: a replace adds a learner, which the leader promotes, then removes the old
// node, which is shut down; clients follow the new membership.
func TestReplaceNode(t *testing.T) {
	res := runSchedule(t, 9, short(), "1s replace nodes=4")
	require.False(t, res.Failed(), "violations: %v", res.Violations)
	var changes []string
	for _, m := range marks(res, MarkMember) {
		if !strings.HasPrefix(m.Detail, "promote") || m.Node >= 5 {
			changes = append(changes, strings.Fields(m.Detail)[0]+" "+strings.Fields(m.Detail)[1])
		}
	}
	require.Equal(t, []string{"add-learner 5", "promote 5", "remove 4"}, changes)
	removed := marks(res, MarkRemoved)
	require.Len(t, removed, 1)
	require.Equal(t, 4, removed[0].Node)
}

// TestPlantedBugIsCaught: mutant no-session-dedup applies a retried append twice; the append
// check sees the duplicate (a regression of the whole path: client retry, dedup, checker).
func TestPlantedBugIsCaught(t *testing.T) {
	cfg := short()
	cfg.Workload, cfg.Mutants = "append", []string{"no-session-dedup"}
	res := runSchedule(t, 2, cfg, "1s loss for=3s value=0.3")
	require.True(t, res.Failed())
	require.True(t, slices.Contains(res.Kinds(), "append-anomaly"), "kinds %v", res.Kinds())
}

func TestConfigValidate(t *testing.T) {
	cases := map[string]func(*Config){
		"config nodes = 12: must be in [3, 9]":        func(c *Config) { c.Nodes = 12 },
		"config workload = bank: must be":             func(c *Config) { c.Workload = "bank" },
		"config read_fraction = 1.5":                  func(c *Config) { c.ReadFraction = 1.5 },
		`unknown fault kind "meteor"`:                 func(c *Config) { c.Nemesis = "crash,meteor" },
		`unknown mutant "typo"`:                       func(c *Config) { c.Mutants = []string{"typo"} },
		"config tuning = wild: must be":               func(c *Config) { c.Tuning = "wild" },
		"config protocol.max_inflight = -1":           func(c *Config) { c.Protocol.MaxInflight = -1 },
		"config election_ticks = 1: must be > heartb": func(c *Config) { c.ElectionTicks = 1 },
	}
	for want, mutate := range cases {
		cfg := DefaultConfig()
		mutate(&cfg)
		_, err := Run(1, cfg, Options{Engine: raftengine.Descriptor()})
		require.ErrorContains(t, err, want)
	}
}

// TestNothingKeepsNetworkBuffers runs with the network scribbling over every buffer once it
// is delivered: a node or client that kept one (instead of copying what it needs) would
// apply garbage. The run must be the same run, with the same trace hash.
func TestNothingKeepsNetworkBuffers(t *testing.T) {
	for _, w := range []string{"kv", "append"} {
		cfg := DefaultConfig()
		cfg.Workload, cfg.Duration = w, simnet.Duration(10*time.Second)
		clean, err := Run(4, cfg, Options{Engine: raftengine.Descriptor()})
		require.NoError(t, err)
		poisoned, err := Run(4, cfg, Options{Engine: raftengine.Descriptor(), poison: true})
		require.NoError(t, err)
		require.False(t, poisoned.Failed(), "violations: %v", poisoned.Violations)
		require.Equal(t, clean.TraceHash, poisoned.TraceHash)
		require.Greater(t, poisoned.Stats.OpsOK, 100)
	}
}
