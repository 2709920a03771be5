package cluster_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/engine"
	"github.com/raftcheck/raftcheck/engine/builtin"
	"github.com/raftcheck/raftcheck/enginetest"
)

// TestSimulation runs the standard scenario (5 nodes, 30 simulated seconds, swarm nemesis and
// workload) on fresh random seeds against every built-in engine, as a Raft author's own test
// would. The environment picks the seeds for any package's tests alike: RAFTCHECK_SEEDS=200
// runs more, RAFTCHECK_SEED=N reruns one, RAFTCHECK_MUTANT=a,b plants bugs (in the engines
// whose catalogue has them; the others are skipped, saying so). A failure prints its
// violations, writes its repro file and report to the test's artifact directory and prints
// the go test command replaying it.
func TestSimulation(t *testing.T) {
	for _, d := range builtin.List() {
		t.Run(d.Name, func(t *testing.T) {
			if m := os.Getenv(enginetest.EnvMutant); m != "" && !plants(d, strings.Split(m, ",")) {
				t.Skipf("engine %s has no mutant among %s=%s", d.Name, enginetest.EnvMutant, m)
			}
			enginetest.Run(t, d, enginetest.Options{Seeds: 2, Parallel: true})
		})
	}
}

// plants reports whether every name is a bug that can be planted in a run of engine d.
func plants(d *engine.Descriptor, names []string) bool {
	for _, name := range names {
		if !slices.ContainsFunc(cluster.Mutants(d), func(m engine.Mutant) bool { return m.Name == name }) {
			return false
		}
	}
	return true
}
