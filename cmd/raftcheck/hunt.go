package main

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/engine/builtin"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/shrink"
)

const huntAbout = `Measures bug-finding power: for each planted bug (mutant), sweeps fresh seeds on all
cores until a seed shows a violation, then shrinks that run to a small repro file. Prints one
row per mutant: caught or not, seeds tried, wall time to the first detection, the violation
kind and the faults left in the shrunk repro. Then sweeps the clean build over the same seeds:
it must show no violation at all. With --guided each mutant is hunted by coverage-guided
search (as sweep --guided; the seeds column then counts runs, mutants included). Exit 0 when
every mutant was caught and the clean build passed, 1 otherwise, 130 when Ctrl-C stopped it
(after printing the table so far).`

// huntFlags are the flags of hunt.
type huntFlags struct {
	budget     time.Duration
	parallel   int
	from       seedFlag
	maxSeeds   int64
	shrinkRuns int
	cleanMin   int64
	rateSeeds  int64 // --seeds: also count the failing seeds among this many (0: do not)
	guided     bool  // coverage-guided search for each mutant (guidedhunt.go)
	cf         *configFlags
	o          outputFlags
}

// huntRow is one mutant's line of the hunt table (and its --json object).
type huntRow struct {
	Mutant       string  `json:"mutant"`
	Caught       bool    `json:"caught"`
	Seeds        int     `json:"seeds"`
	WallSeconds  float64 `json:"wall_seconds"`
	Kind         string  `json:"kind"`
	Seed         uint64  `json:"seed,omitempty"`
	ShrunkFaults int     `json:"shrunk_faults"`
	Faults       int     `json:"faults"`
	Repro        string  `json:"repro,omitempty"`
	// Failing and Rated are the failing seeds among the first Rated seeds (hunt --seeds N).
	Failing int `json:"failing,omitempty"`
	Rated   int `json:"rated,omitempty"`
}

// cleanJSON is the last --json line of a hunt: the clean build over the same seeds.
type cleanJSON struct {
	Clean struct {
		Seeds      int            `json:"seeds"`
		Failed     int            `json:"failed"`
		Violations map[string]int `json:"violations"`
		From       uint64         `json:"from"`
	} `json:"clean"`
}

func newHuntCLI() (*cli, *huntFlags) {
	c := newCLI("hunt", "raftcheck hunt [--mutant NAME|all] [--budget 60s] [--parallel P] [--from N|random] [config flags] [--json] [--out DIR]", huntAbout)
	f := &huntFlags{from: seedFlag{allowRandom: true}}
	c.fs.DurationVar(&f.budget, "budget", 60*time.Second, "wall time allowed to catch each mutant")
	c.fs.IntVar(&f.parallel, "parallel", runtime.GOMAXPROCS(0), "seeds run at once, at most the CPUs this process may use (the default)")
	c.fs.Var(&f.from, "from", "first seed of every hunt, or \"random\" (default: random, printed)")
	c.fs.Int64Var(&f.maxSeeds, "max-seeds", 1<<20, "seeds tried per mutant at most")
	c.fs.IntVar(&f.shrinkRuns, "shrink-runs", shrink.DefaultRuns, "runs each shrink may use")
	c.fs.Int64Var(&f.rateSeeds, "seeds", 0, "also run each mutant on this many seeds from --from and report how many fail (the failing-seeds column)")
	c.fs.Int64Var(&f.cleanMin, "clean-seeds", 200, "the clean build runs at least this many seeds (and at least as many as any hunt)")
	c.fs.BoolVar(&f.guided, "guided", false, "hunt each mutant with coverage-guided search (as sweep --guided) instead of consecutive seeds")
	f.cf = c.configFlags()
	addOutputFlags(c.fs, &f.o, "one JSON object per mutant, then a {\"clean\": ...} line")
	return c, f
}

func cmdHunt(e *env, args []string) error {
	c, f := newHuntCLI()
	pos, err := c.parse(e, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErr("unexpected argument %q (hunt takes flags only)", pos[0])
	}
	names, cfg, err := f.validate()
	if err != nil {
		return err
	}
	if err := checkOutputs(f.o); err != nil {
		return err
	}
	f.parallel = e.workers("hunt", f.parallel)
	if !f.from.set {
		f.from.v = randomSeed()
	}
	fmt.Fprintf(e.stderr, "hunt: seeds from %d (hunt the same seeds again with --from %d)\n", f.from.v, f.from.v)
	defer lessGC(f.parallel)()
	ctx, cancel := e.interruptible()
	defer cancel()
	rows, most := e.huntAll(ctx, names, cfg, f)
	clean, err := e.huntClean(ctx, cfg, f, max(int64(most), f.cleanMin))
	if err != nil {
		return err
	}
	if err := e.printHunt(rows, clean, f.o.json); err != nil {
		return err
	}
	if ctx.Err() != nil {
		return &exitError{code: exitInterrupted, err: errors.New("interrupted: the table covers the mutants hunted so far")}
	}
	return verdictErr(clean.Clean.Failed > 0 || slices.ContainsFunc(rows, func(r huntRow) bool { return !r.Caught }))
}

