package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReadmeExampleFails keeps README.md true: its "Replaying a failure" example runs a seed
// with a planted bug and says it fails. Any change to the simulation can move which seeds
// fail; this test says so, and the README's seed must then be updated.
func TestReadmeExampleFails(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	m := regexp.MustCompile(`go run ./cmd/raftcheck (run --seed \d+ --mutant [a-z-]+)\s+# FAIL`).FindSubmatch(data)
	require.NotNil(t, m, "README.md has no `run --seed N --mutant M   # FAIL` example")
	args := append(strings.Fields(string(m[1])), "--out", t.TempDir())
	r := invoke(t, args...)
	require.Equal(t, exitViolation, r.code, "README.md says `%s` fails; it exited %d:\n%s", m[1], r.code, r.stdout)
}
