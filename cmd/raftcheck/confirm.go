package main

import (
	"fmt"
	"slices"

	"github.com/raftcheck/raftcheck/cluster"
)

// confirm runs failing seed o a second time and compares the trace hashes. A failing seed
// is what a user replays, and a replay that differs from the sweep's run would send them
// after a failure that is not there: the sweep confirms the first --max-reports failing
// seeds (those that get an HTML report), which costs one run each, and names every seed
// whose second run differs. That is a bug in raftcheck or in an engine's adapter (a run must
// be a function of its seed), not in the Raft under test; the sweep then exits 3.
func (st *sweepState) confirm(o outcome, replay string) {
	st.confirmed++
	res, err := st.e.safeRun(o.seed, st.tally.sum.Config, cluster.Options{Wall: st.e.now}, "")
	var again string
	switch {
	case err != nil:
		again = "an error on its second run: " + err.Error()
	case res.TraceHash == o.res.TraceHash:
		return
	default:
		again = fmt.Sprintf("trace %016x on its second run", res.TraceHash)
	}
	s := &st.tally.sum
	s.Unreproducible = append(s.Unreproducible, o.seed)
	fmt.Fprintf(st.e.stderr, "sweep: seed %d does not reproduce: trace %016x, then %s. A run must be a function of its seed: this is a bug in raftcheck or in the engine's adapter, not in the Raft under test; please report it with its repro file (%s)\n",
		o.seed, o.res.TraceHash, again, replay)
}

// unreproducibleErr is the verdict of a sweep some of whose failing seeds did not reproduce.
func unreproducibleErr(s *sweepSummaryJSON) error {
	if len(s.Unreproducible) == 0 {
		return nil
	}
	seeds := slices.Clone(s.Unreproducible)
	slices.Sort(seeds)
	return &exitError{code: exitInternal, err: fmt.Errorf("%d failing seeds did not reproduce when run again (%v): the simulation is not deterministic here", len(seeds), seeds)}
}
