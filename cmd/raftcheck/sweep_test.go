package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/reports"
)

func keysOf(t *testing.T, line string) []string {
	t.Helper()
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(line), &m), "line: %s", line)
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func TestSweepJSON(t *testing.T) {
	dir := t.TempDir()
	r := invoke(t, withShort("sweep", "--seeds", "4", "--parallel", "2", "--json", "--progress", "none", "--out", dir)...)
	require.Equal(t, exitOK, r.code, r.stderr)
	lines := jsonLines(r.stdout)
	require.Len(t, lines, 5, "one line per seed, then the summary")
	runKeys := []string{"config", "engine_version", "linearizable", "replay", "schedule", "seed", "stats", "trace_hash", "trace_hash_version", "violations"}
	for i, line := range lines[:4] {
		assert.Equal(t, runKeys, keysOf(t, line), "line %d", i)
		assert.Equal(t, uint64(i+1), decodeRun(t, line).Seed, "seed order")
	}
	assert.Equal(t, []string{"summary"}, keysOf(t, lines[4]))
	var s struct {
		Summary json.RawMessage `json:"summary"`
	}
	require.NoError(t, json.Unmarshal([]byte(lines[4]), &s))
	want := []string{"config", "count", "failed", "failing_seeds", "from", "interrupted", "parallel", "seeds",
		"seeds_per_second", "shard", "sim_seconds", "speedup", "violations", "wall_seconds"}
	assert.Equal(t, want, keysOf(t, string(s.Summary)))
	var sum sweepSummaryJSON
	require.NoError(t, json.Unmarshal(s.Summary, &sum))
	assert.Equal(t, 4, sum.Seeds)
	assert.Equal(t, 0, sum.Failed)
	assert.Equal(t, "0/1", sum.Shard)
	assert.Equal(t, map[string]int{}, sum.Violations)
	assert.Equal(t, []uint64{}, sum.FailingSeeds)
	assert.Greater(t, sum.SimSeconds, 4*5.0)
	assert.FileExists(t, filepath.Join(dir, "sweep.html"))
}

// seedView is what must not depend on --parallel: everything of a seed but wall time.
type seedView struct {
	Seed  uint64
	Hash  string
	Kinds []string
	Ops   int
}

func sweepViews(t *testing.T, parallel int) ([]seedView, string) {
	t.Helper()
	dir := t.TempDir()
	seed, _ := failingSeed(t)
	from := max(4, mustUint(t, seed)) - 3 // a range of 8 seeds around the failing one
	args := withShort("sweep", "--from", fmt.Sprint(from), "--count", "8", "--parallel", fmt.Sprint(parallel),
		"--mutant", bug(t), "--progress", "none", "--out", dir)
	r := invokeUncapped(t, append(args, "--json")...)
	require.Equal(t, exitViolation, r.code, r.stderr)
	var out []seedView
	lines := jsonLines(r.stdout)
	for _, line := range lines[:len(lines)-1] {
		rj := decodeRun(t, line)
		out = append(out, seedView{rj.Seed, rj.TraceHash, runKinds(&rj), rj.Stats.OpsOK})
	}
	text := invoke(t, args...)
	return out, strings.ReplaceAll(text.stdout, dir, "DIR")
}

func mustUint(t *testing.T, s string) uint64 {
	t.Helper()
	v, err := strconv.ParseUint(s, 10, 64)
	require.NoError(t, err)
	return v
}

func TestSweepIndependentOfParallel(t *testing.T) {
	one, text1 := sweepViews(t, 1)
	two, text2 := sweepViews(t, 2)
	four, _ := sweepViews(t, 4)
	require.Len(t, one, 8)
	assert.Empty(t, cmp.Diff(one, two), "--parallel 1 vs 2")
	assert.Empty(t, cmp.Diff(one, four), "--parallel 1 vs 4")
	assert.Equal(t, stripThroughput(text1), stripThroughput(text2))
}

// stripThroughput drops the lines of the text summary that hold wall-clock figures.
func stripThroughput(s string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.HasPrefix(l, "throughput:") {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}

// shardFiles sweeps seeds 5..9 as shards 0/2 and 1/2 and whole, and returns the --json files.
func shardFiles(t *testing.T, dir string) (s0, s1, all string) {
	t.Helper()
	sweep := func(shard string) string {
		r := invoke(t, withShort("sweep", "--from", "5", "--count", "5", "--shard", shard, "--mutant", bug(t),
			"--json", "--progress", "none", "--out", dir)...)
		require.Contains(t, []int{exitOK, exitViolation}, r.code, r.stderr)
		path := filepath.Join(dir, "shard-"+strings.ReplaceAll(shard, "/", "-")+".jsonl")
		require.NoError(t, os.WriteFile(path, []byte(r.stdout), 0o644))
		return path
	}
	return sweep("0/2"), sweep("1/2"), sweep("0/1")
}

// fileLines reads a --json output: its runs and its summary.
func fileLines(t *testing.T, path string) ([]reports.RunJSON, sweepSummaryJSON) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return outputLines(t, string(data))
}

