package main

import (
	"fmt"
	"io"
	"runtime"
	"testing"
	"time"
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

// BenchmarkSweepScaling measures what --parallel 2 gains over --parallel 1 as a paired
// comparison: each iteration sweeps the same seeds with one worker and then with two, so
// that load from other processes on a shared machine falls on both sides alike. It reports
// the ratio of their wall times (p2/p1, the speed-up of two workers) and each side's
// seeds/s.
func BenchmarkSweepScaling(b *testing.B) {
	const seeds = 32
	sweep := func(parallel int) time.Duration {
		args := []string{"sweep", "--seeds", fmt.Sprint(seeds), "--parallel", fmt.Sprint(parallel),
			"--progress", "none", "--out", b.TempDir()}
		start := time.Now()
		if code := newEnv(io.Discard, io.Discard).main(args); code != exitOK {
			b.Fatalf("sweep --parallel %d: exit %d; want %d", parallel, code, exitOK)
		}
		return time.Since(start)
	}
	sweep(2) // warm-up: the first sweep of a process also grows the heap to its budget
	var one, two time.Duration
	for b.Loop() {
		one += sweep(1)
		two += sweep(2)
	}
	b.ReportMetric(one.Seconds()/two.Seconds(), "p2/p1")
	b.ReportMetric(float64(seeds*b.N)/one.Seconds(), "p1-seeds/s")
	b.ReportMetric(float64(seeds*b.N)/two.Seconds(), "p2-seeds/s")
}
