package main

import (
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Commands that run many seeds (sweep, hunt, shrink) collect garbage by heap size, not by
// growth. A standard run allocates about 13 MB and keeps about 5 MB alive, so the default
// policy (collect whenever the heap doubles) collects several times a run. Collecting far
// less often is no better: a heap of hundreds of MB is new memory on every allocation, with
// its page faults and cache misses. Measured on one core (sweep --parallel 1, GOMAXPROCS=1,
// 120 seeds of the standard scenario; speed-up): GOGC=100 945×, heap limit 24 MiB 1000×,
// 32 MiB 1109×, 48 MiB 1146×, 96 MiB 1124×, 128 MiB 1032×, 256 MiB 939×. So the collector
// runs once the heap reaches gcHeapPerWorker per worker, which keeps a sweep's resident
// memory near that figure (plus the runtime's own) however many seeds it runs. A run whose
// live heap alone nears the budget (a long --duration) raises it to twice that live heap, for
// the rest of the command, instead of collecting without end. The environment's GOGC or
// GOMEMLIMIT, when set, wins.
const gcHeapPerWorker = 48 << 20

// gcPolicy is what the collector is set to: a growth percentage (-1: off) and a heap limit.
type gcPolicy struct {
	percent int
	limit   int64
}

// gcBudget returns the policy for a command running workers at once, and false when the
// environment sets the collector and it must be left alone.
func gcBudget(workers int, getenv func(string) string) (gcPolicy, bool) {
	if getenv("GOGC") != "" || getenv("GOMEMLIMIT") != "" {
		return gcPolicy{}, false
	}
	return gcPolicy{percent: -1, limit: int64(max(workers, 1)) * gcHeapPerWorker}, true
}

// gcWatchEvery is how often the governor looks at the live heap.
const gcWatchEvery = 100 * time.Millisecond

// gcGovernor holds a command's collector policy while it runs seeds, watching the live heap
// from its own goroutine.
type gcGovernor struct {
	limit       int64
	prevLimit   int64
	prevPercent int
	live        []metrics.Sample
	stop        chan struct{}
	done        chan struct{}
}

// lessGC applies gcBudget(workers) and returns the function that restores the previous
// setting.
func lessGC(workers int) (restore func()) {
	p, ok := gcBudget(workers, os.Getenv)
	if !ok {
		return func() {}
	}
	g := &gcGovernor{limit: p.limit, live: []metrics.Sample{{Name: "/gc/heap/live:bytes"}},
		stop: make(chan struct{}), done: make(chan struct{})}
	g.prevLimit = debug.SetMemoryLimit(p.limit)
	g.prevPercent = debug.SetGCPercent(p.percent)
	go g.watch()
	return g.restore
}

// watch raises the heap limit whenever the live heap alone passes half of it.
func (g *gcGovernor) watch() {
	defer close(g.done)
	t := time.NewTicker(gcWatchEvery)
	defer t.Stop()
	for {
		select {
		case <-g.stop:
			return
		case <-t.C:
			g.raise()
		}
	}
}

// raise sets the heap limit to twice the live heap when the live heap has grown past half of
// it: a budget the live data fills would have the collector run without pause.
func (g *gcGovernor) raise() {
	metrics.Read(g.live)
	if g.live[0].Value.Kind() != metrics.KindUint64 {
		return
	}
	if live := int64(g.live[0].Value.Uint64()); 2*live > g.limit {
		g.limit = 2 * live
		debug.SetMemoryLimit(g.limit)
	}
}

// restore stops the watcher and puts the collector back as it was.
func (g *gcGovernor) restore() {
	close(g.stop)
	<-g.done
	debug.SetGCPercent(g.prevPercent)
	debug.SetMemoryLimit(g.prevLimit)
}
