package cluster

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/raftcheck/raftcheck/engine/raftengine"
	"github.com/raftcheck/raftcheck/simnet"
)

var (
	flagSeeds    = flag.Int("seeds", 2, "number of fresh random seeds TestSimulation runs per workload")
	flagSeed     = flag.Uint64("seed", 0, "rerun exactly this seed (TestSimulation)")
	flagWorkload = flag.String("workload", "", "only this workload (kv or append); default both")
	flagNemesis  = flag.String("nemesis", "swarm", "nemesis spec for TestSimulation")
)

// TestSimulation runs the standard scenario (5 nodes, 30 simulated seconds, swarm nemesis) on
// fresh random seeds, or on -seed=N. A failure prints the seed, the config and the commands
// that replay it.
func TestSimulation(t *testing.T) {
	seeds := simSeeds(t)
	for _, w := range simWorkloads() {
		for _, seed := range seeds {
			t.Run(fmt.Sprintf("%s/seed=%d", w, seed), func(t *testing.T) {
				t.Parallel()
				cfg := DefaultConfig()
				cfg.Workload, cfg.Nemesis = w, *flagNemesis
				res, err := Run(seed, cfg, Options{Engine: raftengine.Descriptor()})
				if err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
				t.Log(res.Summary())
				if res.Failed() || res.Linearizable.String() != "ok" {
					t.Errorf("%s\nconfig: %s\n%s\nreplay:\n  go test ./cluster -run 'TestSimulation' -seed=%d -workload=%s -nemesis=%s -v\n"+
						"  go run ./cmd/raftcheck replay --seed %d --workload %s --nemesis %s",
						res.Summary(), cfg, violationLines(res), seed, w, cfg.Nemesis, seed, w, cfg.Nemesis)
				}
			})
		}
	}
}

func simSeeds(t *testing.T) []uint64 {
	if *flagSeed != 0 {
		return []uint64{*flagSeed}
	}
	src := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0)) // fresh seeds each run, printed below
	seeds := make([]uint64, *flagSeeds)
	for i := range seeds {
		seeds[i] = src.Uint64() >> 1
	}
	t.Logf("seeds: %v", seeds)
	return seeds
}

func simWorkloads() []string {
	if *flagWorkload != "" {
		return []string{*flagWorkload}
	}
	return []string{"kv", "append"}
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

// TestDeterminism runs seeds twice and compares trace hashes and results; different seeds must
// give different hashes.
func TestDeterminism(t *testing.T) {
	n := 100
	if testing.Short() {
		n = 20
	}
	seen := map[uint64]uint64{}
	for seed := uint64(1); seed <= uint64(n); seed++ {
		cfg := DefaultConfig()
		cfg.Duration = simnet.Duration(10 * time.Second)
		if seed%2 == 0 {
			cfg.Workload = "append"
		}
		a, err := Run(seed, cfg, Options{Engine: raftengine.Descriptor()})
		if err != nil {
			t.Fatal(err)
		}
		b, err := Run(seed, cfg, Options{Engine: raftengine.Descriptor()})
		if err != nil {
			t.Fatal(err)
		}
		if a.TraceHash != b.TraceHash || a.Summary() != b.Summary() {
			t.Fatalf("seed %d is not deterministic:\n  %s\n  %s", seed, a.Summary(), b.Summary())
		}
		if prev, dup := seen[a.TraceHash]; dup {
			t.Fatalf("seeds %d and %d share trace hash %016x", prev, seed, a.TraceHash)
		}
		seen[a.TraceHash] = seed
	}
}

// goldenHashes pins the trace hashes of three standard runs (moved when swarm began to draw
// the workload and the WAL segment size per seed, when it gained the hold fault, and when
// each fault got streams of its own, and when it gained ack-kill). They change only when the
// simulation's behaviour changes on purpose (then update them in the same commit, saying why);
// they must not change with GOMAXPROCS, the race detector or the machine (make test runs this
// under -race too).
var goldenHashes = map[uint64]string{
	1: "610a9c181e48038b",
	2: "6c53316c6a65d619",
	3: "364c1f5dec5ddf2e",
}

func TestGoldenHashes(t *testing.T) {
	for _, procs := range []int{1, 2} {
		prev := runtime.GOMAXPROCS(procs)
		for seed := uint64(1); seed <= 3; seed++ {
			cfg := DefaultConfig()
			cfg.Duration = simnet.Duration(10 * time.Second)
			res, err := Run(seed, cfg, Options{Engine: raftengine.Descriptor()})
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprintf("%016x", res.TraceHash); got != goldenHashes[seed] {
				t.Errorf("GOMAXPROCS=%d seed %d: trace hash %s; want %s", procs, seed, got, goldenHashes[seed])
			}
		}
		runtime.GOMAXPROCS(prev)
	}
}
