package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/reports"
)

const mergeAbout = `
Combines the --json outputs of sweep shards (one file per shard: RunJSON lines and a summary
line) into one summary, as if one machine had run the whole range: text, or with --json every
run line in seed order and a summary line with shard "0/1", so merged files merge again.

Arguments that are directories are the shards' --out directories: merge copies each failing
seed's repro file and HTML report (seed-N.json, seed-N.html) from them into --out, so that the
replay commands it prints and the links of the sweep.html it writes there work. Without them
it links the reports it finds in --out. --junit and --summary-md write the merged result's
JUnit file and Markdown summary, as for sweep.

It first checks that the files come from one sweep (same range, shard count and config),
that every line is a run or summary line (a progress line pasted in is named by file:line),
that no shard or seed appears twice, and that no shard or seed is missing. Any such problem is
listed on stderr, nothing is printed or written, and the exit code is 2. Otherwise: 1 if a
seed failed, 3 if one panicked, else 0.`

// shardFile is one input of merge.
type shardFile struct {
	path    string
	summary *sweepSummaryJSON
	runs    []runLine
}

func cmdMerge(e *env, args []string) error {
	c := newCLI("merge", "raftcheck merge FILE... [SHARD-DIR...] [--json] [--out DIR] [--junit FILE] [--summary-md FILE]", mergeAbout)
	var o outputFlags
	addOutputFlags(c.fs, &o, "print every run line in seed order, then the merged summary line")
	addCIFlags(c.fs, &o.ci)
	c.files = true
	pos, err := c.parse(e, args)
	if err != nil {
		return err
	}
	if err := checkOutputs(o); err != nil {
		return err
	}
	if err := o.ci.check(); err != nil {
		return err
	}
	var files []shardFile
	var dirs []string
	for _, path := range pos {
		if fi, err := os.Stat(path); err == nil && fi.IsDir() {
			dirs = append(dirs, path)
			continue
		}
		f, err := readShardFile(path)
		if err != nil {
			return err
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		return usageErr("want at least one FILE (the --json output of a sweep shard)")
	}
	return e.merge(files, dirs, o)
}

func readShardFile(path string) (shardFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return shardFile{}, usageErr("%v", err)
	}
	if hasVersion(data) {
		return shardFile{}, usageErr("%s: a repro file, not a sweep's --json output", path)
	}
	lines, err := readRunLines(path, data)
	if err != nil {
		return shardFile{}, err
	}
	f := shardFile{path: path}
	for _, l := range lines {
		switch {
		case l.summary != nil && f.summary != nil:
			return shardFile{}, usageErr("%s:%d: a second summary line", path, l.line)
		case l.summary != nil:
			f.summary = l.summary
		default:
			f.runs = append(f.runs, l)
		}
	}
	if f.summary == nil {
		return shardFile{}, usageErr("%s: no summary line: the shard did not finish (or this is not sweep --json output)", path)
	}
	return f, nil
}

// hasVersion reports whether data starts with a JSON object that has a "version" key: a
// repro file.
func hasVersion(data []byte) bool {
	var first map[string]json.RawMessage
	if json.NewDecoder(bytes.NewReader(data)).Decode(&first) != nil {
		return false
	}
	_, ok := first["version"]
	return ok
}

