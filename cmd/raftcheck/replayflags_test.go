package main

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/engine"
	"github.com/raftcheck/raftcheck/reports"
	"github.com/raftcheck/raftcheck/simnet"
)

// TestReplayCommandRoundTrips: the replay command reports write for a run must give the CLI
// back exactly the config the run was asked for, for every field. The test config differs
// from the default in every field (checked), so a field added to cluster.Config without a
// flag, or a flag reports does not write, fails here.
func TestReplayCommandRoundTrips(t *testing.T) {
	cfg := cluster.DefaultConfig()
	cfg.Engine = "etcd" // not the default: the round trip covers --engine
	cfg.Nodes, cfg.Duration, cfg.HealTime, cfg.Workload = 7, simnet.Duration(9*time.Second), simnet.Duration(11*time.Second), "append"
	cfg.Clients, cfg.Rate, cfg.Keys, cfg.KeyDist, cfg.ReadFraction, cfg.WritesPerKey = 3, 42.5, 5, "uniform", 0.4, 7
	cfg.ReadIndex, cfg.Forwarding, cfg.Nemesis, cfg.FaultInterval = false, false, "crash,churn", simnet.Duration(3*time.Second)
	cfg.Mutants, cfg.Tuning = []string{"etcd-drop-hard-state", "no-session-dedup"}, "fixed"
	cfg.Protocol = engine.Protocol{PreVote: false, CheckQuorum: false, MaxAppend: 4, MaxInflight: 2, SnapshotChunk: 300}
	cfg.Tick, cfg.ElectionTicks, cfg.HeartbeatTicks = simnet.Duration(20*time.Millisecond), 7, 2
	cfg.ClientTimeout, cfg.LatencyMin, cfg.LatencyTail = simnet.Duration(700*time.Millisecond), simnet.Duration(3*time.Millisecond), simnet.Duration(4*time.Millisecond)
	cfg.SyncLatency, cfg.CompactEvery, cfg.MaxEvents = simnet.Duration(5*time.Millisecond), 77, 1234567
	cfg.WALSegmentBytes = 8192
	cfg.Host, cfg.ApplyDelay, cfg.ReadRetry = "fixed", simnet.Duration(2*time.Millisecond), simnet.Duration(70*time.Millisecond)
	cfg.AsyncWrites = true
	cfg.Roll = cluster.Roll{PreVote: true, CheckQuorum: true, To: true, At: simnet.Duration(2 * time.Second), Every: simnet.Duration(time.Second), Nodes: 3}
	require.NoError(t, cfg.Validate())
	requireEveryFieldDiffers(t, "Config", reflect.ValueOf(cfg), reflect.ValueOf(cluster.DefaultConfig()))

	cmd := reports.ReplayCommand(&cluster.Result{Seed: 9, Config: cfg, Requested: cfg}, "")
	args := strings.Fields(strings.TrimPrefix(cmd, "go run ./cmd/raftcheck replay "))
	c := newCLI("replay", "", "")
	var seed seedFlag
	c.fs.Var(&seed, "seed", "")
	cf := c.configFlags()
	_, err := c.parse(newEnv(nil, nil), args)
	require.NoError(t, err, cmd)
	got, err := cf.config()
	require.NoError(t, err)
	require.Equal(t, uint64(9), seed.v)
	require.Equal(t, cfg.String(), got.String(), "command: %s", cmd)
}

// requireEveryFieldDiffers fails for every field (of nested structs too) that a and b share.
func requireEveryFieldDiffers(t *testing.T, path string, a, b reflect.Value) {
	t.Helper()
	if a.Kind() != reflect.Struct {
		require.False(t, reflect.DeepEqual(a.Interface(), b.Interface()),
			"%s is the default in the test config: set it so that the round trip covers it", path)
		return
	}
	for i := range a.NumField() {
		requireEveryFieldDiffers(t, path+"."+a.Type().Field(i).Name, a.Field(i), b.Field(i))
	}
}
