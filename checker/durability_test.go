package checker

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// term1 sets up node 0 as leader of term 1 with entries 1..n of term 1 saved and synced on
// the nodes in full, committed and applied on node 0 at time 12.
func term1(t *testing.T, n int, full ...int) *Invariants {
	inv := newInv(t, 3)
	elect(inv, 10, 0, 1, 0, 1, 2)
	terms := make([]uint64, n)
	for i := range terms {
		terms[i] = 1
	}
	replicate(inv, 11, run(1, terms...), full...)
	commitApply(inv, 12, 0, 1, uint64(n))
	return inv
}

func TestDurability(t *testing.T) {
	t.Run("acked write missing from a later leader", func(t *testing.T) {
		inv := term1(t, 2, 0, 1)
		inv.EntriesSaved(11, 2, run(1, 1))
		inv.Acked(13, e(2, 1))
		inv.HardStateSaved(20, 2, HardState{Term: 2, Vote: 3})
		inv.BecameLeader(21, 2, 2)
		wantExactly(t, inv.Violations(),
			want{KindLeaderCompleteness, 21, []int{2, 0}, []string{"leader 2 of term 2 lacks committed entry " + ent(2, 1)}},
			want{KindDurability, 21, []int{2}, []string{
				"acknowledged write " + ent(2, 1) + " (acked at 13ns) is missing from leader 2 of term 2",
				"1 acknowledged writes in indexes 2..2 are missing",
			}})
	})
	t.Run("acked write not applied after heal", func(t *testing.T) {
		inv := term1(t, 3, 0, 1, 2)
		inv.Acked(13, e(2, 1))
		inv.Acked(14, e(3, 1))
		commitApply(inv, 15, 2, 1, 1)
		inv.Crashed(16, 1) // down nodes are not expected to apply
		inv.CheckHealed(50, []int{0, 1, 2})
		wantExactly(t, inv.Violations(), want{KindDurability, 50, []int{2}, []string{
			"after heal node 2 has applied through index 1 only: 2 acknowledged writes are not applied, the first " +
				ent(2, 1) + " (acked at 13ns)",
		}})
	})
	t.Run("acked before committed", func(t *testing.T) {
		inv := newInv(t, 3)
		inv.EntriesSaved(5, 0, run(1, 1))
		inv.Acked(6, e(1, 1))
		wantExactly(t, inv.Violations(), want{KindDurability, 6, nil, []string{
			"write " + ent(1, 1) + " was acknowledged before any node was seen committing index 1",
		}})
	})
	t.Run("acked write is not the committed entry", func(t *testing.T) {
		inv := term1(t, 2, 0, 1)
		inv.Acked(13, e(2, 2))
		wantExactly(t, inv.Violations(), want{KindDurability, 13, []int{0}, []string{
			"write " + ent(2, 2) + " was acknowledged but node 0 committed " + ent(2, 1) + " at 12ns",
		}})
	})
}

func TestCommitRegress(t *testing.T) {
	inv := newInv(t, 1)
	inv.EntriesSaved(5, 0, run(1, 1, 1, 1, 1, 1))
	inv.HardStateSaved(10, 0, HardState{Term: 1, Commit: 5})
	inv.HardStateSaved(20, 0, HardState{Term: 1, Commit: 3})
	inv.HardStateSaved(21, 0, HardState{Term: 1, Commit: 4}) // resynced: no second report
	wantExactly(t, inv.Violations(), want{KindCommitRegress, 20, []int{0},
		[]string{"node 0 commit index went from 5 down to 3 within one life (term 1)"}})

	// A restart's lower commit baseline is a new life, not a regress.
	inv = newInv(t, 1)
	inv.EntriesSaved(5, 0, run(1, 1, 1, 1))
	inv.Synced(5, 0)
	inv.HardStateSaved(10, 0, HardState{Term: 1, Commit: 3})
	inv.Crashed(11, 0)
	inv.Restarted(12, 0, Recovery{HardState: HardState{Term: 1, Commit: 1}, Entries: run(1, 1, 1, 1)})
	inv.HardStateSaved(13, 0, HardState{Term: 1, Commit: 2})
	wantNone(t, inv)
}

