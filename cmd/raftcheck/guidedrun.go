package main

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/coverage"
)

// guidedOutcome is one run of a guided (or coverage-measuring) sweep: the sweep's outcome,
// the job that made it and the features it reached.
type guidedOutcome struct {
	outcome
	job guidedJob
	cov coverage.Set
}

// runJob runs one planned run with a coverage tracker.
func (e *env) runJob(j guidedJob) guidedOutcome {
	tr := coverage.NewTracker()
	res, err := e.safeRun(j.seed, j.cfg, cluster.Options{Wall: e.now, Schedule: j.sched, Observer: tr}, "")
	o := outcome{k: j.k, seed: j.seed, res: res, err: err}
	var p *panicError
	if errors.As(err, &p) {
		o = outcome{k: j.k, seed: j.seed, panicked: p}
	}
	return guidedOutcome{outcome: o, job: j, cov: tr.Set()}
}

// runBatch runs jobs on up to parallel workers, one goroutine each, and returns their
// outcomes in plan order, and how many of the first ones ran (all, unless ctx ended).
func (e *env) runBatch(ctx context.Context, jobs []guidedJob, parallel int) ([]guidedOutcome, int) {
	outs := make([]guidedOutcome, len(jobs))
	ran := make([]bool, len(jobs))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(parallel, len(jobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(jobs) || ctx.Err() != nil {
					return
				}
				outs[i], ran[i] = e.runJob(jobs[i]), true
			}
		}()
	}
	wg.Wait()
	done := 0
	for done < len(jobs) && ran[done] {
		done++
	}
	return outs, done
}

// guided runs g's plan, batch by batch, and hands each outcome to handle in plan order,
// after g absorbed it (so handle sees the coverage so far). It stops at the end of the
// range, when handle fails, or when ctx ends (after the runs in flight); it reports whether
// ctx ended.
func (e *env) guided(ctx context.Context, g *guide, parallel int, handle func(o guidedOutcome, gain int) error) (bool, error) {
	for g.planned < g.rng.size() {
		t0 := e.now()
		jobs := g.plan()
		g.spent += e.now().Sub(t0)
		outs, done := e.runBatch(ctx, jobs, parallel)
		for _, o := range outs[:done] {
			gain := 0
			if o.err == nil {
				t0 := e.now()
				gain = g.absorb(o.job, o.res, o.cov)
				g.spent += e.now().Sub(t0)
			}
			if err := handle(o, gain); err != nil {
				return false, err
			}
		}
		if done < len(jobs) {
			return true, nil
		}
	}
	return ctx.Err() != nil, nil
}
