package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/simnet"
)

// guidedRunView is what must be the same in two guided sweeps of the same range: each run's
// seed, schedule, trace hash and verdict, in order.
type guidedRunView struct {
	Seed     uint64
	Schedule string
	Hash     string
	Kinds    []string
}

// guidedSweep runs a guided sweep of 40 short runs and returns its runs, its summary line and
// the --out directory.
func guidedSweep(t *testing.T, parallel int, extra ...string) ([]guidedRunView, sweepSummaryJSON, string) {
	t.Helper()
	dir := t.TempDir()
	args := withShort(append([]string{"sweep", "--guided", "--from", "11", "--count", "40", "--parallel", fmt.Sprint(parallel),
		"--progress", "none", "--out", dir, "--json"}, extra...)...)
	r := invokeUncapped(t, args...)
	require.Contains(t, []int{exitOK, exitViolation}, r.code, r.stderr)
	lines := jsonLines(r.stdout)
	var views []guidedRunView
	for _, line := range lines[:len(lines)-1] {
		rj := decodeRun(t, line)
		views = append(views, guidedRunView{rj.Seed, rj.Schedule.String(), rj.TraceHash, runKinds(&rj)})
	}
	var sum struct{ Summary sweepSummaryJSON }
	require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &sum))
	return views, sum.Summary, dir
}

func TestGuidedSweepIsDeterministicWhateverParallel(t *testing.T) {
	one, sum1, _ := guidedSweep(t, 1)
	again, sum2, _ := guidedSweep(t, 1)
	three, sum3, dir := guidedSweep(t, 3)
	require.Len(t, one, 40)
	assert.Empty(t, cmp.Diff(one, again), "the same guided sweep twice")
	assert.Empty(t, cmp.Diff(one, three), "--parallel 1 vs 3")
	assert.True(t, sum1.Guided)
	assert.Greater(t, sum1.Covered, 100)
	assert.Equal(t, sum1.Covered, sum2.Covered)
	assert.Equal(t, sum1.Covered, sum3.Covered)
	// The first batch is the range's first seeds; later batches mix in mutants with explicit
	// schedules, each with its repro file.
	for k := range guidedBatch {
		assert.Equal(t, uint64(11+k), one[k].Seed)
	}
	files, err := filepath.Glob(filepath.Join(dir, guidedDir, "run-*.json"))
	require.NoError(t, err)
	assert.NotEmpty(t, files, "no mutant run in 40 runs")
	assert.Less(t, len(files), 40-guidedBatch+1)
}

