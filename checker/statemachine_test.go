package checker

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReadServed(t *testing.T) {
	c, err := NewInvariants(3, Options{})
	require.NoError(t, err)
	c.ReadServed(10, 1, 7, 7)
	c.ReadServed(11, 2, 7, 9)
	require.Empty(t, c.Violations())
	c.ReadServed(12, 0, 7, 6)
	wantExactly(t, c.Violations(), want{KindStaleRead, 12, []int{0}, []string{
		"node 0 served a read at applied index 6, but index 7 was already committed when the read arrived"}})
}

func TestStateDigest(t *testing.T) {
	c, err := NewInvariants(3, Options{})
	require.NoError(t, err)
	c.StateDigest(10, 0, 64, 0xabc)
	c.StateDigest(11, 1, 64, 0xabc)
	c.StateDigest(12, 2, 128, 0xdef)
	c.StateDigest(13, 1, 0, 0x1) // nothing applied: nothing to compare
	require.Empty(t, c.Violations())
	c.StateDigest(14, 2, 64, 0xabd)
	wantExactly(t, c.Violations(), want{KindReplicaDivergence, 14, []int{2, 0}, []string{
		"node 2's state machine at applied index 64 has digest 0000000000000abd, but node 0's had 0000000000000abc at the same index"}})
}

// TestAckedKept: a follower that replaces an entry it acknowledged to its current term's
// leader took a deposed leader's late message for the current one's.
func TestAckedKept(t *testing.T) {
	c, err := NewInvariants(3, Options{})
	require.NoError(t, err)
	for _, node := range []int{0, 2} {
		c.EntriesSaved(10, node, []EntryObs{{Index: 1, Term: 1, Digest: 1}})
		c.HardStateSaved(10, node, HardState{Term: 3, Vote: 2})
	}
	c.EntriesSaved(11, 2, []EntryObs{{Index: 2, Term: 3, Digest: 30}})
	c.BecameLeader(11, 2, 3)
	c.EntriesSaved(12, 0, []EntryObs{{Index: 2, Term: 3, Digest: 30}})
	c.LeaderMatches(13, 2, 3, []Match{{Node: 0, Index: 2}})
	c.EntriesSaved(14, 0, []EntryObs{{Index: 3, Term: 3, Digest: 40}}) // appending: fine
	require.Empty(t, c.Violations())
	c.EntriesSaved(15, 0, []EntryObs{{Index: 2, Term: 2, Digest: 20}})
	require.Len(t, c.Violations(), 1)
	v := c.Violations()[0]
	require.Equal(t, KindAckedOverwritten, v.Kind)
	require.Equal(t, []int{0, 2}, v.Nodes)
	require.Contains(t, v.Detail, "node 0 replaced its entry at index 2 (term 3) with one of term 2 while in term 3, in which it had acknowledged its log through index 2 to leader 2")
}

// ackedFollower is a run in which node 0, in term 3, acknowledged its log through index 3 to
// leader 2 (its log holds 1..3; the leader's matchIndex for it is 3).
func ackedFollower(t *testing.T) *Invariants {
	t.Helper()
	c, err := NewInvariants(3, Options{})
	require.NoError(t, err)
	for _, node := range []int{0, 2} {
		c.EntriesSaved(10, node, []EntryObs{{Index: 1, Term: 1, Digest: 1}})
		c.HardStateSaved(10, node, HardState{Term: 3, Vote: 2})
	}
	c.EntriesSaved(11, 2, []EntryObs{{Index: 2, Term: 3, Digest: 30}, {Index: 3, Term: 3, Digest: 31}})
	c.BecameLeader(11, 2, 3)
	c.EntriesSaved(12, 0, []EntryObs{{Index: 2, Term: 3, Digest: 30}, {Index: 3, Term: 3, Digest: 31}})
	c.LeaderMatches(13, 2, 3, []Match{{Node: 0, Index: 3}})
	require.Empty(t, c.Violations())
	return c
}

// TestAckedRetained: a follower that cuts acknowledged entries off its log in the same term
// (a shorter rewrite, or a snapshot over a matching log that drops the suffix) is reported;
// one that keeps them, or that left the term first, is not.
func TestAckedRetained(t *testing.T) {
	c := ackedFollower(t)
	c.EntriesSaved(14, 0, []EntryObs{{Index: 2, Term: 3, Digest: 30}}) // rewrites 2, drops 3
	wantExactly(t, c.Violations(), want{KindAckedOverwritten, 14, []int{0, 2}, []string{
		"node 0 cut its log after index 2 (saved entries ending there), removing entries 3..3, while in term 3, in which it had acknowledged its log through index 3 to leader 2"}})

	c = ackedFollower(t)
	c.SnapshotInstalled(14, 0, SnapshotObs{Index: 2, Term: 3})
	require.Empty(t, c.Violations(), "the batch may still save the entries again")
	c.BatchSaved(14, 0)
	wantExactly(t, c.Violations(), want{KindAckedOverwritten, 14, []int{0, 2}, []string{
		"node 0 installed a snapshot at (index 2, term 3) and discarded the entries after it (3..3), while in term 3, in which it had acknowledged its log through index 3 to leader 2"}})

	c = ackedFollower(t)
	c.SnapshotInstalled(14, 0, SnapshotObs{Index: 2, Term: 3})
	c.EntriesSaved(14, 0, []EntryObs{{Index: 3, Term: 3, Digest: 32}}) // not what it acknowledged
	c.BatchSaved(14, 0)
	var kinds []string
	for _, v := range c.Violations() {
		kinds = append(kinds, v.Kind)
	}
	require.Contains(t, kinds, KindAckedOverwritten)

	c = ackedFollower(t)
	c.SnapshotInstalled(14, 0, SnapshotObs{Index: 2, Term: 3})
	c.EntriesSaved(14, 0, []EntryObs{{Index: 3, Term: 3, Digest: 31}}) // the suffix restated
	c.BatchSaved(14, 0)
	c.SnapshotInstalled(15, 0, SnapshotObs{Index: 2, Term: 3, KeepSuffix: true})
	c.SnapshotInstalled(15, 0, SnapshotObs{Index: 3, Term: 3}) // nothing after it to drop
	c.HardStateSaved(16, 0, HardState{Term: 4, Commit: 3})
	c.SnapshotInstalled(17, 0, SnapshotObs{Index: 4, Term: 4}) // a later term's leader
	c.BatchSaved(17, 0)
	require.Empty(t, c.Violations())
}
