package checker

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestGoodRunHasNoViolation drives a correct run through crashes, restarts, truncation by
// a conflicting append, compaction, snapshots (with and without a kept suffix) and the
// heal check: nothing may be reported.
func TestGoodRunHasNoViolation(t *testing.T) {
	inv := newInv(t, 3)
	// Term 1: node 0 leads; 1..3 are committed; 4..5 reach node 2 but are never synced on
	// node 0, whose crash loses them.
	elect(inv, 10, 0, 1, 0, 1, 2)
	replicate(inv, 12, run(1, 1, 1, 1), 0, 1, 2)
	commitApply(inv, 14, 0, 1, 3)
	inv.Acked(14, e(2, 1))
	inv.Acked(14, e(3, 1))
	commitApply(inv, 15, 1, 1, 3)
	inv.EntriesSaved(16, 0, run(4, 1, 1))
	replicate(inv, 16, run(4, 1, 1), 2)
	inv.Crashed(17, 0)
	inv.Restarted(18, 0, Recovery{HardState: HardState{Term: 1, Vote: 1, Commit: 3}, Entries: run(1, 1, 1, 1)})

	// Term 2: node 1 leads with node 0's vote; its entries replace node 2's uncommitted
	// 4..5 of term 1.
	elect(inv, 20, 1, 2, 0, 1)
	inv.HardStateSaved(21, 2, HardState{Term: 2})
	replicate(inv, 21, run(4, 2, 2), 1, 0, 2)
	commitApply(inv, 22, 1, 2, 5)
	inv.Acked(22, e(5, 2))
	commitApply(inv, 23, 0, 2, 5)
	commitApply(inv, 23, 2, 2, 5)

	// Compaction on node 1; node 2 falls behind and installs node 1's snapshot, crashes
	// and recovers from it.
	inv.Compacted(24, 1, 4)
	replicate(inv, 25, run(6, 2, 2), 1, 0)
	commitApply(inv, 26, 1, 2, 7)
	commitApply(inv, 26, 0, 2, 7)
	inv.Compacted(27, 1, 7)
	inv.SnapshotInstalled(28, 2, SnapshotObs{Index: 7, Term: 2})
	inv.HardStateSaved(28, 2, HardState{Term: 2, Commit: 7})
	inv.Synced(28, 2)
	inv.Crashed(29, 2)
	inv.Restarted(30, 2, Recovery{HardState: HardState{Term: 2, Commit: 7}, SnapIndex: 7, SnapTerm: 2, Applied: 7})

	// Term 3: node 0 leads; a snapshot that keeps node 0's suffix; everyone applies 8.
	elect(inv, 31, 0, 3, 0, 2)
	inv.HardStateSaved(32, 1, HardState{Term: 3, Commit: 7})
	replicate(inv, 32, run(8, 3), 0, 1, 2)
	inv.SnapshotInstalled(33, 0, SnapshotObs{Index: 7, Term: 2, KeepSuffix: true})
	for _, n := range []int{0, 1, 2} {
		commitApply(inv, 34, n, 3, 8)
	}
	inv.Acked(34, e(8, 3))
	inv.CheckHealed(40, []int{0, 1, 2})
	wantNone(t, inv)
	require.Equal(t, uint64(8), inv.CommitMax(), "CommitMax")
}

// TestStaleLeaderOfOldTerm: a partitioned node may still win an old term's election;
// entries first seen committed in later terms are not owed to it.
func TestStaleLeaderOfOldTerm(t *testing.T) {
	inv := newInv(t, 3)
	elect(inv, 10, 0, 1, 0, 1, 2)
	replicate(inv, 11, run(1, 1, 1), 0, 1, 2)
	commitApply(inv, 12, 0, 1, 2)
	elect(inv, 20, 0, 5, 0, 1)
	replicate(inv, 21, run(3, 5), 0, 1)
	commitApply(inv, 22, 0, 5, 3)
	inv.HardStateSaved(30, 2, HardState{Term: 4, Vote: 3})
	inv.BecameLeader(31, 2, 4)
	wantNone(t, inv)
}

func TestElectionSafety(t *testing.T) {
	inv := newInv(t, 3)
	inv.BecameLeader(100, 0, 5)
	inv.BecameLeader(150, 0, 5) // the same leader reported twice is not a second leader
	inv.BecameLeader(200, 2, 5)
	inv.BecameLeader(300, 1, 6)
	wantExactly(t, inv.Violations(), want{KindElectionSafety, 200, []int{2, 0},
		[]string{"node 2 became leader of term 5, but node 0 already became leader of term 5 at 100ns"}})
}

func TestLogMatching(t *testing.T) {
	t.Run("only the chain hash sees it", func(t *testing.T) {
		// Both logs hold (5, 3) with the same data, but they differ at index 3 (and 4):
		// no per-index comparison at index 5 can tell.
		inv := newInv(t, 3)
		inv.EntriesSaved(10, 0, run(1, 1, 1, 1, 1, 3))
		inv.EntriesSaved(20, 1, run(1, 1, 1, 2, 2, 3))
		wantExactly(t, inv.Violations(), want{KindLogMatching, 20, []int{1, 0}, []string{
			"node 1 saved " + ent(5, 3) + ", which node 0 also holds, but their logs differ below it",
			"first difference at index 3: node 1 has " + ent(3, 2) + ", node 0 has " + ent(3, 1),
		}})
		// Further entries on the diverged log are not re-reported; replacing the divergent
		// part with the right entries clears it.
		inv.EntriesSaved(21, 1, run(6, 3))
		inv.EntriesSaved(22, 1, run(3, 1, 1, 3, 3))
		inv.EntriesSaved(23, 0, run(6, 3))
		require.Len(t, inv.Violations(), 1, "got %s", dump(inv.Violations()))
	})
	t.Run("same index and term, different data", func(t *testing.T) {
		inv := newInv(t, 3)
		inv.EntriesSaved(10, 0, run(1, 1, 1))
		inv.EntriesSaved(20, 2, []EntryObs{e(1, 1), {Index: 2, Term: 1, Digest: 7}})
		wantExactly(t, inv.Violations(), want{KindLogMatching, 20, []int{2, 0}, []string{
			"node 2 saved " + fmtEntry(2, 1, 7) + " but node 0 saved " + ent(2, 1) + ": same index and term, different data",
		}})
	})
	t.Run("kept suffix after a snapshot it does not match", func(t *testing.T) {
		inv := newInv(t, 3)
		inv.EntriesSaved(10, 0, run(1, 1, 1, 1))
		inv.SnapshotInstalled(20, 0, SnapshotObs{Index: 2, Term: 4, KeepSuffix: true})
		wantExactly(t, inv.Violations(), want{KindLogMatching, 20, []int{0},
			[]string{"node 0 kept its log after snapshot (index 2, term 4) but its own entry there is " + ent(2, 1)}})
	})
}

