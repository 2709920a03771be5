package main

import (
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"text/tabwriter"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/reports"
	"github.com/raftcheck/raftcheck/shrink"
)

const shrinkAbout = `
Minimises a failing run while a violation of the same kind (--kind, default: the run's first
violation) still occurs with the same seed: it drops faults (delta debugging), simplifies the
ones left (shorter, one node, crash mode "lose"), shortens the run and the heal bound, and
reduces clients, rate and nodes, within --max-runs runs. Progress goes to stderr. It writes
the minimal repro file (explicit schedule and expectation) and its HTML report into --out as
seed-N-shrunk.json/.html and prints the sizes before and after and the replay command.

Exit code: 1 when done (the shrunk run fails, as it must); 2 when the run does not show the
violation kind; 3 when a candidate run panicked.`

// shrinkJSON is the --json output of shrink.
type shrinkJSON struct {
	Seed      uint64           `json:"seed"`
	Kind      string           `json:"kind"`
	Before    shrink.Size      `json:"before"`
	After     shrink.Size      `json:"after"`
	Runs      int              `json:"runs"`
	Exhausted bool             `json:"exhausted"`
	Schedule  nemesis.Schedule `json:"schedule"`
	Repro     string           `json:"repro"`
	Report    string           `json:"report"`
	Replay    string           `json:"replay"`
}

func cmdShrink(e *env, args []string) error {
	c := newCLI("shrink", "raftcheck shrink (--seed N [config flags] | FILE) [--kind K] [--max-runs N] [--out DIR] [--json]", shrinkAbout)
	var seed seedFlag
	c.fs.Var(&seed, "seed", "the failing seed (with FILE: picks a run from a sweep's --json output)")
	cf := c.configFlags()
	var o outputFlags
	addOutputFlags(c.fs, &o, "print the outcome as one JSON object")
	kind := c.fs.String("kind", "", "violation kind to keep (default: the kind of the run's first violation)")
	maxRuns := c.fs.Int("max-runs", shrink.DefaultRuns, "bound on the runs the shrink may use")
	c.files = true
	pos, err := c.parse(e, args)
	if err != nil {
		return err
	}
	if *maxRuns < 1 {
		return usageErr("--max-runs %d: must be >= 1", *maxRuns)
	}
	sp, err := resolveSpec(pos, seed, cf)
	if err != nil {
		return err
	}
	if err := checkOutputs(o); err != nil {
		return err
	}
	say := func(s string) { fmt.Fprintf(e.stderr, "shrink: %s\n", s) }
	defer lessGC(1)()
	sr, err := safeShrink(sp, *kind, shrink.Budget{MaxRuns: *maxRuns}, say)
	if err != nil {
		return err
	}
	return e.showShrink(sr, o)
}

// safeShrink shrinks sp, turning a panic in a candidate run into an exit-3 error.
func safeShrink(sp spec, kind string, budget shrink.Budget, say func(string)) (sr shrink.Result, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = internalErr("internal error: a run panicked while shrinking seed %d (the last progress line says which step): %v\n%s",
				sp.seed, v, debug.Stack())
		}
	}()
	opts, err := sp.options()
	if err != nil {
		return sr, err
	}
	sr, err = shrink.Run(sp.seed, sp.cfg, opts, kind, budget, say)
	switch {
	case errors.Is(err, shrink.ErrNotFailing):
		return sr, notFailing(sp, opts, kind)
	case err != nil:
		return sr, usageErr("seed %d: %s", sp.seed, configError(err))
	}
	return sr, nil
}

