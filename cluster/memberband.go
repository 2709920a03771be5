package cluster

import (
	"errors"
	"fmt"

	"github.com/raftcheck/raftcheck/nemesis"
)

// membersOver is how many members beyond Config.Nodes a run may hold. The nemesis asks for
// additions and removals at the same rate, but a removal is refused whenever it would leave a
// configuration without a healthy quorum, and an addition never is: without a bound a run
// drifts upward (seed 1, kv: 22 voters after 9 minutes), then, once its node ids are used up,
// down to three voters for good. Its cost per simulated second then depends on its length,
// and what it tests on how long it ran.
const membersOver = 2

// errCrowded and errLastIDs are why a membership change that would leave the band is skipped.
var (
	errCrowded = errors.New("the cluster is at the most members a run holds")
	errLastIDs = errors.New("no node ids left to add one back; the cluster keeps its configured size")
)

// withinBand says whether a change by delta members (added minus taken out) may start from
// the membership's current size (members and nodes being added): an addition only below
// Nodes+membersOver members, and, once no node id is left to add one back
// (nemesis.MaxNodeIDs), a removal only above Nodes. Before that a removal may go below Nodes,
// down to the three voters that removable requires. A joint addition of several nodes may
// pass the upper mark by all but one of them, and a replacement (swap) may start at the mark:
// it holds one member more only until its removal is done (and for good if that is given up,
// after which the band admits no addition until removals make room). The membership stays
// bounded all the same.
func (r *run) withinBand(delta int, swap bool) error {
	size := len(r.members.all()) + r.members.adding()
	upper := r.cfg.Nodes + membersOver
	if swap {
		upper++
	}
	switch {
	case delta > 0 && size >= upper:
		return fmt.Errorf("%w (%d, configured %d)", errCrowded, size, r.cfg.Nodes)
	case delta < 0 && size <= r.cfg.Nodes && len(r.nodes) >= nemesis.MaxNodeIDs:
		return fmt.Errorf("%w (%d)", errLastIDs, r.cfg.Nodes)
	}
	return nil
}

// adding counts the nodes created for a change that are not members yet.
func (m *membership) adding() int {
	count := 0
	for _, t := range m.tasks {
		if t.added >= 0 && !m.has(t.added) {
			count++
		}
		if t.joint != nil {
			for _, id := range t.joint.added {
				if !m.has(id) {
					count++
				}
			}
		}
	}
	return count
}

// delta is the change in members a joint task makes: its fresh nodes, less the removed
// ones (demoted voters stay members).
func (j *jointTask) delta() int {
	if j.shape == "demote" {
		return j.want
	}
	return j.want - len(j.leaving)
}
