package cluster

import (
	"runtime/debug"
	"testing"
	"time"

	"github.com/raftcheck/raftcheck/engine/raftengine"
)

// benchHeapLimit is the heap budget of one sweep worker (cmd/raftcheck/gc.go): the
// benchmarks collect garbage as a sweep does, so that their figures and a sweep's agree.
const benchHeapLimit = 48 << 20

// BenchmarkStandardScenario runs the standard scenario (5 nodes, 30 simulated seconds, 100
// client operations per simulated second, swarm nemesis and tuning) on seeds 1, 2, ... (one
// per iteration), checks included, with the sweep's garbage-collection policy. swarm is the
// default config, which draws the workload per seed: with -benchtime Nx -cpu 1 it runs what
// `GOMAXPROCS=1 raftcheck sweep --seeds N --parallel 1` runs, and sim-s/s is that sweep's
// speed-up. kv and append fix the workload.
func BenchmarkStandardScenario(b *testing.B) {
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(benchHeapLimit))
	for _, w := range []string{"swarm", "kv", "append"} {
		b.Run(w, func(b *testing.B) {
			cfg := DefaultConfig()
			if w != "swarm" {
				cfg.Workload = w
			}
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