func outputLines(t *testing.T, out string) ([]reports.RunJSON, sweepSummaryJSON) {
	t.Helper()
	lines := jsonLines(out)
	require.NotEmpty(t, lines)
	var runs []reports.RunJSON
	for _, l := range lines[:len(lines)-1] {
		runs = append(runs, decodeRun(t, l))
	}
	var s struct{ Summary sweepSummaryJSON }
	require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &s))
	return runs, s.Summary
}

func seedsOf(runs []reports.RunJSON) []uint64 {
	var out []uint64
	for _, r := range runs {
		out = append(out, r.Seed)
	}
	return out
}

func TestSweepShardsAndMerge(t *testing.T) {
	dir := t.TempDir()
	s0, s1, all := shardFiles(t, dir)
	r0, _ := fileLines(t, s0)
	r1, _ := fileLines(t, s1)
	assert.Equal(t, []uint64{5, 7, 9}, seedsOf(r0))
	assert.Equal(t, []uint64{6, 8}, seedsOf(r1))

	merged := invoke(t, "merge", s1, s0, "--json", "--out", dir)
	require.Contains(t, []int{exitOK, exitViolation}, merged.code, merged.stderr)
	wholeRuns, ws := fileLines(t, all)
	mergedRuns, ms := outputLines(t, merged.stdout)
	assert.Empty(t, cmp.Diff(wholeRuns, mergedRuns, cmp.FilterPath(func(p cmp.Path) bool {
		return strings.HasSuffix(p.String(), "WallSeconds")
	}, cmp.Ignore())), "merged runs; want the unsharded sweep's")
	assert.Equal(t, ws.Seeds, ms.Seeds)
	assert.Equal(t, ws.Failed, ms.Failed)
	assert.Equal(t, ws.Violations, ms.Violations)
	assert.Equal(t, ws.FailingSeeds, ms.FailingSeeds)
	assert.Equal(t, "0/1", ms.Shard)

	text := invoke(t, "merge", s0, s1, "--out", dir)
	assert.Equal(t, merged.code, text.code, "text and --json give the same verdict")
	assert.Contains(t, text.stdout, "sweep: 5 seeds (range 5..9, shard 0/1)")

	again := filepath.Join(dir, "merged.jsonl")
	require.NoError(t, os.WriteFile(again, []byte(merged.stdout), 0o644))
	r := invoke(t, "merge", again, "--json", "--out", dir)
	assert.Equal(t, merged.code, r.code)
	assert.Equal(t, merged.stdout, r.stdout, "a merged file merges again to itself")
}

func TestMergeProblems(t *testing.T) {
	dir := t.TempDir()
	s0, s1, all := shardFiles(t, dir)
	truncated := filepath.Join(dir, "truncated.jsonl")
	data, err := os.ReadFile(s1)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(truncated, data[:bytes.LastIndex(data, []byte(`{"summary"`))], 0o644))
	repro := filepath.Join(dir, "seed-5.json")
	rp, err := cluster.Repro{Version: cluster.ReproVersion, Seed: 5, Config: cluster.DefaultConfig()}.Marshal()
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(repro, rp, 0o644))
	cases := []struct {
		name  string
		files []string
		want  []string
	}{
		{"missing shard", []string{s0}, []string{"missing shards: 1/2", "2 of the 5 seeds of the range are missing", "6, 8"}},
		{"shard twice", []string{s0, s1, s0}, []string{"shard 0/2 appears twice", "seeds given twice: 5 ("}},
		{"different sweeps", []string{s0, s1, all}, []string{"not the same sweep"}},
		{"no summary", []string{s0, truncated}, []string{truncated + ": no summary line"}},
		{"repro file", []string{s0, repro}, []string{repro + ": a repro file, not a sweep's --json output"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := t.TempDir()
			r := invoke(t, append([]string{"merge", "--out", out}, c.files...)...)
			assert.Equal(t, exitUsage, r.code, r.stderr)
			for _, w := range c.want {
				assert.Contains(t, r.stderr, w)
			}
			assert.Empty(t, r.stdout, "a failed merge prints no summary")
			entries, err := os.ReadDir(out)
			require.NoError(t, err)
			assert.Empty(t, entries, "a failed merge writes nothing")
		})
	}
}

