package main

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/coverage"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/reports"
)

// guidedDir is the directory under --out that holds the repro file of every mutant run of a
// guided sweep (fresh seeds replay from their seed, as in any sweep).
const guidedDir = "guided"

// sweepGuided is sweep --guided (and --coverage): the runs come from a guide, in batches,
// each with a coverage tracker; the summary carries the coverage.
func (e *env) sweepGuided(cfg cluster.Config, rng seedRange, f *sweepFlags, prog progress) error {
	if f.baseline && !f.guided {
		return usageErr("--baseline compares a guided sweep with a random one: give it with --guided")
	}
	ctx, cancel := e.interruptible()
	defer cancel()
	defer lessGC(f.parallel)()
	st := newSweepState(e, cfg, rng, f, prog)
	g := newGuide(cfg, rng, f.guided)
	interrupted, err := e.guided(ctx, g, f.parallel, st.handleGuided)
	var baseline []int
	if err == nil && !interrupted && f.baseline {
		base, t0 := newGuide(cfg, rng, false), e.now()
		interrupted, err = e.guided(ctx, base, f.parallel, func(guidedOutcome, int) error { return nil })
		baseline = base.curve
		st.start = st.start.Add(e.now().Sub(t0)) // the throughput is the sweep's own, not the baseline's
	}
	prog.finish()
	if err != nil {
		return err
	}
	if interrupted {
		fmt.Fprintf(e.stderr, "sweep: interrupted after %d of %d runs\n", st.tally.sum.Seeds, rng.size())
	}
	st.tally.coverage = coverageSummary(g, f.guided)
	st.tally.coverage.Baseline = baseline
	st.tally.sum.Covered, st.tally.sum.Guided = g.seen.Len(), f.guided
	return e.finishSweep(st, interrupted)
}

// finishSweep prints the summary, writes sweep.html and returns the sweep's verdict.
func (e *env) finishSweep(st *sweepState, interrupted bool) error {
	if err := st.finish(interrupted); err != nil {
		return err
	}
	if interrupted {
		return &exitError{code: exitInterrupted}
	}
	return sweepVerdict(&st.tally.sum)
}

// coverageSummary is the guide's coverage for the summary and the page.
func coverageSummary(g *guide, guided bool) *reports.SweepCoverage {
	mode := "random"
	if guided {
		mode = "guided"
	}
	c := &reports.SweepCoverage{Mode: mode, Curve: g.curve, Covered: g.seen.Len(), Total: len(coverage.All()), Corpus: len(g.corpus)}
	byFamily := map[string][]string{}
	for _, m := range g.seen.Missing() {
		byFamily[coverage.Family(m)] = append(byFamily[coverage.Family(m)], m)
	}
	for _, fam := range coverage.Families() {
		if ms := byFamily[fam]; len(ms) > 0 {
			c.Missing = append(c.Missing, reports.MissingFamily{Family: fam, Features: ms})
		}
	}
	return c
}

// handleGuided records one run of a guided sweep as handle does a seed of a plain sweep. A
// fresh seed is recorded as in any sweep; a mutant run (which may share its parent's seed)
// gets its repro file (seed, drawn config, explicit schedule) as --out/guided/run-K.json,
// whether it failed or not, and its JSON line replays that file.
func (st *sweepState) handleGuided(o guidedOutcome, gain int) error {
	if o.err != nil {
		return o.err
	}
	if o.panicked != nil && o.job.sched != nil {
		return st.guidedPanic(o)
	}
	record := st.record
	if o.job.sched != nil {
		record = func(outcome) (reports.RunJSON, []string, failure, error) { return st.recordMutant(o, gain) }
	}
	line, kinds, fail, err := record(o.outcome)
	if err != nil {
		return err
	}
	return st.emit(line, kinds, fail, o.res)
}

// recordMutant writes a mutant run's repro file (and, when it failed and fewer than
// --max-reports were written, its HTML report) and returns its JSON line, kinds and entry.
func (st *sweepState) recordMutant(o guidedOutcome, gain int) (reports.RunJSON, []string, failure, error) {
	res, dir, base := o.res, filepath.Join(st.f.o.out, guidedDir), fmt.Sprintf("run-%d", o.job.k)
	rj := reports.NewRunJSON(res)
	rp := cluster.NewRepro(res, true)
	rp.Note = guidedNote(o.job, gain)
	path, err := writeRepro(dir, base+".json", rp)
	if err != nil {
		return rj, nil, failure{}, err
	}
	rj.Replay = reports.ReplayCommand(res, path)
	if !res.Failed() {
		return rj, nil, failure{}, nil
	}
	report := ""
	if st.reports < st.f.maxReports {
		if _, err := writeFile(dir, base+".html", func(w io.Writer) error { return reports.WriteHTML(w, res, path) }); err != nil {
			return rj, nil, failure{}, err
		}
		report, st.reports = guidedDir+"/"+base+".html", st.reports+1
	}
	run := reports.SweepRun{Seed: res.Seed, Kinds: res.Kinds(), Report: report,
		Summary: fmt.Sprintf("guided run %d (%s): %s", o.job.k, o.job.origin, res.Summary())}
	return rj, run.Kinds, failure{run: run, replay: rj.Replay}, nil
}

// emit writes a run's JSON line and counts it.
func (st *sweepState) emit(line reports.RunJSON, kinds []string, fail failure, res *cluster.Result) error {
	if st.f.o.json {
		if err := writeJSONLine(st.e.stdout, line); err != nil {
			return err
		}
	}
	sim := 0.0
	if res != nil {
		sim = res.Stats.SimSeconds
	}
	st.tally.add(line.Seed, sim, kinds, fail)
	st.prog.update(st.tally.sum.Seeds, st.tally.sum.Failed)
	return nil
}

// guidedPanic records a mutant run that panicked: its repro file has the run's own config
// and schedule (a plain sweep's panic repro has the sweep's config and the seed's schedule).
func (st *sweepState) guidedPanic(o guidedOutcome) error {
	rp := cluster.Repro{Version: cluster.ReproVersion, Seed: o.seed, Config: o.job.cfg, Schedule: o.job.sched,
		Note: fmt.Sprintf("panicked: %v (guided: %s)", o.panicked.value, o.job.origin)}
	path, err := writeRepro(st.f.o.out, fmt.Sprintf("seed-%d.json", o.seed), rp)
	if err != nil {
		return err
	}
	replay := reports.ReplayCommand(&cluster.Result{Seed: o.seed, Config: o.job.cfg, Requested: o.job.cfg}, path)
	fmt.Fprintf(st.e.stderr, "sweep: run %d (seed %d) panicked: %v\n  replay: %s\n", o.job.k, o.seed, o.panicked.value, replay)
	kinds := []string{"panic"}
	line := reports.RunJSON{Seed: o.seed, Config: o.job.cfg, Linearizable: "unknown", Schedule: *o.job.sched,
		Violations: []reports.ViolationJSON{{Kind: "panic", Nodes: []int{}, Detail: fmt.Sprint(o.panicked.value)}}, Replay: replay}
	if line.Schedule == nil {
		line.Schedule = nemesis.Schedule{}
	}
	run := reports.SweepRun{Seed: o.seed, Kinds: kinds, Summary: fmt.Sprintf("seed %d: PANIC %v", o.seed, o.panicked.value)}
	return st.emit(line, kinds, failure{run: run, replay: replay}, nil)
}

// guidedNote says where a guided run came from, for its repro file.
func guidedNote(j guidedJob, gain int) string {
	return fmt.Sprintf("guided run %d: %s; reached %d features first", j.k, j.origin, gain)
}
