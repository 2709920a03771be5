package main

import (
	"encoding/json"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/cluster"
)

// TestSweepConfirmsFailingSeeds: a sweep runs its first --max-reports failing seeds a second
// time. A seed whose second run differs (here: seed 2's, made to) is named on stderr and in
// the summary's "unreproducible", and the sweep exits 3: a bug in raftcheck, not in the
// Raft under test. Seeds past --max-reports run once.
func TestSweepConfirmsFailingSeeds(t *testing.T) {
	var mu sync.Mutex
	calls := map[uint64]int{}
	runner := func(seed uint64, cfg cluster.Config, opts cluster.Options) (*cluster.Result, error) {
		res, err := cluster.Run(seed, cfg, opts)
		mu.Lock()
		calls[seed]++
		second := calls[seed] == 2
		mu.Unlock()
		if err == nil && seed == 2 && second {
			res.TraceHash ^= 1
		}
		return res, err
	}
	dir := t.TempDir()
	r := invokeWith(t, runner, withShort("sweep", "--seeds", "4", "--mutant", "vote-not-persisted", "--max-reports", "3",
		"--json", "--progress", "none", "--out", dir)...)
	require.Equal(t, exitInternal, r.code, r.stderr)
	assert.Contains(t, r.stderr, "seed 2 does not reproduce: trace ")
	assert.Contains(t, r.stderr, "replay "+filepath.Join(dir, "seed-2.json")+")")
	assert.Contains(t, r.stderr, "1 failing seeds did not reproduce when run again ([2])")
	assert.Equal(t, map[uint64]int{1: 2, 2: 2, 3: 2, 4: 1}, calls, "the first three failing seeds run twice")
	lines := jsonLines(r.stdout)
	var s struct {
		Summary sweepSummaryJSON `json:"summary"`
	}
	require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &s))
	assert.Equal(t, []uint64{2}, s.Summary.Unreproducible)
	assert.Equal(t, 4, s.Summary.Failed)

	clear(calls)
	r = invokeWith(t, runner, withShort("sweep", "--seeds", "4", "--mutant", "vote-not-persisted", "--max-reports", "1",
		"--progress", "none", "--out", t.TempDir())...)
	require.Equal(t, exitViolation, r.code, r.stderr)
	assert.NotContains(t, r.stderr, "does not reproduce")
	assert.Equal(t, map[uint64]int{1: 2, 2: 1, 3: 1, 4: 1}, calls)
}