func TestGuidedRunReplaysFromItsReproFile(t *testing.T) {
	views, _, dir := guidedSweep(t, 2)
	files, err := filepath.Glob(filepath.Join(dir, guidedDir, "run-*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	var k int
	_, err = fmt.Sscanf(filepath.Base(files[0]), "run-%d.json", &k)
	require.NoError(t, err)
	data, err := os.ReadFile(files[0])
	require.NoError(t, err)
	rp, err := cluster.ParseRepro(files[0], data)
	require.NoError(t, err)
	require.NotNil(t, rp.Schedule, "a mutant's schedule is explicit")
	assert.Equal(t, views[k].Seed, rp.Seed)
	assert.Equal(t, views[k].Schedule, rp.Schedule.String())
	assert.Contains(t, rp.Note, fmt.Sprintf("guided run %d:", k))
	r := invoke(t, "replay", files[0])
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "reproduced: same trace hash "+views[k].Hash)
	c := invoke(t, "coverage", "--json", files[0])
	require.Equal(t, exitOK, c.code, c.stderr)
	assert.Contains(t, c.stdout, `"covered":`)
}

func TestCoverageSweepIsTheRangesSeeds(t *testing.T) {
	dir := t.TempDir()
	r := invoke(t, withShort("sweep", "--coverage", "--from", "3", "--count", "20", "--progress", "none", "--out", dir)...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `coverage: \d+ of \d+ features \(random\)`, r.stdout)
	page, err := os.ReadFile(filepath.Join(dir, "sweep.html"))
	require.NoError(t, err)
	assert.Contains(t, string(page), "Features never reached")
	assert.Contains(t, string(page), "<polyline")
	bad := invoke(t, withShort("sweep", "--coverage", "--baseline", "--seeds", "2", "--out", dir)...)
	assert.Equal(t, exitUsage, bad.code)
	assert.Contains(t, bad.stderr, "--baseline")
}

func TestGuidedSweepWithBaselinePlotsBoth(t *testing.T) {
	dir := t.TempDir()
	r := invoke(t, withShort("sweep", "--guided", "--baseline", "--seeds", "20", "--progress", "none", "--out", dir)...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `coverage: \d+ of \d+ features \(guided, \d+ runs in the corpus; random over the same 20 seeds: \d+\)`, r.stdout)
	page, err := os.ReadFile(filepath.Join(dir, "sweep.html"))
	require.NoError(t, err)
	assert.Equal(t, 2, strings.Count(string(page), "<polyline"))
}

func TestMutantsStayValid(t *testing.T) {
	cfg := cluster.DefaultConfig()
	g := newGuide(cfg, seedRange{from: 1, count: 1000, shards: 1}, true)
	parent := nemesis.Schedule{
		{At: 1e9, Kind: nemesis.Crash, For: 2e9, Nodes: []int{1, 2}, Mode: "torn"},
		{At: 5e9, Kind: nemesis.Partition, For: 3e9, Nodes: []int{0, 1, 2, 3, 4}, Shape: "ring"},
		{At: 9e9, Kind: nemesis.Loss, For: 1e9, Value: 0.2},
		{At: 12e9, Kind: nemesis.Hold, For: 2e9, Leader: true, Value: 1},
		{At: 14e9, Kind: nemesis.Drift, For: 2e9, Nodes: []int{0, 1, 2}, Value: 0.95},
	}
	g.corpus = []corpusEntry{{k: 0, seed: 7, cfg: cfg, sched: parent, gain: 1, weight: 1, events: []simnet.Duration{2e9, 20e9}}}
	g.donors = append(g.donors, parent...)
	differ := 0
	for range 500 {
		m := g.mutant()
		require.NotNil(t, m.sched)
		for _, f := range *m.sched {
			require.NoError(t, f.Validate(), "%s from %s", f, m.origin)
			require.NoError(t, checkFault(f, cfg.Nodes, cfg.Duration), "%s from %s", f, m.origin)
			if f.Kind == nemesis.Drift {
				require.LessOrEqual(t, f.Value, 1.0, "drift %s from %s: the nodes' rates span Value..2-Value", f, m.origin)
			}
		}
		require.NoError(t, m.cfg.Validate(), m.origin)
		if m.sched.String() != parent.String() || m.cfg.String() != cfg.String() || m.seed != 7 {
			differ++
		}
	}
	assert.Greater(t, differ, 400, "most mutants differ from their parent")
	assert.Equal(t, 7, int(g.corpus[0].seed), "mutating never changes the corpus")
	assert.Equal(t, 5, len(g.corpus[0].sched))
}

func TestGuidedSweepShardWithEtcd(t *testing.T) {
	dir := t.TempDir()
	r := invoke(t, withShort("sweep", "--guided", "--engine", "etcd", "--from", "100", "--count", "40", "--shard", "1/2",
		"--progress", "none", "--out", dir, "--json")...)
	require.Contains(t, []int{exitOK, exitViolation}, r.code, r.stderr)
	lines := jsonLines(r.stdout)
	require.Len(t, lines, 20+1, "a shard of 40 runs in 2 has 20")
	for k := range guidedBatch { // the first batch: the shard's seeds 101, 103, ...
		rj := decodeRun(t, lines[k])
		assert.Equal(t, uint64(101+2*k), rj.Seed)
		assert.Equal(t, "etcd", rj.Config.Engine)
	}
	var sum struct{ Summary sweepSummaryJSON }
	require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &sum))
	assert.Equal(t, "1/2", sum.Summary.Shard)
	assert.Greater(t, sum.Summary.Covered, 50)
}

func TestGuidedHuntCatchesAndShrinksAMutant(t *testing.T) {
	dir := t.TempDir()
	r := invoke(t, withShort("hunt", "--guided", "--mutant", "vote-without-log-check", "--from", "1", "--max-seeds", "300",
		"--clean-seeds", "0", "--shrink-runs", "20", "--parallel", "2", "--out", dir, "--json")...)
	require.Equal(t, exitOK, r.code, r.stderr)
	var row huntRow
	require.NoError(t, json.Unmarshal([]byte(jsonLines(r.stdout)[0]), &row))
	assert.True(t, row.Caught, r.stdout)
	assert.Greater(t, row.Seeds, 0)
	assert.FileExists(t, row.Repro)
	again := invoke(t, withShort("hunt", "--guided", "--mutant", "vote-without-log-check", "--from", "1", "--max-seeds", "300",
		"--clean-seeds", "0", "--shrink-runs", "20", "--parallel", "1", "--out", t.TempDir(), "--json")...)
	var row2 huntRow
	require.NoError(t, json.Unmarshal([]byte(jsonLines(again.stdout)[0]), &row2))
	assert.Equal(t, row.Seeds, row2.Seeds, "runs to the first catch do not depend on --parallel")
	assert.Equal(t, row.Seed, row2.Seed)
}
