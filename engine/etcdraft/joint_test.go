package etcdraft

import (
	"slices"
	"testing"

	"github.com/raftcheck/raftcheck/engine"
)

// jointOutcome runs a joint change removing two followers of five founders and reports
// whether some node handed the host a leave and the leader's configuration after it.
func jointOutcome(t *testing.T, mutants ...string) (leaveSeen bool, st engine.Status) {
	t.Helper()
	h := newHarness(t, 23, 5, 5, mutants...)
	l := h.elect()
	var gone []int
	for i := range 5 {
		if i != l && len(gone) < 2 {
			gone = append(gone, i)
		}
	}
	err := h.engs[l].ChangeMembership(engine.MemberChange{Op: engine.RemoveMember, Node: gone[0]},
		engine.MemberChange{Op: engine.RemoveMember, Node: gone[1]})
	if err != nil {
		t.Fatalf("leader %d: ChangeMembership: %v", l, err)
	}
	left := func() bool {
		return slices.ContainsFunc(h.batches, func(r batchRec) bool {
			return slices.ContainsFunc(r.b.Apply, func(c engine.Committed) bool { return c.Joint != nil && c.Joint.Leave() })
		})
	}
	h.runUntil(300, func() bool { return left() && len(h.engs[l].Status().VotersOutgoing) == 0 })
	return left(), h.engs[l].Status()
}

func TestJointLeavesAutomatically(t *testing.T) {
	leave, st := jointOutcome(t)
	if !leave || len(st.VotersOutgoing) != 0 || len(st.Voters) != 3 {
		t.Fatalf("leave reported %t, leader's voters %v, outgoing %v; want a leave and three voters, not joint", leave, st.Voters, st.VotersOutgoing)
	}
}

func TestMutantJointExplicit(t *testing.T) {
	leave, st := jointOutcome(t, mutantJointExplicit)
	if leave || len(st.VotersOutgoing) != 5 || len(st.Voters) != 3 {
		t.Fatalf("leave reported %t, leader's voters %v, outgoing %v; want no leave, joint {3 voters} && {5 voters}", leave, st.Voters, st.VotersOutgoing)
	}
}

func TestMutantIgnoreLeave(t *testing.T) {
	leave, st := jointOutcome(t, mutantIgnoreLeave)
	if !leave || len(st.VotersOutgoing) != 5 || len(st.Voters) != 3 {
		t.Fatalf("leave reported %t, leader's voters %v, outgoing %v; want a leave reported, yet etcd still joint {3 voters} && {5 voters}", leave, st.Voters, st.VotersOutgoing)
	}
}