func (f *huntFlags) validate() ([]string, cluster.Config, error) {
	switch {
	case f.budget <= 0:
		return nil, cluster.Config{}, usageErr("--budget %s: must be > 0", f.budget)
	case f.parallel < 1 || f.parallel > 1024:
		return nil, cluster.Config{}, usageErr("--parallel %d: must be in [1, 1024]", f.parallel)
	case f.maxSeeds < 1 || f.maxSeeds > maxSweepSeeds:
		return nil, cluster.Config{}, usageErr("--max-seeds %d: must be in [1, %d]", f.maxSeeds, int64(maxSweepSeeds))
	case f.shrinkRuns < 1:
		return nil, cluster.Config{}, usageErr("--shrink-runs %d: must be >= 1", f.shrinkRuns)
	case f.rateSeeds < 0 || f.rateSeeds > maxSweepSeeds:
		return nil, cluster.Config{}, usageErr("--seeds %d: must be in [0, %d]", f.rateSeeds, int64(maxSweepSeeds))
	case f.cleanMin < 0 || f.cleanMin > maxSweepSeeds:
		return nil, cluster.Config{}, usageErr("--clean-seeds %d: must be in [0, %d]", f.cleanMin, int64(maxSweepSeeds))
	}
	cfg, err := f.cf.config()
	if err != nil {
		return nil, cluster.Config{}, err
	}
	names := cfg.Mutants // hunt plants them one at a time
	cfg.Mutants = nil
	if len(names) == 0 {
		d, err := builtin.Lookup(cfg.Engine)
		if err != nil {
			return nil, cluster.Config{}, usageErr("--engine %v", err)
		}
		for _, mu := range cluster.Mutants(d) {
			names = append(names, mu.Name)
		}
	}
	return names, cfg, nil
}

// huntAll hunts each mutant in turn; it returns the rows and the most seeds any hunt used.
func (e *env) huntAll(ctx context.Context, names []string, cfg cluster.Config, f *huntFlags) ([]huntRow, int) {
	var rows []huntRow
	most := 0
	for _, name := range names {
		if ctx.Err() != nil {
			break
		}
		row := e.huntOne(ctx, name, cfg, f)
		if f.rateSeeds > 0 {
			e.rate(ctx, &row, cfg, f)
		}
		most = max(most, row.Seeds)
		rows = append(rows, row)
		if !f.o.json {
			fmt.Fprintf(e.stderr, "hunt: %s\n", row.line())
		}
	}
	return rows, most
}

// errCaught stops a hunt's pool at the first failing seed.
var errCaught = errors.New("caught")

// huntOne sweeps seeds with mutant planted until one fails or the budget ends, then shrinks
// the failing run.
func (e *env) huntOne(ctx context.Context, mutant string, cfg cluster.Config, f *huntFlags) huntRow {
	cfg.Mutants = []string{mutant}
	row := huntRow{Mutant: mutant}
	hctx, cancel := context.WithTimeout(ctx, f.budget)
	defer cancel()
	start := e.now()
	var caught *cluster.Result
	rng := seedRange{from: f.from.v, count: uint64(f.maxSeeds), shards: 1}
	try := func(o outcome) error {
		row.Seeds++
		if o.res != nil && o.res.Failed() {
			caught, row.WallSeconds = o.res, e.now().Sub(start).Seconds()
			return errCaught
		}
		return nil
	}
	if f.guided {
		e.huntGuided(hctx, cfg, rng, f.parallel, try)
	} else {
		_, _ = e.pool(hctx, cfg, rng, f.parallel, try)
	}
	if caught == nil {
		row.WallSeconds = e.now().Sub(start).Seconds()
		return row
	}
	row.Caught, row.Seed, row.Kind, row.Faults = true, caught.Seed, caught.Violations[0].Kind, len(caught.Schedule)
	e.shrinkCatch(&row, caught, f)
	return row
}

// rate counts the failing seeds among the first f.rateSeeds seeds from --from with the
// mutant planted: how often a default run catches it, not only whether one does.
func (e *env) rate(ctx context.Context, row *huntRow, cfg cluster.Config, f *huntFlags) {
	cfg.Mutants = []string{row.Mutant}
	rng := seedRange{from: f.from.v, count: uint64(f.rateSeeds), shards: 1}
	_, _ = e.pool(ctx, cfg, rng, f.parallel, func(o outcome) error {
		row.Rated++
		if o.res != nil && o.res.Failed() {
			row.Failing++
		}
		return nil
	})
}

