package cluster

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/engine"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/simnet"
)

// faultState is what the nemesis has in effect.
type faultState struct {
	targets [][]int       // per schedule index: the nodes the fault struck when it started (nil: not applied)
	network []int         // partition faults in effect, by schedule index
	links   []int         // link faults in effect (loss, duplicate, delay, reorder)
	churn   []int         // churn faults in effect
	ackKill []int         // ack-kill faults armed: each kills the next leader that acknowledges a write
	split   map[int][]int // joint faults that split the network (in network too): the leader's side
	// untilElection are the hold faults in effect that release at the next election.
	untilElection []int
	ended         []bool      // per schedule index: the fault has ended (early, for a hold)
	calm          calm        // the fault-free stretches (calm.go)
	stalls        []stallMark // by node id: each follower's stretch behind the leader (stall.go)
}

type faultEvent run // the run itself, seen as an event handler

// OnEvent starts (even arg) or ends (odd arg) fault arg/2 of the schedule.
func (e *faultEvent) OnEvent(_ simnet.Time, arg uint64) {
	r := (*run)(e)
	if r.healed {
		return
	}
	if i := int(arg >> 1); arg&1 == 0 {
		r.startFault(i)
	} else {
		r.endFault(i)
	}
}

// scheduleFaults queues every fault's start and end; ends at or after the heal are left to it.
// A joint fault's For is the length of its split, which starts when a leader takes the change
// (jointsplit.go). The stale-leader watch, which looks at the fault-free stretches, starts too.
func (r *run) scheduleFaults() {
	r.watchStaleLeaders()
	r.faults.targets = make([][]int, len(r.schedule))
	r.faults.ended = make([]bool, len(r.schedule))
	end := simnet.Time(r.cfg.Duration)
	for i, f := range r.schedule {
		at := simnet.Time(f.At)
		if at >= end {
			continue
		}
		r.k.Schedule(at, (*faultEvent)(r), uint64(i)<<1)
		if stop := at + simnet.Time(f.For); f.For > 0 && stop < end && f.Kind != nemesis.Joint {
			r.k.Schedule(stop, (*faultEvent)(r), uint64(i)<<1|1)
		}
	}
}