// showShrink writes the shrunk repro and report and prints the outcome. When a file cannot
// be written the outcome (sizes and schedule) is still printed before the error, exit 3.
func (e *env) showShrink(sr shrink.Result, o outputFlags) error {
	base := fmt.Sprintf("seed-%d-shrunk", sr.FromSeed)
	repro, werr := writeRepro(o.out, base+".json", sr.Repro())
	var html string
	if werr == nil {
		html, werr = writeFile(o.out, base+".html", func(w io.Writer) error { return reports.WriteHTML(w, sr.Result, repro) })
	}
	replay := reports.ReplayCommand(sr.Result, repro)
	if o.json {
		err := writeJSONLine(e.stdout, shrinkJSON{Seed: sr.Seed, Kind: sr.Kind, Before: sr.Before,
			After: sr.After, Runs: sr.Runs, Exhausted: sr.Exhausted, Schedule: nonNil(sr.Schedule),
			Repro: repro, Report: html, Replay: replay})
		if werr != nil {
			return werr
		}
		return withVerdict(err)
	}
	fmt.Fprintf(e.stdout, "shrunk seed %d for %s in %d runs\n", sr.FromSeed, sr.Kind, sr.Runs)
	if sr.Seed != sr.FromSeed {
		fmt.Fprintf(e.stdout, "(fault removal stalled; the repro is a smaller run of the same failure with seed %d)\n", sr.Seed)
	}
	writeSizes(e.stdout, sr.Before, sr.After)
	fmt.Fprintf(e.stdout, "schedule (%d faults):\n", len(sr.Schedule))
	for _, f := range sr.Schedule {
		fmt.Fprintf(e.stdout, "  %s\n", f)
	}
	writeOps(e.stdout, sr.Result.IssuedOps())
	if werr != nil {
		if repro != "" {
			fmt.Fprintf(e.stdout, "repro file: %s\n", repro)
		}
		return werr
	}
	if sr.Exhausted {
		fmt.Fprintf(e.stdout, "note: the budget of %d runs ran out; shrink %s again to go further\n", sr.Runs, repro)
	}
	fmt.Fprintf(e.stdout, "repro file: %s\nreport: %s\nreplay: %s\n", repro, html, replay)
	return violationFound
}

// withVerdict keeps err, or returns the exit-1 verdict of a shrunk (failing) run.
func withVerdict(err error) error {
	if err != nil {
		return err
	}
	return violationFound
}

func nonNil(s nemesis.Schedule) nemesis.Schedule {
	if s == nil {
		return nemesis.Schedule{}
	}
	return s
}

func writeSizes(w io.Writer, before, after shrink.Size) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\tbefore\tafter")
	fmt.Fprintf(tw, "faults\t%d\t%d\n", before.Faults, after.Faults)
	fmt.Fprintf(tw, "duration\t%s\t%s\n", before.Duration, after.Duration)
	fmt.Fprintf(tw, "heal bound\t%s\t%s\n", before.HealTime, after.HealTime)
	fmt.Fprintf(tw, "clients\t%d\t%d\n", before.Clients, after.Clients)
	fmt.Fprintf(tw, "rate\t%g/s\t%g/s\n", before.Rate, after.Rate)
	fmt.Fprintf(tw, "ops\t%d\t%d\n", before.Ops, after.Ops)
	fmt.Fprintf(tw, "nodes\t%d\t%d\n", before.Nodes, after.Nodes)
	_ = tw.Flush() // a failed write to stdout has nowhere to be reported
}

// notFailing says, in a sentence, that the run to shrink shows no violation (of kind, if
// given) and what it shows instead. It runs the seed once more to know: this is the error path.
func notFailing(sp spec, opts cluster.Options, kind string) error {
	res, err := cluster.Run(sp.seed, sp.cfg, opts)
	if err != nil {
		return usageErr("seed %d: %s", sp.seed, configError(err))
	}
	shows := "no violation"
	if kinds := res.Kinds(); len(kinds) > 0 {
		shows = "[" + strings.Join(kinds, " ") + "]"
	}
	if kind == "" {
		return usageErr("seed %d does not fail (%s); nothing to shrink", sp.seed, shows)
	}
	return usageErr("seed %d shows no violation of kind %s (it shows %s); nothing to shrink", sp.seed, kind, shows)
}

// opsListed bounds the client operations a shrink prints; the repro file holds them all.
const opsListed = 20

// writeOps lists the shrunk run's client operations, client by client, when they are few.
func writeOps(w io.Writer, ops cluster.ClientOps) {
	n := ops.Len()
	switch {
	case n == 0:
		fmt.Fprintln(w, "operations: none")
		return
	case n > opsListed:
		fmt.Fprintf(w, "operations: %d (listed in the repro file)\n", n)
		return
	}
	fmt.Fprintf(w, "operations (%d):\n", n)
	for c, list := range ops {
		for _, op := range list {
			fmt.Fprintf(w, "  client %d: %s\n", c, cluster.OpLine(op))
		}
	}
}
