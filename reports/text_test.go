package reports

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/cluster"
)

func TestWriteTextHandResult(t *testing.T) {
	res := handResult(t)
	var b strings.Builder
	require.NoError(t, WriteText(&b, res, ""))
	want := "FAIL [durability linearizability]  seed 42  trace 00abcdef01234567\n" +
		"config: " + res.Config.String() + "\n" +
		"violations (2):\n" +
		"  durability       0.350s  nodes 1,2  " + hostile + "\n" +
		"  linearizability  1.000s  nodes -    " + res.Violations[1].Detail + "\n" +
		"linearizability: illegal\n" +
		"  " + res.LinDetail + "\n" +
		"stats: 2 ops ok, 1 failed, 1 indeterminate; 1 faults applied, 1 skipped; 2 elections\n" +
		"       1234 events, 99 messages, 1.0 simulated s, 0.50 wall s\n" +
		"schedule (1 fault):\n" +
		"  250ms partition for=200ms nodes=0,1,2 shape=halves\n" +
		"replay: go run ./cmd/raftcheck replay --seed 42 --nodes 3 --duration 800ms --workload kv\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("WriteText (-want +got):\n%s", diff)
	}
}

func TestWriteTextRealRun(t *testing.T) {
	res := shortRun(t)
	var b strings.Builder
	require.NoError(t, WriteText(&b, res, "repro.json"))
	lines := strings.Split(b.String(), "\n")
	verdict := "PASS"
	if res.Failed() {
		verdict = "FAIL [" + strings.Join(res.Kinds(), " ") + "]"
	}
	assert.Equal(t, verdict+"  seed 1  trace "+traceHash(res), lines[0])
	assert.Equal(t, "config: "+res.Config.String(), lines[1])
	assert.Contains(t, lines, "linearizability: "+res.Linearizable.String())
	assert.Contains(t, lines, "replay: go run ./cmd/raftcheck replay repro.json", "the repro file wins over flags")
	for _, f := range res.Schedule {
		assert.Contains(t, lines, "  "+f.String(), "every fault of the schedule is listed")
	}
}

func TestWriteTextNotes(t *testing.T) {
	cfg := cluster.DefaultConfig()
	cfg.Keys = 3
	var b strings.Builder
	require.NoError(t, WriteText(&b, &cluster.Result{Seed: 5, Config: cfg, ExplicitSchedule: true}, ""))
	got := b.String()
	assert.Contains(t, got, "PASS  seed 5  trace 0000000000000000\n")
	assert.Contains(t, got, "violations: none\n")
	assert.Contains(t, got, "schedule: no faults\n")
	assert.Contains(t, got, "       0 events, 0 messages, 0.0 simulated s\n", "a run without a wall clock prints no wall time")
	assert.Contains(t, got, "replay: go run ./cmd/raftcheck replay --seed 5 --keys 3\n        (flags cannot give this run's schedule: replay it exactly from a repro file)\n")
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWritersReturnWriteErrors(t *testing.T) {
	res := handResult(t)
	for name, write := range map[string]func() error{
		"text":  func() error { return WriteText(failWriter{}, res, "") },
		"html":  func() error { return WriteHTML(failWriter{}, res, "") },
		"sweep": func() error { return WriteSweepHTML(failWriter{}, SweepSummary{}) },
	} {
		t.Run(name, func(t *testing.T) {
			if err := write(); err == nil || err.Error() != "disk full" {
				t.Errorf("got error %v; want disk full", err)
			}
		})
	}
}
