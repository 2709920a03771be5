package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/reports"
	"github.com/raftcheck/raftcheck/simnet"
)

// huntMutants are planted bugs that short runs catch. The flow tests use the first that fails
// on a seed in 1..20 (5 s runs), so that they survive changes to which seed catches which bug.
var huntMutants = []string{"truncate-on-stale-append", "vote-without-log-check", "wal-truncate-on-corruption",
	"vote-not-persisted", "commit-prior-term", "commit-to-last-index"}

var failing struct {
	once   sync.Once
	mutant string
	seed   string
	run    reports.RunJSON
	err    string
}

// failingSeed returns the first failing seed of the first mutant of huntMutants that fails.
func failingSeed(t *testing.T) (string, reports.RunJSON) {
	t.Helper()
	failing.once.Do(func() {
		for _, m := range huntMutants {
			r := invoke(t, withShort("sweep", "--seeds", "20", "--mutant", m, "--json", "--progress", "none", "--out", t.TempDir())...)
			for _, line := range jsonLines(r.stdout) {
				var rj reports.RunJSON
				if json.Unmarshal([]byte(line), &rj) == nil && len(rj.Violations) > 0 {
					failing.mutant, failing.seed, failing.run = m, strconv.FormatUint(rj.Seed, 10), rj
					return
				}
			}
		}
		failing.err = fmt.Sprintf("none of %v fails on a seed in 1..20 with --duration 5s", huntMutants)
	})
	if failing.err != "" {
		t.Fatal(failing.err)
	}
	return failing.seed, failing.run
}

// bug is the mutant failingSeed found.
func bug(t *testing.T) string {
	t.Helper()
	failingSeed(t)
	return failing.mutant
}

func jsonLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

func decodeRun(t *testing.T, line string) reports.RunJSON {
	t.Helper()
	var rj reports.RunJSON
	require.NoError(t, json.Unmarshal([]byte(line), &rj), "line: %s", line)
	return rj
}

func readRepro(t *testing.T, path string) cluster.Repro {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	rp, err := cluster.ParseRepro(path, data)
	require.NoError(t, err)
	return rp
}

// TestMutantFlow is the story: sweep finds a planted bug, replay reproduces it with the
// same hash, shrink leaves a few faults that still fail, report renders HTML.
func TestMutantFlow(t *testing.T) {
	dir := t.TempDir()
	seed, found := failingSeed(t)
	r := invoke(t, withShort("sweep", "--from", seed, "--count", "1", "--mutant", bug(t), "--progress", "none", "--out", dir)...)
	require.Equal(t, exitViolation, r.code, r.stderr)
	repro := filepath.Join(dir, "seed-"+seed+".json")
	assert.Contains(t, r.stdout, "go run ./cmd/raftcheck replay "+repro)
	assert.FileExists(t, filepath.Join(dir, "seed-"+seed+".html"))
	assert.FileExists(t, filepath.Join(dir, "sweep.html"))

	for range 2 {
		r = invoke(t, "replay", repro, "--out", dir)
		require.Equal(t, exitViolation, r.code, r.stderr)
		assert.Contains(t, r.stdout, "reproduced: same trace hash "+found.TraceHash)
	}

	r = invoke(t, "shrink", repro, "--out", dir, "--max-runs", "150")
	require.Equal(t, exitViolation, r.code, r.stderr)
	shrunk := filepath.Join(dir, "seed-"+seed+"-shrunk.json")
	assert.Contains(t, r.stdout, "replay: go run ./cmd/raftcheck replay "+shrunk)
	assert.Contains(t, r.stdout, "faults ")
	assert.Contains(t, r.stderr, "shrink: done in ")
	rp := readRepro(t, shrunk)
	require.NotNil(t, rp.Schedule)
	assert.LessOrEqual(t, len(*rp.Schedule), 5, "faults left: %s", rp.Schedule)
	require.Len(t, rp.Ops, rp.Config.Clients, "the shrunk repro lists each client's operations")
	assert.Contains(t, r.stdout, "operations")
	require.NotNil(t, rp.Expect)
	assert.NotEmpty(t, rp.Expect.Kinds)

	for range 2 {
		r = invoke(t, "replay", shrunk, "--out", dir)
		require.Equal(t, exitViolation, r.code, r.stderr)
		assert.Contains(t, r.stdout, "reproduced: same trace hash "+rp.Expect.TraceHash)
	}

	r = invoke(t, "report", shrunk, "--out", dir)
	require.Equal(t, exitViolation, r.code, r.stderr)
	html := filepath.Join(dir, "seed-"+seed+"-shrunk.html")
	assert.Contains(t, r.stdout, "report: "+html)
	assert.Contains(t, r.stdout, "reproduced: same trace hash "+rp.Expect.TraceHash)
	page, err := os.ReadFile(html)
	require.NoError(t, err)
	assert.Contains(t, strings.ToLower(string(page)), "<html")
}

