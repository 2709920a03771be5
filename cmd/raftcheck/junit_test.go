package main

import (
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/reports"
)

// readJUnit parses a JUnit file back with encoding/xml.
func readJUnit(t *testing.T, path string) junitSuites {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(data), xml.Header), "starts with the XML declaration")
	var doc junitSuites
	require.NoError(t, xml.Unmarshal(data, &doc), "%s", data)
	require.Len(t, doc.Suites, 1)
	return doc
}

// checkJUnit checks the JUnit document against the runs of a sweep: one test case per failing
// seed carrying its violations and replay command, one for the passing seeds, and the counts.
func checkJUnit(t *testing.T, doc junitSuites, runs []reports.RunJSON, sum sweepSummaryJSON) {
	t.Helper()
	suite := doc.Suites[0]
	cases := map[string]junitCase{}
	for _, c := range suite.Cases {
		require.NotContains(t, cases, c.Name, "test case names are unique")
		cases[c.Name] = c
	}
	failed := 0
	for _, rj := range runs {
		name := fmt.Sprintf("seed %d", rj.Seed)
		if len(rj.Violations) == 0 {
			assert.NotContains(t, cases, name, "a passing seed is counted in the passing test case")
			continue
		}
		failed++
		c, ok := cases[name]
		require.True(t, ok, "a test case for failing seed %d", rj.Seed)
		require.NotNil(t, c.Failure, "seed %d: a <failure>", rj.Seed)
		assert.Equal(t, rj.Violations[0].Kind, c.Failure.Type, "type: the first violation's kind")
		for _, v := range rj.Violations {
			assert.Contains(t, c.Failure.Message, v.Kind)
			assert.Contains(t, c.Failure.Text, v.Kind+" at ", "kind and time")
			assert.Contains(t, c.Failure.Text, v.Detail, "the violation text")
		}
		require.NotEmpty(t, rj.Replay)
		assert.Contains(t, c.Failure.Text, "replay: "+rj.Replay+"\n")
		assert.Contains(t, c.SystemOut, "replay: "+rj.Replay+"\n")
	}
	pass, ok := cases["passing seeds"]
	require.True(t, ok, "a test case for the passing seeds")
	assert.Nil(t, pass.Failure)
	assert.Equal(t, fmt.Sprintf("%d of %d seeds passed (no violation)\n", sum.Seeds-sum.Failed, sum.Seeds), pass.SystemOut)
	assert.Equal(t, sum.Failed, failed)
	assert.Equal(t, failed, suite.Failures)
	assert.Equal(t, failed+1, suite.Tests)
	assert.Equal(t, len(suite.Cases), suite.Tests)
	assert.Equal(t, suite.Tests, doc.Tests)
	assert.Equal(t, suite.Failures, doc.Failures)
	assert.Equal(t, 0, doc.Errors)
}

func TestSweepJUnit(t *testing.T) {
	dir := t.TempDir()
	junit := filepath.Join(dir, "reports", "junit.xml") // its directory is created
	r := invoke(t, withShort("sweep", "--seeds", "20", "--mutant", bug(t), "--json", "--progress", "none",
		"--out", filepath.Join(dir, "out"), "--junit", junit)...)
	require.Equal(t, exitViolation, r.code, r.stderr)
	runs, sum := outputLines(t, r.stdout)
	require.NotZero(t, sum.Failed)
	doc := readJUnit(t, junit)
	checkJUnit(t, doc, runs, sum)
	assert.Equal(t, "raftcheck sweep: seeds 1..20, shard 0/1", doc.Suites[0].Name)
	props := map[string]string{}
	for _, p := range doc.Suites[0].Properties {
		props[p.Name] = p.Value
	}
	assert.Equal(t, "0/1", props["shard"])
	assert.Equal(t, "20", props["count"])
	assert.Contains(t, props["config"], bug(t))

	// A passing sweep: the passing test case only.
	pass := filepath.Join(dir, "pass.xml")
	r = invoke(t, withShort("sweep", "--seeds", "2", "--progress", "none", "--out", filepath.Join(dir, "out2"), "--junit", pass)...)
	require.Equal(t, exitOK, r.code, r.stderr)
	doc = readJUnit(t, pass)
	require.Len(t, doc.Suites[0].Cases, 1)
	assert.Equal(t, "passing seeds", doc.Suites[0].Cases[0].Name)
	assert.Equal(t, "2 of 2 seeds passed (no violation)\n", doc.Suites[0].Cases[0].SystemOut)
	assert.Zero(t, doc.Failures)
}

// ciShards sweeps seeds 1..20 with a planted bug as shards 0/2 and 1/2, each with --out
// DIR/out-i and --junit DIR/junit-i.xml (checked), and returns the --json files and the out
// directories.
func ciShards(t *testing.T, dir string) (files, dirs []string) {
	t.Helper()
	for i := range 2 {
		out := filepath.Join(dir, fmt.Sprintf("out-%d", i))
		junit := filepath.Join(dir, fmt.Sprintf("junit-%d.xml", i))
		r := invoke(t, withShort("sweep", "--from", "1", "--count", "20", "--shard", fmt.Sprintf("%d/2", i), "--mutant", bug(t),
			"--json", "--progress", "none", "--out", out, "--junit", junit)...)
		require.Contains(t, []int{exitOK, exitViolation}, r.code, r.stderr)
		path := filepath.Join(dir, fmt.Sprintf("shard-%d.jsonl", i))
		require.NoError(t, os.WriteFile(path, []byte(r.stdout), 0o644))
		runs, sum := outputLines(t, r.stdout)
		checkJUnit(t, readJUnit(t, junit), runs, sum)
		files, dirs = append(files, path), append(dirs, out)
	}
	return files, dirs
}

