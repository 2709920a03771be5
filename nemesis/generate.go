package nemesis

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/raftcheck/raftcheck/simnet"
)

// MaxNodeIDs bounds node ids over a run's life: the initial nodes plus every node added later.
// A schedule names nodes by the ids of the initial cluster; a fault aimed at a node that has been
// replaced strikes its replacement.
const MaxNodeIDs = 32

// Nemesis is a parsed nemesis spec: which fault kinds are on and, in swarm mode, at what
// intensity.
type Nemesis struct {
	Swarm bool
	Kinds []Kind // enabled kinds in menu order; for swarm, the candidates each seed draws from
}

// ParseNemesis reads "swarm", "none" or a comma-separated list of kinds ("crash,partition").
func ParseNemesis(spec string) (Nemesis, error) {
	switch spec {
	case "swarm":
		n := Nemesis{Swarm: true}
		for _, k := range Kinds {
			n.Kinds = append(n.Kinds, k.Kind)
		}
		return n, nil
	case "none", "":
		return Nemesis{}, nil
	}
	on := map[Kind]bool{}
	for _, name := range strings.Split(spec, ",") {
		k := Kind(strings.TrimSpace(name))
		if !knownKind(k) {
			return Nemesis{}, fmt.Errorf("nemesis: nemesis %q: unknown fault kind %q (see `raftcheck list nemeses`)", spec, k)
		}
		on[k] = true
	}
	var n Nemesis
	for _, k := range Kinds {
		if on[k.Kind] {
			n.Kinds = append(n.Kinds, k.Kind)
		}
	}
	return n, nil
}

// Params are what schedule generation needs of a run's configuration.
type Params struct {
	Nodes    int             // voters at the start: faults name nodes 0..Nodes-1
	Duration simnet.Duration // the load-and-fault phase: faults start before it ends
	Interval simnet.Duration // mean time between starts of faults of one kind
	Spec     string          // "swarm", "none" or a comma-separated list of kinds (ParseNemesis)
	// Odd are nodes whose protocol settings differ from most others' for part of the run (a
	// rolling change under way, or stopped part way). Three partitions in four isolate one of
	// them, as other faults aim at the leader: a node running other rules is where a mixed
	// cluster's bugs show, once its term runs ahead alone.
	Odd []int
	// OddFrom and OddUntil bound the stretch in which the Odd nodes are odd and the rest
	// agree (for a roll that stops part way, from its last step to the end). When partitions
	// are on, that stretch gets partitions of its own, each isolating an odd node long enough
	// for its election timer to fire alone (partitionsOdd).
	OddFrom, OddUntil simnet.Duration
}

// kindPlan is how one fault kind behaves in one run: how often it strikes and how hard.
type kindPlan struct {
	kind      Kind
	interval  float64 // mean seconds between starts
	intensity float64 // 0..1, scales probabilities and latencies
}

// Generate derives a run's schedule from its config and the nemesis streams. Each kind strikes
// on its own (a Poisson process with mean Config.FaultInterval) and draws from its own stream
// ("nemesis/<kind>"), so turning one kind off leaves the others' faults unchanged; swarm mode
// draws the enabled subset and intensities from "nemesis/swarm".
func Generate(cfg Params, stream func(name string) *rand.Rand) (Schedule, error) {
	nem, err := ParseNemesis(cfg.Spec)
	if err != nil {
		return nil, err
	}
	plans := planKinds(cfg, nem, stream("nemesis/swarm"))
	var s Schedule
	for _, p := range plans {
		s = append(s, generateKind(cfg, p, stream("nemesis/"+string(p.kind)))...)
	}
	if len(cfg.Odd) > 0 && cfg.OddUntil > cfg.OddFrom && slices.Contains(nem.Kinds, Partition) {
		s = append(s, partitionsOdd(cfg, stream("nemesis/odd"))...)
	}
	s.Sort()
	return s, nil
}

// Partitions aimed at a mixed stretch (partitionsOdd) start once per oddInterval on average
// and cut the odd node off for at least minOddIsolation: several election timeouts of any
// tuning, so that it campaigns alone, in terms the others have not reached.
const (
	oddInterval     = 5 * time.Second
	minOddIsolation = 2 * time.Second
)

