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

// TestOutCheckedBeforeRunning: every command that writes into --out refuses, before it runs
// anything, an --out that is a file or lies under one: exit 2 naming the path, nothing on
// stdout.
func TestOutCheckedBeforeRunning(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a-file")
	require.NoError(t, os.WriteFile(file, []byte("x"), 0o644))
	seed, _ := failingSeed(t)
	repro := filepath.Join(dir, "ok", "seed-"+seed+".json")
	r := invoke(t, withShort("run", "--seed", seed, "--mutant", bug(t), "--out", filepath.Dir(repro))...)
	require.Equal(t, exitViolation, r.code, r.stderr)
	shard := filepath.Join(dir, "shard.jsonl")
	r = invoke(t, withShort("sweep", "--count", "1", "--json", "--progress", "none", "--out", dir)...)
	require.Equal(t, exitOK, r.code, r.stderr)
	require.NoError(t, os.WriteFile(shard, []byte(r.stdout), 0o644))

	commands := map[string][]string{
		"run":    withShort("run", "--seed", "1"),
		"replay": withShort("replay", "--seed", "1"),
		"sweep":  withShort("sweep", "--count", "2", "--progress", "none"),
		"shrink": {"shrink", repro},
		"report": {"report", repro},
		"merge":  {"merge", shard},
		"hunt":   withShort("hunt", "--mutant", bug(t), "--budget", "5s"),
	}
	for name, args := range commands {
		for _, out := range []struct{ dir, want string }{
			{file, "--out " + file + ": not a directory"},
			{filepath.Join(file, "sub"), "--out " + filepath.Join(file, "sub") + ": " + file + " is a file, not a directory"},
		} {
			t.Run(name+"/"+filepath.Base(out.dir), func(t *testing.T) {
				r := invoke(t, append(args, "--out", out.dir)...)
				assert.Equal(t, exitUsage, r.code, "stdout: %s\nstderr: %s", r.stdout, r.stderr)
				assert.Equal(t, "raftcheck "+name+": "+out.want+"\n", r.stderr)
				assert.Empty(t, r.stdout)
			})
		}
	}
}

// TestOutNotWritable: an --out in a directory that takes no files (sysfs refuses new files,
// even to root) is exit 2 naming the directory and why.
func TestOutNotWritable(t *testing.T) {
	if fi, err := os.Stat("/sys/fs"); err != nil || !fi.IsDir() {
		t.Skip("no /sys/fs here")
	}
	r := invoke(t, withShort("run", "--seed", "1", "--out", "/sys/fs/raftcheck-out")...)
	assert.Equal(t, exitUsage, r.code, r.stdout)
	assert.Regexp(t, `^raftcheck run: --out /sys/fs/raftcheck-out: cannot write in /sys/fs: .+\n$`, r.stderr)
	assert.Empty(t, r.stdout)
}

// TestFailedWriteStillPrintsTheVerdict: when a run's files cannot be written (here the repro
// file's name is taken by a directory), the verdict and violations are printed all the same,
// then the error: exit 3.
func TestFailedWriteStillPrintsTheVerdict(t *testing.T) {
	seed, found := failingSeed(t)
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "seed-"+seed+".json"), 0o755))
	r := invoke(t, withShort("run", "--seed", seed, "--mutant", bug(t), "--out", dir)...)
	assert.Equal(t, exitInternal, r.code, r.stderr)
	assert.Contains(t, r.stdout, "FAIL ["+strings.Join(runKinds(&found), " ")+"]")
	assert.Contains(t, r.stdout, "violations (")
	assert.Contains(t, r.stdout, "replay: go run ./cmd/raftcheck replay --seed "+seed+" --duration 5s --mutant "+bug(t)+"\n",
		"without the repro file, the replay command gives the flags")
	assert.Regexp(t, regexp.MustCompile(`^raftcheck run: writing `+regexp.QuoteMeta(filepath.Join(dir, "seed-"+seed+".json"))+`: .*\n$`), r.stderr)

	// report: the summary, then the error.
	good := t.TempDir()
	r = invoke(t, withShort("run", "--seed", seed, "--mutant", bug(t), "--out", good)...)
	require.Equal(t, exitViolation, r.code, r.stderr)
	repro := filepath.Join(good, "seed-"+seed+".json")
	require.NoError(t, os.Mkdir(filepath.Join(dir, "seed-"+seed+".html"), 0o755))
	r = invoke(t, "report", repro, "--out", dir)
	assert.Equal(t, exitInternal, r.code, r.stderr)
	assert.Contains(t, r.stdout, "FAIL ["+strings.Join(runKinds(&found), " ")+"]")
	assert.Contains(t, r.stdout, "reproduced: same trace hash "+found.TraceHash)
	assert.Contains(t, r.stderr, "raftcheck report: writing "+filepath.Join(dir, "seed-"+seed+".html")+": ")

	// shrink: the shrunk schedule, then the error.
	require.NoError(t, os.Mkdir(filepath.Join(dir, "seed-"+seed+"-shrunk.json"), 0o755))
	r = invoke(t, "shrink", repro, "--out", dir, "--max-runs", "20")
	assert.Equal(t, exitInternal, r.code, r.stderr)
	assert.Contains(t, r.stdout, "shrunk seed "+seed+" for ")
	assert.Contains(t, r.stdout, "schedule (")
	assert.Contains(t, r.stderr, "raftcheck shrink: writing "+filepath.Join(dir, "seed-"+seed+"-shrunk.json")+": ")
}
