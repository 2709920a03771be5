package checker

import "testing"

// TestTermAppend: in term T a node saves only what the leader of T holds. Leader 0 of term 1
// wrote entry 3 (term 1); leader 1 of term 2 wrote its own entry 3 (term 2); node 2, in term 2,
// then saves the deposed leader's entry: a violation, whether or not it had entry 3 of term 2
// before. Saving the term-2 leader's entries, or term 1's in the batch that enters term 2, is
// fine.
func TestTermAppend(t *testing.T) {
	old := []EntryObs{{Index: 3, Term: 1, Digest: 31}}
	cur := []EntryObs{{Index: 3, Term: 2, Digest: 32}}
	setup := func(t *testing.T) *Invariants {
		inv := newInv(t, 3)
		replicate(inv, 1, run(1, 1, 1), 0, 1, 2)
		elect(inv, 2, 0, 1, 0, 1, 2)
		inv.EntriesSaved(3, 0, old)
		inv.BatchSaved(3, 0)
		elect(inv, 4, 1, 2, 1)
		inv.EntriesSaved(5, 1, cur)
		inv.BatchSaved(5, 1)
		return inv
	}
	enter := func(inv *Invariants) { // node 2 enters term 2 (a batch of its own)
		inv.HardStateSaved(6, 2, HardState{Term: 2, Vote: 2})
		inv.BatchSaved(6, 2)
	}
	tests := []struct {
		name string
		act  func(inv *Invariants)
		want []want
	}{
		{"the leader's entries", func(inv *Invariants) {
			enter(inv)
			inv.EntriesSaved(6, 2, cur)
			inv.BatchSaved(6, 2)
		}, nil},
		{"a deposed leader's entry appended", func(inv *Invariants) {
			enter(inv)
			inv.EntriesSaved(6, 2, old)
			inv.BatchSaved(6, 2)
		}, []want{{KindTermAppend, 6, []int{2, 1}, []string{
			"node 2, in term 2, saved " + fmtEntry(3, 1, 31) + ", but leader 1 of term 2 holds " + fmtEntry(3, 2, 32)}}}},
		{"a deposed leader's entry over the leader's", func(inv *Invariants) {
			enter(inv)
			inv.EntriesSaved(6, 2, cur)
			inv.BatchSaved(6, 2)
			inv.EntriesSaved(7, 2, old)
			inv.BatchSaved(7, 2)
		}, []want{{KindTermAppend, 7, []int{2, 1}, []string{"in term 2 a node takes entries only from its leader"}}}},
		{"the deposed leader's own entry, written again as it was", func(inv *Invariants) {
			inv.HardStateSaved(6, 0, HardState{Term: 2})
			inv.BatchSaved(6, 0)
			inv.EntriesSaved(7, 0, old)
			inv.BatchSaved(7, 0)
		}, nil},
		{"the deposed leader's own entry, cut by a snapshot and written again in the batch", func(inv *Invariants) {
			inv.HardStateSaved(6, 0, HardState{Term: 2})
			inv.BatchSaved(6, 0)
			inv.SnapshotInstalled(7, 0, SnapshotObs{Index: 2, Term: 1})
			inv.EntriesSaved(7, 0, old)
			inv.BatchSaved(7, 0)
		}, nil},
		{"cut by a snapshot, then a deposed leader's entry where there was none", func(inv *Invariants) {
			enter(inv)
			inv.SnapshotInstalled(7, 2, SnapshotObs{Index: 2, Term: 1})
			inv.EntriesSaved(7, 2, old)
			inv.BatchSaved(7, 2)
		}, []want{{KindTermAppend, 7, []int{2, 1}, []string{"node 2, in term 2, saved " + fmtEntry(3, 1, 31)}}}},
		{"saved in term 1, then term 2 arrives in the same batch", func(inv *Invariants) {
			inv.EntriesSaved(6, 2, old)
			inv.HardStateSaved(6, 2, HardState{Term: 2})
			inv.BatchSaved(6, 2)
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := setup(t)
			tt.act(inv)
			wantExactly(t, inv.Violations(), tt.want...)
		})
	}
}