// merge checks the files against each other and, if they make one sweep, copies the failing
// seeds' files from dirs into --out and prints the merged summary; otherwise it lists the
// problems and writes nothing.
func (e *env) merge(files []shardFile, dirs []string, o outputFlags) error {
	first := files[0].summary
	_, shards, err := parseShard(first.Shard)
	if err != nil {
		return usageErr("%s: summary: %v", files[0].path, err)
	}
	rng := seedRange{from: first.From, count: first.Count, shard: 0, shards: 1}
	problems := checkShards(files, shards)
	runs := mergeRuns(files, rng, shards, &problems)
	if len(problems) > 0 {
		return usageErr("the files do not make one complete sweep (nothing written):\n  %s", strings.Join(problems, "\n  "))
	}
	copied, err := e.copySeedFiles(runs, dirs, o.out)
	if err != nil {
		return err
	}
	t := newTally(first.Config, rng, 0)
	for _, f := range files {
		t.sum.Parallel += f.summary.Parallel
		t.sum.Interrupted = t.sum.Interrupted || f.summary.Interrupted
		t.sum.Unreproducible = append(t.sum.Unreproducible, f.summary.Unreproducible...)
		t.sum.WallSeconds = max(t.sum.WallSeconds, f.summary.WallSeconds)
	}
	for _, l := range runs {
		var fail failure
		kinds := runKinds(l.run)
		if repro, ok := copied[l.run.Seed]; ok {
			l.run.Replay = reports.ReplayCommand(&cluster.Result{Seed: l.run.Seed}, repro)
		}
		if len(kinds) > 0 {
			fail = mergedFailure(l.run, kinds, o.out)
		}
		t.add(l.run.Seed, l.run.Stats.SimSeconds, kinds, fail)
	}
	t.setWall(t.sum.WallSeconds)
	if err := e.printMerged(t, runs, o); err != nil {
		return err
	}
	if err := o.ci.write("merge", t, o.out); err != nil {
		return err
	}
	return sweepVerdict(&t.sum)
}

// copySeedFiles copies the repro file and HTML report of every failing seed of runs from the
// shards' --out directories dirs into out, and returns the repro files copied by seed. A
// failing seed whose repro file no directory has is named on stderr.
func (e *env) copySeedFiles(runs []runLine, dirs []string, out string) (map[uint64]string, error) {
	copied := map[uint64]string{}
	if len(dirs) == 0 {
		return copied, nil
	}
	var missing []string
	for _, l := range runs {
		if len(l.run.Violations) == 0 {
			continue
		}
		for _, ext := range []string{".json", ".html"} {
			name := fmt.Sprintf("seed-%d%s", l.run.Seed, ext)
			src := findFile(dirs, name)
			if src == "" {
				if ext == ".json" {
					missing = append(missing, name)
				}
				continue
			}
			dst := filepath.Join(out, name)
			if !sameFile(src, dst) {
				data, err := os.ReadFile(src)
				if err != nil {
					return nil, internalErr("copying %s: %v", src, err)
				}
				if _, err := writeFile(out, name, func(w io.Writer) error { _, err := w.Write(data); return err }); err != nil {
					return nil, err
				}
			}
			if ext == ".json" {
				copied[l.run.Seed] = dst
			}
		}
	}
	if len(missing) > 0 {
		fmt.Fprintf(e.stderr, "merge: failing seeds without a repro file in %s: %s\n", strings.Join(dirs, ", "), listSome(missing))
	}
	return copied, nil
}