// TestMergeNamesAForeignLine: a line of a shard file that is neither a run nor a summary (a
// progress line pasted in with 2>&1) is named by file and line; nothing is printed or written.
func TestMergeNamesAForeignLine(t *testing.T) {
	dir := t.TempDir()
	s0, s1, _ := shardFiles(t, dir)
	progress := "sweep: 1/3 seeds, 0 failed, 2.0 seeds/s"
	for _, at := range []int{0, 2} {
		lines := strings.SplitAfter(readFile(t, s1), "\n")
		lines = slices.Insert(lines, at, progress+"\n")
		bad := filepath.Join(dir, fmt.Sprintf("with-progress-%d.jsonl", at))
		require.NoError(t, os.WriteFile(bad, []byte(strings.Join(lines, "")), 0o644))
		out := t.TempDir()
		r := invoke(t, "merge", s0, bad, "--out", out)
		assert.Equal(t, exitUsage, r.code, r.stderr)
		assert.Equal(t, fmt.Sprintf("raftcheck merge: %s:%d: not a run or summary line: %q (a sweep's progress line: progress goes to stderr, so redirect only stdout into the file)\n",
			bad, at+1, progress), r.stderr)
		assert.Empty(t, r.stdout)
		assert.NoFileExists(t, filepath.Join(out, "sweep.html"))
	}
}

// TestMergeLinksShardFiles: given the shards' --out directories, merge copies the failing
// seeds' repro files and reports into its own --out, and its summary page and replay commands
// point there; no copy step by hand.
func TestMergeLinksShardFiles(t *testing.T) {
	dir := t.TempDir()
	var files, dirs []string
	for i := range 2 {
		out := filepath.Join(dir, fmt.Sprintf("out-%d", i))
		r := invoke(t, withShort("sweep", "--from", "1", "--count", "20", "--shard", fmt.Sprintf("%d/2", i), "--mutant", bug(t),
			"--json", "--progress", "none", "--out", out)...)
		require.Contains(t, []int{exitOK, exitViolation}, r.code, r.stderr)
		path := filepath.Join(dir, fmt.Sprintf("shard-%d.jsonl", i))
		require.NoError(t, os.WriteFile(path, []byte(r.stdout), 0o644))
		files, dirs = append(files, path), append(dirs, out)
	}
	merged := filepath.Join(dir, "raftcheck-out")
	r := invoke(t, append(append([]string{"merge", "--out", merged}, files...), dirs...)...)
	require.Equal(t, exitViolation, r.code, r.stderr)
	_, sum := fileLines(t, files[0])
	_, sum1 := fileLines(t, files[1])
	failing := append(sum.FailingSeeds, sum1.FailingSeeds...)
	require.NotEmpty(t, failing)
	page := readFile(t, filepath.Join(merged, "sweep.html"))
	for _, seed := range failing {
		repro := filepath.Join(merged, fmt.Sprintf("seed-%d.json", seed))
		assert.FileExists(t, repro)
		assert.FileExists(t, filepath.Join(merged, fmt.Sprintf("seed-%d.html", seed)))
		assert.Contains(t, page, fmt.Sprintf(`<a href="seed-%d.html">report</a>`, seed))
		assert.Contains(t, r.stdout, "go run ./cmd/raftcheck replay "+repro+"\n")
	}
	assert.Empty(t, r.stderr)

	// The copied repro file replays.
	repro := filepath.Join(merged, fmt.Sprintf("seed-%d.json", failing[0]))
	rr := invoke(t, "replay", repro, "--out", merged)
	assert.Equal(t, exitViolation, rr.code, rr.stderr)
	assert.Contains(t, rr.stdout, "reproduced: same trace hash")

	// --json: the run lines name the copied files too, and merge again to themselves.
	j := invoke(t, append(append([]string{"merge", "--json", "--out", merged}, files...), dirs...)...)
	require.Equal(t, exitViolation, j.code, j.stderr)
	runs, _ := outputLines(t, j.stdout)
	for _, rj := range runs {
		if len(rj.Violations) > 0 {
			assert.Equal(t, "go run ./cmd/raftcheck replay "+filepath.Join(merged, fmt.Sprintf("seed-%d.json", rj.Seed)), rj.Replay)
		}
	}
}