func TestReplaySeedAndTrace(t *testing.T) {
	dir := t.TempDir()
	r := invoke(t, "run", "--seed", "3", "--duration", "2s", "--json", "--out", dir)
	require.Equal(t, exitOK, r.code, r.stderr)
	rj := decodeRun(t, r.stdout)

	r = invoke(t, "replay", "--seed", "3", "--duration", "2s", "--trace", "--out", dir)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "PASS  seed 3  trace "+rj.TraceHash)
	assert.Greater(t, strings.Count(r.stdout, "\n"), 100, "the trace is printed")

	line := filepath.Join(dir, "run.json")
	require.NoError(t, os.WriteFile(line, []byte(mustLine(t, rj)), 0o644))
	r = invoke(t, "replay", line, "--out", dir)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "reproduced: same trace hash "+rj.TraceHash+" and violation kinds []")
}

func mustLine(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b) + "\n"
}

func TestReplayExpectation(t *testing.T) {
	dir := t.TempDir()
	seed, _ := failingSeed(t)
	r := invoke(t, withShort("run", "--seed", seed, "--mutant", bug(t), "--out", dir)...)
	require.Equal(t, exitViolation, r.code, r.stderr)
	rp := readRepro(t, filepath.Join(dir, "seed-"+seed+".json"))

	write := func(name string, rp cluster.Repro) string {
		b, err := rp.Marshal()
		require.NoError(t, err)
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, b, 0o644))
		return path
	}
	require.Equal(t, simnet.TraceHashVersion, rp.Expect.HashVersion, "a new repro records its hash version")
	wrongHash := rp
	wrongHash.Expect = &cluster.Expectation{Kinds: rp.Expect.Kinds, TraceHash: "0123456789abcdef", HashVersion: simnet.TraceHashVersion}
	fixed := rp
	fixed.Config.Mutants = nil // the bug is gone: the expected violations must be reported missing
	noExpect := rp
	noExpect.Expect = nil
	oldHash := rp // recorded before files named their hash version: version 1
	oldHash.Expect = &cluster.Expectation{Kinds: rp.Expect.Kinds, TraceHash: "0123456789abcdef"}
	oldHashFixed := oldHash
	oldHashFixed.Config.Mutants = nil
	versions := fmt.Sprintf("the file's trace hash 0123456789abcdef is of trace-hash version 1 and this raftcheck computes version %d (",
		simnet.TraceHashVersion)
	cases := []struct {
		name string
		rp   cluster.Repro
		code int
		want []string
	}{
		{"wrong hash", wrongHash, exitViolation, []string{"WARNING: DOES NOT REPRODUCE", "the file expects 0123456789abcdef"}},
		{"bug fixed", fixed, exitViolation, []string{"DOES NOT REPRODUCE", "WARNING: expected violations are gone"}},
		{"no expectation", noExpect, exitViolation, []string{"has no expectation"}},
		{"older hash version", oldHash, exitViolation, []string{"reproduced: same violation kinds", versions + rp.Expect.TraceHash + "), so the hashes cannot be compared",
			fmt.Sprintf(`set "trace_hash": %q, "trace_hash_version": %d`, rp.Expect.TraceHash, simnet.TraceHashVersion)}},
		{"older hash version, bug fixed", oldHashFixed, exitViolation, []string{"WARNING: DOES NOT REPRODUCE", versions,
			"WARNING: expected violations are gone"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := invoke(t, "replay", write(c.name+".json", c.rp), "--out", dir)
			assert.Equal(t, c.code, r.code, r.stderr)
			for _, w := range c.want {
				assert.Contains(t, r.stdout, w)
			}
		})
	}
}
