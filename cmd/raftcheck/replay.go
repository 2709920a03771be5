package main

import (
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/simnet"
)

const replayAbout = `
Reruns one run exactly: a seed with config flags, a repro file (run, sweep and shrink write
them), or a run's JSON (run --json, or a line of sweep --json; with several runs in the file,
--seed picks one). A file's expectation (trace hash and violation kinds) is checked:
"reproduced: ..." when they match, a loud DOES NOT REPRODUCE warning when they do not. A file
whose hash was computed by an older trace-hash version (the file's trace_hash_version; none
means 1) is compared by its violation kinds only, and the replay says so.

Exit code: 1 when the replay finds a violation, and also when the file expected violations
that no longer occur; 0 when there is no violation and none was expected. --trace prints the
human-readable trace of the run first.`

func cmdReplay(e *env, args []string) error {
	c := newCLI("replay", "raftcheck replay (--seed N [config flags] | FILE) [--trace] [--json] [--out DIR]", replayAbout)
	var seed seedFlag
	c.fs.Var(&seed, "seed", "the seed to replay (with FILE: picks a run from a sweep's --json output)")
	cf := c.configFlags()
	var o outputFlags
	addOutputFlags(c.fs, &o, "print the run as one JSON object (RunJSON) instead of text")
	addHistoryFlag(c.fs, &o)
	trace := c.fs.Bool("trace", false, "print the human-readable trace of the run first (on stderr with --json)")
	c.files = true
	pos, err := c.parse(e, args)
	if err != nil {
		return err
	}
	sp, err := resolveSpec(pos, seed, cf)
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
	opts.Wall, opts.RecordTrace = e.now, *trace
	res, err := e.safeRun(sp.seed, sp.cfg, opts, sp.replay)
	if err != nil {
		return err
	}
	verdict := e.showRun(res, o, *trace, sp.replay)
	if verdict != nil && !errors.Is(verdict, violationFound) {
		return verdict
	}
	return verdictErr(checkExpect(e.side(o.json), sp, res) || res.Failed())
}

// checkExpect compares a replay with the file's expectation and says so on w. It reports
// whether expected violations are gone.
func checkExpect(w io.Writer, sp spec, res *cluster.Result) (gone bool) {
	if sp.expect == nil {
		if sp.file != "" {
			fmt.Fprintf(w, "note: %s has no expectation (trace hash, kinds) to compare with\n", sp.file)
		}
		return false
	}
	exp := sp.expect
	hash, kinds := fmt.Sprintf("%016x", res.TraceHash), res.Kinds()
	if kinds == nil {
		kinds = []string{}
	}
	var missing []string
	for _, k := range exp.Kinds {
		if !slices.Contains(kinds, k) {
			missing = append(missing, k)
		}
	}
	if exp.TraceHash != "" && !exp.HashComparable() {
		hashVersionChanged(w, sp.file, exp, hash, kinds)
	} else {
		compareRun(w, sp.file, exp, hash, kinds)
	}
	if len(missing) > 0 {
		fmt.Fprintf(w, "WARNING: expected violations are gone: %v\n", missing)
	}
	return len(missing) > 0
}

// compareRun says whether a replay gave the trace hash and the violation kinds exp records.
func compareRun(w io.Writer, file string, exp *cluster.Expectation, hash string, kinds []string) {
	sameHash, sameKinds := exp.TraceHash == "" || exp.TraceHash == hash, slices.Equal(exp.Kinds, kinds)
	switch {
	case sameHash && sameKinds && exp.TraceHash != "":
		fmt.Fprintf(w, "reproduced: same trace hash %s and violation kinds %v\n", hash, kinds)
	case sameHash && sameKinds:
		fmt.Fprintf(w, "reproduced: same violation kinds %v (the file has no trace hash)\n", kinds)
	default:
		fmt.Fprintf(w, "WARNING: DOES NOT REPRODUCE %s exactly\n", file)
		fmt.Fprintf(w, "  trace hash: got %s; the file expects %s\n", hash, orNone(exp.TraceHash))
		fmt.Fprintf(w, "  violation kinds: got %v; the file expects %v\n", kinds, exp.Kinds)
		fmt.Fprintln(w, "  the code, the simulator or the config semantics changed since the file was written")
	}
}

// hashVersionChanged is compareRun for a file whose trace hash was computed by another
// version of the hash function: the hashes say nothing, so only the kinds are compared.
func hashVersionChanged(w io.Writer, file string, exp *cluster.Expectation, hash string, kinds []string) {
	why := fmt.Sprintf("the file's trace hash %s is of trace-hash version %d and this raftcheck computes version %d (%s), so the hashes cannot be compared",
		exp.TraceHash, exp.TraceHashVersion(), simnet.TraceHashVersion, hash)
	if slices.Equal(exp.Kinds, kinds) {
		fmt.Fprintf(w, "reproduced: same violation kinds %v; %s\n", kinds, why)
		fmt.Fprintf(w, "  to record the new hash, set \"trace_hash\": %q, \"trace_hash_version\": %d in the file's \"expect\"\n",
			hash, simnet.TraceHashVersion)
		return
	}
	fmt.Fprintf(w, "WARNING: DOES NOT REPRODUCE %s: violation kinds: got %v; the file expects %v\n", file, kinds, exp.Kinds)
	fmt.Fprintf(w, "  %s\n", why)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