func TestCommitBeyondLog(t *testing.T) {
	inv := newInv(t, 1)
	inv.EntriesSaved(5, 0, run(1, 1, 1))
	inv.HardStateSaved(10, 0, HardState{Term: 1, Commit: 3})
	wantExactly(t, inv.Violations(), want{KindCommitBeyondLog, 10, []int{0},
		[]string{"node 0 advanced its commit index to 3 but its log ends at index 2 (snapshot 0)"}})
}

func TestApplyRegressAndGap(t *testing.T) {
	inv := newInv(t, 1)
	inv.EntriesSaved(5, 0, run(1, 1, 1, 1, 1, 1, 1, 1))
	inv.HardStateSaved(6, 0, HardState{Term: 1, Commit: 6})
	for i := uint64(1); i <= 3; i++ {
		inv.Applied(10, 0, e(i, 1))
	}
	inv.Applied(20, 0, e(2, 1))
	inv.Applied(30, 0, e(5, 1))
	inv.Applied(40, 0, e(7, 1))
	inv.SnapshotInstalled(50, 0, SnapshotObs{Index: 4, Term: 1, KeepSuffix: true})
	wantExactly(t, inv.Violations(),
		want{KindApplyRegress, 20, []int{0}, []string{"node 0 applied " + ent(2, 1) + " after having applied index 3 in this life"}},
		want{KindApplyGap, 30, []int{0}, []string{"node 0 applied " + ent(5, 1) + " right after index 2: indexes 3..4 were never applied"}},
		want{KindApplyGap, 40, []int{0}, []string{"indexes 6..6 were never applied"}},
		want{KindApplyUncommitted, 40, []int{0}, []string{"node 0 applied " + ent(7, 1) + " above its commit index 6"}},
		want{KindApplyRegress, 50, []int{0}, []string{
			"node 0 installed a snapshot at (index 4, term 1), rolling its state machine back from applied index 7"}})
}

func TestTermsAndVotes(t *testing.T) {
	t.Run("term regress", func(t *testing.T) {
		inv := newInv(t, 1)
		inv.HardStateSaved(10, 0, HardState{Term: 5})
		inv.HardStateSaved(20, 0, HardState{Term: 4})
		wantExactly(t, inv.Violations(), want{KindTermRegress, 20, []int{0},
			[]string{"node 0 current term went from 5 down to 4 within one life"}})
	})
	t.Run("double vote in one life", func(t *testing.T) {
		inv := newInv(t, 1)
		inv.HardStateSaved(10, 0, HardState{Term: 3, Vote: 1})
		inv.HardStateSaved(20, 0, HardState{Term: 3, Vote: 2})
		wantExactly(t, inv.Violations(), want{KindDoubleVote, 20, []int{0},
			[]string{"node 0 voted for 2 in term 3 after having voted for 1 in the same term at 10ns"}})
	})
	t.Run("synced vote lost at restart, then a second vote", func(t *testing.T) {
		inv := newInv(t, 1)
		inv.HardStateSaved(10, 0, HardState{Term: 3, Vote: 2})
		inv.Synced(10, 0)
		inv.Crashed(11, 0)
		inv.Restarted(12, 0, Recovery{HardState: HardState{Term: 3}})
		inv.HardStateSaved(13, 0, HardState{Term: 3, Vote: 3})
		wantExactly(t, inv.Violations(),
			want{KindSilentLoss, 12, []int{0}, []string{"vote 0 in term 3 differs from the synced vote 2"}},
			want{KindDoubleVote, 13, []int{0}, []string{"node 0 voted for 3 in term 3 after having voted for 2 in the same term at 10ns"}})
	})
	t.Run("unsynced vote lost at restart is no promise", func(t *testing.T) {
		inv := newInv(t, 1)
		inv.HardStateSaved(10, 0, HardState{Term: 3, Vote: 2})
		inv.Crashed(11, 0)
		inv.Restarted(12, 0, Recovery{})
		inv.HardStateSaved(13, 0, HardState{Term: 3, Vote: 3})
		wantNone(t, inv)
	})
}

