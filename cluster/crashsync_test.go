package cluster

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/engine/builtin"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/simnet"
)

// TestTornCrashWaitsForSync: a crash of mode torn strikes node 0 at once when its host is
// waiting for a sync, and otherwise halfway through its next wait: over a few start times
// some crashes are deferred, none by more than half the fault's duration, and each finds
// unsynced operations (the sync in flight) to tear. A crash of mode lose strikes when due.
// Both engines; the runs pass.
func TestTornCrashWaitsForSync(t *testing.T) {
	for _, d := range builtin.List() {
		for _, mode := range []string{"torn", "lose"} {
			t.Run(d.Name+"/"+mode, func(t *testing.T) {
				deferred := 0
				for k := range 6 {
					at := simnet.Duration(2*time.Second + time.Duration(k)*13*time.Millisecond)
					struck, pending := crashAt(t, d.Name, mode, at)
					if mode == "lose" {
						require.Equal(t, int64(at), struck, "a crash of mode lose strikes when due")
						continue
					}
					require.GreaterOrEqual(t, struck, int64(at))
					require.LessOrEqual(t, struck, int64(at)+int64(time.Second)/2)
					require.NotEqual(t, "0", pending, "the crash struck a sync in flight")
					if struck > int64(at) {
						deferred++
					}
				}
				if mode == "torn" {
					require.Positive(t, deferred, "no torn crash waited for a sync")
				}
			})
		}
	}
}

// crashAt runs a loaded cluster with one crash of node 0 of mode at at, for a second, and
// returns when node 0's disk crashed and the operations it found pending (the trace's
// diskcrash line: node, mode, pending).
func crashAt(t *testing.T, engine, mode string, at simnet.Duration) (int64, string) {
	d, err := builtin.Lookup(engine)
	require.NoError(t, err)
	cfg := DefaultConfig()
	cfg.Duration, cfg.Nemesis, cfg.Workload = simnet.Duration(5*time.Second), "none", "kv"
	cfg.SyncLatency = simnet.Duration(5 * time.Millisecond)
	sched := nemesis.Schedule{{Kind: nemesis.Crash, At: at, For: simnet.Duration(time.Second), Nodes: []int{0}, Mode: mode}}
	res, err := Run(7, cfg, Options{Engine: d, Schedule: &sched, RecordTrace: true})
	require.NoError(t, err)
	require.False(t, res.Failed(), "%v", res.Violations)
	for _, line := range res.Trace {
		f := strings.Fields(line)
		if len(f) == 5 && f[1] == "diskcrash" && f[2] == strconv.Itoa(0) {
			when, err := time.ParseDuration(f[0] + "s")
			require.NoError(t, err)
			return int64(when), f[4]
		}
	}
	t.Fatalf("node 0 never crashed")
	return 0, ""
}
