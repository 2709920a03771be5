package main

import (
	"math/rand/v2"
	"time"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/coverage"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/simnet"
)

// Guided search (sweep --guided, hunt --guided) keeps a corpus of runs that reached coverage
// features no earlier run had, and makes new runs by mutating the fault schedules and
// protocol settings of corpus runs, interleaved with fresh seeds of the range.
//
// Determinism: runs are planned in batches of guidedBatch. A batch's plans depend only on the
// guide's state, and the guide changes only between batches, when it absorbs the batch's
// outcomes in plan order. Its random choices come from one stream seeded by the range's
// first seed and the shard. So the runs, their order and the corpus are a function of
// (--from, --shard, config, engine version), never of --parallel or of which worker finished
// first. Workers run the jobs of one batch at a time; the batch is the price of that.
const guidedBatch = 16

// The share of fresh seeds among planned runs, once the corpus holds a run, follows which
// source reaches more new features per run lately (fresh seeds or mutants: a moving average
// over about the last 1/yieldAlpha runs of each, from a prior of one feature a run), within
// [minFresh, maxFresh]: mutants that reach nothing new cannot slow the range's own seeds by
// more than 1/minFresh.
const (
	minFresh   = 0.25
	maxFresh   = 0.75
	yieldAlpha = 0.05
)

// yield is the moving average of the features a source's runs reached first.
type yield struct{ avg float64 }

func (y *yield) add(gain int) { y.avg += yieldAlpha * (float64(gain) - y.avg) }

// maxDonors bounds the faults kept as material for the add mutation.
const maxDonors = 4096

// guidedJob is one run a guide planned.
type guidedJob struct {
	k      int    // the run's position in the guided sweep
	seed   uint64 // a fresh seed of the range, or a new one drawn for a mutant
	cfg    cluster.Config
	sched  *nemesis.Schedule // nil: generated from the seed (a fresh run)
	origin string            // "fresh", or the mutations applied to a corpus run
	parent *corpusEntry      // the corpus run a mutant comes from, nil for a fresh run
}

// corpusEntry is a run that reached new features: what a mutant of it starts from.
type corpusEntry struct {
	k      int // its position in the guided sweep
	seed   uint64
	cfg    cluster.Config // the run's configuration with its drawn settings (Tuning "fixed")
	sched  nemesis.Schedule
	gain   int      // features it reached first
	feats  []string // the features it reached
	events []simnet.Duration
	weight float64 // its share of picks: the rarer its features, the more (reweigh)
}

// maxEvents bounds the timeline instants a corpus run keeps for the aim mutation.
const maxEvents = 64

// eventTimes are the instants of a run's timeline where the protocol changed state (a
// leader elected, a role change, a configuration change, a crash, a fault starting), at
// most maxEvents of them, evenly spread.
func eventTimes(res *cluster.Result) []simnet.Duration {
	var out []simnet.Duration
	for _, m := range res.Timeline {
		switch m.Kind {
		case cluster.MarkLeader, cluster.MarkRole, cluster.MarkMember, cluster.MarkCrash, cluster.MarkFaultStart:
			if simnet.Duration(m.Time) < res.Config.Duration {
				out = append(out, simnet.Duration(m.Time))
			}
		}
	}
	if len(out) <= maxEvents {
		return out
	}
	kept := make([]simnet.Duration, maxEvents)
	for i := range kept {
		kept[i] = out[i*len(out)/maxEvents]
	}
	return kept
}

// guide plans the runs of a guided or random (coverage-measuring) sweep and tracks coverage.
type guide struct {
	mutate                 bool // false: every run is a fresh seed (a random sweep that measures coverage)
	cfg                    cluster.Config
	rng                    seedRange
	rnd                    *rand.Rand
	fresh                  int // fresh seeds planned so far: the next is rng.at(fresh)
	planned                int
	corpus                 []corpusEntry
	donors                 []nemesis.Fault
	seen                   coverage.Set
	hits                   map[string]int // runs that reached each feature
	curve                  []int          // features covered after each run absorbed
	spent                  time.Duration  // wall time planning and absorbing (the guidance's overhead), never in results
	fromFresh, fromMutants yield
}

func newGuide(cfg cluster.Config, rng seedRange, mutate bool) *guide {
	return &guide{mutate: mutate, cfg: cfg, rng: rng, hits: map[string]int{}, fromFresh: yield{1}, fromMutants: yield{1},
		rnd: rand.New(rand.NewPCG(rng.from, uint64(rng.shard)<<32^uint64(rng.shards)^0x6775696465))} // "guide"
}

// plan returns the next batch: at most guidedBatch runs, none beyond the range's size.
func (g *guide) plan() []guidedJob {
	g.reweigh()
	n := min(guidedBatch, g.rng.size()-g.planned)
	jobs := make([]guidedJob, 0, n)
	for range n {
		jobs = append(jobs, g.next())
		g.planned++
	}
	return jobs
}

func (g *guide) next() guidedJob {
	if !g.mutate || len(g.corpus) == 0 || g.rnd.Float64() < g.freshShare() {
		seed := g.rng.at(g.fresh)
		g.fresh++
		return guidedJob{k: g.planned, seed: seed, cfg: g.cfg, origin: "fresh"}
	}
	return g.mutant()
}

// freshShare is the probability that the next run is a fresh seed.
func (g *guide) freshShare() float64 {
	f, m := g.fromFresh.avg, g.fromMutants.avg
	return min(max(f/(f+m), minFresh), maxFresh)
}

// absorb takes one run's outcome, in plan order: its features, and the run itself into the
// corpus when it reached any feature first.
func (g *guide) absorb(j guidedJob, res *cluster.Result, s coverage.Set) int {
	gain := g.seen.Merge(s)
	g.curve = append(g.curve, g.seen.Len())
	src := &g.fromFresh
	if j.sched != nil {
		src = &g.fromMutants
	}
	src.add(gain)
	names := s.Names()
	for _, n := range names {
		g.hits[n]++
	}
	if res == nil {
		return gain
	}
	for _, f := range res.Schedule {
		if len(g.donors) < maxDonors {
			g.donors = append(g.donors, f)
		} else {
			g.donors[g.rnd.IntN(maxDonors)] = f
		}
	}
	if gain > 0 {
		g.corpus = append(g.corpus, corpusEntry{k: j.k, seed: res.Seed, cfg: res.Config,
			sched: append(nemesis.Schedule{}, res.Schedule...), gain: gain, feats: names, events: eventTimes(res)})
	}
	return gain
}

// reweigh sets each corpus run's weight to the rarity of what it reached: the sum over its
// features of 1/(runs that reached the feature). A run that alone reaches a feature weighs
// at least 1; one that reaches only what every run reaches, next to nothing.
func (g *guide) reweigh() {
	for i := range g.corpus {
		c := &g.corpus[i]
		c.weight = 0
		for _, n := range c.feats {
			c.weight += 1 / float64(g.hits[n])
		}
	}
}

// pick chooses a corpus run with probability proportional to its weight.
func (g *guide) pick() *corpusEntry {
	total := 0.0
	for _, c := range g.corpus {
		total += c.weight
	}
	x := g.rnd.Float64() * total
	for i := range g.corpus {
		if x -= g.corpus[i].weight; x < 0 {
			return &g.corpus[i]
		}
	}
	return &g.corpus[len(g.corpus)-1] // rounding
}
