package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHistoryFlag: run and replay write the client history as Jepsen EDN or JSON lines,
// two events per operation; the same run gives the same history either way.
func TestHistoryFlag(t *testing.T) {
	dir := t.TempDir()
	edn := filepath.Join(dir, "h.edn")
	r := invoke(t, "run", "--seed", "3", "--duration", "2s", "--json", "--out", dir, "--history", edn)
	require.Equal(t, exitOK, r.code, r.stderr)
	rj := decodeRun(t, r.stdout)
	ops := rj.Stats.OpsOK + rj.Stats.OpsFailed + rj.Stats.OpsIndeterminate
	require.Greater(t, ops, 0)
	assert.Equal(t, fmt.Sprintf("history: %s (%d operations, Jepsen EDN)\n", edn, ops), r.stderr, "beside JSON, notes go to stderr")
	lines := jsonLines(readFile(t, edn))
	require.Len(t, lines, 2*ops)
	assert.True(t, strings.HasPrefix(lines[0], "{:type :invoke, :f :"), lines[0])
	assert.True(t, strings.HasSuffix(lines[len(lines)-1], fmt.Sprintf(":index %d, :client ", 2*ops-1)+lastField(lines[len(lines)-1])), lines[len(lines)-1])

	jsonl := filepath.Join(dir, "sub", "h.jsonl")
	r = invoke(t, "replay", "--seed", "3", "--duration", "2s", "--out", dir, "--history", jsonl)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, fmt.Sprintf("history: %s (%d operations, JSON lines)\n", jsonl, ops))
	events := jsonLines(readFile(t, jsonl))
	require.Len(t, events, 2*ops)
	types := map[string]int{}
	for i, line := range events {
		var ev struct {
			Type  string `json:"type"`
			Index int    `json:"index"`
		}
		require.NoError(t, json.Unmarshal([]byte(line), &ev), line)
		assert.Equal(t, i, ev.Index)
		types[ev.Type]++
	}
	assert.Equal(t, ops, types["invoke"])
	assert.Equal(t, rj.Stats.OpsIndeterminate, types["info"])
	assert.Equal(t, ops, types["ok"]+types["fail"]+types["info"])

	again := filepath.Join(dir, "again.json")
	r = invoke(t, "run", "--seed", "3", "--duration", "2s", "--out", dir, "--history", again)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, readFile(t, jsonl), readFile(t, again), ".json is JSON lines too, and a run's history is a function of its seed")
}

func lastField(line string) string {
	f := strings.Fields(strings.TrimSuffix(line, "}"))
	return f[len(f)-1] + "}"
}

func TestHistoryFlagErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"extension", []string{"run", "--history", filepath.Join(dir, "h.txt")},
			"--history " + filepath.Join(dir, "h.txt") + ": want a file ending in .jsonl or .json (JSON lines) or .edn (Jepsen EDN)"},
		{"no extension", []string{"replay", "--seed", "1", "--history", "history"}, "--history history: want a file ending in"},
		{"a directory", []string{"run", "--history", filepath.Join(dir, "d.edn")}, "--history " + filepath.Join(dir, "d.edn") + ": a directory, not a file"},
		{"under a file", []string{"run", "--history", filepath.Join(file, "h.edn")},
			"--history " + filepath.Join(file, "h.edn") + ": " + file + " is a file, not a directory"},
	}
	require.NoError(t, os.Mkdir(filepath.Join(dir, "d.edn"), 0o755))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := invoke(t, append(c.args, "--duration", "1s", "--out", dir)...)
			assert.Equal(t, exitUsage, r.code, r.stderr)
			assert.Contains(t, r.stderr, c.want)
			assert.Empty(t, r.stdout, "nothing runs")
		})
	}
}