// findFile returns the first dirs/name that exists, or "".
func findFile(dirs []string, name string) string {
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// checkShards finds files from different sweeps and shards given twice or not at all.
func checkShards(files []shardFile, shards int) []string {
	var problems []string
	first, owner := files[0], make([]string, shards)
	for _, f := range files {
		s := f.summary
		i, n, err := parseShard(s.Shard)
		switch {
		case err != nil:
			problems = append(problems, fmt.Sprintf("%s: summary: %v", f.path, err))
			continue
		case n != shards || s.From != first.summary.From || s.Count != first.summary.Count:
			problems = append(problems, fmt.Sprintf("%s: shard %s of seeds %d+%d, but %s has shard %s of seeds %d+%d: not the same sweep",
				f.path, s.Shard, s.From, s.Count, first.path, first.summary.Shard, first.summary.From, first.summary.Count))
			continue
		case s.Config.String() != first.summary.Config.String():
			problems = append(problems, fmt.Sprintf("%s: a different config from %s", f.path, first.path))
		}
		if owner[i] != "" {
			problems = append(problems, fmt.Sprintf("shard %s appears twice: %s and %s (overlapping seeds)", s.Shard, owner[i], f.path))
		}
		owner[i] = f.path
	}
	var missing []string
	for i, p := range owner {
		if p == "" {
			missing = append(missing, fmt.Sprintf("%d/%d", i, shards))
		}
	}
	if len(missing) > 0 {
		problems = append(problems, "missing shards: "+listSome(missing))
	}
	return problems
}

// mergeRuns gathers the runs of all files in seed order, noting seeds given twice, seeds out
// of the range and seeds of the range no file has.
func mergeRuns(files []shardFile, rng seedRange, shards int, problems *[]string) []runLine {
	bySeed := map[uint64]string{}
	var runs []runLine
	var dup, outside []string
	for _, f := range files {
		for _, l := range f.runs {
			s := l.run.Seed
			switch {
			case s < rng.from || s-rng.from >= rng.count:
				outside = append(outside, fmt.Sprintf("%d (%s:%d)", s, f.path, l.line))
			case bySeed[s] != "":
				dup = append(dup, fmt.Sprintf("%d (%s and %s:%d)", s, bySeed[s], f.path, l.line))
			default:
				bySeed[s] = fmt.Sprintf("%s:%d", f.path, l.line)
				runs = append(runs, l)
			}
		}
	}
	slices.SortFunc(runs, func(a, b runLine) int { return cmp.Compare(a.run.Seed, b.run.Seed) })
	if len(dup) > 0 {
		*problems = append(*problems, "seeds given twice: "+listSome(dup))
	}
	if len(outside) > 0 {
		*problems = append(*problems, "seeds outside the range: "+listSome(outside))
	}
	if uint64(len(runs)) < rng.count {
		*problems = append(*problems, fmt.Sprintf("%d of the %d seeds of the range are missing (interrupted or missing shards): %s",
			rng.count-uint64(len(runs)), rng.count, listSome(missingSeeds(runs, rng))))
	}
	return runs
}

// missingSeeds lists up to 10 seeds of rng that runs (sorted) lacks.
func missingSeeds(runs []runLine, rng seedRange) []string {
	var out []string
	j := 0
	for s := rng.from; s-rng.from < rng.count && len(out) < 10; s++ {
		if j < len(runs) && runs[j].run.Seed == s {
			j++
			continue
		}
		out = append(out, fmt.Sprint(s))
	}
	return out
}

// listSome joins up to 10 items and says how many more there are.
func listSome(items []string) string {
	if len(items) <= 10 {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:10], ", "), len(items)-10)
}

func runKinds(rj *reports.RunJSON) []string {
	var kinds []string
	for _, v := range rj.Violations {
		if !slices.Contains(kinds, v.Kind) {
			kinds = append(kinds, v.Kind)
		}
	}
	slices.Sort(kinds)
	return kinds
}

// mergedFailure is the summary entry of a failing run line; its report is linked when the
// file is in dir.
func mergedFailure(rj *reports.RunJSON, kinds []string, dir string) failure {
	report := fmt.Sprintf("seed-%d.html", rj.Seed)
	if _, err := os.Stat(filepath.Join(dir, report)); err != nil {
		report = ""
	}
	summary := fmt.Sprintf("seed %d: FAIL %v; linearizable %s; %d ops ok; %d faults; trace %s",
		rj.Seed, kinds, rj.Linearizable, rj.Stats.OpsOK, rj.Stats.Faults, rj.TraceHash)
	return failure{run: reports.SweepRun{Seed: rj.Seed, Kinds: kinds, Report: report, Summary: summary}, replay: rj.Replay,
		violations: rj.Violations}
}

func (e *env) printMerged(t *tally, runs []runLine, o outputFlags) error {
	page, err := t.writePage(o.out)
	if err != nil {
		return err
	}
	if !o.json {
		t.writeText(e.stdout, page)
		return nil
	}
	for _, l := range runs {
		if err := writeJSONLine(e.stdout, l.run); err != nil {
			return err
		}
	}
	return writeJSONLine(e.stdout, map[string]any{"summary": &t.sum})
}