// partitionsOdd draws the partitions aimed at the mixed stretch [OddFrom, OddUntil): each
// isolates one of the odd nodes, the first at a time drawn in the stretch, the others a
// Poisson process over it; and in half the runs whose stretch lasts to the end, one more
// lasts until the heal, so that the node rejoins, its term ahead, once every other fault has
// ended. They draw from a stream of their own, so every other fault's draws are unchanged.
func partitionsOdd(cfg Params, r *rand.Rand) Schedule {
	span := time.Duration(cfg.OddUntil - cfg.OddFrom)
	s := Schedule{isolateOddAt(cfg, r, time.Duration(r.Int64N(int64(span))))}
	mean := oddInterval.Seconds()
	for t := r.ExpFloat64() * mean; t < span.Seconds() && len(s) < maxFaultsPerKind; t += r.ExpFloat64() * mean {
		s = append(s, isolateOddAt(cfg, r, time.Duration(t*float64(time.Second))))
	}
	if cfg.OddUntil == cfg.Duration && r.IntN(2) == 0 {
		f := isolateOddAt(cfg, r, 0)
		isolated := min(time.Duration(f.For), span)
		f.At = cfg.OddUntil - simnet.Duration(isolated.Truncate(time.Millisecond))
		f.For = cfg.OddUntil - f.At + simnet.Duration(minOddIsolation) // the heal ends it
		s = append(s, f)
	}
	return s
}

// isolateOddAt draws a partition that isolates one of the odd nodes from OddFrom+after.
func isolateOddAt(cfg Params, r *rand.Rand, after time.Duration) Fault {
	f := Fault{Kind: Partition, Shape: "isolate", Nodes: r.Perm(cfg.Nodes)}
	isolateOdd(&f, cfg.Odd[r.IntN(len(cfg.Odd))])
	f.At = cfg.OddFrom + simnet.Duration(after.Truncate(time.Millisecond))
	f.For = max(drawFor(r, 2*time.Second), simnet.Duration(minOddIsolation))
	return f
}

func planKinds(cfg Params, nem Nemesis, r *rand.Rand) []kindPlan {
	base := time.Duration(cfg.Interval).Seconds()
	var plans []kindPlan
	for _, k := range nem.Kinds {
		// The swarm draw happens for every kind whether or not it is kept, so the stream stays aligned.
		keep, rate, intensity := r.Float64() < 0.5, 0.25+r.Float64()*1.75, r.Float64()
		if !nem.Swarm {
			keep, rate, intensity = true, 1, 0.5
		}
		if keep {
			plans = append(plans, kindPlan{kind: k, interval: base / rate, intensity: intensity})
		}
	}
	if nem.Swarm && len(plans) == 0 && len(nem.Kinds) > 0 {
		k := nem.Kinds[r.IntN(len(nem.Kinds))]
		plans = append(plans, kindPlan{kind: k, interval: base, intensity: 0.5})
	}
	for i := range plans {
		if plans[i].kind == Add || plans[i].kind == Remove || plans[i].kind == Replace {
			plans[i].interval *= 3 // membership changes are rarer and slower to settle
		}
	}
	return plans
}

// generateKind draws a Poisson process of faults of one kind over the load phase.
func generateKind(cfg Params, p kindPlan, r *rand.Rand) Schedule {
	end := time.Duration(cfg.Duration).Seconds()
	var s Schedule
	for t := r.ExpFloat64() * p.interval; t < end && len(s) < maxFaultsPerKind; t += r.ExpFloat64() * p.interval {
		f := drawFault(cfg, p, r)
		f.At = simnet.Duration(math.Round(t*1e3) * float64(time.Millisecond))
		s = append(s, f)
	}
	return s
}

const maxFaultsPerKind = 1000