// shrinkCatch shrinks a hunt's failing run and writes its repro file.
func (e *env) shrinkCatch(row *huntRow, res *cluster.Result, f *huntFlags) {
	sp := spec{seed: res.Seed, cfg: res.Requested}
	if res.ExplicitSchedule { // a guided hunt's mutant run
		s := append(nemesis.Schedule{}, res.Schedule...)
		sp.sched = &s
	}
	sr, err := safeShrink(sp, row.Kind, shrink.Budget{MaxRuns: f.shrinkRuns}, func(string) {})
	if err != nil {
		fmt.Fprintf(e.stderr, "hunt: %s: shrinking seed %d: %v\n", row.Mutant, res.Seed, err)
		row.ShrunkFaults = len(res.Schedule)
		return
	}
	row.ShrunkFaults = len(sr.Schedule)
	path, err := writeRepro(f.o.out, "hunt-"+row.Mutant+".json", sr.Repro())
	if err != nil {
		fmt.Fprintf(e.stderr, "hunt: %s: %v\n", row.Mutant, err)
		return
	}
	row.Repro = path
}

// huntClean sweeps the clean build over the hunts' seeds.
func (e *env) huntClean(ctx context.Context, cfg cluster.Config, f *huntFlags, seeds int64) (cleanJSON, error) {
	var out cleanJSON
	out.Clean.From, out.Clean.Violations = f.from.v, map[string]int{}
	if seeds == 0 {
		return out, nil
	}
	rng := seedRange{from: f.from.v, count: uint64(seeds), shards: 1}
	_, err := e.pool(ctx, cfg, rng, f.parallel, func(o outcome) error {
		out.Clean.Seeds++
		kinds := []string{"panic"}
		if o.res != nil {
			kinds = o.res.Kinds()
		} else if o.err != nil {
			return o.err
		}
		if len(kinds) > 0 {
			out.Clean.Failed++
			fmt.Fprintf(e.stderr, "hunt: the clean build failed seed %d: %v\n", o.seed, kinds)
		}
		for _, k := range kinds {
			out.Clean.Violations[k]++
		}
		return nil
	})
	return out, err
}

func (r huntRow) line() string {
	caught := "no"
	if r.Caught {
		caught = "yes"
	}
	shrunk := "-"
	if r.Caught {
		shrunk = fmt.Sprintf("%d (of %d)", r.ShrunkFaults, r.Faults)
	}
	line := fmt.Sprintf("%-28s %-6s %7d %9.2fs  %-24s %-13s", r.Mutant, caught, r.Seeds, r.WallSeconds, orDash(r.Kind), shrunk)
	if r.Rated > 0 {
		line += fmt.Sprintf("  %d/%d (%.1f%%)", r.Failing, r.Rated, 100*float64(r.Failing)/float64(r.Rated))
	}
	return line
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// printHunt writes the table (or the JSON lines) and the clean build's verdict.
func (e *env) printHunt(rows []huntRow, clean cleanJSON, asJSON bool) error {
	if asJSON {
		for _, r := range rows {
			if err := writeJSONLine(e.stdout, r); err != nil {
				return err
			}
		}
		return writeJSONLine(e.stdout, clean)
	}
	header := fmt.Sprintf("%-28s %-6s %7s %10s  %-24s %-13s", "mutant", "caught", "seeds", "time", "kind", "shrunk faults")
	if len(rows) > 0 && rows[0].Rated > 0 {
		header += "  failing seeds"
	}
	fmt.Fprintln(e.stdout, header)
	for _, r := range rows {
		fmt.Fprintln(e.stdout, r.line())
	}
	fmt.Fprintln(e.stdout, huntStats(rows))
	fmt.Fprintf(e.stdout, "clean build: %d seeds from %d, %d with violations %v\n",
		clean.Clean.Seeds, clean.Clean.From, clean.Clean.Failed, sortedKinds(clean.Clean.Violations))
	return nil
}

// huntStats is the line under the table: caught count, median and slowest detection.
func huntStats(rows []huntRow) string {
	var times []float64
	slowest := huntRow{}
	for _, r := range rows {
		if r.Caught {
			times = append(times, r.WallSeconds)
			if r.WallSeconds >= slowest.WallSeconds {
				slowest = r
			}
		}
	}
	if len(times) == 0 {
		return fmt.Sprintf("caught 0 of %d", len(rows))
	}
	sort.Float64s(times)
	median := times[len(times)/2]
	if len(times)%2 == 0 {
		median = (times[len(times)/2-1] + times[len(times)/2]) / 2
	}
	return fmt.Sprintf("caught %d of %d; median time to first detection %.2fs; slowest %s %.2fs",
		len(times), len(rows), median, slowest.Mutant, slowest.WallSeconds)
}

func sortedKinds(m map[string]int) string {
	var parts []string
	for k, n := range m {
		parts = append(parts, fmt.Sprintf("%s=%d", k, n))
	}
	sort.Strings(parts)
	return "[" + strings.Join(parts, " ") + "]"
}
