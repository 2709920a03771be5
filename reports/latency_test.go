package reports

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/workloads"
)

func TestLatencyQuantiles(t *testing.T) {
	var hist []workloads.HistoryOp
	for _, i := range rand.New(rand.NewPCG(1, 2)).Perm(100) { // latencies 1..100 ms, in any order
		hist = append(hist, workloads.HistoryOp{Call: int64(i) * 1e9, Return: int64(i)*1e9 + int64(i+1)*ms, Outcome: workloads.OutcomeOK})
	}
	hist = append(hist,
		workloads.HistoryOp{Call: 0, Return: 90e9, Outcome: workloads.OutcomeUnknown}, // not ok: left out
		workloads.HistoryOp{Call: 0, Return: 80e9, Outcome: workloads.OutcomeFail})
	p50, p95, p99 := LatencyQuantiles(&cluster.Result{History: hist})
	assert.Equal(t, [3]float64{50, 95, 99}, [3]float64{p50, p95, p99}, "nearest rank, in ms")

	p50, p95, p99 = LatencyQuantiles(&cluster.Result{History: hist[:20]})
	var lat []int64
	for _, h := range hist[:20] {
		lat = append(lat, h.Return-h.Call)
	}
	q := quantilesOf(lat) // sorts lat
	assert.Equal(t, [3]float64{float64(lat[9]) / 1e6, float64(lat[18]) / 1e6, float64(lat[19]) / 1e6}, q,
		"20 ops: p50 is the 10th, p95 the 19th (0.95 × 20 exactly, no float rounding up), p99 the 20th")
	assert.Equal(t, q, [3]float64{p50, p95, p99})

	p50, p95, p99 = LatencyQuantiles(&cluster.Result{History: hist[100:]})
	assert.Equal(t, [3]float64{0, 0, 0}, [3]float64{p50, p95, p99}, "no ok op: zeros")
}

func TestQuantileWindows(t *testing.T) {
	s := int64(1e9)
	ops := []op{
		{call: 100 * ms, ret: 110 * ms, outcome: outcomeOK},
		{call: 900 * ms, ret: 930 * ms, outcome: outcomeOK},
		{call: 2500 * ms, ret: 2600 * ms, outcome: outcomeOK},
		{call: 2600 * ms, ret: 9 * s, outcome: outcomeUnknown}, // not ok
		{call: 3 * s, ret: 0, outcome: outcomeOK},              // never answered
	}
	wins := quantileWindows(ops, 5*s)
	require.Len(t, wins, 51, "50 windows of 100 ms, and the instant of the end")
	assert.Equal(t, quantileWindow{from: 100 * ms, to: 200 * ms, n: 1, q: [3]float64{10, 10, 10}}, wins[1])
	assert.Equal(t, quantileWindow{from: 2500 * ms, to: 2600 * ms, n: 1, q: [3]float64{100, 100, 100}}, wins[25])
	assert.Zero(t, wins[26].n)
	assert.Zero(t, wins[30].n, "a never-answered op has no latency")
	assert.Len(t, quantileWindows(ops, 100*s), 51, "1 s windows for a 100 s run")
}

func TestWriteHTMLLatencyQuantiles(t *testing.T) {
	page := renderHTML(t, handResult(t), "")
	has(t, page, "<dt>latency p50 / p95 / p99</dt><dd>100ms / 100ms / 100ms</dd>", "the two ok ops took 100 ms")
	has(t, page, "Latency quantiles of ok operations by invocation time (log scale): overall 100ms / 100ms / 100ms</h3>")
	plot := section(t, page, `<svg class="perf quantiles"`, "</svg>")
	for _, q := range []string{"p50", "p95", "p99"} {
		assert.Equal(t, 2, strings.Count(plot, `<circle class="qpt q-`+q+`"`), "%s: a point per window with ok ops", q)
	}
	has(t, plot, "<title>p95 of ops invoked 0.300s – 0.320s: 100ms (1 op)</title>")
	assert.NoError(t, wellFormed(`<svg class="perf quantiles"`+plot+"</svg>"))
}
