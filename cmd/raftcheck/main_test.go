package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/engine/builtin"
	"github.com/raftcheck/raftcheck/engine/raftengine"
	"github.com/raftcheck/raftcheck/simnet"
)

// result is what one CLI invocation gave.
type result struct {
	code           int
	stdout, stderr string
}

// invokeWith runs the CLI in a fresh env; runner, if set, replaces cluster.Run.
func invokeWith(t *testing.T, runner runner, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	e := newEnv(&out, &errb)
	if runner != nil {
		e.runCluster = runner
	}
	code := e.main(args)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

func invoke(t *testing.T, args ...string) result {
	t.Helper()
	return invokeWith(t, nil, args...)
}

// invokeUncapped is invoke on an env that claims 64 CPUs, so that --parallel runs as many
// workers as asked on any machine: for the tests that compare worker counts.
func invokeUncapped(t *testing.T, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	e := newEnv(&out, &errb)
	e.cpus = 64
	code := e.main(args)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// short are flags that keep a run to a few milliseconds.
var short = []string{"--duration", "5s"}

func withShort(args ...string) []string { return append(args, short...) }

func TestRunEntryPoint(t *testing.T) {
	var out, errb bytes.Buffer
	code := run([]string{"list", "workloads"}, &out, &errb)
	require.Equal(t, exitOK, code, "stderr: %s", errb.String())
	assert.Contains(t, out.String(), "kv ")
	assert.Contains(t, out.String(), "append ")
}

func TestHelp(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"help"}, "Commands:"},
		{[]string{"--help"}, "Commands:"},
		{[]string{"help", "sweep"}, "Usage: raftcheck sweep"},
		{[]string{"run", "--help"}, "--nodes int"},
		{[]string{"sweep", "-h"}, "--shard string"},
		{[]string{"replay", "--help"}, "DOES NOT REPRODUCE"},
		{[]string{"shrink", "--help"}, "--max-runs int"},
		{[]string{"report", "--help"}, "Usage: raftcheck report FILE"},
		{[]string{"merge", "--help"}, "Usage: raftcheck merge FILE..."},
		{[]string{"list", "--help"}, "mutants|nemeses|workloads"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			r := invoke(t, c.args...)
			assert.Equal(t, exitOK, r.code, "stderr: %s", r.stderr)
			assert.Contains(t, r.stdout, c.want)
			assert.Empty(t, r.stderr)
		})
	}
}

func TestList(t *testing.T) {
	cases := []struct{ what, want string }{
		{"mutants", "commit-to-last-index"},
		{"nemeses", "slow-disk"},
		{"nemeses", "swarm"},
		{"workloads", "append"},
	}
	for _, c := range cases {
		t.Run(c.what+"/"+c.want, func(t *testing.T) {
			r := invoke(t, "list", c.what)
			require.Equal(t, exitOK, r.code, r.stderr)
			assert.Contains(t, r.stdout, c.want)
		})
	}
	r := invoke(t, "list", "mutants")
	assert.Equal(t, len(cluster.Mutants(raftengine.Descriptor())), strings.Count(r.stdout, "\n"), "one line per mutant")
	r = invoke(t, "list", "engines")
	require.Equal(t, exitOK, r.code, r.stderr)
	for _, d := range builtin.List() {
		assert.Contains(t, r.stdout, d.Name+"  ")
		assert.Contains(t, r.stdout, d.Version)
	}
}

