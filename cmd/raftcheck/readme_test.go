package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/engine/etcdraft"
	"github.com/raftcheck/raftcheck/engine/raftengine"
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

// numberWords are the counts the README spells out.
var numberWords = strings.Fields("zero one two three four five six seven eight nine ten eleven twelve thirteen " +
	"fourteen fifteen sixteen seventeen eighteen nineteen twenty twenty-one twenty-two twenty-three twenty-four " +
	"twenty-five twenty-six twenty-seven twenty-eight twenty-nine thirty")

func wordCount(t *testing.T, w string) int {
	t.Helper()
	i := slices.Index(numberWords, w)
	require.GreaterOrEqual(t, i, 0, "%q is not a number the test knows", w)
	return i
}

// TestReadmeMutantCounts keeps the README's counts of planted bugs true: `list mutants` of
// each engine (the engine's own and the host's).
func TestReadmeMutantCounts(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	m := regexp.MustCompile("planted bugs of an engine \\(([a-z-]+) for `raftcheck` and ([a-z-]+) for `etcd`").FindSubmatch(data)
	require.NotNil(t, m, "the README's list row gives the mutant counts of both engines")
	ours, etcd := len(cluster.Mutants(raftengine.Descriptor())), len(cluster.Mutants(etcdraft.Descriptor()))
	assert.Equal(t, ours, wordCount(t, string(m[1])), "README: mutants of --engine raftcheck")
	assert.Equal(t, etcd, wordCount(t, string(m[2])), "README: mutants of --engine etcd")
	for _, row := range regexp.MustCompile(`lists (?:that engine's|all) ([a-z-]+)`).FindAllSubmatch(data, -1) {
		assert.Equal(t, ours, wordCount(t, string(row[1])), "README: %s", row[0])
	}
	assert.Equal(t, ours, strings.Count(invoke(t, "list", "mutants").stdout, "\n"))
	assert.Equal(t, etcd, strings.Count(invoke(t, "list", "mutants", "--engine", "etcd").stdout, "\n"))
}

// TestReadmeCommandsParse: every `go run ./cmd/raftcheck ...` command the README shows names a
// command and flags that exist, with values they take (shell variables as a CI job sets them).
// The cheap ones run for real.
func TestReadmeCommandsParse(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	matches := regexp.MustCompile("go run \\./cmd/raftcheck ([^`#|)>\"\n]*)").FindAllSubmatch(data, -1)
	require.Greater(t, len(matches), 10)
	seen := map[string]bool{}
	for _, m := range matches {
		line := strings.TrimSpace(strings.ReplaceAll(string(m[1]), "$i", "0"))
		if strings.HasPrefix(line, "<") || seen[line] {
			continue // the synopsis `<command> [flags] [args]`
		}
		seen[line] = true
		t.Run(line, func(t *testing.T) {
			var out, errb bytes.Buffer
			e := newEnv(&out, &errb)
			e.parseOnly = true
			assert.Equal(t, exitOK, e.main(strings.Fields(line)), "README: go run ./cmd/raftcheck %s\n%s", line, errb.String())
		})
	}
	for _, line := range []string{"list mutants", "list engines", "completion bash", "version"} {
		r := invoke(t, strings.Fields(line)...)
		assert.Equal(t, exitOK, r.code, "%s: %s", line, r.stderr)
		assert.NotEmpty(t, r.stdout, line)
	}
}
