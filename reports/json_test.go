package reports

import (
	"bytes"
	"encoding/json"
	"regexp"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/simnet"
)

func TestNewRunJSONFromRealRun(t *testing.T) {
	res := shortRun(t)
	got := NewRunJSON(res)

	assert.Equal(t, uint64(1), got.Seed)
	assert.Equal(t, res.Config, got.Config)
	assert.Regexp(t, regexp.MustCompile(`^[0-9a-f]{16}$`), got.TraceHash)
	assert.Equal(t, res.TraceHash, mustParseHex(t, got.TraceHash))
	assert.Equal(t, res.Linearizable.String(), got.Linearizable)
	assert.Contains(t, []string{"ok", "illegal", "unknown"}, got.Linearizable)
	require.Len(t, got.Violations, len(res.Violations))
	require.NotNil(t, got.Violations, "violations must be [] not null")
	for i, v := range res.Violations {
		assert.Equal(t, v.Kind, got.Violations[i].Kind)
		assert.InDelta(t, float64(v.Time)/1e9, got.Violations[i].Time, 1e-12)
	}
	s := res.Stats
	want := StatsJSON{
		Events: s.Events, SimSeconds: s.SimSeconds, WallSeconds: s.WallSeconds,
		OpsOK: s.OpsOK, OpsFailed: s.OpsFailed, OpsIndeterminate: s.OpsIndeterminate,
		Messages: s.Messages, Faults: s.FaultsApplied, FaultsSkipped: s.FaultsSkipped, Elections: s.Elections,
		LatencyMS: got.Stats.LatencyMS,
	}
	assert.Equal(t, want, got.Stats)
	lat := got.Stats.LatencyMS
	assert.Positive(t, lat.P50)
	assert.True(t, lat.P50 <= lat.P95 && lat.P95 <= lat.P99, "quantiles in order: %+v", lat)
	assert.Positive(t, got.Stats.Events)
	assert.Positive(t, got.Stats.OpsOK)
	assert.Equal(t, res.Schedule, got.Schedule)
	assert.Equal(t, "go run ./cmd/raftcheck replay --seed 1 --duration 3s", got.Replay)
}

func mustParseHex(t *testing.T, s string) uint64 {
	t.Helper()
	var v uint64
	for _, c := range s {
		v <<= 4
		switch {
		case c >= '0' && c <= '9':
			v |= uint64(c - '0')
		case c >= 'a' && c <= 'f':
			v |= uint64(c-'a') + 10
		default:
			t.Fatalf("trace hash %q: not lowercase hex", s)
		}
	}
	return v
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestRunJSONKeys(t *testing.T) {
	res := handResult(t)
	res.Violations[1].Nodes = nil // a client-history violation: no nodes
	data, err := json.Marshal(NewRunJSON(res))
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(data, &m))

	assert.Equal(t, []string{"config", "engine_version", "linearizable", "replay", "schedule", "seed", "stats", "trace_hash", "trace_hash_version", "violations"}, keys(m))
	assert.Equal(t, []string{"elections", "events", "faults", "faults_skipped", "latency_ms", "messages", "ops_failed",
		"ops_indeterminate", "ops_ok", "sim_seconds", "wall_seconds"}, keys(m["stats"].(map[string]any)))
	assert.Equal(t, 42.0, m["seed"])
	assert.Equal(t, "00abcdef01234567", m["trace_hash"])
	assert.Equal(t, float64(simnet.TraceHashVersion), m["trace_hash_version"])
	assert.Equal(t, "illegal", m["linearizable"])
	assert.Equal(t, []any{"250ms partition for=200ms nodes=0,1,2 shape=halves"}, m["schedule"], "schedule: fault text lines")
	assert.Equal(t, 3.0, m["config"].(map[string]any)["nodes"], "config: cluster.Config's own JSON names")

	vs := m["violations"].([]any)
	require.Len(t, vs, 2)
	v0 := vs[0].(map[string]any)
	assert.Equal(t, []string{"detail", "kind", "nodes", "time"}, keys(v0))
	assert.Equal(t, map[string]any{"kind": "durability", "time": 0.35, "nodes": []any{1.0, 2.0}, "detail": hostile}, v0)
	assert.Equal(t, []any{}, vs[1].(map[string]any)["nodes"], "nodes: [] not null")

	stats := m["stats"].(map[string]any)
	assert.Equal(t, map[string]any{"events": 1234.0, "sim_seconds": 1.0, "wall_seconds": 0.5, "ops_ok": 2.0, "ops_failed": 1.0,
		"ops_indeterminate": 1.0, "messages": 99.0, "faults": 1.0, "faults_skipped": 1.0, "elections": 2.0,
		"latency_ms": map[string]any{"p50": 100.0, "p95": 100.0, "p99": 100.0}}, stats, "latency of the two ok operations (100 ms each); the failed and unanswered ones are not counted")
}

