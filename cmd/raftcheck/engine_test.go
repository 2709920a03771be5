package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/engine/etcdraft"
)

// TestEtcdEngineEndToEnd: a run on the etcd engine writes a repro file that records the
// engine and its version; replay and report take it; a file recorded with another version is
// refused with exit 2, naming both versions.
func TestEtcdEngineEndToEnd(t *testing.T) {
	dir := t.TempDir()
	r := invoke(t, withShort("run", "--engine", "etcd", "--seed", "5", "--json", "--out", dir)...)
	require.Equal(t, exitOK, r.code, r.stderr)
	var run map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &run))
	assert.Equal(t, etcdraft.Descriptor().Version, run["engine_version"])
	assert.Equal(t, "etcd", run["config"].(map[string]any)["engine"])
	assert.Contains(t, run["replay"], "--engine etcd")

	lines := filepath.Join(dir, "run.jsonl")
	require.NoError(t, os.WriteFile(lines, []byte(r.stdout), 0o644))
	r = invoke(t, "replay", lines)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "reproduced: same trace hash")

	stale := filepath.Join(dir, "stale.jsonl")
	old := strings.Replace(strings.TrimSpace(readFile(t, lines)), `"engine_version":"`+etcdraft.Descriptor().Version+`"`, `"engine_version":"v3.5.0"`, 1)
	require.NoError(t, os.WriteFile(stale, []byte(old+"\n"), 0o644))
	r = invoke(t, "replay", stale)
	require.Equal(t, exitUsage, r.code, r.stdout)
	assert.Contains(t, r.stderr, "recorded with etcd v3.5.0; this raftcheck has etcd "+etcdraft.Descriptor().Version)

	r = invoke(t, "run", "--engine", "zookeeper")
	require.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, `unknown engine "zookeeper" (known: raftcheck, etcd)`)
	r = invoke(t, "run", "--engine", "etcd", "--mutant", "vote-not-persisted")
	require.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "--mutant vote-not-persisted: unknown mutant of engine etcd (known: etcd-send-before-sync,")
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}
