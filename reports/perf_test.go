package reports

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/workloads"
)

func TestThroughput(t *testing.T) {
	s := int64(1e9)
	ok, fail, unknown := workloads.OutcomeOK, workloads.OutcomeFail, workloads.OutcomeUnknown
	hist := []workloads.HistoryOp{
		{Call: 0, Return: s / 2, Outcome: ok},
		{Call: 0, Return: s - 1, Outcome: ok},
		{Call: 0, Return: s, Outcome: ok}, // second 1
		{Call: s, Return: 2*s + 5, Outcome: fail},
		{Call: s, Return: 2*s + 6, Outcome: unknown},
		{Call: 2 * s, Return: 2*s - 1, Outcome: unknown}, // gave up before it began: skipped
		{Call: s, Return: 9 * s, Outcome: ok},            // beyond the end: last bucket
	}
	counts, bucket := throughput(opsOf(&cluster.Result{History: hist}), 3*s)
	assert.Equal(t, s, bucket)
	assert.Equal(t, [3][]float64{{2, 1, 0, 1}, {0, 0, 1, 0}, {0, 0, 1, 0}}, counts)
}

func TestThroughputWidensBucketsForLongRuns(t *testing.T) {
	end := int64(10000) * 1e9 // 10000 s: 1 s buckets would be 10001 of them
	counts, bucket := throughput([]op{{call: 0, ret: end, outcome: outcomeOK}}, end)
	assert.Equal(t, int64(6e9), bucket)
	assert.Len(t, counts[0], 1667)
	assert.Equal(t, 1.0/6, counts[0][1666], "one op in a 6 s bucket")
}

func TestLatencyRange(t *testing.T) {
	ms := int64(1e6)
	for _, tc := range []struct {
		name   string
		lat    []int64
		e0, e1 int
	}{
		{"none", nil, 0, 3},
		{"2ms to 700ms", []int64{2 * ms, 700 * ms}, 0, 3},
		{"one value", []int64{5 * ms}, 0, 1},
		{"exact decade", []int64{10 * ms, 100 * ms}, 1, 2},
		{"sub-microsecond floor", []int64{1, 3 * ms}, -3, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var hist []op
			for _, l := range tc.lat {
				hist = append(hist, op{call: 100, ret: 100 + l, outcome: outcomeOK})
			}
			e0, e1 := latencyRange(hist)
			if e0 != tc.e0 || e1 != tc.e1 {
				t.Errorf("latencyRange = [%d, %d]; want [%d, %d]", e0, e1, tc.e0, tc.e1)
			}
		})
	}
}

func TestNiceTicks(t *testing.T) {
	for _, tc := range []struct {
		name   string
		lo, hi float64
		n      int
		want   []float64
	}{
		{"step rounds up", 0, 33, 6, []float64{0, 10, 20, 30}},
		{"seconds", 0, 33, 7, []float64{0, 5, 10, 15, 20, 25, 30}},
		{"tenths", 0, 1, 10, []float64{0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1}},
		{"offset", 3, 9, 3, []float64{4, 6, 8}},
		{"empty range", 2, 2, 5, []float64{2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := niceTicks(tc.lo, tc.hi, tc.n)
			assert.InDeltaSlice(t, tc.want, got, 1e-9)
			for _, v := range got {
				assert.Equal(t, formatTick(v), formatTick(math.Round(v*10)/10), "tick %v prints without float noise", v)
			}
		})
	}
	assert.Equal(t, "0.3", formatTick(0.1+0.2))
	assert.Len(t, niceTicks(0, 1e12, 1e9), maxTicks, "ticks are bounded")
}

func TestFmtLatency(t *testing.T) {
	for _, tc := range []struct {
		ns   int64
		want string
	}{
		{-1, "-"}, {0, "0µs"}, {850_000, "850µs"}, {1_234, "1.23µs"}, {12_345_678, "12.3ms"}, {1_250_000_000, "1.25s"}, {30e9, "30s"},
	} {
		if got := fmtLatency(tc.ns); got != tc.want {
			t.Errorf("fmtLatency(%d) = %q; want %q", tc.ns, got, tc.want)
		}
	}
}
