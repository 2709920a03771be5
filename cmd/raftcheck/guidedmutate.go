package main

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/simnet"
)

// maxMutations is the most mutations stacked on one mutant (1 to 5, uniformly: at 400 runs,
// 1-5 reached 578 features where 1-3 reached 562, same base).
const maxMutations = 5

// mutation changes a mutant's schedule or settings in place, drawing from the guide's stream.
type mutation struct {
	name  string
	apply func(g *guide, m *guidedJob)
}

// mutations are the ways a mutant departs from its corpus parent.
var mutations = []mutation{
	{"add", mutAdd},
	{"drop", mutDrop},
	{"shift", mutShift},
	{"retarget", mutRetarget},
	{"intensity", mutIntensity},
	{"splice", mutSplice},
	{"protocol", mutProtocol},
	{"aim", mutAim},
	{"reseed", mutReseed},
}

// mutant makes a run from a corpus run: one to maxMutations mutations of its schedule or settings.
// It keeps the parent's seed unless reseeded: a run is a pure function of its seed, config
// and schedule, so the mutant replays its parent exactly up to the first fault that differs
// and explores a branch from there. Faults the mutations leave invalid for the config are
// dropped.
func (g *guide) mutant() guidedJob {
	p := g.pick()
	s := append(nemesis.Schedule{}, p.sched...)
	m := guidedJob{k: g.planned, seed: p.seed, cfg: p.cfg, sched: &s, parent: p}
	var names []string
	for range 1 + g.rnd.IntN(maxMutations) {
		mu := mutations[g.rnd.IntN(len(mutations))]
		mu.apply(g, &m)
		names = append(names, mu.name)
	}
	*m.sched = validFaults(*m.sched, m.cfg)
	m.origin = fmt.Sprintf("%s of run %d", strings.Join(names, "+"), p.k)
	return m
}

// validFaults keeps the faults of s that are valid for cfg, sorted by start.
func validFaults(s nemesis.Schedule, cfg cluster.Config) nemesis.Schedule {
	s = slices.DeleteFunc(s, func(f nemesis.Fault) bool {
		return f.Validate() != nil || checkFault(f, cfg.Nodes, cfg.Duration) != nil
	})
	s.Sort()
	return s
}

// someFault returns the index of a random fault of m's schedule, -1 if it has none.
func (g *guide) someFault(m *guidedJob) int {
	if len(*m.sched) == 0 {
		return -1
	}
	return g.rnd.IntN(len(*m.sched))
}

// randomAt is a start time in the load phase.
func (g *guide) randomAt(cfg cluster.Config) simnet.Duration {
	return simnet.Duration(g.rnd.Int64N(int64(cfg.Duration)))
}

// scale multiplies d by a factor in [0.5, 2).
func (g *guide) scale(v float64) float64 { return v * (0.5 + 1.5*g.rnd.Float64()) }

// mutAdd inserts a fault seen in an earlier run, at a random time.
func mutAdd(g *guide, m *guidedJob) {
	if len(g.donors) == 0 {
		return
	}
	f := cloneFault(g.donors[g.rnd.IntN(len(g.donors))])
	f.At = g.randomAt(m.cfg)
	*m.sched = append(*m.sched, f)
}

// mutDrop removes a fault.
func mutDrop(g *guide, m *guidedJob) {
	if i := g.someFault(m); i >= 0 {
		*m.sched = slices.Delete(*m.sched, i, i+1)
	}
}

// mutShift moves a fault by up to a quarter of the load phase and stretches or shrinks it.
func mutShift(g *guide, m *guidedJob) {
	i := g.someFault(m)
	if i < 0 {
		return
	}
	f := &(*m.sched)[i]
	span := float64(m.cfg.Duration) / 4
	at := float64(f.At) + (2*g.rnd.Float64()-1)*span
	f.At = simnet.Duration(min(max(at, 0), float64(m.cfg.Duration-simnet.Duration(time.Millisecond))))
	if f.For > 0 {
		f.For = simnet.Duration(g.scale(float64(f.For)))
	}
}

// mutRetarget aims a fault at other nodes, or at the leader instead of fixed nodes (and back).
func mutRetarget(g *guide, m *guidedJob) {
	i := g.someFault(m)
	if i < 0 {
		return
	}
	f := cloneFault((*m.sched)[i])
	switch {
	case len(f.Nodes) == 0 && !f.Leader:
		return // a fault on every link: nothing to retarget
	case f.Leader && f.Kind != nemesis.Partition:
		f.Leader, f.Nodes = false, []int{g.rnd.IntN(m.cfg.Nodes)}
	case g.rnd.IntN(4) == 0 && f.Kind != nemesis.Partition:
		f.Leader, f.Nodes = true, nil
	default:
		f.Nodes = g.rnd.Perm(m.cfg.Nodes)[:min(max(len(f.Nodes), 1), m.cfg.Nodes)]
	}
	if f.Validate() == nil {
		(*m.sched)[i] = f
	}
}

