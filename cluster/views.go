package cluster

import (
	"slices"

	"github.com/raftcheck/raftcheck/nemesis"
)

// confViews remembers the voter set after every configuration change the cluster applied and
// how far each node has applied them, so that the nemesis can budget for the configuration
// every node may still be using, not only the newest one.
type confViews struct {
	changes []confChange // ascending index; changes[0] is the founders' configuration at index 0
	applied map[int]uint64
}

// confChange is the voter sets in effect from a configuration change's index on: the voters
// and, for a joint entry, the outgoing voters, whose majority a node that applied it but not
// the leave needs as well.
type confChange struct {
	index    uint64
	voters   []int
	outgoing []int
}

func (v *confViews) init(founders []int) {
	v.changes = []confChange{{index: 0, voters: slices.Clone(founders)}}
	v.applied = map[int]uint64{}
}

// add records the voter sets after the change at index (applied for the first time);
// outgoing is nil unless the change entered a joint configuration.
func (v *confViews) add(index uint64, voters, outgoing []int) {
	v.changes = append(v.changes, confChange{index: index, voters: slices.Clone(voters), outgoing: slices.Clone(outgoing)})
}

// appliedBy records that node applied the change at index (or a snapshot holding it).
func (v *confViews) appliedBy(node int, index uint64) {
	v.applied[node] = max(v.applied[node], index)
}

// restored records that node restored a snapshot through index: it holds every change at or
// below it.
func (v *confViews) restored(node int, index uint64) {
	for _, c := range v.changes {
		if c.index <= index {
			v.appliedBy(node, c.index)
		}
	}
}

// joined records a node added now: it learns the configuration from the leader, at least as
// recent as the newest applied one.
func (v *confViews) joined(node int) {
	v.appliedBy(node, v.changes[len(v.changes)-1].index)
}

// behind lists, in id order, the nodes counted by participates whose last applied change is
// older than index.
func (v *confViews) behind(index uint64, participates func(id int) bool) []int {
	var out []int
	for id := range nemesis.MaxNodeIDs {
		if participates(id) && v.applied[id] < index {
			out = append(out, id)
		}
	}
	return out
}

// sets returns the voter sets node needs majorities of: those of the last change it applied
// (two while that change left it joint).
func (v *confViews) sets(node int) [][]int {
	at := v.applied[node]
	k := len(v.changes) - 1
	for k > 0 && v.changes[k].index > at {
		k--
	}
	if c := v.changes[k]; c.outgoing != nil {
		return [][]int{c.voters, c.outgoing}
	}
	return [][]int{v.changes[k].voters}
}
