package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestShrinkNothingToShrink: shrinking a run that does not show the violation says so in a
// sentence, with what the run shows instead: exit 2, nothing written.
func TestShrinkNothingToShrink(t *testing.T) {
	dir := t.TempDir()
	r := invoke(t, "shrink", "--seed", "1", "--duration", "1s", "--nemesis", "none", "--out", dir)
	assert.Equal(t, exitUsage, r.code)
	assert.Equal(t, "raftcheck shrink: seed 1 does not fail (no violation); nothing to shrink\n", r.stderr)
	assert.Empty(t, r.stdout)

	r = invoke(t, "shrink", "--seed", "1", "--duration", "1s", "--nemesis", "none", "--kind", "durability", "--out", dir)
	assert.Equal(t, exitUsage, r.code)
	assert.True(t, strings.HasSuffix(r.stderr, "raftcheck shrink: seed 1 shows no violation of kind durability (it shows no violation); nothing to shrink\n"), r.stderr)

	seed, found := failingSeed(t)
	other := "election-safety"
	if slices.Contains(runKinds(&found), other) {
		other = "leader-completeness"
	}
	r = invoke(t, withShort("shrink", "--seed", seed, "--mutant", bug(t), "--kind", other, "--out", dir)...)
	assert.Equal(t, exitUsage, r.code)
	assert.True(t, strings.HasSuffix(r.stderr, "raftcheck shrink: seed "+seed+" shows no violation of kind "+other+" (it shows ["+
		strings.Join(runKinds(&found), " ")+"]); nothing to shrink\n"), r.stderr)
	assert.NotContains(t, r.stderr, `shows [], not`)
}
