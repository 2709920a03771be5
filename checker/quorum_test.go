package checker

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCommitQuorum(t *testing.T) {
	c, err := NewInvariants(5, Options{})
	require.NoError(t, err)
	e := EntryObs{Index: 1, Term: 2, Digest: 7}
	for _, n := range []int{0, 1} {
		c.EntriesSaved(10, n, []EntryObs{e})
	}
	c.EntriesSaved(10, 2, []EntryObs{{Index: 1, Term: 1, Digest: 8}}) // a different entry
	c.CommitQuorum(20, 0, 1, [][]int{{0, 1, 2, 3, 4}})
	vs := c.Violations()
	require.Len(t, vs, 1)
	require.Equal(t, KindCommitQuorum, vs[0].Kind)
	require.Equal(t, []int{0, 2, 3, 4}, vs[0].Nodes)
	require.Contains(t, vs[0].Detail, "only nodes [0 1] of voters [0 1 2 3 4] hold that entry")

	// With three holders, or under a configuration of three that two hold, it is a quorum.
	c.EntriesSaved(30, 3, []EntryObs{e})
	c.CommitQuorum(31, 0, 1, [][]int{{0, 1, 2, 3, 4}})
	c.CommitQuorum(32, 0, 1, [][]int{{0, 1, 2, 3, 4, 5, 6}, {0, 1, 2}})
	require.Len(t, c.Violations(), 1)
}

func TestLeaderMatches(t *testing.T) {
	c, err := NewInvariants(3, Options{})
	require.NoError(t, err)
	e1, e2 := EntryObs{Index: 1, Term: 2, Digest: 1}, EntryObs{Index: 2, Term: 2, Digest: 2}
	c.EntriesSaved(10, 0, []EntryObs{e1, e2})
	c.HardStateSaved(10, 0, HardState{Term: 2, Vote: 1})
	c.BecameLeader(10, 0, 2)
	c.EntriesSaved(11, 1, []EntryObs{e1})
	c.HardStateSaved(11, 1, HardState{Term: 2, Vote: 1})
	c.LeaderMatches(12, 0, 2, []Match{{Node: 1, Index: 1}, {Node: 2, Index: 0}})
	require.Empty(t, c.Violations())

	c.LeaderMatches(13, 0, 2, []Match{{Node: 1, Index: 2}}) // node 1 holds only index 1
	c.LeaderMatches(14, 0, 2, []Match{{Node: 1, Index: 1}}) // and back down
	wantExactly(t, c.Violations(),
		want{KindMatchIndex, 13, []int{0, 1}, []string{
			"set its matchIndex for node 1 to 2 (term 2), but that node, in the same term, does not hold the entry (its log ends at 1)"}},
		want{KindMatchIndex, 14, []int{0, 1}, []string{"moved its matchIndex for node 1 back from 2 to 1"}})
}