func TestSweepPanickingSeed(t *testing.T) {
	dir := t.TempDir()
	boom := func(seed uint64, cfg cluster.Config, opts cluster.Options) (*cluster.Result, error) {
		if seed == 2 {
			panic(fmt.Sprintf("raft: term regressed on seed %d", seed))
		}
		return cluster.Run(seed, cfg, opts)
	}
	r := invokeWith(t, boom, withShort("sweep", "--seeds", "3", "--json", "--progress", "none", "--out", dir)...)
	assert.Equal(t, exitInternal, r.code)
	assert.Contains(t, r.stderr, "sweep: seed 2 panicked: raft: term regressed on seed 2")
	assert.Contains(t, r.stderr, "replay: go run ./cmd/raftcheck replay "+filepath.Join(dir, "seed-2.json"))
	lines := jsonLines(r.stdout)
	require.Len(t, lines, 4, "the sweep goes on after a panic")
	rj := decodeRun(t, lines[1])
	require.Len(t, rj.Violations, 1)
	assert.Equal(t, "panic", rj.Violations[0].Kind)
	assert.Equal(t, uint64(3), decodeRun(t, lines[2]).Seed)
	var s struct{ Summary sweepSummaryJSON }
	require.NoError(t, json.Unmarshal([]byte(lines[3]), &s))
	assert.Equal(t, map[string]int{"panic": 1}, s.Summary.Violations)
	assert.Equal(t, []uint64{2}, s.Summary.FailingSeeds)

	text := invokeWith(t, boom, withShort("sweep", "--seeds", "3", "--progress", "none", "--out", dir)...)
	assert.Equal(t, exitInternal, text.code)
	assert.Contains(t, text.stdout, "seed 2 [panic]")
	assert.Contains(t, text.stderr, "1 seeds panicked")
}

// TestLineProgressTimeLeft: a progress line says how long the seeds left take at the rate so
// far, and lines come at most every interval.
func TestLineProgressTimeLeft(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := t0
	var w bytes.Buffer
	p := &lineProgress{w: &w, now: func() time.Time { return now }, every: 5 * time.Second, start: t0, last: t0, total: 1000}
	now = t0.Add(10 * time.Second)
	p.update(100, 2)
	now = t0.Add(12 * time.Second)
	p.update(130, 2) // within the interval: no line
	now = t0.Add(20 * time.Second)
	p.update(0, 0) // nothing done yet at this rate: no time left to give
	assert.Equal(t, "sweep: 100/1000 seeds, 2 failed, 10.0 seeds/s, 1m30s left\nsweep: 0/1000 seeds, 0 failed, 0.0 seeds/s\n", w.String())
}

func TestSweepProgressLines(t *testing.T) {
	var out, errb bytes.Buffer
	e := newEnv(&out, &errb)
	e.progressEvery = 0
	code := e.main(withShort("sweep", "--seeds", "3", "--parallel", "1", "--out", t.TempDir()))
	require.Equal(t, exitOK, code, errb.String())
	assert.Contains(t, errb.String(), "sweep: 1/3 seeds, 0 failed, ")
	assert.Contains(t, errb.String(), "sweep: 2/3 seeds, 0 failed, ")
	assert.Contains(t, out.String(), "sweep: 3 seeds (range 1..3, shard 0/1), 0 failed")

	bar := newEnv(&out, &errb)
	bar.isTerminal = func(io.Writer) bool { return true }
	p, err := bar.newProgress("auto", 3)
	require.NoError(t, err)
	assert.IsType(t, &barProgress{}, p)
	p, err = bar.newProgress("lines", 3)
	require.NoError(t, err)
	assert.IsType(t, &lineProgress{}, p)
}

func TestSeedRange(t *testing.T) {
	cases := []struct {
		rng  seedRange
		want []uint64
	}{
		{seedRange{from: 1, count: 5, shard: 0, shards: 1}, []uint64{1, 2, 3, 4, 5}},
		{seedRange{from: 10, count: 5, shard: 0, shards: 2}, []uint64{10, 12, 14}},
		{seedRange{from: 10, count: 5, shard: 1, shards: 2}, []uint64{11, 13}},
		{seedRange{from: 0, count: 2, shard: 2, shards: 3}, nil},
		{seedRange{from: 7, count: 3, shard: 2, shards: 3}, []uint64{9}},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%+v", c.rng), func(t *testing.T) {
			var got []uint64
			for k := range c.rng.size() {
				got = append(got, c.rng.at(k))
			}
			assert.Equal(t, c.want, got)
		})
	}
}