// targets resolves a fault's nodes now: the leader if asked, replacements for replaced nodes,
// and only nodes that exist and have not been removed.
func (r *run) targets(f nemesis.Fault) []int {
	var out []int
	if f.Leader {
		if l := r.leader(); l != nil {
			out = append(out, l.id)
		}
	}
	for _, id := range f.Nodes {
		id = r.members.resolve(id)
		if id < len(r.nodes) && !r.nodes[id].removed && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

func (r *run) startFault(i int) {
	f := r.schedule[i]
	ids := r.targets(f)
	applied := r.apply(f, i, ids)
	if !applied {
		r.res.Stats.FaultsSkipped++
		r.mark(Mark{Kind: MarkFaultStart, Node: -1, Detail: "skipped: " + f.String(), Fault: i + 1})
		return
	}
	r.faults.targets[i] = ids
	r.res.Stats.FaultsApplied++
	r.mark(Mark{Kind: MarkFaultStart, Node: firstNode(ids), Detail: fmt.Sprintf("%s → nodes %v", f, ids), Fault: i + 1, Nodes: ids})
	r.k.Trace().Note(traceFault, uint64(i), 0, uint64(len(ids)), string(f.Kind))
}

// apply carries a fault out on its resolved targets and reports whether it did anything.
func (r *run) apply(f nemesis.Fault, i int, ids []int) bool {
	switch f.Kind {
	case nemesis.Crash:
		mode := crashMode(f.Mode)
		return r.eachNode(ids, func(n *node) {
			rnd := r.faultStream(i, fmt.Sprintf("crash/%d", n.id))
			if tearsWrites(mode) {
				r.crashInFlight(n, mode, rnd, f)
			} else {
				r.crash(n, &mode, rnd)
			}
			n.holds++
		})
	case nemesis.Pause:
		return r.eachNode(ids, r.pause)
	case nemesis.Churn:
		r.startChurn(i)
	case nemesis.Partition:
		if len(r.members.all()) < 2 {
			return false
		}
		r.faults.network = append(r.faults.network, i)
		r.applyNetwork()
	case nemesis.Loss, nemesis.Duplicate, nemesis.Delay, nemesis.Reorder:
		r.faults.links = append(r.faults.links, i)
		r.applyLinks()
	case nemesis.Drift:
		return r.drift(ids, f.Value)
	case nemesis.Corrupt:
		return len(ids) > 0 && r.corrupt(r.nodes[ids[0]], i)
	case nemesis.SlowDisk:
		lat := simnet.FixedLatency(simnet.Time(f.Value * float64(simnet.Millisecond)))
		return r.eachNode(ids, func(n *node) {
			mustDisk(n, n.disk.SetLatency(simnet.FixedLatency(0), lat))
			n.diskFaults, n.troubledAt = n.diskFaults+1, r.now()
		})
	case nemesis.DiskFull:
		return r.eachNode(ids, func(n *node) {
			mustDisk(n, n.disk.SetCapacity(max(n.disk.Used(), 1)))
			n.diskFaults, n.troubledAt = n.diskFaults+1, r.now()
		})
	case nemesis.Hold:
		if f.Shape == "election" && len(ids) > 0 {
			r.faults.untilElection = append(r.faults.untilElection, i)
		}
		return r.eachNode(ids, r.hold)
	case nemesis.AckKill:
		r.faults.ackKill = append(r.faults.ackKill, i)
	case nemesis.SnapFail:
		return r.eachNode(ids, func(n *node) {
			n.snapFail, n.troubledAt = n.snapFail+1, r.now()
			if n.h != nil && !n.h.dead && n.proc.State() == simnet.Running {
				n.h.compact() // a follower behind it now needs a snapshot: the transfer the fault fails
			}
		})
	case nemesis.Transfer:
		return r.transfer(f, i)
	case nemesis.Add:
		r.enqueueMember(nemesis.Add, -1)
	case nemesis.Remove, nemesis.Replace:
		if len(ids) == 0 {
			return false
		}
		r.enqueueMember(f.Kind, ids[0])
	case nemesis.Joint:
		return r.enqueueJoint(f, i, ids)
	}
	return true
}

func (r *run) endFault(i int) {
	if r.faults.ended[i] {
		return // a hold released early, at an election
	}
	r.faults.ended[i] = true
	ids := r.faults.targets[i]
	if ids == nil && !slices.Contains(r.faults.network, i) && !slices.Contains(r.faults.links, i) &&
		!slices.Contains(r.faults.churn, i) && !slices.Contains(r.faults.ackKill, i) {
		return // never applied
	}
	f := r.schedule[i]
	r.lift(f, i, ids)
	r.mark(Mark{Kind: MarkFaultEnd, Node: firstNode(ids), Detail: f.String(), Fault: i + 1, Nodes: ids})
	r.k.Trace().Event(traceFaultEnd, uint64(i), 0, 0)
}

// lift undoes fault i.
func (r *run) lift(f nemesis.Fault, i int, ids []int) {
	switch f.Kind {
	case nemesis.Crash, nemesis.Corrupt:
		r.eachNode(ids, func(n *node) { n.holds, n.armed = max(n.holds-1, 0), nil })
	case nemesis.Pause:
		r.eachNode(ids, r.resume)
	case nemesis.Churn:
		r.endChurn(i)
	case nemesis.Partition:
		r.faults.network = slices.DeleteFunc(r.faults.network, func(j int) bool { return j == i })
		r.applyNetwork()
	case nemesis.Loss, nemesis.Duplicate, nemesis.Delay, nemesis.Reorder:
		r.faults.links = slices.DeleteFunc(r.faults.links, func(j int) bool { return j == i })
		r.applyLinks()
	case nemesis.Drift:
		r.eachNode(ids, func(n *node) { mustDisk(n, n.proc.SetClockRate(1)) })
	case nemesis.Hold:
		r.faults.untilElection = slices.DeleteFunc(r.faults.untilElection, func(j int) bool { return j == i })
		r.eachNode(ids, func(n *node) { r.unhold(n, int(f.Value)) })
	case nemesis.AckKill:
		r.faults.ackKill = slices.DeleteFunc(r.faults.ackKill, func(j int) bool { return j == i })
	case nemesis.SnapFail:
		r.eachNode(ids, func(n *node) { n.snapFail, n.troubledAt = max(n.snapFail-1, 0), r.now() })
	case nemesis.SlowDisk:
		r.eachNode(ids, func(n *node) {
			mustDisk(n, n.disk.SetLatency(simnet.FixedLatency(0), r.baseSync()))
			// Work issued while the disk was slow still pays for it, each operation in turn:
			// the node is troubled until its host has it back (seed 22868: 13 operations
			// queued at 160 ms each kept a follower mute for 2 s after the fault ended).
			n.diskFaults, n.troubledAt = max(n.diskFaults-1, 0), max(r.now(), n.diskDoneAt)
		})
	case nemesis.DiskFull:
		r.eachNode(ids, func(n *node) {
			mustDisk(n, n.disk.SetCapacity(simnet.DefaultDiskCapacity))
			n.diskFaults, n.troubledAt = max(n.diskFaults-1, 0), r.now()
		})
	}
}

func (r *run) eachNode(ids []int, fn func(*node)) bool {
	for _, id := range ids {
		fn(r.nodes[id])
	}
	return len(ids) > 0
}

// mustDisk panics on an error from a setting the cluster computed itself: a wiring bug.
func mustDisk(n *node, err error) {
	if err != nil {
		panic(fmt.Sprintf("cluster: node %d: %v", n.id, err))
	}
}

func crashMode(name string) simnet.CrashMode {
	switch name {
	case "prefix":
		return simnet.KeepPrefix
	case "torn":
		return simnet.TornSectors
	case "subset":
		return simnet.RandomSectors
	}
	return simnet.LoseUnsynced
}

func (r *run) pause(n *node) {
	r.touchNode(n)
	if n.proc.State() == simnet.Running {
		mustDisk(n, n.proc.Pause())
		r.mark(Mark{Kind: MarkPause, Node: n.id})
	}
	if n.proc.State() == simnet.Paused {
		n.paused++
	}
}

func (r *run) resume(n *node) {
	r.touchNode(n)
	if n.paused == 0 {
		return
	}
	n.paused--
	if n.paused == 0 && n.proc.State() == simnet.Paused {
		mustDisk(n, n.proc.Resume())
		r.mark(Mark{Kind: MarkResume, Node: n.id})
	}
}

// drift sets the nodes' clock rates evenly from low to 2-low.
func (r *run) drift(ids []int, low float64) bool {
	for i, id := range ids {
		rate := low
		if len(ids) > 1 {
			rate = low + (2-2*low)*float64(i)/float64(len(ids)-1)
		}
		mustDisk(r.nodes[id], r.nodes[id].proc.SetClockRate(rate))
	}
	return len(ids) > 0
}

// corrupt flips a bit in the node's durable data and crashes it; it restarts when the fault
// ends and must notice. It is skipped when the node's loss could cost the cluster its quorum.
func (r *run) corrupt(n *node, i int) bool {
	if n.damaged || !r.canLose(n.id) {
		return false
	}
	flip, ok := n.disk.FlipRandomBit(r.faultStream(i, "bits"))
	if !ok {
		return false
	}
	n.damaged = true
	mode := simnet.LoseUnsynced
	r.crash(n, &mode, r.faultStream(i, fmt.Sprintf("crash/%d", n.id)))
	n.holds++
	r.k.Trace().Note(traceFault, uint64(n.id), uint64(flip.Sector), uint64(flip.Bit), flip.Name)
	return true
}

// hold starts holding back what n sends to the other nodes (the hold fault).
func (r *run) hold(n *node) {
	r.touchSender(n)
	if n.holding++; n.holding > 1 {
		return
	}
	for _, peer := range r.nodes {
		if peer != n {
			mustDisk(n, r.net.SetHold(simnet.NodeID(n.id), simnet.NodeID(peer.id), true))
		}
	}
}

// unhold ends one hold of n; the messages held so far go out now, copies times each, and
// when no hold is left n's links carry messages as usual again.
func (r *run) unhold(n *node, copies int) {
	r.touchSender(n)
	if n.holding == 0 {
		return
	}
	n.holding--
	for _, peer := range r.nodes {
		if peer == n {
			continue
		}
		if n.holding == 0 {
			mustDisk(n, r.net.SetHold(simnet.NodeID(n.id), simnet.NodeID(peer.id), false))
		}
		_, err := r.net.ReleaseHeld(simnet.NodeID(n.id), simnet.NodeID(peer.id), max(copies, 1))
		mustDisk(n, err)
	}
}

// faultStream is the random stream of schedule fault i for purpose: named after the fault's
// identity (its text, and which of the identical faults it is), not its position, so that
// removing one fault from a schedule leaves every other fault's draws unchanged.
func (r *run) faultStream(i int, purpose string) *rand.Rand {
	return r.k.Stream("fault/" + r.faultIDs[i] + "/" + purpose)
}

// faultIdentities names each fault of s by its text and, for identical ones, their order.
func faultIdentities(s nemesis.Schedule) []string {
	ids := make([]string, len(s))
	seen := map[string]int{}
	for i, f := range s {
		text := f.String()
		ids[i] = fmt.Sprintf("%s#%d", text, seen[text])
		seen[text]++
	}
	return ids
}

// ackKillDown is how long a node an ack-kill fault killed stays down.
const ackKillDown = 300 * simnet.Millisecond

// ackedWrite is told that node n, leading, has just acknowledged a client's write. An armed
// ack-kill fault kills it now (a power failure), before its next message can carry the new
// commit index to its followers, and lets it restart ackKillDown later.
func (r *run) ackedWrite(n *node) {
	if len(r.faults.ackKill) == 0 || r.healed {
		return
	}
	i := r.faults.ackKill[0]
	r.faults.ackKill = r.faults.ackKill[1:]
	r.faults.targets[i] = []int{n.id}
	r.mark(Mark{Kind: MarkFaultStart, Node: n.id, Detail: fmt.Sprintf("%s → leader %d acknowledged a write", r.schedule[i], n.id), Fault: i + 1, Nodes: []int{n.id}})
	n.holds++
	if n.h != nil {
		n.h.dead = true // nothing more leaves this life, not even the rest of this batch
	}
	r.k.After(0, func() {
		mode := simnet.LoseUnsynced
		r.crash(n, &mode, r.faultStream(i, "crash"))
	})
	r.k.After(ackKillDown, func() { n.holds = max(n.holds-1, 0) })
}

// transfer has the leader hand leadership to the voter f.Shape names: a random one, the one
// that applied least, or the one that started last. It reports whether a transfer began.
func (r *run) transfer(f nemesis.Fault, i int) bool {
	l := r.leader()
	if l == nil {
		return false
	}
	var cands []*node
	for _, id := range r.members.voters {
		if n := r.nodes[id]; n != l && n.h != nil && n.proc.State() == simnet.Running {
			cands = append(cands, n)
		}
	}
	if len(cands) == 0 {
		return false
	}
	to := cands[r.faultStream(i, "target").IntN(len(cands))]
	for _, n := range cands {
		switch {
		case f.Shape == "lagging" && n.h.kv.AppliedIndex() < to.h.kv.AppliedIndex():
			to = n
		case f.Shape == "restarted" && n.startedAt > to.startedAt:
			to = n
		}
	}
	r.faults.targets[i] = []int{to.id}
	if err := l.h.eng.TransferLeader(to.id); err != nil {
		if !errors.Is(err, engine.ErrDropped) && !errors.Is(err, engine.ErrNotLeader) {
			r.violate(checker.Violation{Kind: KindEngine, Time: r.now(), Nodes: []int{l.id, to.id}, Detail: "transferring leadership: " + err.Error()})
		}
		return false
	}
	l.h.drive()
	return true
}
