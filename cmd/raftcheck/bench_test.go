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
// comparison: each iteration sweeps the same seeds with one worker and with two, in
// alternating order, each after a collection outside the timing so that neither pays for
// the other's garbage, and load from other processes on a shared machine falls on both
// sides alike. It reports speedup, the wall time of the one-worker sweeps over that of the
// two-worker ones (the throughput ratio p2/p1), and each side's seeds/s. One iteration is
// 64 seed runs, so b.N is small: compare with -count N and benchstat. Both sides run with
// GOMAXPROCS at the number of CPUs, as a user's sweep does: the one-worker side may use the
// idle core for the collector's work (see BenchmarkSweep for a one-core baseline).
func BenchmarkSweepScaling(b *testing.B) {
	if runtime.GOMAXPROCS(0) < 2 {
		b.Skip("needs two CPUs")
	}
	const seeds = 32
	sweep := func(parallel int) time.Duration {
		args := []string{"sweep", "--seeds", fmt.Sprint(seeds), "--parallel", fmt.Sprint(parallel),
			"--progress", "none", "--out", b.TempDir()}
		runtime.GC()
		start := time.Now()
		if code := newEnv(io.Discard, io.Discard).main(args); code != exitOK {
			b.Fatalf("sweep --parallel %d: exit %d; want %d", parallel, code, exitOK)
		}
		return time.Since(start)
	}
	sweep(2) // warm-up: the first sweep of a process also grows the heap to its budget
	var one, two time.Duration
	first := true
	for b.Loop() {
		if first {
			one += sweep(1)
			two += sweep(2)
		} else {
			two += sweep(2)
			one += sweep(1)
		}
		first = !first
	}
	b.ReportMetric(one.Seconds()/two.Seconds(), "speedup")
	b.ReportMetric(float64(seeds*b.N)/one.Seconds(), "p1-seeds/s")
	b.ReportMetric(float64(seeds*b.N)/two.Seconds(), "p2-seeds/s")
}