// TestMergeJUnit: the merged JUnit file has every shard's failing seeds, with replay commands
// that name the repro files merge copied into its --out, and those files replay.
func TestMergeJUnit(t *testing.T) {
	dir := t.TempDir()
	args, dirs := ciShards(t, dir)
	merged := filepath.Join(dir, "raftcheck-out")
	junit := filepath.Join(dir, "merged.xml")
	r := invoke(t, append(append([]string{"merge", "--json", "--out", merged, "--junit", junit}, args...), dirs...)...)
	require.Equal(t, exitViolation, r.code, r.stderr)
	runs, sum := outputLines(t, r.stdout)
	doc := readJUnit(t, junit)
	checkJUnit(t, doc, runs, sum)
	assert.Equal(t, "raftcheck merge: seeds 1..20, shard 0/1", doc.Suites[0].Name)
	for _, c := range doc.Suites[0].Cases {
		if c.Failure == nil {
			continue
		}
		seed := strings.TrimPrefix(c.Name, "seed ")
		repro := filepath.Join(merged, "seed-"+seed+".json")
		assert.Contains(t, c.Failure.Text, "replay: go run ./cmd/raftcheck replay "+repro+"\n", "the merged file's replay names the copied repro")
		assert.FileExists(t, repro)
		assert.FileExists(t, filepath.Join(merged, "seed-"+seed+".html"))
	}

	// A merge that fails writes no JUnit file either.
	bad := filepath.Join(dir, "bad.xml")
	r = invoke(t, "merge", args[0], "--out", t.TempDir(), "--junit", bad)
	assert.Equal(t, exitUsage, r.code)
	assert.NoFileExists(t, bad)
}

// TestJUnitPanicAndInterrupted: a seed that panicked is an <error>, and so is an interrupted
// sweep; text the XML cannot hold as is comes back as written (escaped) or replaced.
func TestJUnitPanicAndInterrupted(t *testing.T) {
	tl := newTally(cluster.DefaultConfig(), seedRange{from: 10, count: 5, shard: 1, shards: 2}, 2)
	tl.add(11, 1, []string{"panic"}, failure{run: reports.SweepRun{Seed: 11, Kinds: []string{"panic"}},
		replay:     "raftcheck replay out/seed-11.json",
		violations: []reports.ViolationJSON{{Kind: "panic", Detail: "index out of range <a> & ]]> \x01"}}})
	tl.add(13, 1, nil, failure{})
	tl.sum.Interrupted = true
	path := filepath.Join(t.TempDir(), "j.xml")
	require.NoError(t, writeJUnit(path, "sweep", tl))
	doc := readJUnit(t, path)
	s := doc.Suites[0]
	assert.Equal(t, "raftcheck sweep: seeds 10..14, shard 1/2", s.Name)
	require.Len(t, s.Cases, 3)
	assert.Equal(t, "seed 11", s.Cases[0].Name)
	require.NotNil(t, s.Cases[0].Error)
	assert.Nil(t, s.Cases[0].Failure)
	assert.Equal(t, "panic", s.Cases[0].Error.Type)
	assert.Equal(t, "panic: index out of range <a> & ]]> \uFFFD\nreplay: raftcheck replay out/seed-11.json\n", s.Cases[0].Error.Text)
	assert.Equal(t, "interrupted", s.Cases[2].Name)
	require.NotNil(t, s.Cases[2].Error)
	assert.Equal(t, 2, doc.Errors)
	assert.Equal(t, 0, doc.Failures)
	assert.Equal(t, 3, doc.Tests)
}

// TestCIFlagsChecked: --junit and --summary-md that cannot be written are usage errors named
// before anything runs.
func TestCIFlagsChecked(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--junit", dir}, "--junit " + dir + ": a directory, not a file"},
		{[]string{"--summary-md", dir}, "--summary-md " + dir + ": a directory, not a file"},
		{[]string{"--junit", filepath.Join(file, "j.xml")}, "--junit " + filepath.Join(file, "j.xml") + ": " + file + " is a file, not a directory"},
		{[]string{"--junit", file, "--summary-md", file}, "--junit and --summary-md are both " + file},
	}
	for _, c := range cases {
		for _, cmd := range []string{"sweep", "merge"} {
			t.Run(cmd+" "+strings.Join(c.args, " "), func(t *testing.T) {
				out := filepath.Join(t.TempDir(), "out")
				args := append([]string{cmd, "--out", out}, c.args...)
				if cmd == "merge" {
					args = append(args, "shard.jsonl")
				} else {
					args = append(args, "--seeds", "1")
				}
				r := invoke(t, args...)
				assert.Equal(t, exitUsage, r.code, r.stderr)
				assert.Contains(t, r.stderr, c.want)
				assert.Empty(t, r.stdout)
				assert.NoDirExists(t, out, "nothing ran")
			})
		}
	}
}

// TestCIFlagsComplete: shell completion offers files for --junit and --summary-md of sweep
// and merge.
func TestCIFlagsComplete(t *testing.T) {
	found := 0
	for _, spec := range commandSpecs() {
		for _, f := range spec.flags {
			if f.name == "junit" || f.name == "summary-md" {
				assert.Contains(t, []string{"sweep", "merge"}, spec.name)
				assert.True(t, f.file && f.value, "%s --%s completes a file", spec.name, f.name)
				found++
			}
		}
	}
	assert.Equal(t, 4, found, "sweep and merge each have --junit and --summary-md")
}
