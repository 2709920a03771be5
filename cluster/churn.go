package cluster

import (
	"slices"

	"github.com/raftcheck/raftcheck/simnet"
)

// churnEvent drives a churn fault: at each beat it kills the current leader (a power failure
// that loses unsynced writes) and lets it restart a moment later. Quick successions of leaders
// with diverging logs are where Figure 8 and vote-persistence bugs live.
type churnEvent struct{ r *run }

// churnRestartMax bounds how long a killed leader stays down before it may restart.
const churnRestartMax = 200 * simnet.Millisecond

// OnEvent kills the leader if fault arg is still in effect, and schedules the next beat.
// The low bit of arg says whether this is a beat of fault arg>>1 (0) or the release of
// killed node arg>>1 (1).
func (e churnEvent) OnEvent(now simnet.Time, arg uint64) {
	r := e.r
	i := int(arg >> 1)
	if arg&1 == 1 { // release: the killed node may restart
		n := r.nodes[i]
		n.holds = max(n.holds-1, 0)
		return
	}
	if r.healing || !slices.Contains(r.faults.churn, i) {
		return
	}
	rnd := r.k.Stream("nemesis/churn-run")
	if l := r.leader(); l != nil {
		mode := simnet.LoseUnsynced
		r.crash(l, &mode)
		l.holds++
		down := simnet.Time(rnd.Int64N(int64(churnRestartMax))) + 10*simnet.Millisecond
		r.k.Schedule(now+down, e, uint64(l.id)<<1|1)
	}
	beat := simnet.Time(r.schedule[i].Value * float64(simnet.Millisecond))
	r.k.Schedule(now+beat, e, uint64(i)<<1)
}

// startChurn puts churn fault i in effect.
func (r *run) startChurn(i int) {
	r.faults.churn = append(r.faults.churn, i)
	r.k.Schedule(r.k.Now(), churnEvent{r}, uint64(i)<<1)
}

// endChurn lifts churn fault i; nodes it killed restart when their release comes.
func (r *run) endChurn(i int) {
	r.faults.churn = slices.DeleteFunc(r.faults.churn, func(j int) bool { return j == i })
}
