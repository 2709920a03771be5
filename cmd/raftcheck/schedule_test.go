package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/simnet"
)

// TestScheduleOutsideTheRun: a repro file whose schedule names a node the cluster does not
// start with, or a fault that starts when the load phase is over, is an input error naming the
// file, its line and the fault; replay, shrink and report all refuse it before running.
func TestScheduleOutsideTheRun(t *testing.T) {
	dir := t.TempDir()
	cfg := cluster.DefaultConfig()
	cfg.Duration = simnet.Duration(5 * time.Second)
	write := func(name string, faults ...string) string {
		var s nemesis.Schedule
		for _, line := range faults {
			f, err := nemesis.ParseFault(line)
			if err != nil { // a node id no cluster has: a placeholder, replaced by the line as is below
				f = nemesis.Fault{}
			}
			s = append(s, f)
		}
		b, err := cluster.Repro{Version: cluster.ReproVersion, Seed: 1, Config: cfg, Schedule: &s}.Marshal()
		require.NoError(t, err)
		text := string(b)
		for i, line := range faults {
			text = strings.Replace(text, `"`+s[i].String()+`"`, `"`+line+`"`, 1)
		}
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
		return path
	}
	lineOf := func(path, fault string) int {
		for i, l := range strings.Split(readFile(t, path), "\n") {
			if strings.Contains(l, `"`+fault+`"`) {
				return i + 1
			}
		}
		t.Fatalf("%s does not hold %q", path, fault)
		return 0
	}
	ok := "1s crash for=500ms nodes=1 mode=lose"
	cases := []struct {
		name, bad, want string
	}{
		{"node of no initial node", "2s pause for=1s nodes=0,5", "node 5 is not in the config's 5 nodes (0 to 4: a schedule names the nodes the cluster starts with)"},
		{"node beyond any cluster", "2s crash for=1s nodes=40 mode=lose", "node 40 is not in the config's 5 nodes (0 to 4:"},
		{"at the end of the load phase", "5s partition for=1s nodes=0,1,2,3,4 shape=halves",
			"it starts at 5s, at or after the end of the run's load phase (duration 5s), so it would never strike"},
		{"after it", "7.5s loss for=1s value=0.1", "it starts at 7.5s, at or after the end"},
	}
	for _, c := range cases {
		path := write(strings.ReplaceAll(c.name, " ", "-")+".json", ok, c.bad)
		want := path + ":" + strconv.Itoa(lineOf(path, c.bad)) + `: schedule line "` + c.bad + `": ` + c.want
		for _, cmd := range []string{"replay", "shrink", "report"} {
			t.Run(cmd+"/"+c.name, func(t *testing.T) {
				r := invoke(t, cmd, path, "--out", dir)
				assert.Equal(t, exitUsage, r.code, "stdout: %s", r.stdout)
				assert.Contains(t, r.stderr, want)
				assert.NotContains(t, r.stderr, "[0, 32)")
				assert.Empty(t, r.stdout)
			})
		}
	}

	good := write("good.json", ok, "4.9s pause for=1s nodes=4")
	r := invoke(t, "replay", good, "--out", dir)
	assert.Contains(t, []int{exitOK, exitViolation}, r.code, r.stderr)
	assert.Contains(t, r.stdout, "stats: ")
}

// TestRunLineScheduleOutsideTheRun: the same check for a run's JSON line, naming its line.
func TestRunLineScheduleOutsideTheRun(t *testing.T) {
	dir := t.TempDir()
	r := invoke(t, "run", "--seed", "1", "--duration", "2s", "--nemesis", "pause", "--fault-interval", "500ms", "--json", "--out", dir)
	require.Equal(t, exitOK, r.code, r.stderr)
	rj := decodeRun(t, r.stdout)
	require.NotEmpty(t, rj.Schedule)
	rj.Schedule[0].Nodes = []int{7}
	path := filepath.Join(dir, "runs.jsonl")
	require.NoError(t, os.WriteFile(path, []byte("\n"+mustLine(t, rj)), 0o644))
	r = invoke(t, "replay", path, "--out", dir)
	assert.Equal(t, exitUsage, r.code, r.stdout)
	assert.Contains(t, r.stderr, path+`:2: schedule line "`+rj.Schedule[0].String()+`": node 7 is not in the config's 5 nodes`)
}

// TestRegressionSchedulesAreInsideTheirRuns: the check accepts every repro file of the
// regression corpus (written by shrink, or by hand).
func TestRegressionSchedulesAreInsideTheirRuns(t *testing.T) {
	files, err := filepath.Glob("../../testdata/regressions/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, path := range files {
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.NoError(t, checkReproSchedule(path, data), path)
		_, lines, ok := scanRepro(data)
		assert.True(t, ok, path)
		rp, err := cluster.ParseRepro(path, data)
		require.NoError(t, err)
		if rp.Schedule != nil {
			assert.Len(t, lines, len(*rp.Schedule), "%s: every schedule line found", path)
		}
	}
}
