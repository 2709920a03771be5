package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/engine/builtin"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/reports"
)

// spec is a run to redo (replay, shrink, report): from flags or from a file.
type spec struct {
	seed   uint64
	cfg    cluster.Config
	sched  *nemesis.Schedule    // nil: generated from the seed
	ops    [][]string           // the clients' operations as repro lines; nil: drawn from the seed
	expect *cluster.Expectation // what the file says the run gives; nil if it says nothing
	file   string               // the file it came from, "" for flags
	replay string               // the file that replays it alone: file, or "" for a run picked from several
	// engineVersion is the version of the engine that recorded the run ("" if unknown).
	engineVersion string
}

// options are the run options that redo s: its engine, which must be the name and version
// that recorded it, and its schedule.
func (s spec) options() (cluster.Options, error) {
	d, err := builtin.Lookup(s.cfg.Engine)
	if err != nil {
		return cluster.Options{}, usageErr("%s: %v", s.source(), err)
	}
	rp := cluster.Repro{Config: s.cfg, EngineVersion: s.engineVersion, Schedule: s.sched, Ops: s.ops}
	opts, err := rp.Options(d)
	if err != nil {
		return cluster.Options{}, usageErr("%s: %v", s.source(), err)
	}
	return opts, nil
}

// source names where s came from, for errors.
func (s spec) source() string {
	if s.file == "" {
		return fmt.Sprintf("seed %d", s.seed)
	}
	return s.file
}

// resolveSpec reads the "(--seed N [config flags] | FILE)" form of replay, shrink and report.
// With a file that holds several runs (a sweep's --json output), --seed picks one.
func resolveSpec(pos []string, seed seedFlag, cf *configFlags) (spec, error) {
	switch {
	case len(pos) > 1:
		return spec{}, usageErr("want one FILE, got %d arguments: %s", len(pos), strings.Join(pos, " "))
	case len(pos) == 1:
		if set := cf.setNames(); len(set) > 0 {
			return spec{}, usageErr("%s cannot be combined with FILE %s: the file holds the config "+
				"(edit it, or give --seed N with flags instead)", strings.Join(set, " "), pos[0])
		}
		return loadSpec(pos[0], seed)
	case !seed.set:
		return spec{}, usageErr("want --seed N (with config flags) or a FILE (a repro file or a run's JSON)")
	}
	cfg, err := cf.config()
	if err != nil {
		return spec{}, err
	}
	return spec{seed: seed.v, cfg: cfg}, nil
}

// loadSpec reads a repro file, or a file of RunJSON lines (run --json, sweep --json).
func loadSpec(path string, seed seedFlag) (spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return spec{}, usageErr("%v", err)
	}
	if isRepro(data) {
		if seed.set {
			return spec{}, usageErr("--seed cannot be combined with the repro file %s: it holds its seed", path)
		}
		rp, err := cluster.ParseRepro(path, data)
		if serr := checkReproSchedule(path, data); serr != nil {
			return spec{}, serr
		}
		if err != nil {
			return spec{}, usageErr("%v", err)
		}
		return spec{seed: rp.Seed, cfg: rp.Config, sched: rp.Schedule, ops: rp.Ops, expect: rp.Expect, file: path, replay: path,
			engineVersion: rp.EngineVersion}, nil
	}
	lines, err := readRunLines(path, data)
	if err != nil {
		return spec{}, err
	}
	return pickRun(path, lines, seed)
}

// isRepro reports whether data looks like a repro file rather than RunJSON lines: its first
// object has a "version" key or, when it does not parse, its first line does not start like
// a run line (ParseRepro or readRunLines then says what is wrong).
func isRepro(data []byte) bool {
	var first map[string]json.RawMessage
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(&first); err != nil {
		line, _, _ := bytes.Cut(bytes.TrimSpace(data), []byte("\n"))
		return !bytes.HasPrefix(line, []byte(`{"seed":`)) && !bytes.HasPrefix(line, []byte(`{"summary":`))
	}
	_, ok := first["version"]
	return ok
}

// runLine is one line of a RunJSON lines file: a run or a sweep's summary.
type runLine struct {
	line    int
	run     *reports.RunJSON
	summary *sweepSummaryJSON
}

