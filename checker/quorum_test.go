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
		c.Synced(10, n)
	}
	c.EntriesSaved(10, 2, []EntryObs{{Index: 1, Term: 1, Digest: 8}}) // a different entry
	c.Synced(10, 2)
	c.CommitQuorum(20, 0, 1, []Conf{{Voters: []int{0, 1, 2, 3, 4}}})
	vs := c.Violations()
	require.Len(t, vs, 1)
	require.Equal(t, KindCommitQuorum, vs[0].Kind)
	require.Equal(t, []int{0, 2, 3, 4}, vs[0].Nodes)
	require.Contains(t, vs[0].Detail, "only nodes [0 1] of voters [0 1 2 3 4] hold that entry")

	// With three holders, or under a configuration of three that two hold, it is a quorum.
	c.EntriesSaved(30, 3, []EntryObs{e})
	c.Synced(30, 3)
	c.CommitQuorum(31, 0, 1, []Conf{{Voters: []int{0, 1, 2, 3, 4}}})
	c.CommitQuorum(32, 0, 1, []Conf{{Voters: []int{0, 1, 2, 3, 4, 5, 6}}, {Voters: []int{0, 1, 2}}})
	require.Len(t, c.Violations(), 1)
}

// TestCommitQuorumDurable: an entry a follower has saved but not yet synced does not count
// towards the quorum (§5.3: followers persist entries before they acknowledge them; a leader
// counts its own copy once durable, thesis §10.2.1); once synced, or under a snapshot, it does.
func TestCommitQuorumDurable(t *testing.T) {
	c, err := NewInvariants(3, Options{})
	require.NoError(t, err)
	e := EntryObs{Index: 1, Term: 2, Digest: 7}
	for _, n := range []int{0, 1, 2} {
		c.EntriesSaved(10, n, []EntryObs{e})
	}
	c.Synced(10, 0)
	c.CommitQuorum(20, 0, 1, []Conf{{Voters: []int{0, 1, 2}}})
	vs := c.Violations()
	require.Len(t, vs, 1)
	require.Equal(t, KindCommitQuorum, vs[0].Kind)
	require.Equal(t, []int{0, 1, 2}, vs[0].Nodes)
	require.Contains(t, vs[0].Detail, "only nodes [0] of voters [0 1 2] hold that entry durably")

	c.Synced(30, 2)
	c.CommitQuorum(31, 0, 1, []Conf{{Voters: []int{0, 1, 2}}})
	require.Len(t, c.Violations(), 1, "synced on two of three: a quorum")
}

// TestCommitQuorumJoint: while joint (thesis §4.3) the entry needs a majority of the
// incoming voters and of the outgoing ones.
func TestCommitQuorumJoint(t *testing.T) {
	c, err := NewInvariants(5, Options{})
	require.NoError(t, err)
	e := EntryObs{Index: 1, Term: 2, Digest: 7}
	for _, n := range []int{0, 3, 4} { // the new majority {0,3,4} of voters [0 3 4]
		c.EntriesSaved(10, n, []EntryObs{e})
		c.Synced(10, n)
	}
	joint := Conf{Voters: []int{0, 3, 4}, Outgoing: []int{0, 1, 2}}
	c.CommitQuorum(20, 0, 1, []Conf{joint})
	vs := c.Violations()
	require.Len(t, vs, 1)
	require.Equal(t, KindCommitQuorum, vs[0].Kind)
	require.Contains(t, vs[0].Detail, "only nodes [0] of voters [0 1 2] hold that entry")

	c.EntriesSaved(30, 1, []EntryObs{e}) // now {0,1} of the old voters too
	c.Synced(30, 1)
	c.CommitQuorum(31, 0, 1, []Conf{joint})
	require.Len(t, c.Violations(), 1)
}

// TestElectionQuorum: a leader needs granted votes from a majority of its voters, and while
// joint from a majority of each voter set.
func TestElectionQuorum(t *testing.T) {
	c, err := NewInvariants(5, Options{})
	require.NoError(t, err)
	// Node 3 (named 4 in votes) wins term 2 with node 4's vote: a majority of [0 3 4] only.
	c.HardStateSaved(10, 3, HardState{Term: 2, Vote: 4})
	c.VoteGranted(10, 4, 2, 4)
	joint := Conf{Voters: []int{0, 3, 4}, Outgoing: []int{0, 1, 2}}
	c.ElectionQuorum(11, 3, 2, joint)
	vs := c.Violations()
	require.Len(t, vs, 1)
	require.Equal(t, KindElectionQuorum, vs[0].Kind)
	require.Equal(t, "node 3 became leader of term 2 in configuration voters [0 3 4] outgoing [0 1 2] with votes from [] only: no majority of voters [0 1 2]", vs[0].Detail)

	// In term 3 nodes 0 and 1 vote for it too: a majority of both.
	c.HardStateSaved(20, 3, HardState{Term: 3, Vote: 4})
	for _, v := range []int{0, 1, 4} {
		c.VoteGranted(20, v, 3, 4)
	}
	c.ElectionQuorum(21, 3, 3, joint)
	c.ElectionQuorum(22, 3, 3, Conf{Voters: []int{0, 1, 2, 3, 4}})
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

// TestCommitQuorumRewrite: a follower that saves again, unchanged, entries it had synced
// still holds them durably (a crash leaves the old copy or the new one); one that replaces
// them does not until it syncs.
func TestCommitQuorumRewrite(t *testing.T) {
	c, err := NewInvariants(3, Options{})
	require.NoError(t, err)
	ents := []EntryObs{{Index: 1, Term: 2, Digest: 7}, {Index: 2, Term: 2, Digest: 8}}
	for _, n := range []int{0, 1} {
		c.EntriesSaved(10, n, ents)
		c.Synced(10, n)
	}
	c.EntriesSaved(20, 1, ents[1:]) // rewritten unchanged, not yet synced
	c.CommitQuorum(21, 0, 2, []Conf{{Voters: []int{0, 1, 2}}})
	require.Empty(t, c.Violations())
	c.EntriesSaved(30, 1, []EntryObs{{Index: 2, Term: 2, Digest: 8}, {Index: 3, Term: 2, Digest: 9}})
	c.EntriesSaved(30, 0, []EntryObs{{Index: 3, Term: 2, Digest: 9}})
	c.Synced(30, 0)
	c.CommitQuorum(31, 0, 3, []Conf{{Voters: []int{0, 1, 2}}})
	require.Len(t, c.Violations(), 1, "entry 3 is on node 1 but not synced")
}