// drawFault picks the targets and parameters of one fault. Durations are exponential with a
// mean of one to three seconds; heal ends anything still running.
func drawFault(cfg Params, p kindPlan, r *rand.Rand) Fault {
	f := Fault{Kind: p.kind, For: drawFor(r, 2*time.Second)}
	switch p.kind {
	case Crash:
		f.Nodes, f.Leader = drawTargets(cfg.Nodes, r)
		f.Mode = CrashModes[r.IntN(len(CrashModes))]
		f.For = drawFor(r, time.Second)
	case Churn:
		f.Value = roundTo(20+p.intensity*400*r.Float64(), 1)
		f.For = drawFor(r, 3*time.Second)
	case Pause:
		f.Nodes, f.Leader = drawTargets(cfg.Nodes, r)
	case Partition:
		f.Shape = Shapes[r.IntN(len(Shapes))]
		f.Nodes = r.Perm(cfg.Nodes)
		f.Leader = f.Shape == "isolate" && r.IntN(2) == 0
		f.For = drawFor(r, 3*time.Second)
		if len(cfg.Odd) > 0 && r.IntN(4) > 0 { // drawn only then: runs without odd nodes keep their schedules
			isolateOdd(&f, cfg.Odd[r.IntN(len(cfg.Odd))])
		}
	case Loss, Duplicate:
		f.Value = roundTo(0.02+p.intensity*0.3*r.Float64(), 1e-3)
	case Delay:
		f.Value = roundTo(20+p.intensity*980*r.Float64(), 1)
	case Reorder:
		f.Value = roundTo(5+p.intensity*100*r.Float64(), 1)
	case Drift:
		f.Nodes = r.Perm(cfg.Nodes)
		f.Value = roundTo(1-0.05*p.intensity-0.01, 1e-3)
		f.For = drawFor(r, 5*time.Second)
	case Corrupt:
		f.Nodes = []int{r.IntN(cfg.Nodes)}
		f.For = drawFor(r, 500*time.Millisecond)
	case SlowDisk:
		f.Nodes, f.Leader = drawTargets(cfg.Nodes, r)
		f.Value = roundTo(5+p.intensity*200*r.Float64(), 1)
	case DiskFull:
		f.Nodes = []int{r.IntN(cfg.Nodes)}
	case Hold:
		f.Nodes, f.Leader = drawTargets(cfg.Nodes, r)
		if r.IntN(2) == 0 { // most often the leader: its appends and heartbeats arrive after its term
			f.Nodes, f.Leader = nil, true
		}
		f.For = drawFor(r, 3*time.Second)
		f.Value = float64(1 + r.IntN(2))
		f.Shape = HoldReleases[r.IntN(len(HoldReleases))]
	case AckKill:
		f.For = drawFor(r, 3*time.Second)
	case SnapFail:
		f.Nodes, f.Leader = drawTargets(cfg.Nodes, r)
		if r.IntN(2) == 0 { // most often the leader: it sends the snapshots
			f.Nodes, f.Leader = nil, true
		}
		f.For = drawFor(r, 3*time.Second)
	case Transfer:
		f.For = 0
		f.Shape = TransferTargets[r.IntN(len(TransferTargets))]
	case Add:
		f.For = 0
	case Joint:
		f = drawJoint(cfg.Nodes, r)
	case Remove, Replace:
		f.For = 0
		f.Nodes = []int{r.IntN(cfg.Nodes)}
		f.Leader = r.IntN(3) == 0
	}
	return f
}

// isolateOdd turns partition f into one that isolates node odd.
func isolateOdd(f *Fault, odd int) {
	f.Shape, f.Leader = "isolate", false
	i := slices.Index(f.Nodes, odd)
	f.Nodes[0], f.Nodes[i] = f.Nodes[i], f.Nodes[0]
}

func drawFor(r *rand.Rand, mean time.Duration) simnet.Duration {
	d := time.Duration(r.ExpFloat64() * float64(mean))
	d = min(max(d, 50*time.Millisecond), 10*mean)
	return simnet.Duration(d.Round(time.Millisecond))
}

// drawTargets picks one node, a minority, a majority, all nodes, or the leader.
func drawTargets(nodes int, r *rand.Rand) ([]int, bool) {
	perm := r.Perm(nodes)
	switch r.IntN(5) {
	case 0:
		return perm[:1], false
	case 1:
		return slices.Sorted(slices.Values(perm[:(nodes-1)/2])), false
	case 2:
		return slices.Sorted(slices.Values(perm[:nodes/2+1])), false
	case 3:
		return slices.Sorted(slices.Values(perm)), false
	default:
		return nil, true
	}
}

func roundTo(x, unit float64) float64 { return math.Round(x/unit) * unit }
