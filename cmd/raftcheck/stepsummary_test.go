package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/reports"
)

// TestSweepStepSummary: --summary-md appends (as $GITHUB_STEP_SUMMARY wants) the counts, the
// failing seeds per kind and each failing seed with its first violation and replay command.
func TestSweepStepSummary(t *testing.T) {
	dir := t.TempDir()
	md := filepath.Join(dir, "step-summary.md")
	require.NoError(t, os.WriteFile(md, []byte("earlier step output\n"), 0o644))
	out := filepath.Join(dir, "out")
	r := invoke(t, withShort("sweep", "--seeds", "20", "--mutant", bug(t), "--json", "--progress", "none",
		"--out", out, "--summary-md", md)...)
	require.Equal(t, exitViolation, r.code, r.stderr)
	runs, sum := outputLines(t, r.stdout)
	text := readFile(t, md)
	assert.True(t, strings.HasPrefix(text, "earlier step output\n### raftcheck sweep: "), "appended:\n%s", text)
	assert.Contains(t, text, fmt.Sprintf("### raftcheck sweep: %d of 20 seeds failed\n", sum.Failed))
	assert.Contains(t, text, "Seeds 1..20, shard 0/1, engine raftcheck, workload swarm;")
	for kind, n := range sum.Violations {
		assert.Contains(t, text, fmt.Sprintf("| %s | %d |\n", kind, n))
	}
	assert.Contains(t, text, "Failing seeds (repro files and reports in `"+out+"`)")
	for _, rj := range runs {
		head := fmt.Sprintf("- **seed %d**: ", rj.Seed)
		if len(rj.Violations) == 0 {
			assert.NotContains(t, text, head)
			continue
		}
		assert.Contains(t, text, head+strings.Join(runKinds(&rj), ", ")+"\n")
		v := rj.Violations[0]
		assert.Contains(t, text, "  ```text\n  "+v.Kind+" at ")
		assert.Contains(t, text, v.Detail)
		assert.Contains(t, text, "  ```sh\n  "+rj.Replay+"\n  ```\n", "seed %d's replay command", rj.Seed)
		assert.FileExists(t, filepath.Join(out, fmt.Sprintf("seed-%d.json", rj.Seed)), "the repro the replay names")
	}

	// Again: appended once more, the first summary kept.
	r = invoke(t, withShort("sweep", "--seeds", "2", "--progress", "none", "--out", out, "--summary-md", md)...)
	require.Equal(t, exitOK, r.code, r.stderr)
	again := readFile(t, md)
	assert.True(t, strings.HasPrefix(again, text))
	assert.True(t, strings.HasPrefix(again[len(text):], "### raftcheck sweep: all 2 seeds passed\n\nSeeds 1..2, shard 0/1"), again[len(text):])
	assert.NotContains(t, again[len(text):], "Failing seeds")
}

// TestMergeStepSummary: the merged summary names the merged directory and the copied repro
// files in its replay commands.
func TestMergeStepSummary(t *testing.T) {
	dir := t.TempDir()
	files, dirs := ciShards(t, dir)
	merged := filepath.Join(dir, "merged")
	md := filepath.Join(dir, "summary.md")
	r := invoke(t, append(append([]string{"merge", "--out", merged, "--summary-md", md, "--json"}, files...), dirs...)...)
	require.Equal(t, exitViolation, r.code, r.stderr)
	_, sum := outputLines(t, r.stdout)
	failing := sum.FailingSeeds
	require.NotEmpty(t, failing)
	text := readFile(t, md)
	assert.Contains(t, text, fmt.Sprintf("### raftcheck merge: %d of 20 seeds failed\n", len(failing)))
	assert.Contains(t, text, "Seeds 1..20, shard 0/1")
	assert.Contains(t, text, "Failing seeds (repro files and reports in `"+merged+"`)")
	for _, seed := range failing {
		repro := filepath.Join(merged, fmt.Sprintf("seed-%d.json", seed))
		assert.Contains(t, text, "  ```sh\n  go run ./cmd/raftcheck replay "+repro+"\n  ```\n")
		assert.FileExists(t, repro)
	}
}

// TestStepSummaryBounds: at most maxListed seeds are listed; text that would end a code block
// or make a table cell does not.
func TestStepSummaryBounds(t *testing.T) {
	tl := newTally(cluster.DefaultConfig(), seedRange{from: 1, count: 100, shards: 1}, 1)
	for s := uint64(1); s <= maxListed+10; s++ {
		tl.add(s, 1, []string{"dura|bility"}, failure{run: reports.SweepRun{Seed: s, Kinds: []string{"dura|bility"}},
			replay:     fmt.Sprintf("raftcheck replay out/seed-%d.json", s),
			violations: []reports.ViolationJSON{{Kind: "dura|bility", Time: 1.5, Nodes: []int{1, 2}, Detail: "lost ```x``` <b>"}}})
	}
	text := stepSummary("sweep", tl, "out")
	assert.Equal(t, maxListed, strings.Count(text, "- **seed "))
	assert.Contains(t, text, "- … and 10 more: see `sweep.html` in `out`\n")
	assert.Contains(t, text, "| dura\\|bility | 60 |\n")
	assert.Contains(t, text, "- **seed 1**: dura\\|bility\n  ````text\n  dura|bility at 1.500s (nodes 1, 2): lost ```x``` <b>\n  ````\n")
	assert.NotContains(t, text, "seed 51**")
}
