package main

import (
	"fmt"
	"io"
	"testing"
)

// BenchmarkSweep measures sweep throughput on the standard config (5 nodes, 30 simulated
// seconds, swarm nemesis) over benchSeeds seeds, with 1 and 2 workers. Compare the seeds/s
// metrics: the speed-up of parallel=2 over parallel=1 is what --parallel buys.
func BenchmarkSweep(b *testing.B) {
	const benchSeeds = 16
	for _, p := range []int{1, 2} {
		b.Run(fmt.Sprintf("parallel=%d", p), func(b *testing.B) {
			args := []string{"sweep", "--seeds", fmt.Sprint(benchSeeds), "--parallel", fmt.Sprint(p),
				"--progress", "none", "--out", b.TempDir()}
			for b.Loop() {
				if code := newEnv(io.Discard, io.Discard).main(args); code != exitOK {
					b.Fatalf("sweep exit %d; want %d", code, exitOK)
				}
			}
			b.ReportMetric(float64(benchSeeds*b.N)/b.Elapsed().Seconds(), "seeds/s")
		})
	}
}
