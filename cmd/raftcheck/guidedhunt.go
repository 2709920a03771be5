package main

import (
	"context"

	"github.com/raftcheck/raftcheck/cluster"
)

// huntGuided is one mutant's hunt by guided search: the runs of a guided sweep of rng, each
// handed to try in plan order until try fails (the mutant is caught) or ctx ends. Coverage
// guides it exactly as sweep --guided: the same runs for the same --from, whatever --parallel.
func (e *env) huntGuided(ctx context.Context, cfg cluster.Config, rng seedRange, parallel int, try func(outcome) error) {
	g := newGuide(cfg, rng, true)
	_, _ = e.guided(ctx, g, parallel, func(o guidedOutcome, _ int) error { return try(o.outcome) })
}
