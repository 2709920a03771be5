package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/reports"
)

// sweepSummaryJSON is the last line of sweep --json and merge --json, under the key "summary".
type sweepSummaryJSON struct {
	Seeds          int            `json:"seeds"`            // seeds run
	Failed         int            `json:"failed"`           // seeds with a violation or a panic
	Violations     map[string]int `json:"violations"`       // failing seeds per violation kind ("panic" included)
	SeedsPerSecond float64        `json:"seeds_per_second"` // seeds / wall_seconds
	Speedup        float64        `json:"speedup"`          // sim_seconds / wall_seconds
	WallSeconds    float64        `json:"wall_seconds"`     // the sweep's wall time (merge: the longest shard's)
	SimSeconds     float64        `json:"sim_seconds"`      // simulated time of all runs together
	Shard          string         `json:"shard"`            // "i/n"; merge: "0/1", so that merged files merge again
	From           uint64         `json:"from"`             // the range: from, from+1, ... from+count-1
	Count          uint64         `json:"count"`            // seeds in the range, all shards together
	Parallel       int            `json:"parallel"`         // workers (merge: the sum over shards)
	Interrupted    bool           `json:"interrupted"`      // stopped early (Ctrl-C): seeds < the shard's size
	FailingSeeds   []uint64       `json:"failing_seeds"`    // in seed order
	Config         cluster.Config `json:"config"`
	// Covered is the distinct coverage features the sweep's runs reached, and Guided says the
	// runs were chosen by guided search (sweep --guided or --coverage only; 0 otherwise).
	Covered int  `json:"covered,omitempty"`
	Guided  bool `json:"guided,omitempty"`
	// Unreproducible are failing seeds whose second run differed (confirm): a bug in
	// raftcheck or an engine's adapter.
	Unreproducible []uint64 `json:"unreproducible,omitempty"`
}

// failure is one failing seed for the text summary and sweep.html.
type failure struct {
	run        reports.SweepRun
	replay     string
	violations []reports.ViolationJSON // for --junit and --summary-md
}

// tally accumulates a sweep's summary in seed order.
type tally struct {
	sum      sweepSummaryJSON
	failures []failure
	coverage *reports.SweepCoverage // sweep --guided or --coverage
}

func newTally(cfg cluster.Config, rng seedRange, parallel int) *tally {
	return &tally{sum: sweepSummaryJSON{Violations: map[string]int{}, FailingSeeds: []uint64{},
		Shard: rng.shardText(), From: rng.from, Count: rng.count, Parallel: parallel, Config: cfg}}
}

// add counts one seed; kinds is empty for a passing seed.
func (t *tally) add(seed uint64, simSeconds float64, kinds []string, f failure) {
	t.sum.Seeds++
	t.sum.SimSeconds += simSeconds
	if len(kinds) == 0 {
		return
	}
	t.sum.Failed++
	t.sum.FailingSeeds = append(t.sum.FailingSeeds, seed)
	for _, k := range kinds {
		t.sum.Violations[k]++
	}
	t.failures = append(t.failures, f)
}

// setWall fills in the rates from the wall time.
func (t *tally) setWall(wall float64) {
	t.sum.WallSeconds = wall
	t.sum.SeedsPerSecond, t.sum.Speedup = 0, 0
	if wall > 0 {
		t.sum.SeedsPerSecond = float64(t.sum.Seeds) / wall
		t.sum.Speedup = t.sum.SimSeconds / wall
	}
}

// maxListed bounds the failing seeds the text summary lists; sweep.html and --json have all.
const maxListed = 50

// writeText prints the text summary of a sweep or a merge.
func (t *tally) writeText(w io.Writer, page string) {
	s := t.sum
	fmt.Fprintf(w, "sweep: %d seeds (range %d..%d, shard %s), %d failed\n",
		s.Seeds, s.From, s.From+s.Count-1, s.Shard, s.Failed)
	if s.Interrupted {
		fmt.Fprintln(w, "interrupted: not every seed of the range ran")
	}
	if len(s.Violations) > 0 {
		fmt.Fprintln(w, "failing seeds per violation kind:")
		for _, k := range slices.Sorted(maps.Keys(s.Violations)) {
			fmt.Fprintf(w, "  %-24s %d\n", k, s.Violations[k])
		}
	}
	workers := "workers"
	if s.Parallel == 1 {
		workers = "worker"
	}
	fmt.Fprintf(w, "throughput: %.1f seeds/s on %d %s; speed-up %.0f× (simulated %.0f s in %.1f s wall)\n",
		s.SeedsPerSecond, s.Parallel, workers, s.Speedup, s.SimSeconds, s.WallSeconds)
	if len(t.failures) > 0 {
		fmt.Fprintln(w, "failing seeds:")
	}
	for i, f := range t.failures {
		if i == maxListed {
			fmt.Fprintf(w, "  … and %d more (see %s)\n", len(t.failures)-maxListed, page)
			break
		}
		fmt.Fprintf(w, "  seed %d [%s]\n    %s\n", f.run.Seed, strings.Join(f.run.Kinds, " "), f.replay)
	}
	if t.coverage != nil {
		fmt.Fprintln(w, t.coverage.Line())
	}
	if page != "" {
		fmt.Fprintf(w, "summary page: %s\n", page)
	}
}

