package enginetest_test

import (
	"fmt"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/engine"
	"github.com/raftcheck/raftcheck/engine/raftengine"
)

// countingEngine stands for an adapter of your own Raft: here it delegates to ours and
// counts the messages it steps, to show that the host sees nothing but the Engine interface.
type countingEngine struct {
	engine.Engine
	steps *int
}

func (e countingEngine) Step(msg []byte) error {
	*e.steps++
	return e.Engine.Step(msg)
}

// Example plugs an engine in from outside raftcheck: a Descriptor names it, declares its
// semantics and builds it on a node's simulated disk; cluster.Run does the rest. From a test,
// enginetest.Run(t, d, enginetest.Options{}) runs many seeds and reports failures.
func Example() {
	steps := 0
	d := &engine.Descriptor{
		Name:      "counting",
		Version:   "v0.0.1",
		Semantics: engine.Semantics{PromotesLearners: true},
		New: func(cfg engine.Config) (engine.Engine, engine.Recovery, error) {
			e, rec, err := raftengine.New(cfg) // your implementation here
			return countingEngine{Engine: e, steps: &steps}, rec, err
		},
	}
	cfg := cluster.DefaultConfig()
	cfg.Nemesis = "crash,partition"
	res, err := cluster.Run(1, cfg, cluster.Options{Engine: d})
	if err != nil {
		panic(err)
	}
	fmt.Println("failed:", res.Failed(), "stepped messages:", steps > 0, "ops ok:", res.Stats.OpsOK > 1000)
	// Output: failed: false stepped messages: true ops ok: true
}
