package cluster

import "github.com/raftcheck/raftcheck/simnet"

// holdRelease is the run seen as the handler that ends a hold fault at an election.
type holdRelease run

// maxReleaseTicks bounds how long after an election a hold of shape "election" lets what it
// held go: within a few heartbeats, while the new leader's first entries are acknowledged
// but their commit has not yet reached every follower, or its first reads are answered. Half
// the holds go within the first tick, while those entries may still be on their way: the only
// moment a late append from the old term can still change a follower's log (once a follower
// knows the commit past the append's previous entry, a correct one and a careless one both
// ignore it).
const maxReleaseTicks = 3

// electionReleases schedules the end of every hold fault waiting for an election, each after
// a delay drawn from its own stream: in [0, maxReleaseTicks) ticks, or in its first third.
func (r *run) electionReleases() {
	for _, i := range r.faults.untilElection {
		rnd := r.faultStream(i, "release")
		d := rnd.Int64N(maxReleaseTicks * int64(r.cfg.Tick))
		if rnd.IntN(2) == 0 {
			d /= maxReleaseTicks
		}
		r.k.Schedule(r.k.Now()+simnet.Time(d), (*holdRelease)(r), uint64(i))
	}
	r.faults.untilElection = r.faults.untilElection[:0]
}

// OnEvent ends hold fault arg, unless the heal or its own end came first.
func (e *holdRelease) OnEvent(_ simnet.Time, arg uint64) {
	r := (*run)(e)
	if !r.healed {
		r.endFault(int(arg))
	}
}