// readRunLines parses a file of JSON lines, each a RunJSON or a {"summary": ...} object.
func readRunLines(path string, data []byte) ([]runLine, error) {
	var out []runLine
	for i, text := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(text) == "" {
			continue
		}
		l, err := parseRunLine([]byte(text))
		if err != nil {
			return nil, usageErr("%s:%d: %v", path, i+1, err)
		}
		l.line = i + 1
		out = append(out, l)
	}
	if len(out) == 0 {
		return nil, usageErr("%s: empty file", path)
	}
	return out, nil
}

func parseRunLine(text []byte) (runLine, error) {
	if t := bytes.TrimSpace(text); !bytes.HasPrefix(t, []byte("{")) {
		quoted := string(t)
		if len(quoted) > 60 {
			quoted = quoted[:60] + "…"
		}
		hint := ""
		if bytes.HasPrefix(t, []byte("sweep: ")) || bytes.Contains(t, []byte("seeds/s")) {
			hint = " (a sweep's progress line: progress goes to stderr, so redirect only stdout into the file)"
		}
		return runLine{}, fmt.Errorf("not a run or summary line: %q%s", quoted, hint)
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(text, &keys); err != nil {
		return runLine{}, fmt.Errorf("not a JSON object: %v", err)
	}
	if _, ok := keys["summary"]; ok {
		var s struct {
			Summary sweepSummaryJSON `json:"summary"`
		}
		if err := strictJSON(text, &s); err != nil {
			return runLine{}, fmt.Errorf("sweep summary: %v", err)
		}
		return runLine{summary: &s.Summary}, nil
	}
	if _, ok := keys["trace_hash"]; !ok {
		return runLine{}, errors.New(`neither a repro file (no "version") nor a run's JSON (no "trace_hash")`)
	}
	var rj reports.RunJSON
	if err := strictJSON(text, &rj); err != nil {
		return runLine{}, fmt.Errorf("run JSON: %v", err)
	}
	if err := rj.Config.Validate(); err != nil {
		return runLine{}, fmt.Errorf("run JSON: %v", err)
	}
	return runLine{run: &rj}, nil
}

func strictJSON(text []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data after the JSON object")
	}
	return nil
}

// pickRun chooses the run of a lines file: the only one, or the one of --seed.
func pickRun(path string, lines []runLine, seed seedFlag) (spec, error) {
	var runs []*reports.RunJSON
	for _, l := range lines {
		if l.run != nil && (!seed.set || l.run.Seed == seed.v) {
			runs = append(runs, l.run)
		}
	}
	switch {
	case len(runs) == 0 && seed.set:
		return spec{}, usageErr("%s: no run of seed %d", path, seed.v)
	case len(runs) == 0:
		return spec{}, usageErr("%s: no run in the file (only a sweep summary)", path)
	case len(runs) > 1:
		return spec{}, usageErr("%s holds %d runs: pick one with --seed N", path, len(runs))
	}
	for _, l := range lines {
		if l.run == runs[0] {
			if err := checkRunSchedule(path, l.line, l.run.Schedule, l.run.Config.Nodes, l.run.Config.Duration); err != nil {
				return spec{}, err
			}
		}
	}
	sp := specOfRun(path, runs[0])
	if !seed.set {
		sp.replay = path
	}
	return sp, nil
}

// specOfRun replays a RunJSON with its explicit schedule and expects its hash and kinds. A
// line without a trace hash is a seed that panicked in a sweep: it replays from the seed.
func specOfRun(path string, rj *reports.RunJSON) spec {
	var kinds []string
	for _, v := range rj.Violations {
		if !slices.Contains(kinds, v.Kind) {
			kinds = append(kinds, v.Kind)
		}
	}
	slices.Sort(kinds)
	if kinds == nil {
		kinds = []string{}
	}
	if rj.TraceHash == "" { // a seed that panicked: its schedule was never recorded
		return spec{seed: rj.Seed, cfg: rj.Config, file: path, engineVersion: rj.EngineVersion}
	}
	sched := slices.Clone(rj.Schedule)
	return spec{seed: rj.Seed, cfg: rj.Config, sched: &sched, file: path, engineVersion: rj.EngineVersion,
		expect: &cluster.Expectation{Kinds: kinds, TraceHash: rj.TraceHash, HashVersion: rj.TraceHashVersion}}
}
