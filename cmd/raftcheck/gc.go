package main

import (
	"os"
	"runtime/debug"
)

// Commands that run many seeds (sweep, hunt, shrink) collect garbage by heap size, not by
// growth. A run allocates about 13 MB and keeps about 5 MB alive, so the default policy
// (collect whenever the heap doubles) collects every few runs, and while it marks, the
// collector takes a share of the CPU and slows the workers' writes: with both cores running
// seeds, a sweep ran 20% slower than with no collection at all (BenchmarkSweep). Instead the
// collector runs only once the heap reaches a budget of gcHeapPerWorker per worker, at least
// gcHeapMin. The environment's GOGC or GOMEMLIMIT, when set, wins.
const (
	gcHeapPerWorker = 64 << 20
	gcHeapMin       = 256 << 20
)

// gcPolicy is what the collector is set to: a growth percentage (-1: off) and a heap limit.
type gcPolicy struct {
	percent int
	limit   int64
}

// gcBudget returns the policy for a command running parallel workers, and false when the
// environment sets the collector and it must be left alone.
func gcBudget(parallel int, getenv func(string) string) (gcPolicy, bool) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return gcPolicy{}, false
	}
	return gcPolicy{percent: -1, limit: max(gcHeapMin, int64(parallel)*gcHeapPerWorker)}, true
}

// lessGC applies gcBudget(parallel) and returns the function that restores the previous
// setting.
func lessGC(parallel int) (restore func()) {
	p, ok := gcBudget(parallel, os.Getenv)
	if !ok {
		return func() {}
	}
	prevLimit := debug.SetMemoryLimit(p.limit)
	prevPercent := debug.SetGCPercent(p.percent)
	return func() {
		debug.SetGCPercent(prevPercent)
		debug.SetMemoryLimit(prevLimit)
	}
}
