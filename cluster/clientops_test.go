package cluster

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/raftcheck/raftcheck/engine/raftengine"
	"github.com/raftcheck/raftcheck/simnet"
	"github.com/raftcheck/raftcheck/workloads"
)

func TestOpLineExamples(t *testing.T) {
	cases := map[string]workloads.Op{
		"put k1 7":            {Kind: workloads.Put, Key: "k1", Value: "7"},
		"get k1":              {Kind: workloads.Get, Key: "k1"},
		`cas k1 "" 8`:         {Kind: workloads.CAS, Key: "k1", Value: "8"},
		"append k3 12":        {Kind: workloads.Append, Key: "k3", Value: "12"},
		`put "a b" "x\"y\\n"`: {Kind: workloads.Put, Key: "a b", Value: "x\"y\\n"},
	}
	for line, op := range cases {
		assert.Equal(t, line, OpLine(op))
		back, err := ParseOpLine(line)
		require.NoError(t, err, line)
		assert.Equal(t, op, back)
	}
	back, err := ParseOpLine("  put   k1  7 ")
	require.NoError(t, err, "extra spaces are tolerated")
	assert.Equal(t, workloads.Op{Kind: workloads.Put, Key: "k1", Value: "7"}, back)
}

// TestOpLineRoundTrip: every valid operation reads back from its line, whatever its strings.
func TestOpLineRoundTrip(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		kind := rapid.SampledFrom([]workloads.OpKind{workloads.Get, workloads.Put, workloads.CAS}).Draw(rt, "kind")
		op := workloads.Op{Kind: kind, Key: rapid.StringN(1, 12, -1).Draw(rt, "key")}
		if kind != workloads.Get {
			op.Value = rapid.StringN(0, 12, -1).Draw(rt, "value")
		}
		if kind == workloads.CAS {
			op.Expect = rapid.StringN(0, 12, -1).Draw(rt, "expect")
		}
		if op.Validate() != nil {
			rt.Skip("not a valid op")
		}
		back, err := ParseOpLine(OpLine(op))
		if err != nil {
			rt.Fatalf("%q: %v", OpLine(op), err)
		}
		if back != op {
			rt.Fatalf("%q read back as %+v, want %+v", OpLine(op), back, op)
		}
	})
}

func TestParseOpLineErrors(t *testing.T) {
	for line, want := range map[string]string{
		"":                `op "": empty`,
		"delete k1":       `unknown kind "delete"`,
		"put k1":          "put takes 2 words after it, not 1",
		"get k1 k2":       "get takes 1 words after it, not 2",
		`put k1 "7`:       "bad quoted word",
		`put k1 "7"x`:     "no space after the quoted word",
		"append k1 seven": "malformed",
	} {
		_, err := ParseOpLine(line)
		assert.ErrorContains(t, err, want, line)
	}
}

// TestIssuedOpsReplay: a run given the operations its clients issued is the same run, for
// both workloads, and its repro file (which then carries them) replays it too.
func TestIssuedOpsReplay(t *testing.T) {
	for seed := uint64(1); seed <= 6; seed++ {
		cfg := DefaultConfig()
		cfg.Duration = simnet.Duration(8 * time.Second)
		cfg.Workload = []string{"kv", "append"}[seed%2]
		res, err := Run(seed, cfg, Options{Engine: raftengine.Descriptor()})
		require.NoError(t, err)
		ops := res.IssuedOps()
		require.Len(t, ops, res.Config.Clients)
		require.Equal(t, len(res.History), ops.Len())
		again, err := Run(seed, res.Config, Options{Engine: raftengine.Descriptor(), Ops: ops})
		require.NoError(t, err)
		require.Equal(t, res.TraceHash, again.TraceHash, "seed %d: explicit operations replay the drawn ones", seed)
		require.True(t, again.ExplicitOps)

		data, err := NewRepro(again, true).Marshal()
		require.NoError(t, err)
		require.Contains(t, string(data), `"ops": [`)
		rp, err := ParseRepro("r.json", data)
		require.NoError(t, err)
		opts, err := rp.Options(raftengine.Descriptor())
		require.NoError(t, err)
		require.Equal(t, ops, opts.Ops)
		third, err := Run(rp.Seed, rp.Config, opts)
		require.NoError(t, err)
		require.Equal(t, res.TraceHash, third.TraceHash, "seed %d: the repro file replays it", seed)
	}
}

// TestExplicitOpsAreIndependentOfFaults: with explicit operations a client asks the same
// things whatever faults strike, so dropping a fault leaves every client's operations a
// prefix of its list; and a client whose list is used up stops.
func TestExplicitOpsAreIndependentOfFaults(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Duration = simnet.Duration(10 * time.Second)
	cfg.Workload = "kv"
	res, err := Run(3, cfg, Options{Engine: raftengine.Descriptor()})
	require.NoError(t, err)
	require.NotEmpty(t, res.Schedule)
	ops := res.IssuedOps()
	ops[0] = ops[0][:2]
	for drop := range res.Schedule {
		sched := slices.Delete(slices.Clone(res.Schedule), drop, drop+1)
		cand, err := Run(3, res.Config, Options{Engine: raftengine.Descriptor(), Schedule: &sched, Ops: ops})
		require.NoError(t, err)
		for c, got := range cand.IssuedOps() {
			require.LessOrEqual(t, len(got), len(ops[c]))
			require.Equal(t, ops[c][:len(got)], got, "without fault %d, client %d asks its own operations", drop, c)
		}
		require.Len(t, cand.IssuedOps()[0], 2, "client 0 stops after its two operations")
	}
}

func TestExplicitOpsErrors(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Workload = "kv"
	cfg.Clients = 2
	run := func(ops ClientOps) error {
		_, err := Run(1, cfg, Options{Engine: raftengine.Descriptor(), Ops: ops})
		return err
	}
	put := workloads.Op{Kind: workloads.Put, Key: "k1", Value: "1"}
	assert.EqualError(t, run(ClientOps{{put}}), "cluster: Options.Ops has operations for 1 clients; the config has 2")
	assert.EqualError(t, run(ClientOps{{put}, {{Kind: workloads.Append, Key: "k1", Value: "2"}}}),
		"cluster: operation 1 of client 1 (append k1 2) is not one of the kv workload")
	assert.ErrorContains(t, run(ClientOps{{put}, {{Kind: workloads.Put}}}), "cluster: operation 1 of client 1: workloads: malformed op: key length 0")

	good, err := Repro{Version: ReproVersion, Seed: 1, Config: cfg, Ops: [][]string{{"put k1 1"}, {"get k1"}}}.Marshal()
	require.NoError(t, err)
	_, err = ParseRepro("x.json", good)
	require.NoError(t, err)
	for name, c := range map[string]struct{ ops, want string }{
		"bad line":     {`[["put k1 1"], ["get k1", "get"]]`, "x.json: ops of client 1, line 2: op \"get\": get takes 1 words after it, not 0"},
		"client count": {`[["put k1 1"]]`, "x.json: ops lists 1 clients; the config has 2"},
	} {
		t.Run(name, func(t *testing.T) {
			data := strings.Replace(string(good), `"ops": [`, fmt.Sprintf(`"ops": %s, "x": [`, c.ops), 1)
			data = data[:strings.Index(data, `, "x": [`)] + "\n}\n"
			_, err := ParseRepro("x.json", []byte(data))
			require.ErrorIs(t, err, ErrRepro)
			require.ErrorContains(t, err, c.want)
		})
	}
}
