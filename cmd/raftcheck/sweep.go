package main

import (
	"flag"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"strings"
)

const sweepAbout = `
Runs many seeds, one per goroutine on --parallel workers, nothing shared between runs, and
gathers the results in seed order: the output does not depend on --parallel. The seeds are
1..N with --seeds N, or M..M+N-1 with --from M --count N (--from random picks a fresh M).
--shard i/n runs only the seeds s with (s - from) mod n = i, 0 <= i < n (shards are numbered
from 0, as a Kubernetes indexed Job numbers its pods), so n machines sweep disjoint slices of
one range; raftcheck merge combines their --json outputs.

Progress goes to stderr: a bar on a terminal, otherwise a line every 5 s (seeds done, failed,
seeds per second, time left). With --json, stdout has one RunJSON line per seed, in seed
order, then one {"summary": {...}} line.
Without it, a text summary: seeds run, failing seeds per violation kind, seeds per second,
speed-up (simulated time over wall time), and the failing seeds with their replay commands.
Every failing seed gets a repro file in --out (the first --max-reports also an HTML report),
and --out gets the summary page sweep.html. For a CI: --junit FILE writes a JUnit XML file (a
test case per failing seed, with its violations and replay command, one for the passing
seeds) and --summary-md FILE appends a Markdown summary to FILE (e.g. "$GITHUB_STEP_SUMMARY").

--coverage measures the abstract-state coverage of the seeds (package coverage); --guided runs
a coverage-guided search instead: of the --count runs, the first batch is the range's first
seeds, and later ones mix the range's next seeds with mutants of the runs that reached new
features (faults added, dropped, shifted, retargeted, intensified, aimed at the parent's state
changes, schedules spliced, protocol settings changed). Runs are planned in batches of 16 from
the corpus as the earlier batches left it, with one random stream seeded by --from and --shard,
so the runs and results do not depend on --parallel. Every mutant run gets a repro file,
--out/guided/run-K.json. --baseline (with --guided) also measures the plain range, and
sweep.html plots both curves. The summary gives the features covered.

The first --max-reports failing seeds of a plain sweep run a second time, to confirm that they
replay: a seed whose second run differs is named on stderr and in the JSON summary
("unreproducible"), a bug in raftcheck or the engine's adapter rather than in the Raft.

Exit code: 1 if any seed failed, 3 if any seed panicked (a panic counts as a failure of kind
"panic"; the sweep goes on) or a failing seed did not reproduce, 0 otherwise; 130 when Ctrl-C
stopped it (after the seeds in flight, and the summary of those that ran).`

// maxSweepSeeds bounds one sweep's range.
const maxSweepSeeds = 1 << 40

// sweepFlags are the flags of sweep.
type sweepFlags struct {
	seeds, count int64
	from         seedFlag
	parallel     int
	shard        string
	progress     string
	maxReports   int
	guided       bool // guided search (guidedsweep.go)
	coverage     bool // measure coverage of the plain seeds
	baseline     bool // with guided: also measure a random sweep of the range, for the plot
	cf           *configFlags
	o            outputFlags
}

func newSweepCLI() (*cli, *sweepFlags) {
	c := newCLI("sweep", "raftcheck sweep [--seeds N | --from N --count M] [--parallel P] [--shard i/n] [config flags] [--json] [--out DIR] [--junit FILE] [--summary-md FILE]", sweepAbout)
	f := &sweepFlags{from: seedFlag{v: 1, allowRandom: true}}
	c.fs.Int64Var(&f.seeds, "seeds", 1000, "run seeds 1..N (for another range: --from M --count N)")
	c.fs.Int64Var(&f.count, "count", 0, "number of seeds to run from --from (default 1000)")
	c.fs.Var(&f.from, "from", "first seed of the range, or \"random\" for a fresh one (printed) (default 1)")
	c.fs.IntVar(&f.parallel, "parallel", runtime.GOMAXPROCS(0), "seeds run at once, one goroutine each, at most the CPUs this process may use (the default)")
	c.fs.StringVar(&f.shard, "shard", "0/1", "run the i-th of n disjoint slices of the range, 0 <= i < n")
	c.fs.StringVar(&f.progress, "progress", "auto", "auto, bar, lines or none")
	c.fs.IntVar(&f.maxReports, "max-reports", 20, "HTML reports written for the first failing seeds (every failing seed gets a repro file)")
	c.fs.BoolVar(&f.guided, "guided", false, "coverage-guided search: mutate the schedules and settings of runs that reached new coverage, interleaved with the range's seeds (see below)")
	c.fs.BoolVar(&f.coverage, "coverage", false, "measure the coverage of the range's seeds (no guidance): the summary and sweep.html show it")
	c.fs.BoolVar(&f.baseline, "baseline", false, "with --guided: also measure the coverage of the plain range, for sweep.html's plot (doubles the runs)")
	f.cf = c.configFlags()
	addOutputFlags(c.fs, &f.o, "one RunJSON line per seed, then a {\"summary\": ...} line")
	addCIFlags(c.fs, &f.o.ci)
	return c, f
}