func TestCommittedTruncated(t *testing.T) {
	t.Run("replaced", func(t *testing.T) {
		inv := newInv(t, 1)
		inv.EntriesSaved(5, 0, run(1, 1, 1, 1, 1, 1))
		inv.HardStateSaved(6, 0, HardState{Term: 1, Commit: 4})
		inv.EntriesSaved(10, 0, run(3, 1, 2))
		wantExactly(t, inv.Violations(), want{KindCommittedTruncated, 10, []int{0},
			[]string{"node 0 replaced committed entry " + ent(4, 1) + " with " + ent(4, 2) + " (commit index 4)"}})
	})
	t.Run("shortened", func(t *testing.T) {
		inv := newInv(t, 1)
		inv.EntriesSaved(5, 0, run(1, 1, 1, 1, 1, 1))
		inv.HardStateSaved(6, 0, HardState{Term: 1, Commit: 4})
		inv.EntriesSaved(10, 0, run(2, 1))
		wantExactly(t, inv.Violations(), want{KindCommittedTruncated, 10, []int{0}, []string{
			"node 0 saved entries 2..2, truncating its log after index 2 and removing committed entries 3..4 (commit index 4; first removed " + ent(3, 1) + ")",
		}})
	})
	t.Run("identical rewrite is fine", func(t *testing.T) {
		inv := newInv(t, 1)
		inv.EntriesSaved(5, 0, run(1, 1, 1, 1, 1, 1))
		inv.HardStateSaved(6, 0, HardState{Term: 1, Commit: 4})
		inv.EntriesSaved(10, 0, run(3, 1, 1, 2, 2))
		wantNone(t, inv)
	})
}

func TestLogGap(t *testing.T) {
	inv := newInv(t, 2)
	inv.EntriesSaved(5, 0, run(1, 1, 1))
	inv.EntriesSaved(10, 0, run(5, 1))
	inv.EntriesSaved(20, 1, []EntryObs{e(1, 1), e(3, 1)})
	wantExactly(t, inv.Violations(),
		want{KindLogGap, 10, []int{0}, []string{"node 0 saved entries from index 5 but its log ends at index 2: indexes 3..4 were never saved"}},
		want{KindLogGap, 20, []int{1}, []string{"node 1 saved entries out of order: index 3 follows index 1 in one write"}})
}

func TestViolationCapAndBound(t *testing.T) {
	inv, err := NewInvariants(3, Options{MaxViolations: 2, IndexMax: 10})
	require.NoError(t, err)
	inv.EntriesSaved(1, 0, run(9, 1, 1, 1)) // a gap, and beyond the bound: only the bound is reported
	inv.EntriesSaved(2, 1, run(11, 1))
	for term := uint64(1); term <= 3; term++ {
		inv.BecameLeader(int64(term), 0, term)
		inv.BecameLeader(int64(term), 1, term)
	}
	got := inv.Violations()
	wantExactly(t, got,
		want{KindCheckerBound, 1, []int{0}, []string{"node 0 reported log index 11 beyond Options.IndexMax 10"}},
		want{KindElectionSafety, 1, []int{1, 0}, nil})
	require.Equal(t, 2, inv.Dropped(), "Dropped")
	got[0].Nodes[0] = 7
	require.Equal(t, []int{0}, inv.Violations()[0].Nodes, "Violations must return a copy")
}

func TestBadUse(t *testing.T) {
	_, err := NewInvariants(0, Options{})
	require.EqualError(t, err, "checker: nodes = 0: must be in [1, 4096]")
	_, err = NewInvariants(3, Options{MaxViolations: -1})
	require.EqualError(t, err, "checker: Options.MaxViolations = -1: must be >= 0")
	inv := newInv(t, 2)
	require.PanicsWithValue(t, "checker: BecameLeader: node 2 outside [0, 2)", func() { inv.BecameLeader(1, 2, 1) })
	inv.Crashed(1, 1)
	require.PanicsWithValue(t, "checker: Applied: node 1 is down (crashed or refused to start)", func() { inv.Applied(2, 1, e(1, 1)) })
	require.PanicsWithValue(t, "checker: Restarted: node 0 is running", func() { inv.Restarted(2, 0, Recovery{}) })
}

func TestViolationString(t *testing.T) {
	v := Violation{Kind: KindElectionSafety, Time: 1_500_000_000, Nodes: []int{2, 0}, Detail: "two leaders"}
	require.Equal(t, "election-safety at 1.5s nodes [2 0]: two leaders", v.String())
}
