// Package enginetest runs raftcheck's simulations against a Raft engine from an ordinary
// `go test`: the entry point a Raft author calls for an implementation of their own.
//
//	func TestMyRaft(t *testing.T) {
//		enginetest.Run(t, myraft.Descriptor(), enginetest.Options{Seeds: 20})
//	}
//
// Each seed is a subtest ("seed=N"). Seeds are fresh and random unless the environment fixes
// them: RAFTCHECK_SEED=N reruns one seed exactly, RAFTCHECK_SEEDS=N sets how many fresh seeds
// run, RAFTCHECK_MUTANT=a,b plants bugs of the engine's catalogue. A failing seed reports its
// violations, writes its repro file and HTML report to the subtest's artifact directory
// (kept with `go test -artifacts`), and prints the one command that replays it.
package enginetest

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/engine"
	"github.com/raftcheck/raftcheck/reports"
)

// Options choose what Run runs. The environment overrides Seeds and Seed (see the package doc).
type Options struct {
	Config cluster.Config // zero value: cluster.DefaultConfig()
	Seeds  int            // fresh random seeds to run; 0 means 10
	Seed   uint64         // run only this seed (0: fresh seeds)
	// Parallel runs the seeds as parallel subtests. An engine's runs share nothing, so this
	// is safe for any engine whose Factory is (the built-in ones are).
	Parallel bool
}

// The environment variables Run reads.
const (
	EnvSeed   = "RAFTCHECK_SEED"
	EnvSeeds  = "RAFTCHECK_SEEDS"
	EnvMutant = "RAFTCHECK_MUTANT"
)

// Run runs the simulations of opts against engine d, one subtest per seed.
func Run(t *testing.T, d *engine.Descriptor, opts Options) {
	t.Helper()
	cfg, seeds, err := plan(d, opts, os.Getenv)
	if err != nil {
		t.Fatalf("enginetest: %v", err)
	}
	t.Logf("engine %s %s; seeds %v (rerun one with %s=N)", d.Name, d.Version, seeds, EnvSeed)
	for _, seed := range seeds {
		t.Run("seed="+strconv.FormatUint(seed, 10), func(t *testing.T) {
			if opts.Parallel {
				t.Parallel()
			}
			check(t, d, cfg, seed)
		})
	}
}

// reporter is what check needs of a test: *testing.T, or a recorder in tests.
type reporter interface {
	Helper()
	Name() string
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	ArtifactDir() string
}

// check runs one seed and reports a failure with its repro, report and replay command.
func check(t reporter, d *engine.Descriptor, cfg cluster.Config, seed uint64) {
	t.Helper()
	res, err := cluster.Run(seed, cfg, cluster.Options{Engine: d})
	if err != nil {
		t.Fatalf("seed %d: %v", seed, err)
		return
	}
	if !res.Failed() {
		return
	}
	var b strings.Builder
	if err := reports.WriteText(&b, res, ""); err != nil {
		t.Fatalf("seed %d: writing the summary: %v", seed, err)
		return
	}
	files, werr := writeArtifacts(t.ArtifactDir(), res)
	t.Errorf("%s\nfiles: %s\nreplay: %s", strings.TrimSpace(strings.SplitN(b.String(), "\nreplay:", 2)[0]), files, replayCommand(t.Name(), seed, cfg))
	if werr != nil {
		t.Errorf("seed %d: %v", seed, werr)
	}
}

// writeArtifacts writes the failing run's repro file and HTML report into dir.
func writeArtifacts(dir string, res *cluster.Result) (string, error) {
	repro, err := cluster.NewRepro(res, true).Marshal()
	if err != nil {
		return "", fmt.Errorf("encoding the repro file: %w", err)
	}
	base := filepath.Join(dir, fmt.Sprintf("seed-%d", res.Seed))
	if err := os.WriteFile(base+".json", repro, 0o644); err != nil {
		return "", err
	}
	f, err := os.Create(base + ".html")
	if err != nil {
		return "", err
	}
	defer f.Close()
	if err := reports.WriteHTML(f, res, base+".json"); err != nil {
		return "", fmt.Errorf("writing %s.html: %w", base, err)
	}
	return base + ".json " + base + ".html (kept with go test -artifacts)", f.Close()
}

// replayCommand is the go test command that reruns exactly one failing seed: the failing
// test's path without its seed level, in the test's package as seen from the module root.
func replayCommand(name string, seed uint64, cfg cluster.Config) string {
	levels := strings.Split(name, "/")
	levels = levels[:max(1, len(levels)-1)]
	for i, l := range levels {
		levels[i] = "^" + regexp.QuoteMeta(l) + "$"
	}
	cmd := fmt.Sprintf("%s=%d", EnvSeed, seed)
	if len(cfg.Mutants) > 0 {
		cmd += fmt.Sprintf(" %s=%s", EnvMutant, strings.Join(cfg.Mutants, ","))
	}
	return cmd + fmt.Sprintf(" go test -run '%s' -v %s", strings.Join(levels, "/"), packageDir())
}

// packageDir is the directory go test runs a test in (its package's), relative to the module
// root ("./cluster"), or "." where no go.mod is found above it.
func packageDir() string {
	wd, err := os.Getwd()
	if err != nil {
		return "."
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			rel, err := filepath.Rel(dir, wd)
			if err != nil || rel == "." {
				return "."
			}
			return "./" + filepath.ToSlash(rel)
		}
		if filepath.Dir(dir) == dir {
			return "."
		}
	}
}

// plan resolves the config and the seeds from opts and the environment.
func plan(d *engine.Descriptor, opts Options, getenv func(string) string) (cluster.Config, []uint64, error) {
	cfg := opts.Config
	if cfg.Nodes == 0 {
		cfg = cluster.DefaultConfig()
	}
	cfg.Engine = d.Name
	if m := getenv(EnvMutant); m != "" {
		cfg.Mutants = strings.Split(m, ",")
	}
	if s := getenv(EnvSeed); s != "" {
		seed, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return cfg, nil, fmt.Errorf("%s=%q: want an unsigned integer", EnvSeed, s)
		}
		return cfg, []uint64{seed}, nil
	}
	if opts.Seed != 0 {
		return cfg, []uint64{opts.Seed}, nil
	}
	n := opts.Seeds
	if s := getenv(EnvSeeds); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			return cfg, nil, fmt.Errorf("%s=%q: want a positive integer", EnvSeeds, s)
		}
		n = v
	}
	if n == 0 {
		n = 10
	}
	seeds := make([]uint64, n)
	for i := range seeds {
		seeds[i] = rand.Uint64() >> 11 // fresh each time; below 2^53 so JSON readers keep them exact
	}
	return cfg, seeds, nil
}
