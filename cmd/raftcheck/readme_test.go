package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReadmeExampleFails keeps README.md true: its "Replaying a failure" example runs a seed
// with a planted bug, says it fails and replays the repro file it writes. Any change to the
// simulation can move which seeds fail; this test says so, and the README's seed must then
// be updated.
func TestReadmeExampleFails(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	m := regexp.MustCompile(`go run ./cmd/raftcheck (run --seed (\d+) --mutant [a-z-]+)\s+# FAIL`).FindSubmatch(data)
	require.NotNil(t, m, "README.md has no `run --seed N --mutant M   # FAIL` example")
	out := t.TempDir()
	args := append(strings.Fields(string(m[1])), "--out", out)
	r := invoke(t, args...)
	require.Equal(t, exitViolation, r.code, "README.md says `%s` fails; it exited %d:\n%s", m[1], r.code, r.stdout)
	name := "seed-" + string(m[2]) + ".json"
	repro := filepath.Join(out, name)
	require.Contains(t, string(data), "replay raftcheck-out/"+name, "the README replays the file this run writes")
	assert.Contains(t, r.stdout, "repro file: "+repro)
	replayed := invoke(t, "replay", repro, "--out", out)
	assert.Equal(t, exitViolation, replayed.code, replayed.stderr)
	assert.Contains(t, replayed.stdout, "reproduced: same trace hash")
}