func TestLeaderCompleteness(t *testing.T) {
	t.Run("log too short", func(t *testing.T) {
		inv := newInv(t, 3)
		elect(inv, 10, 0, 1, 0, 1, 2)
		replicate(inv, 11, run(1, 1, 1, 1), 0, 1)
		replicate(inv, 11, run(1, 1, 1), 2)
		commitApply(inv, 12, 0, 1, 3)
		inv.HardStateSaved(20, 2, HardState{Term: 2, Vote: 3})
		inv.BecameLeader(21, 2, 2)
		wantExactly(t, inv.Violations(), want{KindLeaderCompleteness, 21, []int{2, 0}, []string{
			"leader 2 of term 2 lacks committed entry " + ent(3, 1),
			"(committed in term 1, first seen committed on node 0 at 12ns)",
			"at index 3 it has nothing (its log ends at index 2)",
			"entries committed in terms < 2 reach index 3",
		}})
	})
	t.Run("different entries", func(t *testing.T) {
		inv := newInv(t, 3)
		elect(inv, 10, 0, 1, 0, 1, 2)
		replicate(inv, 11, run(1, 1, 1, 1), 0, 1)
		replicate(inv, 11, run(1, 1, 2, 2), 2)
		commitApply(inv, 12, 0, 1, 3)
		inv.HardStateSaved(20, 2, HardState{Term: 3, Vote: 3})
		inv.BecameLeader(21, 2, 3)
		wantExactly(t, inv.Violations(), want{KindLeaderCompleteness, 21, []int{2, 0}, []string{
			"leader 2 of term 3 lacks committed entry " + ent(2, 1),
			"at index 2 it has " + ent(2, 2),
			"entries committed in terms < 3 reach index 3",
		}})
	})
	t.Run("snapshot contradicts the oracle", func(t *testing.T) {
		inv := newInv(t, 3)
		replicate(inv, 11, run(1, 1, 1, 1), 0)
		commitApply(inv, 12, 0, 1, 3)
		inv.SnapshotInstalled(13, 1, SnapshotObs{Index: 3, Term: 2})
		inv.BecameLeader(16, 1, 3)
		wantExactly(t, inv.Violations(),
			want{KindStateMachineSafety, 13, []int{1, 0}, []string{"node 1 holds a snapshot at (index 3, term 2) but node 0 committed " + ent(3, 1)}},
			want{KindLeaderCompleteness, 16, []int{1, 0}, []string{"leader 1 of term 3 has a snapshot at (index 3, term 2) but node 0 committed " + ent(3, 1)}})
	})
}

func TestStateMachineSafety(t *testing.T) {
	t.Run("committed", func(t *testing.T) {
		inv := newInv(t, 2)
		inv.EntriesSaved(5, 0, run(1, 1, 1))
		inv.HardStateSaved(10, 0, HardState{Term: 1, Commit: 2})
		inv.EntriesSaved(15, 1, run(1, 1, 2))
		inv.HardStateSaved(20, 1, HardState{Term: 2, Commit: 2})
		wantExactly(t, inv.Violations(), want{KindStateMachineSafety, 20, []int{1, 0}, []string{
			"node 1 committed " + ent(2, 2) + " in term 2, but node 0 committed " + ent(2, 1) + " at 10ns (term 1)",
		}})
	})
	t.Run("applied", func(t *testing.T) {
		inv := newInv(t, 2)
		for _, n := range []int{0, 1} {
			inv.EntriesSaved(5, n, run(1, 1, 1))
			inv.HardStateSaved(10, n, HardState{Term: 1, Commit: 2})
		}
		inv.Applied(20, 1, e(1, 1))
		inv.Applied(21, 1, EntryObs{Index: 2, Term: 1, Digest: 55})
		wantExactly(t, inv.Violations(), want{KindStateMachineSafety, 21, []int{1, 0}, []string{
			"node 1 applied " + fmtEntry(2, 1, 55) + " but node 0 committed " + ent(2, 1) + " at 10ns",
		}})
	})
	t.Run("snapshot", func(t *testing.T) {
		inv := newInv(t, 2)
		inv.EntriesSaved(5, 0, run(1, 1, 1))
		inv.HardStateSaved(10, 0, HardState{Term: 1, Commit: 2})
		inv.SnapshotInstalled(20, 1, SnapshotObs{Index: 2, Term: 2})
		wantExactly(t, inv.Violations(), want{KindStateMachineSafety, 20, []int{1, 0}, []string{
			"node 1 holds a snapshot at (index 2, term 2) but node 0 committed " + ent(2, 1) + " at 10ns",
		}})
	})
}
