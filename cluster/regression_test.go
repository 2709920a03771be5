package cluster

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/raftcheck/raftcheck/engine"
	"github.com/raftcheck/raftcheck/engine/builtin"
	"github.com/raftcheck/raftcheck/simnet"
)

// TestRegressions replays every repro file in testdata/regressions. A repro of a fixed bug
// expects no violation and must pass; a repro recorded against a mutant (Config.Mutants set)
// must still show a violation of a kind it expects. Every bug found from now on adds its shrunk
// repro here (raftcheck shrink writes one). A trace hash that moved is logged, not failed: any
// change to the simulator moves hashes, and what the suite guards is the verdict.
func TestRegressions(t *testing.T) {
	files, err := filepath.Glob("../testdata/regressions/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no repro files in testdata/regressions")
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".json"), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			rp, err := ParseRepro(path, data)
			if err != nil {
				t.Fatal(err)
			}
			if rp.Expect == nil {
				t.Fatalf("%s has no expectation: record one (raftcheck shrink or replay writes it)", path)
			}
			opts, err := rp.Options(mustEngine(t, rp.Config.Engine))
			if err != nil {
				t.Fatal(err)
			}
			res, err := Run(rp.Seed, rp.Config, opts)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			checkRegression(t, path, rp, res)
		})
	}
}

func checkRegression(t *testing.T, path string, rp Repro, res *Result) {
	t.Helper()
	if got := fmt.Sprintf("%016x", res.TraceHash); !rp.Expect.HashComparable() {
		t.Logf("%s: trace hash %s of version %d; the file records one of version %d", path, got, simnet.TraceHashVersion, rp.Expect.TraceHashVersion())
	} else if got != rp.Expect.TraceHash {
		t.Logf("%s: trace hash %s, recorded %s (the simulator changed since)", path, got, rp.Expect.TraceHash)
	}
	switch {
	case len(rp.Expect.Kinds) == 0 && res.Failed():
		t.Errorf("%s: a fixed bug is back: %s\n%s", path, res.Summary(), violationLines(res))
	case len(rp.Expect.Kinds) > 0 && len(rp.Config.Mutants) == 0 && !strings.HasPrefix(filepath.Base(path), "finding-"):
		t.Errorf("%s expects violations %v without a mutant: a known open bug? fix it, then record the repro as passing", path, rp.Expect.Kinds)
	case len(rp.Expect.Kinds) > 0 && !slices.ContainsFunc(res.Kinds(), func(k string) bool { return slices.Contains(rp.Expect.Kinds, k) }):
		t.Errorf("%s: %s no longer caught: got %v, want one of %v\n%s", path, caughtWhat(rp), res.Kinds(), rp.Expect.Kinds, res.Summary())
	}
}

// mustEngine looks up a built-in engine by the name a config gives ("" is the default).
func mustEngine(t *testing.T, name string) *engine.Descriptor {
	t.Helper()
	d, err := builtin.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func violationLines(res *Result) string {
	var b strings.Builder
	for i, v := range res.Violations {
		if i == 10 {
			fmt.Fprintf(&b, "  … and %d more\n", len(res.Violations)-10)
			break
		}
		fmt.Fprintf(&b, "  %s\n", v)
	}
	return b.String()
}

// caughtWhat names what a failing repro plants: its mutants, or an open bug in the engine
// itself (a finding-* file: a bug in an engine this project does not own, which it cannot fix).
func caughtWhat(rp Repro) string {
	if len(rp.Config.Mutants) == 0 {
		return "the engine's own open bug (has the engine fixed it? then record the repro as passing) is"
	}
	return fmt.Sprintf("mutant %v is", rp.Config.Mutants)
}
