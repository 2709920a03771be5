package cluster

import (
	"os"
	"testing"
	"time"

	"github.com/raftcheck/raftcheck/engine"
	"github.com/raftcheck/raftcheck/engine/raftengine"
	"github.com/raftcheck/raftcheck/simnet"
	"github.com/stretchr/testify/require"
)

// TestDrawHostFollowsSemantics: swarm draws each host behaviour only where the engine permits
// it, records Host "fixed", and leaves a fixed config alone; the draws do not depend on what
// the engine permits (the same stream gives the same values).
func TestDrawHostFollowsSemantics(t *testing.T) {
	all := engine.Semantics{LazyApply: true, RepeatReads: true, AsyncWrites: true}
	seen := map[bool]int{}
	for seed := uint64(1); seed <= 40; seed++ {
		c := DefaultConfig().drawHost(simnet.NewKernel(seed).Stream("tuning/host"), all)
		require.Equal(t, "fixed", c.Host)
		seen[c.ApplyDelay > 0]++
		seen[c.ReadRetry > 0]++
		seen[c.AsyncWrites]++
		none := DefaultConfig().drawHost(simnet.NewKernel(seed).Stream("tuning/host"), engine.Semantics{})
		require.Zero(t, none.ApplyDelay, "seed %d", seed)
		require.Zero(t, none.ReadRetry, "seed %d", seed)
		require.False(t, none.AsyncWrites, "seed %d", seed)
		older := DefaultConfig().drawHost(simnet.NewKernel(seed).Stream("tuning/host"), engine.Semantics{LazyApply: true, RepeatReads: true})
		require.Equal(t, c.ApplyDelay, older.ApplyDelay, "seed %d: async writes are drawn after the others", seed)
		require.Equal(t, c.ReadRetry, older.ReadRetry, "seed %d", seed)
		noIndex := DefaultConfig()
		noIndex.ReadIndex = false
		require.Zero(t, noIndex.drawHost(simnet.NewKernel(seed).Stream("tuning/host"), all).ReadRetry, "reads through the log have no ReadIndex to retry")
	}
	require.Greater(t, seen[true], 30, "the behaviours are drawn on in many seeds")
	require.Greater(t, seen[false], 20, "and off in some")
	fixed := DefaultConfig()
	fixed.Host, fixed.ApplyDelay = "fixed", simnet.Duration(time.Millisecond)
	require.Equal(t, fixed, fixed.drawHost(simnet.NewKernel(1).Stream("tuning/host"), all))
}

// TestHostBehaviourRefusedWhereNotPermitted: a fixed config asking an engine for a freedom
// its contract does not give is an error naming the field and the engine.
func TestHostBehaviourRefusedWhereNotPermitted(t *testing.T) {
	strict := *raftengine.Descriptor()
	strict.Semantics.LazyApply, strict.Semantics.RepeatReads = false, false
	cfg := short()
	cfg.Host, cfg.ApplyDelay = "fixed", simnet.Duration(time.Millisecond)
	_, err := Run(1, cfg, Options{Engine: &strict})
	require.ErrorContains(t, err, "apply_delay = 1ms: engine raftcheck does not let the host apply after Advance")
	cfg.ApplyDelay, cfg.ReadRetry = 0, simnet.Duration(50*time.Millisecond)
	_, err = Run(1, cfg, Options{Engine: &strict})
	require.ErrorContains(t, err, "read_retry = 50ms: engine raftcheck does not take a read's context twice")
	cfg.ReadRetry, cfg.AsyncWrites = 0, true
	_, err = Run(1, cfg, Options{Engine: raftengine.Descriptor()})
	require.ErrorContains(t, err, "async_writes = true: engine raftcheck does not write its log asynchronously")
	cfg.AsyncWrites = false
	cfg.Host = "lazy"
	require.ErrorContains(t, cfg.Validate(), `config host = lazy: must be "swarm" or "fixed"`)
}

// TestSlowStateMachine: with a slow state machine and read retries the run names them, reads
// still wait for the applied index (no violation) and the trace is deterministic.
func TestSlowStateMachine(t *testing.T) {
	cfg := short()
	cfg.Host, cfg.ApplyDelay, cfg.ReadRetry = "fixed", simnet.Duration(3*time.Millisecond), simnet.Duration(20*time.Millisecond)
	var hashes []uint64
	for range 2 {
		res, err := Run(7, cfg, Options{Engine: raftengine.Descriptor()})
		require.NoError(t, err)
		require.False(t, res.Failed(), "violations: %v", res.Violations)
		require.Contains(t, res.Notes, "host: a slow state machine applies one entry per 3ms, after Advance, behind commit")
		require.Contains(t, res.Notes, "host: a read waiting for its index is asked again with its original context every 20ms")
		require.Greater(t, res.Stats.OpsOK, 100)
		hashes = append(hashes, res.TraceHash)
	}
	require.Equal(t, hashes[0], hashes[1])
}

// TestHostBehaviourMatters: each planted bug that only a host behaviour (or a rolling change
// of protocol settings) exposes fails with that behaviour (its repro in the regression
// corpus) and passes on the same seed and schedule with the strictest host; so does etcd's
// own failure in a mixed cluster.
func TestHostBehaviourMatters(t *testing.T) {
	for _, name := range []string{"mutant-read-at-handed-index", "mutant-read-ctx-session", "mutant-etcd-image-at-handed-index", "mutant-etcd-async-ack-before-sync",
		"mutant-stale-append-unanswered", "finding-etcd-mixed-check-quorum"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := "../testdata/regressions/" + name + ".json"
			data, err := os.ReadFile(path)
			require.NoError(t, err)
			rp, err := ParseRepro(path, data)
			require.NoError(t, err)
			require.True(t, rp.Config.ApplyDelay+rp.Config.ReadRetry > 0 || !rp.Config.Roll.IsZero() || rp.Config.AsyncWrites, "%s runs with a host behaviour", path)
			opts, err := rp.Options(mustEngine(t, rp.Config.Engine))
			require.NoError(t, err)
			res, err := Run(rp.Seed, rp.Config, opts)
			require.NoError(t, err)
			require.True(t, res.Failed(), "%s: caught with the behaviour", path)
			strict := rp.Config
			strict.ApplyDelay, strict.ReadRetry, strict.Roll, strict.AsyncWrites = 0, 0, Roll{}, false
			res, err = Run(rp.Seed, strict, opts)
			require.NoError(t, err)
			require.False(t, res.Failed(), "%s: escapes with the strictest host: %v", path, res.Violations)
		})
	}
}
