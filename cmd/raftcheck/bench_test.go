package main

import (
	"fmt"
	"io"
	"runtime"
	"testing"
)

// BenchmarkSweep measures sweep throughput (seeds/s) on the standard config (5 nodes, 30
// simulated seconds, swarm nemesis) over benchSeeds seeds: parallel=1 and parallel=2 are the
// --parallel comparison; parallel=1/procs=1 also pins the Go runtime to one core, the baseline
// of a truly serial sweep (with two cores, a one-worker sweep still collects garbage on the
// idle one).
func BenchmarkSweep(b *testing.B) {
	const benchSeeds = 16
	cases := []struct {
		name            string
		parallel, procs int // procs 0: leave GOMAXPROCS alone
	}{
		{"parallel=1", 1, 0},
		{"parallel=2", 2, 0},
		{"parallel=1/procs=1", 1, 1},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			if c.procs > 0 {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(c.procs))
			}
			args := []string{"sweep", "--seeds", fmt.Sprint(benchSeeds), "--parallel", fmt.Sprint(c.parallel),
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
