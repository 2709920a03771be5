package cluster

import (
	"runtime/metrics"
	"testing"
	"time"

	"github.com/raftcheck/raftcheck/engine/raftengine"
	"github.com/raftcheck/raftcheck/simnet"
)

// longRunSeeds are the seeds every BenchmarkLongRun case runs, one after another, per
// iteration: the same runs at each duration, so that the cases' costs per simulated second
// compare. Seed 1 draws the kv workload and seed 3 the append workload.
var longRunSeeds = []uint64{1, 3}

// BenchmarkLongRun runs the standard scenario at 30 s, 300 s and 3,600 s of simulated load
// on longRunSeeds (issue 15's goals: a long run costs no more per simulated second than a
// short one, within 10%, and stays within 64 MiB). It keeps Go's default collector policy,
// as `raftcheck run` does. It reports ns/sim-s (wall time per simulated second, heal phase
// included), cpu-ns/sim-s (the process's user and system CPU time per simulated second, the
// figure to compare on a noisy machine; collector included) and peak-heap-B, the most heap (live and not yet collected) seen at
// any point of any of the runs, results included. The 3,600 s case takes several seconds an
// iteration: run it with -benchtime 1x.
func BenchmarkLongRun(b *testing.B) {
	for _, d := range []time.Duration{30 * time.Second, 300 * time.Second, 3600 * time.Second} {
		b.Run(d.String(), func(b *testing.B) {
			cfg := DefaultConfig()
			cfg.Duration = simnet.Duration(d)
			var sim float64
			var peak heapPeak
			opts := Options{Engine: raftengine.Descriptor(), Progress: func(simnet.Duration, simnet.Duration, uint64) { peak.sample() }}
			b.ResetTimer()
			cpu0, cpuOK := processCPU()
			for i := 0; i < b.N; i++ {
				for _, seed := range longRunSeeds {
					res, err := Run(seed, cfg, opts)
					if err != nil {
						b.Fatal(err)
					}
					peak.sample()
					sim += res.Stats.SimSeconds
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/sim, "ns/sim-s")
			if cpu1, ok := processCPU(); ok && cpuOK {
				b.ReportMetric(float64((cpu1-cpu0).Nanoseconds())/sim, "cpu-ns/sim-s")
			}
			b.ReportMetric(float64(peak.max), "peak-heap-B")
		})
	}
}

// heapPeak tracks the largest heap seen (objects allocated and not yet freed).
type heapPeak struct {
	samples []metrics.Sample
	max     uint64
}

func (p *heapPeak) sample() {
	if p.samples == nil {
		p.samples = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	}
	metrics.Read(p.samples)
	p.max = max(p.max, p.samples[0].Value.Uint64())
}
