package cluster

import (
	"math/rand/v2"
	"slices"

	"github.com/raftcheck/raftcheck/simnet"
)

// Churn keeps killing leaders: while a churn fault is in effect, every node that becomes
// leader is killed (a power failure: unsynced writes are lost) after leading for a random time
// up to the fault's Value in milliseconds, and restarts 10 to 210 ms later. Quick successions
// of short-lived leaders with diverging logs are where Figure 8 and vote-persistence bugs
// live.
type churnEvent run // the run itself, seen as an event handler

// churnRestartMax bounds how long a killed leader stays down before it may restart.
const churnRestartMax = 200 * simnet.Millisecond

// Churn event arguments: the low two bits say what to do with node arg>>2.
const (
	churnKill    = 0 // kill the node if it still leads in the term it was elected in
	churnRelease = 1 // the node may restart
)

// OnEvent carries out a churn kill or release.
func (e *churnEvent) OnEvent(now simnet.Time, arg uint64) {
	r := (*run)(e)
	n := r.nodes[arg>>2]
	switch arg & 3 {
	case churnRelease:
		n.holds = max(n.holds-1, 0)
	case churnKill:
		if r.healed || len(r.faults.churn) == 0 || n.h == nil || !n.h.eng.Status().IsLeader {
			return
		}
		mode := simnet.LoseUnsynced
		r.crash(n, &mode, r.churnRand())
		n.holds++
		down := 10*simnet.Millisecond + simnet.Time(r.churnRand().Int64N(int64(churnRestartMax)))
		r.k.Schedule(now+down, e, arg>>2<<2|churnRelease)
	}
}

// churnRand is the stream of the first churn fault in effect.
func (r *run) churnRand() *rand.Rand { return r.faultStream(r.faults.churn[0], "churn") }

// churnLeader schedules the kill of a node that just became leader, if churn is in effect.
func (r *run) churnLeader(id int) {
	if len(r.faults.churn) == 0 || r.healed {
		return
	}
	longest := 0.0
	for _, i := range r.faults.churn {
		longest = max(longest, r.schedule[i].Value)
	}
	lead := simnet.Time(r.churnRand().Int64N(int64(longest*float64(simnet.Millisecond)))) + simnet.Millisecond
	r.k.Schedule(r.k.Now()+lead, (*churnEvent)(r), uint64(id)<<2|churnKill)
}

// startChurn puts churn fault i in effect; the current leader is the first to go.
func (r *run) startChurn(i int) {
	r.faults.churn = append(r.faults.churn, i)
	if l := r.leader(); l != nil {
		r.churnLeader(l.id)
	}
}

// endChurn lifts churn fault i; nodes it killed restart when their release comes.
func (r *run) endChurn(i int) {
	r.faults.churn = slices.DeleteFunc(r.faults.churn, func(j int) bool { return j == i })
}
