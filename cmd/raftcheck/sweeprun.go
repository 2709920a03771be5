package main

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/raftcheck/raftcheck/cluster"
)

// outcome is one seed of a sweep: its result, or the panic it ended in.
type outcome struct {
	k        int // index of the seed in the shard
	seed     uint64
	res      *cluster.Result
	panicked *panicError
	err      error // a setup error: the config cannot run at all
}

// runSeed runs one seed of a sweep; a panic becomes the outcome, not a crash of the sweep.
func (e *env) runSeed(k int, seed uint64, cfg cluster.Config) outcome {
	res, err := e.safeRun(seed, cfg, cluster.Options{Wall: e.now}, "")
	var p *panicError
	if errors.As(err, &p) {
		return outcome{k: k, seed: seed, panicked: p}
	}
	return outcome{k: k, seed: seed, res: res, err: err}
}

// pool runs the seeds of rng on parallel workers and hands the outcomes to handle in seed
// order, from the calling goroutine. Workers run at most window seeds ahead of the first one
// not yet handled, which bounds the outcomes held back for ordering. It stops early, once
// the seeds in flight are done, when handle fails or ctx ends; it reports whether ctx ended.
func (e *env) pool(ctx context.Context, cfg cluster.Config, rng seedRange, parallel int,
	handle func(outcome) error) (interrupted bool, err error) {
	window := 4 * parallel
	jobs, results := make(chan int), make(chan outcome, parallel)
	tokens, stop := make(chan struct{}, window), make(chan struct{})
	var workers sync.WaitGroup
	for range parallel {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for k := range jobs {
				results <- e.runSeed(k, rng.at(k), cfg)
			}
		}()
	}
	go dispatch(ctx, rng.size(), jobs, tokens, stop)
	go func() { workers.Wait(); close(results) }()

	pending, next := map[int]outcome{}, 0
	for o := range results {
		pending[o.k] = o
		for ; err == nil; next++ {
			p, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			if err = handle(p); err != nil {
				close(stop)
			}
			<-tokens
		}
	}
	return ctx.Err() != nil, err
}

// dispatch hands out seed indices in order, each once a token is free, until the shard is done,
// stop is closed or ctx ends.
func dispatch(ctx context.Context, n int, jobs chan<- int, tokens chan<- struct{}, stop <-chan struct{}) {
	defer close(jobs)
	for k := range n {
		select {
		case tokens <- struct{}{}:
		case <-stop:
			return
		case <-ctx.Done():
			return
		}
		select {
		case jobs <- k:
		case <-stop:
			return
		case <-ctx.Done():
			return
		}
	}
}

// sweep runs the sweep and prints its results.
func (e *env) sweep(cfg cluster.Config, rng seedRange, f *sweepFlags, prog progress) error {
	ctx, cancel := e.interruptible()
	defer cancel()
	defer lessGC(f.parallel)()
	st := newSweepState(e, cfg, rng, f, prog)
	interrupted, err := e.pool(ctx, cfg, rng, f.parallel, st.handle)
	prog.finish()
	if err != nil {
		return err
	}
	if interrupted {
		fmt.Fprintf(e.stderr, "sweep: interrupted after %d of %d seeds\n", st.tally.sum.Seeds, rng.size())
	}
	if err := st.finish(interrupted); err != nil {
		return err
	}
	if interrupted { // whatever the seeds that ran showed: the summary above says it
		return &exitError{code: exitInterrupted}
	}
	return sweepVerdict(&st.tally.sum)
}
