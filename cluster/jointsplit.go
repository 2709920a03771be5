package cluster

import (
	"fmt"
	"slices"

	"github.com/raftcheck/raftcheck/simnet"
)

// split splits the network for joint fault i (mode=split) as leader l takes the change,
// before l sends anything: l and a bare majority of the incoming voters on one side, every
// other node on the other (see nemesis.JointSplit). The first split ends For later (or at
// the heal); until then, a leader that takes the change again (the first one lost its
// leadership, or its entry was truncated) gets a split around it instead.
func (r *run) split(i int, l *node, incoming []int) {
	side := r.splitSide(l.id, incoming, r.members.voters)
	if r.faults.split == nil {
		r.faults.split = map[int][]int{}
	}
	_, again := r.faults.split[i]
	if again && !slices.Contains(r.faults.network, i) {
		return // the split is over
	}
	r.faults.split[i] = side
	if !again {
		r.faults.network = append(r.faults.network, i)
		r.k.After(simnet.Time(r.schedule[i].For), func() { r.endSplit(i) })
	}
	r.applyNetwork()
	r.mark(Mark{Kind: MarkFaultStart, Node: l.id, Detail: fmt.Sprintf("%s: leader's side %v, joint entry in flight", r.schedule[i], side), Fault: i + 1, Nodes: side})
	r.k.Trace().Note(traceFault, uint64(i), uint64(l.id), uint64(len(side)), "joint split")
}

// endSplit lifts joint fault i's split, unless the heal already did.
func (r *run) endSplit(i int) {
	if r.healed || !slices.Contains(r.faults.network, i) {
		return
	}
	r.faults.network = slices.DeleteFunc(r.faults.network, func(j int) bool { return j == i })
	r.applyNetwork()
	r.mark(Mark{Kind: MarkFaultEnd, Node: -1, Detail: r.schedule[i].String(), Fault: i + 1, Nodes: r.faults.split[i]})
	r.k.Trace().Event(traceFaultEnd, uint64(i), 0, 0)
}

// splitSide returns the leader's side of a joint split: the leader and the fewest incoming
// voters that make a majority of incoming with it, those not among the outgoing voters
// first, then by id. With at least three incoming voters of five or more outgoing ones, that
// side never holds a majority of the outgoing voters.
func (r *run) splitSide(leader int, incoming, outgoing []int) []int {
	need := len(incoming)/2 + 1
	side := []int{leader}
	if slices.Contains(incoming, leader) {
		need--
	}
	var fresh, old []int
	for _, id := range incoming {
		switch {
		case id == leader:
		case slices.Contains(outgoing, id):
			old = append(old, id)
		default:
			fresh = append(fresh, id)
		}
	}
	for _, id := range slices.Concat(fresh, old) {
		if need == 0 {
			break
		}
		side = append(side, id)
		need--
	}
	return side
}

// splitCut applies joint fault i's split: its leader's side against every other node.
func (r *run) splitCut(i int) {
	a := r.faults.split[i]
	var sideA, sideB []simnet.NodeID
	for _, n := range r.nodes {
		if slices.Contains(a, n.id) {
			sideA = append(sideA, simnet.NodeID(n.id))
		} else if !n.removed {
			sideB = append(sideB, simnet.NodeID(n.id))
		}
	}
	if err := r.net.Partition(sideA, sideB); err != nil {
		panic(fmt.Sprintf("cluster: joint split %v | %v: %v", sideA, sideB, err))
	}
}
