package main

import (
	"context"
	"io"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/raftcheck/raftcheck/cluster"
)

// envInt reads a positive integer from the environment, or def.
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// BenchmarkGuidedVsRandom measures the distinct coverage features a guided sweep and a random
// sweep (the range's seeds) reach on the same budget of runs, from the same base seeds, and
// reports the medians over the bases and the guided/random ratio of the medians; and the
// guide's own cost per run (planning and absorbing, not running). The defaults keep it short;
// the figure is RAFTCHECK_GUIDED_RUNS=2000 RAFTCHECK_GUIDED_BASES=5 with -benchtime 1x.
func BenchmarkGuidedVsRandom(b *testing.B) {
	runs, bases := envInt("RAFTCHECK_GUIDED_RUNS", 200), envInt("RAFTCHECK_GUIDED_BASES", 1)
	e := newEnv(io.Discard, io.Discard)
	cfg := cluster.DefaultConfig()
	for range b.N {
		var guided, random []float64
		var guideTime time.Duration
		for base := range bases {
			rng := seedRange{from: uint64(1 + base*1_000_000), count: uint64(runs), shards: 1}
			for _, mutate := range []bool{true, false} {
				g := newGuide(cfg, rng, mutate)
				if _, err := e.guided(context.Background(), g, e.cpus, func(guidedOutcome, int) error { return nil }); err != nil {
					b.Fatal(err)
				}
				if mutate {
					guided, guideTime = append(guided, float64(g.seen.Len())), guideTime+g.spent
				} else {
					random = append(random, float64(g.seen.Len()))
				}
			}
		}
		gm, rm := median(guided), median(random)
		b.ReportMetric(gm, "guided-features")
		b.ReportMetric(rm, "random-features")
		b.ReportMetric(gm/rm, "guided/random")
		b.ReportMetric(float64(guideTime.Microseconds())/float64(runs*bases), "guide-µs/run")
	}
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
