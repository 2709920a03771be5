package enginetest

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/engine/raftengine"
)

// TestRunOurRaft is the entry point as a Raft author uses it, on our own engine.
func TestRunOurRaft(t *testing.T) {
	cfg := cluster.DefaultConfig()
	cfg.Duration = cfg.Duration / 3
	Run(t, raftengine.Descriptor(), Options{Config: cfg, Seeds: 2, Parallel: true})
}

func TestPlanFromEnvironment(t *testing.T) {
	d := raftengine.Descriptor()
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	cfg, seeds, err := plan(d, Options{}, env(nil))
	require.NoError(t, err)
	assert.Len(t, seeds, 10)
	assert.Equal(t, "raftcheck", cfg.Engine)
	assert.Equal(t, cluster.DefaultConfig().Nodes, cfg.Nodes)

	cfg, seeds, err = plan(d, Options{Seeds: 3}, env(map[string]string{EnvSeed: "42", EnvMutant: "no-step-down,vote-not-persisted"}))
	require.NoError(t, err)
	assert.Equal(t, []uint64{42}, seeds)
	assert.Equal(t, []string{"no-step-down", "vote-not-persisted"}, cfg.Mutants)

	_, seeds, err = plan(d, Options{Seeds: 3}, env(map[string]string{EnvSeeds: "5"}))
	require.NoError(t, err)
	assert.Len(t, seeds, 5)
	_, seeds, err = plan(d, Options{Seed: 9}, env(nil))
	require.NoError(t, err)
	assert.Equal(t, []uint64{9}, seeds)

	_, _, err = plan(d, Options{}, env(map[string]string{EnvSeed: "x"}))
	assert.EqualError(t, err, `RAFTCHECK_SEED="x": want an unsigned integer`)
	_, _, err = plan(d, Options{}, env(map[string]string{EnvSeeds: "0"}))
	assert.EqualError(t, err, `RAFTCHECK_SEEDS="0": want a positive integer`)
}

// recorder is a reporter that keeps what a failing seed reports.
type recorder struct {
	dir    string
	errors []string
}

func (r *recorder) Helper()             {}
func (r *recorder) Name() string        { return "TestMyRaft/seed=4" }
func (r *recorder) ArtifactDir() string { return r.dir }
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) { r.Errorf(format, args...) }

// TestFailingSeedReports: a seed that fails reports its violations, writes its repro file and
// HTML report, and prints one command that reruns it with the same planted bug.
func TestFailingSeedReports(t *testing.T) {
	cfg := cluster.DefaultConfig()
	cfg.Mutants = []string{"vote-without-log-check"}
	d := raftengine.Descriptor()
	var rec *recorder
	var seed uint64
	for seed = 1; seed <= 30; seed++ {
		rec = &recorder{dir: t.TempDir()}
		if check(rec, d, cfg, seed); len(rec.errors) > 0 {
			break
		}
	}
	require.NotEmpty(t, rec.errors, "no seed in 1..30 failed with vote-without-log-check")
	msg := rec.errors[0]
	assert.Contains(t, msg, fmt.Sprintf("]  seed %d  trace ", seed))
	assert.True(t, strings.HasPrefix(msg, "FAIL ["), msg[:40])
	assert.Contains(t, msg, fmt.Sprintf("replay: RAFTCHECK_SEED=%d RAFTCHECK_MUTANT=vote-without-log-check go test -run '^TestMyRaft$' -v ./enginetest", seed))
	for _, ext := range []string{".json", ".html"} {
		path := fmt.Sprintf("%s/seed-%d%s", rec.dir, seed, ext)
		assert.Contains(t, msg, path)
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.NotEmpty(t, data)
	}
	repro, err := os.ReadFile(fmt.Sprintf("%s/seed-%d.json", rec.dir, seed))
	require.NoError(t, err)
	rp, err := cluster.ParseRepro("repro", repro)
	require.NoError(t, err)
	assert.Equal(t, seed, rp.Seed)
	assert.Equal(t, d.Version, rp.EngineVersion)
	assert.True(t, strings.Contains(string(repro), `"vote-without-log-check"`))
}

// TestReplayCommandNamesTheSubtest: a seed run inside a subtest (one per engine, say) replays
// only that subtest's seed, in the test's package as seen from the module root.
func TestReplayCommandNamesTheSubtest(t *testing.T) {
	cfg := cluster.DefaultConfig()
	assert.Equal(t, "RAFTCHECK_SEED=9 go test -run '^TestSimulation$/^etcd$' -v ./enginetest",
		replayCommand("TestSimulation/etcd/seed=9", 9, cfg))
	cfg.Mutants = []string{"a", "b"}
	assert.Equal(t, "RAFTCHECK_SEED=3 RAFTCHECK_MUTANT=a,b go test -run '^Test\\.X$' -v ./enginetest",
		replayCommand("Test.X/seed=3", 3, cfg))
}
