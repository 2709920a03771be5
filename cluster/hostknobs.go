package cluster

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/raftcheck/raftcheck/engine"
	"github.com/raftcheck/raftcheck/simnet"
)

// drawHost returns the config with the host behaviours drawn from r when Host is "swarm",
// each only where s permits it, and Host "fixed"; otherwise c. Every value is drawn whatever
// s permits, so that the draws do not depend on the engine.
func (c Config) drawHost(r *rand.Rand, s engine.Semantics) Config {
	if c.Host != "swarm" {
		return c
	}
	ms := func(xs ...float64) simnet.Duration {
		return simnet.Duration(xs[r.IntN(len(xs))] * float64(time.Millisecond))
	}
	c.Host = "fixed"
	apply, retry := ms(0, 0, 0.2, 1, 3), ms(0, 20, 50, 100, 500)
	c.ApplyDelay, c.ReadRetry = 0, 0
	if s.LazyApply {
		c.ApplyDelay = apply
	}
	if s.RepeatReads && c.ReadIndex {
		c.ReadRetry = retry
	}
	// Drawn after the others, so that a seed drawing it off keeps its earlier draws.
	async := r.IntN(3) == 0
	c.AsyncWrites = s.AsyncWrites && async
	return c
}

// checkHost refuses a host behaviour that engine d's contract does not permit.
func (c Config) checkHost(d *engine.Descriptor) error {
	if c.ApplyDelay > 0 && !d.Semantics.LazyApply {
		return fmt.Errorf("cluster: config apply_delay = %v: engine %s does not let the host apply after Advance (engine.Semantics.LazyApply)", c.ApplyDelay, d.Name)
	}
	if c.ReadRetry > 0 && !d.Semantics.RepeatReads {
		return fmt.Errorf("cluster: config read_retry = %v: engine %s does not take a read's context twice (engine.Semantics.RepeatReads)", c.ReadRetry, d.Name)
	}
	if c.AsyncWrites && !d.Semantics.AsyncWrites {
		return fmt.Errorf("cluster: config async_writes = true: engine %s does not write its log asynchronously (engine.Semantics.AsyncWrites)", d.Name)
	}
	return nil
}

// hostNotes names the host behaviours a run used other than the strictest, for the report.
// A roll may mix settings beyond what engine d declares (swarm never draws one): its
// failures are then the engine's own, in a configuration its authors may not support, and
// the note says so.
func hostNotes(c Config, d *engine.Descriptor) []string {
	var out []string
	if c.ApplyDelay > 0 {
		out = append(out, fmt.Sprintf("host: a slow state machine applies one entry per %v, after Advance, behind commit", c.ApplyDelay))
	}
	if c.ReadRetry > 0 {
		out = append(out, fmt.Sprintf("host: a read waiting for its index is asked again with its original context every %v", c.ReadRetry))
	}
	if c.AsyncWrites {
		out = append(out, "host: asynchronous storage writes: a node's messages may leave before its own append is durable; acknowledgements and votes wait for it")
	}
	if !c.Roll.IsZero() {
		out = append(out, c.Roll.note(c.Nodes))
		if m := d.Semantics.MixedProtocol; !m.Allows(c.Roll.settings(c.Protocol, false), c.Roll.settings(c.Protocol, true)) {
			out = append(out, fmt.Sprintf("operator: this roll mixes settings beyond what engine %s declares (engine.Semantics.MixedProtocol: %v)", d.Name, m))
		}
	}
	return out
}
