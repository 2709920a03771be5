package cluster

import "github.com/raftcheck/raftcheck/simnet"

// holdRelease is the run seen as the handler that ends a hold fault at an election.
type holdRelease run

// maxReleaseTicks bounds how long after an election a hold of shape "election" lets what it
// held go: within a heartbeat, while the new leader's first entries are on their way or
// acknowledged but their commit has not yet reached every follower, the moment a late
// message from the old term can still change a follower's log (once a follower knows the
// commit past a message's previous entry, a correct one and a careless one both ignore it).
// Three ticks let most of them arrive after that.
const maxReleaseTicks = 1

// electionReleases schedules the end of every hold fault waiting for an election, each after
// a delay drawn from its own stream in [0, maxReleaseTicks) ticks.
func (r *run) electionReleases() {
	for _, i := range r.faults.untilElection {
		d := r.faultStream(i, "release").Int64N(maxReleaseTicks * int64(r.cfg.Tick))
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