// TestUsageErrors covers bad flags, values and arguments: exit 2, a message naming the
// flag or path, and no panic.
func TestUsageErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope.json")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no command", nil, "Usage:"},
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"help unknown", []string{"help", "frobnicate"}, `unknown command "frobnicate"`},
		{"unknown flag", []string{"run", "--bogus"}, "unknown flag --bogus"},
		{"unknown flag single dash", []string{"sweep", "-bogus=1"}, "unknown flag --bogus"},
		{"nodes range", []string{"run", "--nodes", "12"}, "--nodes 12: must be in [3, 9]"},
		{"nodes not a number", []string{"run", "--nodes", "five"}, "--nodes five:"},
		{"flag needs value", []string{"run", "--nodes"}, "--nodes needs a value"},
		{"bad duration", []string{"run", "--duration", "5x"}, "--duration 5x:"},
		{"heal bound", []string{"run", "--heal-bound", "0s"}, "--heal-bound 0s: must be > 0"},
		{"workload", []string{"run", "--workload", "sql"}, `--workload sql: must be "kv", "append" or "swarm"`},
		{"read fraction", []string{"run", "--read-fraction", "2"}, "--read-fraction 2: must be in [0, 1]"},
		{"election ticks", []string{"run", "--election-ticks", "1"}, "--election-ticks 1: must be > heartbeat_ticks"},
		{"bad bool", []string{"run", "--read-index=maybe"}, "--read-index maybe:"},
		{"tuning", []string{"run", "--tuning", "wild"}, `--tuning wild: must be "swarm" or "fixed"`},
		{"max inflight", []string{"run", "--max-inflight", "-1"}, "--max-inflight -1: must be >= 0"},
		{"sync latency", []string{"run", "--sync-latency", "2s"}, "--sync-latency 2s: must be in [0, 1s]"},
		{"unknown mutant", []string{"run", "--mutant", "off-by-one"}, "--mutant off-by-one: unknown mutant of engine raftcheck"},
		{"unknown mutant in list", []string{"sweep", "--mutant", "vote-not-persisted,nope"}, "--mutant nope: unknown mutant of engine raftcheck"},
		{"unknown nemesis", []string{"run", "--nemesis", "crash,meteor"}, `--nemesis crash,meteor: unknown fault kind "meteor"`},
		{"bad seed", []string{"run", "--seed", "-1"}, "--seed -1: want an unsigned integer"},
		{"run argument", []string{"run", "extra"}, `unexpected argument "extra"`},
		{"shard too big", []string{"sweep", "--shard", "3/2"}, "--shard 3/2: index 3 out of range [0, 2)"},
		{"shard n/n", []string{"sweep", "--shard", "2/2"}, "--shard 2/2: index 2 out of range [0, 2)"},
		{"shard word", []string{"sweep", "--shard", "x"}, "--shard x: want i/n"},
		{"shard zero", []string{"sweep", "--shard", "0/0"}, "--shard 0/0: shard count 0"},
		{"shard negative", []string{"sweep", "--shard", "-1/2"}, "--shard -1/2: index -1"},
		{"seeds zero", []string{"sweep", "--seeds", "0"}, "--seeds 0: must be in [1,"},
		{"count negative", []string{"sweep", "--count", "-3"}, "--count -3: must be in [1,"},
		{"seeds and count", []string{"sweep", "--seeds", "5", "--count", "6"}, "--seeds 5 and --count 6 disagree"},
		{"seeds and from", []string{"sweep", "--seeds", "5", "--from", "10"},
			"raftcheck sweep: --seeds 5 with --from 10: give --seeds N for seeds 1..N, or --from M --count N for seeds M..M+N-1\n"},
		{"seeds and from random", []string{"sweep", "--from", "random", "--seeds", "5"}, "--seeds 5 with --from random: give --seeds N"},
		{"from overflow", []string{"sweep", "--from", "18446744073709551615", "--count", "2"}, "overflows"},
		{"parallel", []string{"sweep", "--parallel", "0"}, "--parallel 0: must be in [1, 1024]"},
		{"progress", []string{"sweep", "--progress", "fancy", "--seeds", "1"}, "--progress fancy: want auto, bar, lines or none"},
		{"replay nothing", []string{"replay"}, "want --seed N"},
		{"replay two files", []string{"replay", "a.json", "b.json"}, "want one FILE, got 2"},
		{"replay missing file", []string{"replay", missing}, missing},
		{"replay file and flags", []string{"replay", missing, "--nodes", "3"}, "--nodes cannot be combined with FILE"},
		{"shrink nothing", []string{"shrink"}, "want --seed N"},
		{"shrink max runs", []string{"shrink", "--seed", "1", "--max-runs", "0"}, "--max-runs 0: must be >= 1"},
		{"report no file", []string{"report"}, "want one FILE"},
		{"report missing file", []string{"report", missing}, missing},
		{"merge no file", []string{"merge"}, "want at least one FILE"},
		{"list nothing", []string{"list"}, "want one of engines, mutants, nemeses, workloads"},
		{"list unknown", []string{"list", "bugs"}, `unknown list "bugs"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := invoke(t, c.args...)
			assert.Equal(t, exitUsage, r.code, "stdout: %s\nstderr: %s", r.stdout, r.stderr)
			assert.Contains(t, r.stderr, c.want)
			assert.NotContains(t, r.stderr, "goroutine ", "a stack trace: something panicked")
		})
	}
}

func TestRunExitCodes(t *testing.T) {
	dir := t.TempDir()
	t.Run("pass", func(t *testing.T) {
		r := invoke(t, withShort("run", "--seed", "1", "--out", dir)...)
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Contains(t, r.stdout, "PASS  seed 1")
		assert.Contains(t, r.stdout, "replay: go run ./cmd/raftcheck replay --seed 1 --duration 5s")
		assert.NoFileExists(t, filepath.Join(dir, "seed-1.json"), "a passing run writes no repro")
	})
	t.Run("violation", func(t *testing.T) {
		seed, _ := failingSeed(t)
		r := invoke(t, withShort("run", "--seed", seed, "--mutant", bug(t), "--out", dir)...)
		require.Equal(t, exitViolation, r.code, r.stderr)
		assert.Contains(t, r.stdout, "FAIL [")
		repro := filepath.Join(dir, "seed-"+seed+".json")
		assert.Contains(t, r.stdout, "repro file: "+repro)
		assert.Contains(t, r.stdout, "report: "+filepath.Join(dir, "seed-"+seed+".html"))
		assert.FileExists(t, repro)
	})
	t.Run("random seed", func(t *testing.T) {
		r := invoke(t, withShort("run", "--out", dir, "--nemesis", "none")...)
		require.Equal(t, exitOK, r.code, r.stderr)
		assert.Contains(t, r.stderr, "(fresh random seed)")
	})
	t.Run("flags after and before", func(t *testing.T) {
		r := invoke(t, "run", "--seed", "2", "--duration=2s", "--nemesis", "none", "--clients", "2", "--json", "--out", dir)
		require.Equal(t, exitOK, r.code, r.stderr)
		rj := decodeRun(t, r.stdout)
		assert.Equal(t, uint64(2), rj.Seed)
		assert.Equal(t, 2, rj.Config.Clients)
		assert.Equal(t, "none", rj.Config.Nemesis)
	})
}

func TestPanicIsInternalError(t *testing.T) {
	dir := t.TempDir()
	boom := func(seed uint64, cfg cluster.Config, opts cluster.Options) (*cluster.Result, error) {
		panic("raft: commit 9 > lastIndex 7")
	}
	r := invokeWith(t, boom, withShort("run", "--seed", "42", "--out", dir)...)
	assert.Equal(t, exitInternal, r.code)
	assert.Contains(t, r.stderr, "seed 42 panicked: raft: commit 9 > lastIndex 7")
	repro := filepath.Join(dir, "seed-42.json")
	assert.Contains(t, r.stderr, "replay: go run ./cmd/raftcheck replay "+repro)
	data, err := os.ReadFile(repro)
	require.NoError(t, err)
	rp, err := cluster.ParseRepro(repro, data)
	require.NoError(t, err)
	assert.Equal(t, uint64(42), rp.Seed)
	assert.Contains(t, rp.Note, "panicked: raft: commit 9 > lastIndex 7")

	r = invokeWith(t, boom, "replay", repro)
	assert.Equal(t, exitInternal, r.code)
	assert.Contains(t, r.stderr, "seed 42 panicked")
}

func TestTuningFlags(t *testing.T) {
	dir := t.TempDir()
	r := invoke(t, "run", "--seed", "5", "--duration", "1s", "--json", "--out", dir)
	require.Equal(t, exitOK, r.code, r.stderr)
	drawn := decodeRun(t, r.stdout).Config
	cases := []struct {
		name  string
		args  []string
		check func(t *testing.T, c cluster.Config)
	}{
		{"tuned value implies fixed", []string{"--election-ticks", "7", "--max-inflight", "3"},
			func(t *testing.T, c cluster.Config) {
				assert.Equal(t, 7, c.ElectionTicks)
				assert.Equal(t, 3, c.Protocol.MaxInflight)
				assert.Equal(t, cluster.DefaultConfig().CompactEvery, c.CompactEvery, "untouched settings keep their defaults")
			}},
		{"explicit swarm wins", []string{"--tuning", "swarm", "--election-ticks", "7"},
			func(t *testing.T, c cluster.Config) { assert.Equal(t, drawn, c, "the seed draws the settings") }},
		{"untuned flag keeps swarm", []string{"--tick", "40ms"},
			func(t *testing.T, c cluster.Config) {
				assert.Equal(t, simnet.Duration(40e6), c.Tick)
				c.Tick = drawn.Tick
				assert.Equal(t, drawn, c, "every tuned setting is still the seed's draw")
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"run", "--seed", "5", "--duration", "1s", "--json", "--out", dir}, c.args...)
			r := invoke(t, args...)
			require.Equal(t, exitOK, r.code, r.stderr)
			rj := decodeRun(t, r.stdout)
			assert.Equal(t, "fixed", rj.Config.Tuning, "a result records the settings it used as fixed")
			c.check(t, rj.Config)
		})
	}
}