// mutIntensity changes how hard a fault strikes: its value (probability, milliseconds, clock
// rate, copies), its duration, its shape, crash mode or transfer target.
func mutIntensity(g *guide, m *guidedJob) {
	i := g.someFault(m)
	if i < 0 {
		return
	}
	f := &(*m.sched)[i]
	switch f.Kind {
	case nemesis.Loss, nemesis.Duplicate:
		f.Value = min(g.scale(f.Value), 1)
	case nemesis.Delay, nemesis.Reorder, nemesis.SlowDisk, nemesis.Churn:
		f.Value = min(max(g.scale(f.Value), 1), 60_000)
	case nemesis.Drift:
		// Value is the slowest rate; cluster spreads the nodes' rates from it to 2-Value, so a
		// Value above 1 would make the fastest clock the slowest and, near 2, stop it (a rate
		// below simnet's 0.1 panics the run although nemesis validates Value up to 2).
		f.Value = min(max(g.scale(f.Value), 0.5), 1)
	case nemesis.Hold:
		f.Value = 3 - f.Value // 1 ↔ 2
	case nemesis.Partition:
		f.Shape = nemesis.Shapes[g.rnd.IntN(len(nemesis.Shapes))]
	case nemesis.Crash:
		f.Mode = nemesis.CrashModes[g.rnd.IntN(len(nemesis.CrashModes))]
	case nemesis.Transfer:
		f.Shape = nemesis.TransferTargets[g.rnd.IntN(len(nemesis.TransferTargets))]
	}
	if f.For > 0 {
		f.For = simnet.Duration(g.scale(float64(f.For)))
	}
}

// mutSplice keeps the faults before a random time and takes those after it from another
// corpus run.
func mutSplice(g *guide, m *guidedJob) {
	other := g.pick()
	cut := g.randomAt(m.cfg)
	out := slices.DeleteFunc(*m.sched, func(f nemesis.Fault) bool { return f.At >= cut })
	for _, f := range other.sched {
		if f.At >= cut {
			out = append(out, cloneFault(f))
		}
	}
	*m.sched = out
}

// mutAim moves a fault (or adds one seen in an earlier run) to just after an instant where the
// parent's protocol changed state (an election, a role or configuration change, a crash,
// another fault): faults that strike in transitions reach what faults at random times rarely do.
func mutAim(g *guide, m *guidedJob) {
	ev := m.parent.events
	if len(ev) == 0 {
		return
	}
	i := g.someFault(m)
	if i < 0 || g.rnd.IntN(2) == 0 {
		mutAdd(g, m)
		i = len(*m.sched) - 1
	}
	if i < 0 {
		return
	}
	at := ev[g.rnd.IntN(len(ev))] + simnet.Duration(g.rnd.Int64N(int64(200*time.Millisecond)))
	(*m.sched)[i].At = min(at, m.cfg.Duration-simnet.Duration(time.Millisecond))
}

// mutReseed gives the mutant a new seed: new network, client and timing draws for the same
// schedule and settings.
func mutReseed(g *guide, m *guidedJob) { m.seed = g.rnd.Uint64() }

// mutProtocol changes one of the settings swarm tuning draws (cluster.Config.Tune), to
// another value it may draw.
func mutProtocol(g *guide, m *guidedJob) {
	c := &m.cfg
	pick := func(xs ...int) int { return xs[g.rnd.IntN(len(xs))] }
	switch g.rnd.IntN(7) {
	case 0:
		c.Protocol.PreVote = !c.Protocol.PreVote
	case 1:
		c.Protocol.CheckQuorum = !c.Protocol.CheckQuorum
	case 2:
		c.ElectionTicks = max(4+g.rnd.IntN(9), c.HeartbeatTicks+1)
	case 3:
		c.Protocol.MaxAppend = pick(1, 2, 4, 64, 256)
	case 4:
		c.Protocol.MaxInflight = pick(1, 2, 8, 256)
	case 5:
		c.CompactEvery = pick(16, 64, 256, 1000)
	case 6:
		c.SyncLatency = simnet.Duration(pick(0, 500, 2000, 10000)) * simnet.Duration(time.Microsecond)
	}
	if p := c.Protocol; p.MaxAppend > 0 && p.MaxInflight > 0 && p.MaxAppend*p.MaxInflight < 8 { // as Tune: a lagging node must catch up
		c.Protocol.MaxInflight = 8
	}
}

func cloneFault(f nemesis.Fault) nemesis.Fault {
	f.Nodes = slices.Clone(f.Nodes)
	return f
}
