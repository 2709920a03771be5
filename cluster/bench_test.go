package cluster

import (
	"testing"
	"time"

	"github.com/raftcheck/raftcheck/engine/raftengine"
)

// BenchmarkStandardScenario runs the standard scenario (5 nodes, 30 simulated seconds, 100
// client operations per simulated second, swarm nemesis and tuning) on a new seed per
// iteration, checks included. sim-s/s is simulated seconds per wall second; run it with
// -cpu 1 for the one-core figure.
func BenchmarkStandardScenario(b *testing.B) {
	for _, w := range []string{"kv", "append"} {
		b.Run(w, func(b *testing.B) {
			cfg := DefaultConfig()
			cfg.Workload = w
			var sim float64
			start := time.Now()
			for i := 0; i < b.N; i++ {
				res, err := Run(uint64(i+1), cfg, Options{Engine: raftengine.Descriptor()})
				if err != nil {
					b.Fatal(err)
				}
				sim += res.Stats.SimSeconds
			}
			b.ReportMetric(sim/time.Since(start).Seconds(), "sim-s/s")
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "runs/s")
		})
	}
}