// seedRange is the seeds of one shard of a sweep: from+shard, from+shard+shards, ... below
// from+count.
type seedRange struct {
	from, count   uint64
	shard, shards int
}

// size is the number of seeds of the shard.
func (r seedRange) size() int {
	if uint64(r.shard) >= r.count {
		return 0
	}
	return int((r.count-uint64(r.shard)-1)/uint64(r.shards) + 1)
}

// at is the k-th seed of the shard.
func (r seedRange) at(k int) uint64 { return r.from + uint64(r.shard) + uint64(k)*uint64(r.shards) }

// fromText is --from as given: "random" or the seed.
func (f *sweepFlags) fromText() string {
	if f.from.random {
		return "random"
	}
	return f.from.String()
}

func (r seedRange) shardText() string { return fmt.Sprintf("%d/%d", r.shard, r.shards) }

// workers returns how many seeds a command runs at once for --parallel: at most one per CPU
// this process may use. A simulation is CPU-bound, so a worker beyond the CPUs would only add
// its memory (a run in flight holds its whole cluster) and scheduling; when --parallel asks
// for more, one line on stderr says so.
func (e *env) workers(cmd string, parallel int) int {
	if parallel <= e.cpus {
		return parallel
	}
	fmt.Fprintf(e.stderr, "%s: warning: --parallel %d is more than the %d CPUs this process may use (GOMAXPROCS): "+
		"running %d seeds at a time (a simulation is CPU-bound: more workers would only add memory and scheduling)\n",
		cmd, parallel, e.cpus, e.cpus)
	return e.cpus
}

// rangeOf validates the range flags: --seeds N (seeds 1..N), or --from M with --count N
// (seeds M..M+N-1).
func (f *sweepFlags) rangeOf(setFlags map[string]bool) (seedRange, error) {
	if setFlags["seeds"] && setFlags["from"] {
		return seedRange{}, usageErr("--seeds %d with --from %s: give --seeds N for seeds 1..N, or --from M --count N for seeds M..M+N-1",
			f.seeds, f.fromText())
	}
	count := f.seeds
	if setFlags["count"] {
		if setFlags["seeds"] && f.seeds != f.count {
			return seedRange{}, usageErr("--seeds %d and --count %d disagree: give one", f.seeds, f.count)
		}
		count = f.count
	}
	name := "--seeds"
	if setFlags["count"] {
		name = "--count"
	}
	if count < 1 || count > maxSweepSeeds {
		return seedRange{}, usageErr("%s %d: must be in [1, %d]", name, count, int64(maxSweepSeeds))
	}
	if f.from.v > math.MaxUint64-uint64(count) {
		return seedRange{}, usageErr("--from %d: the range of %d seeds overflows uint64", f.from.v, count)
	}
	i, n, err := parseShard(f.shard)
	if err != nil {
		return seedRange{}, err
	}
	return seedRange{from: f.from.v, count: uint64(count), shard: i, shards: n}, nil
}

// parseShard reads "i/n" with 0 <= i < n.
func parseShard(s string) (int, int, error) {
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.Atoi(a)
	n, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil {
		return 0, 0, usageErr("--shard %s: want i/n, e.g. 0/4 (shards are numbered from 0)", s)
	}
	if n < 1 || n > 1_000_000 {
		return 0, 0, usageErr("--shard %s: shard count %d must be in [1, 1000000]", s, n)
	}
	if i < 0 || i >= n {
		return 0, 0, usageErr("--shard %s: index %d out of range [0, %d) (shards are numbered from 0)", s, i, n)
	}
	return i, n, nil
}

func cmdSweep(e *env, args []string) error {
	c, f := newSweepCLI()
	pos, err := c.parse(e, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErr("unexpected argument %q (sweep takes flags only)", pos[0])
	}
	set := map[string]bool{}
	c.fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	rng, err := f.rangeOf(set)
	if err != nil {
		return err
	}
	if f.parallel < 1 || f.parallel > 1024 {
		return usageErr("--parallel %d: must be in [1, 1024]", f.parallel)
	}
	f.parallel = e.workers("sweep", f.parallel)
	if f.maxReports < 0 {
		return usageErr("--max-reports %d: must be >= 0", f.maxReports)
	}
	cfg, err := f.cf.config()
	if err != nil {
		return err
	}
	if err := checkOutputs(f.o); err != nil {
		return err
	}
	if err := f.o.ci.check(); err != nil {
		return err
	}
	if f.from.random {
		fmt.Fprintf(e.stderr, "sweep: --from random picked %d\n", rng.from)
	}
	prog, err := e.newProgress(f.progress, rng.size())
	if err != nil {
		return err
	}
	if f.guided || f.coverage {
		return e.sweepGuided(cfg, rng, f, prog)
	}
	return e.sweep(cfg, rng, f, prog)
}
