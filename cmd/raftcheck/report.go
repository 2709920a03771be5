package main

import (
	"fmt"
	"io"

	"github.com/raftcheck/raftcheck/reports"
)

const reportAbout = `
Renders the report of a saved run — a repro file, or a run's JSON (run --json, or one line of
sweep --json, picked with --seed) — by replaying it: runs are deterministic, so the replay is
the run. Writes the HTML report into --out as <FILE name>.html, prints the text summary, and
checks the file's trace hash and violation kinds when it has them.

Exit code: 1 when the run has a violation (or expected violations are gone), else 0.`

func cmdReport(e *env, args []string) error {
	c := newCLI("report", "raftcheck report FILE [--seed N] [--out DIR]", reportAbout)
	var seed seedFlag
	c.fs.Var(&seed, "seed", "with a file of several runs (sweep --json): the run to render")
	var o outputFlags
	addOutputFlags(c.fs, &o, "")
	c.files = true
	pos, err := c.parse(e, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErr("want one FILE (a repro file or a run's JSON), got %d arguments", len(pos))
	}
	sp, err := loadSpec(pos[0], seed)
	if err != nil {
		return err
	}
	if err := checkOutputs(o); err != nil {
		return err
	}
	opts, err := sp.options()
	if err != nil {
		return err
	}
	opts.Wall = e.now
	res, err := e.safeRun(sp.seed, sp.cfg, opts, sp.replay)
	if err != nil {
		return err
	}
	base := fileBase(sp.seed, sp.file)
	if seed.set {
		base = fmt.Sprintf("%s-seed-%d", base, sp.seed)
	}
	html, werr := writeFile(o.out, base+".html", func(w io.Writer) error { return reports.WriteHTML(w, res, sp.replay) })
	if err := reports.WriteText(e.stdout, res, sp.replay); err != nil {
		return internalErr("writing the summary: %v", err)
	}
	gone := checkExpect(e.stdout, sp, res)
	if werr != nil {
		return werr // the summary is out; the report is not
	}
	fmt.Fprintf(e.stdout, "report: %s\n", html)
	return verdictErr(gone || res.Failed())
}
