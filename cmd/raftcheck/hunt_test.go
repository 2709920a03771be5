package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestHuntJSON hunts two mutants that fail fast and checks each row and the clean sweep.
func TestHuntJSON(t *testing.T) {
	out := t.TempDir()
	r := invoke(t, "hunt", "--mutant", "no-session-dedup,wal-truncate-on-corruption", "--budget", "30s",
		"--from", "1", "--duration", "8s", "--workload", "append", "--clean-seeds", "4", "--parallel", "2",
		"--shrink-runs", "30", "--json", "--out", out)
	require.Equal(t, exitOK, r.code, "stderr: %s", r.stderr)
	var rows []map[string]any
	var clean map[string]any
	sc := bufio.NewScanner(strings.NewReader(r.stdout))
	for sc.Scan() {
		var m map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &m), sc.Text())
		if c, ok := m["clean"]; ok {
			clean = c.(map[string]any)
			continue
		}
		rows = append(rows, m)
	}
	require.Len(t, rows, 2)
	for i, name := range []string{"no-session-dedup", "wal-truncate-on-corruption"} {
		row := rows[i]
		require.Equal(t, name, row["mutant"])
		require.Equal(t, true, row["caught"], "%v", row)
		require.GreaterOrEqual(t, row["seeds"], 1.0)
		require.Greater(t, row["wall_seconds"], 0.0)
		require.NotEmpty(t, row["kind"])
		require.LessOrEqual(t, row["shrunk_faults"], row["faults"])
		require.FileExists(t, row["repro"].(string))
		for _, key := range []string{"mutant", "caught", "seeds", "wall_seconds", "kind", "shrunk_faults"} {
			require.Contains(t, row, key)
		}
	}
	require.GreaterOrEqual(t, clean["seeds"], 4.0)
	require.Equal(t, 0.0, clean["failed"])
}

func TestHuntUsageErrors(t *testing.T) {
	for args, want := range map[string]string{
		"--budget 0s":       "--budget 0s: must be > 0",
		"--parallel 0":      "--parallel 0: must be in [1, 1024]",
		"--shrink-runs 0":   "--shrink-runs 0: must be >= 1",
		"--mutant nonesuch": "unknown mutant",
		"extra":             `unexpected argument "extra"`,
		"--clean-seeds -1":  "--clean-seeds -1",
		"--max-seeds 0":     "--max-seeds 0",
	} {
		r := invoke(t, append([]string{"hunt"}, strings.Fields(args)...)...)
		require.Equal(t, exitUsage, r.code, args)
		require.Contains(t, r.stderr, want, args)
	}
}

// TestHuntRate: --seeds N adds, per mutant, how many of N seeds fail; the numbers are those
// of a sweep over the same seeds.
func TestHuntRate(t *testing.T) {
	args := []string{"--mutant", "restore-without-sessions", "--from", "1", "--duration", "6s", "--workload", "kv",
		"--clean-seeds", "2", "--parallel", "2", "--shrink-runs", "5", "--out", t.TempDir()}
	r := invoke(t, append([]string{"hunt", "--seeds", "12"}, args...)...)
	require.Contains(t, []int{exitOK, exitViolation}, r.code, "stderr: %s", r.stderr)
	require.Contains(t, r.stdout, "failing seeds")
	sweep := invoke(t, "sweep", "--from", "1", "--count", "12", "--mutant", "restore-without-sessions", "--duration", "6s",
		"--workload", "kv", "--json", "--progress", "none", "--out", t.TempDir())
	failed := strings.Count(sweep.stdout, `"violations":[{`)
	require.Contains(t, r.stdout, fmt.Sprintf("  %d/12 (", failed), "hunt's count equals the sweep's: %s", r.stdout)

	r = invoke(t, append([]string{"hunt", "--seeds", "-1"}, args...)...)
	require.Equal(t, exitUsage, r.code)
	require.Contains(t, r.stderr, "--seeds -1: must be in [0, ")
}
