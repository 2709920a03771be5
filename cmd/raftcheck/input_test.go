package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/cluster"
)

// TestBadInputFiles feeds replay, shrink and report broken files: exit 2, a message with the
// path and what is wrong, never a panic.
func TestBadInputFiles(t *testing.T) {
	dir := t.TempDir()
	good, err := cluster.Repro{Version: cluster.ReproVersion, Seed: 1, Config: cluster.DefaultConfig()}.Marshal()
	require.NoError(t, err)
	r := invoke(t, "run", "--seed", "1", "--duration", "1s", "--json", "--out", dir)
	require.Equal(t, exitOK, r.code, r.stderr)
	runLine := strings.TrimSpace(r.stdout)
	cases := []struct {
		name, data, want string
	}{
		{"empty", "", "bad repro file"},
		{"garbage", "\x00\x01binary junk", "invalid character"},
		{"not an object", "[1, 2, 3]", "bad repro file"},
		{"truncated", string(good[:len(good)/2]), "unexpected EOF"},
		{"wrong version", strings.Replace(string(good), `"version": 1`, `"version": 7`, 1), "version 7, this raftcheck reads version 1"},
		{"unknown field", strings.Replace(string(good), `"seed": 1`, `"seed": 1, "colour": "red"`, 1), `unknown field "colour"`},
		{"bad config", strings.Replace(string(good), `"nodes": 5`, `"nodes": 2`, 1), "config nodes = 2"},
		{"bad fault", `{"version": 1, "seed": 1, "config": ` + cluster.DefaultConfig().String() + `, "schedule": ["1s explode"]}`, `unknown kind "explode"`},
		{"trailing data", string(good) + "{}", "trailing data"},
		{"bad op line", strings.Replace(string(good), `"seed": 1`, `"seed": 1, "ops": [[], [], ["get k1", "put k1"], [], [], [], [], []]`, 1),
			`ops of client 2, line 2: op "put k1": put takes 2 words after it, not 1`},
		{"ops for too few clients", strings.Replace(string(good), `"seed": 1`, `"seed": 1, "ops": [["get k1"]]`, 1), "ops lists 1 clients; the config has 8"},
		{"run line truncated", runLine[:len(runLine)/2], ":1: not a JSON object"},
		{"run line bad config", strings.Replace(runLine, `"nodes":5`, `"nodes":12`, 1), ":1: run JSON: cluster: config nodes = 12"},
		{"run line unknown field", strings.Replace(runLine, `"seed":1`, `"seed":1,"extra":true`, 1), `unknown field "extra"`},
		{"neither", `{"hello": "world"}`, `neither a repro file`},
		{"summary only", `{"summary": {"seeds": 0}}`, "no run in the file"},
	}
	for _, c := range cases {
		path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-")+".json")
		require.NoError(t, os.WriteFile(path, []byte(c.data), 0o644))
		for _, cmd := range []string{"replay", "shrink", "report"} {
			t.Run(cmd+"/"+c.name, func(t *testing.T) {
				r := invoke(t, cmd, path, "--out", dir)
				assert.Equal(t, exitUsage, r.code, "stdout: %s\nstderr: %s", r.stdout, r.stderr)
				assert.Contains(t, r.stderr, path)
				assert.Contains(t, r.stderr, c.want)
				assert.NotContains(t, r.stderr, "goroutine ")
			})
		}
	}
}

func TestPickRunFromLines(t *testing.T) {
	dir := t.TempDir()
	r := invoke(t, "sweep", "--from", "4", "--count", "3", "--duration", "1s", "--json", "--progress", "none", "--out", dir)
	require.Equal(t, exitOK, r.code, r.stderr)
	path := filepath.Join(dir, "sweep.jsonl")
	require.NoError(t, os.WriteFile(path, []byte(r.stdout), 0o644))
	lines := jsonLines(r.stdout)
	want := decodeRun(t, lines[1])

	r = invoke(t, "replay", path, "--out", dir)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "holds 3 runs: pick one with --seed N")

	r = invoke(t, "replay", path, "--seed", "9", "--out", dir)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "no run of seed 9")

	r = invoke(t, "replay", path, "--seed", "5", "--out", dir)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "reproduced: same trace hash "+want.TraceHash)

	r = invoke(t, "report", "--seed", "5", path, "--out", dir)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.FileExists(t, filepath.Join(dir, "sweep-seed-5.html"))

	r = invoke(t, "shrink", path, "--seed", "5", "--out", dir)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "nothing to shrink")
}

func TestReproWithSeedConflict(t *testing.T) {
	dir := t.TempDir()
	seed, _ := failingSeed(t)
	r := invoke(t, withShort("run", "--seed", seed, "--mutant", bug(t), "--out", dir)...)
	require.Equal(t, exitViolation, r.code)
	r = invoke(t, "replay", filepath.Join(dir, "seed-"+seed+".json"), "--seed", "1")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "--seed cannot be combined with the repro file")
}