func TestRunJSONEmptyListsAreNotNull(t *testing.T) {
	res := &cluster.Result{Seed: 3, Config: cluster.DefaultConfig()}
	data, err := json.Marshal(NewRunJSON(res))
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(data, &m))
	assert.Equal(t, []any{}, m["violations"])
	assert.Equal(t, []any{}, m["schedule"])
	assert.Equal(t, "0000000000000000", m["trace_hash"])
	assert.Equal(t, "unknown", m["linearizable"], "a run nobody checked is never ok")
}

func TestReplayCommand(t *testing.T) {
	custom := cluster.DefaultConfig()
	custom.Nodes, custom.Duration, custom.Workload = 7, simnet.Duration(10*time.Second), "append"
	custom.Nemesis, custom.Mutants = "crash,partition", []string{"no-step-down", "commit-prior-term"}
	custom.Clients, custom.Rate, custom.FaultInterval = 3, 50.5, simnet.Duration(2500*time.Millisecond)
	quoted := cluster.DefaultConfig()
	quoted.Nemesis = "crash, it's"
	unflagged := cluster.DefaultConfig()
	unflagged.Keys, unflagged.Protocol.MaxInflight = 99, 3

	tests := []struct {
		name  string
		seed  uint64
		cfg   cluster.Config
		repro string
		want  string
	}{
		{"default", 7, cluster.DefaultConfig(), "", "go run ./cmd/raftcheck replay --seed 7"},
		{"every flag", 18446744073709551615, custom, "",
			"go run ./cmd/raftcheck replay --seed 18446744073709551615 --nodes 7 --duration 10s --workload append" +
				" --nemesis crash,partition --clients 3 --rate 50.5 --fault-interval 2.5s --mutant no-step-down --mutant commit-prior-term"},
		{"shell quoting", 1, quoted, "", `go run ./cmd/raftcheck replay --seed 1 --nemesis 'crash, it'\''s'`},
		{"a field further down the list", 2, unflagged, "", "go run ./cmd/raftcheck replay --seed 2 --keys 99 --max-inflight 3"},
		{"repro file", 7, custom, "testdata/repro-7.json", "go run ./cmd/raftcheck replay testdata/repro-7.json"},
		{"repro file with a space", 7, custom, "my runs/r.json", "go run ./cmd/raftcheck replay 'my runs/r.json'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ReplayCommand(&cluster.Result{Seed: tc.seed, Config: tc.cfg}, tc.repro)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ReplayCommand: got %q; want %q", got, tc.want)
			}
		})
	}
}

func TestShellQuote(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", "plain"}, {"a/b-c_d.json", "a/b-c_d.json"}, {"crash,partition", "crash,partition"},
		{"", "''"}, {"a b", "'a b'"}, {"it's", `'it'\''s'`}, {"$(rm)", "'$(rm)'"}, {"é", "'é'"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := shellQuote(tc.in); got != tc.want {
				t.Errorf("shellQuote(%q) = %q; want %q", tc.in, got, tc.want)
			}
		})
	}
}

// TestReplayPrefix: the CLI sets how raftcheck was run once; every replay command this package
// prints starts with it, each word quoted where a shell needs it, and no words restore the
// default.
func TestReplayPrefix(t *testing.T) {
	t.Cleanup(func() { SetReplayPrefix() })
	res := &cluster.Result{Seed: 4, Config: cluster.DefaultConfig()}
	cases := []struct {
		words []string
		want  string
	}{
		{[]string{"raftcheck"}, "raftcheck replay --seed 4"},
		{[]string{"/opt/my tools/raftcheck"}, "'/opt/my tools/raftcheck' replay --seed 4"},
		{[]string{"go", "run", "github.com/raftcheck/raftcheck/cmd/raftcheck@v1.2.0"},
			"go run github.com/raftcheck/raftcheck/cmd/raftcheck@v1.2.0 replay --seed 4"},
		{nil, "go run ./cmd/raftcheck replay --seed 4"},
	}
	for _, c := range cases {
		SetReplayPrefix(c.words...)
		assert.Equal(t, c.want, ReplayCommand(res, ""))
		assert.Equal(t, c.want, NewRunJSON(res).Replay)
	}
	SetReplayPrefix("./raftcheck")
	assert.Equal(t, "./raftcheck replay out/seed-4.json", ReplayCommand(res, "out/seed-4.json"))
	var text, sweep bytes.Buffer
	require.NoError(t, WriteText(&text, res, ""))
	assert.Contains(t, text.String(), "replay: ./raftcheck replay --seed 4\n")
	require.NoError(t, WriteSweepHTML(&sweep, SweepSummary{Seeds: 1, Failed: 1, Config: cluster.DefaultConfig(),
		Failing: []SweepRun{{Seed: 4, Kinds: []string{"durability"}}}}))
	assert.Contains(t, sweep.String(), "<code>./raftcheck replay --seed N</code>")
}
