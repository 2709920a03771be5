package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/engine/builtin"
	"github.com/raftcheck/raftcheck/reports"
)

const runAbout = `
Runs one simulated test: a cluster of Raft nodes under load from clients while the nemesis
injects faults, then a heal phase, then the checkers. Prints a text summary (or the run as one
JSON object with --json). When the run finds a violation it writes a repro file (seed, config
and the explicit fault schedule) and an HTML report into --out and prints their paths.
Without --seed the run uses a fresh random seed and prints it.`

func cmdRun(e *env, args []string) error {
	c := newCLI("run", "raftcheck run [--seed N] [config flags] [--out DIR] [--json] [--trace]", runAbout)
	var seed seedFlag
	c.fs.Var(&seed, "seed", "the run's seed (default: a fresh random seed, printed on stderr)")
	cf := c.configFlags()
	var o outputFlags
	addOutputFlags(c.fs, &o, "print the run as one JSON object (RunJSON) instead of text")
	addHistoryFlag(c.fs, &o)
	trace := c.fs.Bool("trace", false, "print the human-readable trace of the run first (on stderr with --json)")
	pos, err := c.parse(e, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErr("unexpected argument %q (run takes flags only; see raftcheck run --help)", pos[0])
	}
	cfg, err := cf.config()
	if err != nil {
		return err
	}
	if err := checkOutputs(o); err != nil {
		return err
	}
	if !seed.set {
		seed.v = randomSeed()
		fmt.Fprintf(e.stderr, "seed %d (fresh random seed)\n", seed.v)
	}
	progress, clear := e.runProgress()
	res, err := e.safeRun(seed.v, cfg, cluster.Options{Wall: e.now, RecordTrace: *trace, Progress: progress}, "")
	clear()
	if err != nil {
		return withPanicRepro(err, o.out, cfg)
	}
	return e.showRun(res, o, *trace, "")
}

// withPanicRepro writes the repro file of a run that panicked into dir and names it in the
// error's replay command, so that the panic replays exactly whatever the config.
func withPanicRepro(err error, dir string, cfg cluster.Config) error {
	var p *panicError
	if !errors.As(err, &p) {
		return err
	}
	if path, werr := writePanicRepro(dir, p.seed, cfg, p.value); werr == nil {
		p.replay = reports.ReplayCommand(&cluster.Result{Seed: p.seed, Config: cfg, Requested: cfg}, path)
	}
	return err
}

// showRun prints a finished run (its trace first if asked), writes its repro file and report
// when it failed, and returns the verdict. reproFile, if set, is the file that replays the
// run: then no new repro file is written. When a file cannot be written the run is still
// printed (its replay command then given by flags) before the error, exit 3.
func (e *env) showRun(res *cluster.Result, o outputFlags, trace bool, reproFile string) error {
	var files runFiles
	var werr error
	switch {
	case res.Failed():
		files, werr = writeRunFiles(o.out, fileBase(res.Seed, reproFile), res, reproFile)
	case reproFile == "" && res.ExplicitSchedule:
		// --seed and the replay flags cannot express a schedule: only a file replays it exactly.
		files.repro, werr = writeRepro(o.out, fileBase(res.Seed, "")+".json", cluster.NewRepro(res, true))
	}
	if files.repro != "" {
		reproFile = files.repro
	}
	if trace {
		fmt.Fprintln(e.side(o.json), strings.Join(res.Trace, "\n"))
	}
	if err := e.printRun(res, o.json, reproFile); err != nil {
		return err
	}
	files.print(e, o.json)
	if o.history != "" {
		line, err := writeHistory(o.history, res)
		if err != nil && werr == nil {
			werr = err
		}
		if err == nil {
			fmt.Fprintln(e.side(o.json), line)
		}
	}
	if werr != nil {
		return werr
	}
	return verdictErr(res.Failed())
}

// printRun writes res as text or, with asJSON, as one RunJSON line.
func (e *env) printRun(res *cluster.Result, asJSON bool, reproFile string) error {
	if asJSON {
		rj := reports.NewRunJSON(res)
		rj.Replay = reports.ReplayCommand(res, reproFile)
		return writeJSONLine(e.stdout, rj)
	}
	if err := reports.WriteText(e.stdout, res, reproFile); err != nil {
		return internalErr("writing the summary: %v", err)
	}
	return nil
}

// writeJSONLine writes v as one line of compact JSON.
func writeJSONLine(w interface{ Write([]byte) (int, error) }, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return internalErr("encoding JSON: %v", err)
	}
	if _, err := w.Write(append(b, '\n')); err != nil {
		return internalErr("writing JSON: %v", err)
	}
	return nil
}

// panicError is a run that panicked: a broken invariant inside the simulation or the Raft
// implementation under test.
type panicError struct {
	seed   uint64
	value  any
	stack  string
	replay string
}

func (p *panicError) Error() string {
	return fmt.Sprintf("internal error: seed %d panicked: %v\nreplay: %s\n%s", p.seed, p.value, p.replay, p.stack)
}

// safeRun runs one seed, turning a panic into an exit-3 *panicError and a setup error into an
// exit-2 error. reproFile, if set, is the file the run came from (for the replay command).
func (e *env) safeRun(seed uint64, cfg cluster.Config, opts cluster.Options, reproFile string) (res *cluster.Result, err error) {
	defer func() {
		if v := recover(); v != nil {
			p := &panicError{seed: seed, value: v, stack: string(debug.Stack()),
				replay: reports.ReplayCommand(&cluster.Result{Seed: seed, Config: cfg, Requested: cfg}, reproFile)}
			res, err = nil, &exitError{code: exitInternal, err: p}
		}
	}()
	if opts.Engine == nil {
		if opts.Engine, err = builtin.Lookup(cfg.Engine); err != nil {
			return nil, usageErr("seed %d: %v", seed, err)
		}
	}
	res, err = e.runCluster(seed, cfg, opts)
	if err != nil {
		return nil, usageErr("seed %d: %s", seed, configError(err))
	}
	return res, nil
}

// fileBase names the files of a run: after the file that replays it ("seed-7" for
// out/seed-7.json), or "seed-N".
func fileBase(seed uint64, file string) string {
	if file == "" {
		return fmt.Sprintf("seed-%d", seed)
	}
	return strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
}