// writePage writes sweep.html into dir and returns its path.
func (t *tally) writePage(dir string) (string, error) {
	runs := make([]reports.SweepRun, len(t.failures))
	for i, f := range t.failures {
		runs[i] = f.run
	}
	s := reports.SweepSummary{Seeds: t.sum.Seeds, Failed: t.sum.Failed, Violations: t.sum.Violations,
		SeedsPerSecond: t.sum.SeedsPerSecond, Speedup: t.sum.Speedup, WallSeconds: t.sum.WallSeconds,
		Config: t.sum.Config, Failing: runs, Coverage: t.coverage}
	return writeFile(dir, "sweep.html", func(w io.Writer) error { return reports.WriteSweepHTML(w, s) })
}

// sweepState is the collecting side of a sweep: it sees the outcomes in seed order.
type sweepState struct {
	e         *env
	f         *sweepFlags
	tally     *tally
	prog      progress
	start     time.Time
	reports   int // HTML reports written
	confirmed int // failing seeds run a second time (confirm)
}

func newSweepState(e *env, cfg cluster.Config, rng seedRange, f *sweepFlags, prog progress) *sweepState {
	return &sweepState{e: e, f: f, tally: newTally(cfg, rng, f.parallel), prog: prog, start: e.now()}
}

// handle records one seed: its files if it failed, its JSON line, the tally, the progress.
func (st *sweepState) handle(o outcome) error {
	if o.err != nil {
		return o.err
	}
	line, kinds, fail, err := st.record(o)
	if err != nil {
		return err
	}
	if len(kinds) > 0 && o.res != nil && st.confirmed < st.f.maxReports {
		st.confirm(o, fail.replay)
	}
	if st.f.o.json {
		if err := writeJSONLine(st.e.stdout, line); err != nil {
			return err
		}
	}
	sim := 0.0
	if o.res != nil {
		sim = o.res.Stats.SimSeconds
	}
	st.tally.add(o.seed, sim, kinds, fail)
	st.prog.update(st.tally.sum.Seeds, st.tally.sum.Failed)
	return nil
}

// finish prints the summary and writes sweep.html; it returns an error only when it could not.
func (st *sweepState) finish(interrupted bool) error {
	st.tally.sum.Interrupted = interrupted
	st.tally.setWall(st.e.now().Sub(st.start).Seconds())
	page, err := st.tally.writePage(st.f.o.out)
	if err != nil {
		return err
	}
	if st.f.o.json {
		err = writeJSONLine(st.e.stdout, map[string]any{"summary": &st.tally.sum})
	} else {
		st.tally.writeText(st.e.stdout, page)
	}
	if err != nil {
		return err
	}
	return st.f.o.ci.write("sweep", st.tally, st.f.o.out)
}

// sweepVerdict is exit 3 if a seed panicked, 1 if one failed, else 0.
func sweepVerdict(s *sweepSummaryJSON) error {
	if err := unreproducibleErr(s); err != nil {
		return err
	}
	if s.Violations["panic"] > 0 {
		return &exitError{code: exitInternal, err: fmt.Errorf("%d seeds panicked (kind \"panic\"); replay them to see the panic", s.Violations["panic"])}
	}
	return verdictErr(s.Failed > 0)
}

// record writes a failing seed's repro file (and, for the first --max-reports, its HTML
// report) and returns its JSON line, its kinds and its entry for the summary.
func (st *sweepState) record(o outcome) (reports.RunJSON, []string, failure, error) {
	if o.panicked != nil {
		return st.recordPanic(o)
	}
	res := o.res
	rj := reports.NewRunJSON(res)
	if !res.Failed() {
		return rj, nil, failure{}, nil
	}
	base := fmt.Sprintf("seed-%d", o.seed)
	repro, err := writeRepro(st.f.o.out, base+".json", cluster.NewRepro(res, true))
	if err != nil {
		return rj, nil, failure{}, err
	}
	report := ""
	if st.reports < st.f.maxReports {
		if _, err := writeFile(st.f.o.out, base+".html", func(w io.Writer) error {
			return reports.WriteHTML(w, res, repro)
		}); err != nil {
			return rj, nil, failure{}, err
		}
		report, st.reports = base+".html", st.reports+1
	}
	rj.Replay = reports.ReplayCommand(res, repro)
	run := reports.SweepRun{Seed: o.seed, Kinds: res.Kinds(), Report: report, Summary: res.Summary()}
	return rj, run.Kinds, failure{run: run, replay: rj.Replay, violations: rj.Violations}, nil
}

// recordPanic reports a seed that panicked as a failure of kind "panic".
func (st *sweepState) recordPanic(o outcome) (reports.RunJSON, []string, failure, error) {
	cfg, p := st.tally.sum.Config, o.panicked
	repro, err := writePanicRepro(st.f.o.out, o.seed, cfg, p.value)
	if err != nil {
		return reports.RunJSON{}, nil, failure{}, err
	}
	replay := reports.ReplayCommand(&cluster.Result{Seed: o.seed, Config: cfg, Requested: cfg}, repro)
	fmt.Fprintf(st.e.stderr, "sweep: seed %d panicked: %v\n  replay: %s\n", o.seed, p.value, replay)
	kinds := []string{"panic"}
	rj := reports.RunJSON{Seed: o.seed, Config: cfg, Linearizable: "unknown", Schedule: nemesis.Schedule{},
		Violations: []reports.ViolationJSON{{Kind: "panic", Nodes: []int{}, Detail: fmt.Sprint(p.value)}},
		Replay:     replay}
	run := reports.SweepRun{Seed: o.seed, Kinds: kinds, Summary: fmt.Sprintf("seed %d: PANIC %v", o.seed, p.value)}
	return rj, kinds, failure{run: run, replay: replay, violations: rj.Violations}, nil
}