func TestSweepFromRandom(t *testing.T) {
	r := invoke(t, withShort("sweep", "--from", "random", "--count", "1", "--progress", "none", "--out", t.TempDir())...)
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stderr, "sweep: --from random picked ")
}

// TestParallelAboveCPUs: --parallel above the CPUs runs one seed per CPU at a time, and says so
// in one line.
func TestParallelAboveCPUs(t *testing.T) {
	want := "warning: --parallel 3 is more than the 2 CPUs this process may use (GOMAXPROCS): running 2 seeds at a time " +
		"(a simulation is CPU-bound: more workers would only add memory and scheduling)\n"
	for _, c := range []struct {
		args []string
		warn string
	}{
		{withShort("sweep", "--seeds", "2", "--parallel", "3", "--progress", "none"), "sweep: " + want},
		{withShort("sweep", "--seeds", "2", "--parallel", "2", "--progress", "none"), ""},
		{withShort("hunt", "--mutant", "no-session-dedup", "--budget", "1ms", "--max-seeds", "1", "--clean-seeds", "0",
			"--from", "1", "--parallel", "3", "--json"), "hunt: " + want},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			e := newEnv(&out, &errb)
			e.cpus = 2
			code := e.main(append(c.args, "--out", t.TempDir()))
			assert.Contains(t, []int{exitOK, exitViolation}, code, errb.String())
			var warnings []string
			for _, l := range strings.SplitAfter(errb.String(), "\n") {
				if strings.Contains(l, "warning:") {
					warnings = append(warnings, l)
				}
			}
			if c.warn == "" {
				assert.Empty(t, warnings)
			} else {
				assert.Equal(t, []string{c.warn}, warnings)
			}
			if c.args[0] == "sweep" {
				assert.Contains(t, out.String(), "seeds/s on 2 workers", "at most one worker per CPU")
			}
		})
	}
}

// interruptAfter is an env whose long commands are interrupted (as by Ctrl-C) once seed
// `after` has run.
func interruptAfter(out, errb *bytes.Buffer, after uint64) *env {
	e := newEnv(out, errb)
	ctx, cancel := context.WithCancel(context.Background())
	e.interruptible = func() (context.Context, context.CancelFunc) { return ctx, cancel }
	e.runCluster = func(seed uint64, cfg cluster.Config, opts cluster.Options) (*cluster.Result, error) {
		res, err := cluster.Run(seed, cfg, opts)
		if seed >= after {
			cancel()
		}
		return res, err
	}
	return e
}

// TestSweepInterrupted: a sweep stopped by Ctrl-C prints the summary of the seeds that ran,
// marked interrupted, and exits 130.
func TestSweepInterrupted(t *testing.T) {
	for _, asJSON := range []bool{false, true} {
		t.Run(fmt.Sprint("json=", asJSON), func(t *testing.T) {
			var out, errb bytes.Buffer
			e := interruptAfter(&out, &errb, 2)
			args := withShort("sweep", "--seeds", "50", "--parallel", "1", "--progress", "none", "--out", t.TempDir())
			if asJSON {
				args = append(args, "--json")
			}
			code := e.main(args)
			assert.Equal(t, exitInterrupted, code, errb.String())
			assert.Regexp(t, `^sweep: interrupted after \d+ of 50 seeds\n$`, errb.String())
			if !asJSON {
				assert.Contains(t, out.String(), "interrupted: not every seed of the range ran\n")
				return
			}
			runs, sum := outputLines(t, out.String())
			assert.True(t, sum.Interrupted)
			assert.Equal(t, len(runs), sum.Seeds)
			assert.Less(t, sum.Seeds, 50)
			assert.GreaterOrEqual(t, sum.Seeds, 2)
		})
	}
}

// TestHuntInterrupted: a hunt stopped by Ctrl-C prints its table so far and exits 130.
func TestHuntInterrupted(t *testing.T) {
	var out, errb bytes.Buffer
	e := interruptAfter(&out, &errb, 1)
	code := e.main(withShort("hunt", "--mutant", "no-session-dedup,vote-not-persisted", "--from", "1", "--parallel", "1",
		"--clean-seeds", "3", "--out", t.TempDir()))
	assert.Equal(t, exitInterrupted, code, errb.String())
	assert.Contains(t, out.String(), "mutant ")
	assert.Contains(t, errb.String(), "raftcheck hunt: interrupted: the table covers the mutants hunted so far\n")
}
