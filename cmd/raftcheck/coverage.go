package main

import (
	"fmt"

	"github.com/raftcheck/raftcheck/coverage"
)

const coverageAbout = `Replays saved runs (repro files, such as a sweep's failing seeds or a guided sweep's
--out/guided files, or single-run JSON files) with a coverage tracker and prints, per file, the
features the run reached and how many no earlier file had; then the union, per feature family
(covered of existing), and with --missing the features no file reached. Coverage is computed
from observations only (package coverage documents each feature). Exit 0, or 2 for a file
that cannot be read.`

// coverageFileJSON is one line of coverage --json per file.
type coverageFileJSON struct {
	File     string `json:"file"`
	Seed     uint64 `json:"seed"`
	Features int    `json:"features"`
	New      int    `json:"new"` // features no earlier file reached
}

// coverageTotalJSON is the last line of coverage --json.
type coverageTotalJSON struct {
	Coverage struct {
		Covered  int            `json:"covered"`
		Total    int            `json:"total"`
		Families map[string]int `json:"families"` // features covered per family
		Features []string       `json:"features"` // sorted
		Missing  []string       `json:"missing,omitempty"`
	} `json:"coverage"`
}

type coverageFlags struct {
	missing bool
	list    bool
	json    bool
}

func cmdCoverage(e *env, args []string) error {
	c := newCLI("coverage", "raftcheck coverage [--list] [--missing] [--json] FILE...", coverageAbout)
	f := &coverageFlags{}
	c.fs.BoolVar(&f.list, "list", false, "print every feature reached")
	c.fs.BoolVar(&f.missing, "missing", false, "print the features no file reached")
	c.fs.BoolVar(&f.json, "json", false, "one JSON line per file, then a {\"coverage\": ...} line")
	pos, err := c.parse(e, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageErr("want at least one FILE (a repro file or a run's JSON)")
	}
	var all coverage.Set
	for _, path := range pos {
		if err := e.coverFile(path, &all, f.json); err != nil {
			return err
		}
	}
	return e.printCoverage(all, f)
}

// coverFile replays one file with a tracker and merges its coverage into all.
func (e *env) coverFile(path string, all *coverage.Set, asJSON bool) error {
	sp, err := loadSpec(path, seedFlag{})
	if err != nil {
		return err
	}
	opts, err := sp.options()
	if err != nil {
		return err
	}
	tr := coverage.NewTracker()
	opts.Observer = tr
	if _, err := e.safeRun(sp.seed, sp.cfg, opts, sp.replay); err != nil {
		return err
	}
	s := tr.Set()
	line := coverageFileJSON{File: path, Seed: sp.seed, Features: s.Len(), New: all.Merge(s)}
	if asJSON {
		return writeJSONLine(e.stdout, line)
	}
	fmt.Fprintf(e.stdout, "%s: seed %d, %d features, %d new\n", path, line.Seed, line.Features, line.New)
	return nil
}

// printCoverage prints the union of the files' coverage.
func (e *env) printCoverage(all coverage.Set, f *coverageFlags) error {
	var out coverageTotalJSON
	t := &out.Coverage
	t.Covered, t.Total, t.Families, t.Features = all.Len(), len(coverage.All()), map[string]int{}, all.Names()
	for _, n := range t.Features {
		t.Families[coverage.Family(n)]++
	}
	if f.missing {
		t.Missing = all.Missing()
	}
	if f.json {
		return writeJSONLine(e.stdout, out)
	}
	fmt.Fprintf(e.stdout, "coverage: %d of %d features\n", t.Covered, t.Total)
	perFamily := map[string]int{}
	for _, n := range coverage.All() {
		perFamily[coverage.Family(n)]++
	}
	for _, fam := range coverage.Families() {
		fmt.Fprintf(e.stdout, "  %-12s %4d of %4d\n", fam, t.Families[fam], perFamily[fam])
	}
	if f.list {
		fmt.Fprintln(e.stdout, "reached:")
		for _, n := range t.Features {
			fmt.Fprintf(e.stdout, "  %s\n", n)
		}
	}
	if f.missing {
		fmt.Fprintln(e.stdout, "never reached:")
		for _, n := range t.Missing {
			fmt.Fprintf(e.stdout, "  %s\n", n)
		}
	}
	return nil
}
