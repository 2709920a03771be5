package checker

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestVoteGrantedTwiceInATerm(t *testing.T) {
	c, err := NewInvariants(3, Options{})
	require.NoError(t, err)
	c.VoteGranted(10, 0, 2, 2)
	c.VoteGranted(11, 0, 2, 2) // a retransmitted answer to the same candidate is fine
	c.Crashed(20, 0)
	c.Restarted(30, 0, Recovery{HardState: HardState{Term: 2, Vote: 2}})
	c.VoteGranted(40, 0, 3, 3) // a new term, a new vote
	require.Empty(t, c.Violations())
	c.VoteGranted(50, 0, 3, 1)
	vs := c.Violations()
	require.Len(t, vs, 1)
	require.Equal(t, KindDoubleVote, vs[0].Kind)
	require.Equal(t, int64(50), vs[0].Time)
	require.Equal(t, []int{0}, vs[0].Nodes)
	require.Contains(t, vs[0].Detail, "granted its vote in term 3 to 1 after granting it to 3")
}

func TestVoteGrantedAcrossRestart(t *testing.T) {
	c, err := NewInvariants(3, Options{})
	require.NoError(t, err)
	c.VoteGranted(10, 1, 5, 3)
	c.Crashed(20, 1)
	c.Restarted(30, 1, Recovery{HardState: HardState{Term: 5}}) // the vote was lost with the crash (the mutant's bug)
	c.VoteGranted(40, 1, 5, 1)
	vs := c.Violations()
	require.Len(t, vs, 2)
	require.Equal(t, KindSilentLoss, vs[0].Kind)
	require.Contains(t, vs[0].Detail, "vote 0 in term 5, but it had granted its vote to 3 in that term")
	require.Equal(t, KindDoubleVote, vs[1].Kind)
	require.Equal(t, []int{1}, vs[1].Nodes)
}

func TestRestartKeepsGrantedVote(t *testing.T) {
	c, err := NewInvariants(3, Options{})
	require.NoError(t, err)
	c.VoteGranted(10, 2, 4, 1)
	c.Crashed(20, 2)
	c.Restarted(30, 2, Recovery{HardState: HardState{Term: 4, Vote: 1}})
	c.Crashed(40, 2)
	c.Restarted(50, 2, Recovery{HardState: HardState{Term: 6}}) // a later term supersedes the vote
	require.Empty(t, c.Violations())
	c.Crashed(60, 2)
	c.Restarted(70, 2, Recovery{HardState: HardState{Term: 3}})
	vs := c.Violations()
	require.Len(t, vs, 1)
	require.Contains(t, vs[0].Detail, "term 3 is below term 4, in which it had granted its vote")
}

func TestLeaderCommitsOnlyItsTerm(t *testing.T) {
	c, err := NewInvariants(3, Options{})
	require.NoError(t, err)
	// Node 0 holds entries of terms 1 and 2 and leads term 3.
	c.EntriesSaved(10, 0, []EntryObs{{Index: 1, Term: 1, Digest: 11}, {Index: 2, Term: 2, Digest: 22}})
	c.HardStateSaved(11, 0, HardState{Term: 3, Vote: 1, Commit: 1})
	c.BecameLeader(12, 0, 3)
	c.HardStateSaved(13, 0, HardState{Term: 3, Vote: 1, Commit: 2}) // term-2 entry by count: Figure 8
	vs := c.Violations()
	require.Len(t, vs, 1)
	require.Equal(t, KindCommitRule, vs[0].Kind)
	require.Equal(t, int64(13), vs[0].Time)
	require.Contains(t, vs[0].Detail, "leader 0 of term 3 advanced its commit index to 2, an entry of term 2")

	// Committing its own entry, which covers the earlier ones, is the rule.
	c2, err := NewInvariants(3, Options{})
	require.NoError(t, err)
	c2.EntriesSaved(10, 0, []EntryObs{{Index: 1, Term: 1, Digest: 11}, {Index: 2, Term: 2, Digest: 22}})
	c2.BecameLeader(12, 0, 3)
	c2.EntriesSaved(13, 0, []EntryObs{{Index: 3, Term: 3, Digest: 33}})
	c2.HardStateSaved(14, 0, HardState{Term: 3, Vote: 1, Commit: 3})
	c2.HardStateSaved(15, 0, HardState{Term: 4, Vote: 0, Commit: 3})
	require.Empty(t, c2.Violations())
}

func TestMembershipRules(t *testing.T) {
	c, err := NewInvariants(3, Options{})
	require.NoError(t, err)
	c.EntriesSaved(10, 0, []EntryObs{{Index: 1, Term: 1, Digest: 1}, {Index: 2, Term: 1, Digest: 2}})
	c.HardStateSaved(11, 0, HardState{Term: 2, Vote: 1, Commit: 2})
	c.BecameLeader(12, 0, 2)
	c.EntriesSaved(13, 0, []EntryObs{{Index: 3, Term: 2, Digest: 3}})
	c.ConfAppended(13, 0, 3, 2) // before its no-op committed: the 2015 bug
	early := want{KindMembershipRule, 13, []int{0}, []string{
		"leader 0 of term 2 appended a configuration change at index 3 before committing an entry of its term (commit 2)"}}
	wantExactly(t, c.Violations(), early)

	c.EntriesSaved(14, 0, []EntryObs{{Index: 4, Term: 2, Digest: 4}})
	c.ConfAppended(14, 0, 4, 2)
	wantExactly(t, c.Violations(), early,
		want{KindMembershipRule, 14, []int{0}, []string{
			"while the one at index 3 is not committed (commit 2): two changes in flight"}},
		want{KindMembershipRule, 14, []int{0}, []string{
			"leader 0 of term 2 appended a configuration change at index 4 before committing an entry of its term (commit 2)"}})

	// A follower replacing an uncommitted change, and a leader doing it by the rules: fine.
	d, err := NewInvariants(3, Options{})
	require.NoError(t, err)
	d.EntriesSaved(10, 1, []EntryObs{{Index: 1, Term: 1, Digest: 1}, {Index: 2, Term: 1, Digest: 2}})
	d.ConfAppended(10, 1, 2, 1)
	d.EntriesSaved(20, 1, []EntryObs{{Index: 2, Term: 2, Digest: 9}}) // truncates the change at 2
	d.EntriesSaved(21, 1, []EntryObs{{Index: 3, Term: 2, Digest: 3}})
	d.HardStateSaved(21, 1, HardState{Term: 3, Vote: 2, Commit: 3})
	d.BecameLeader(22, 1, 3)
	d.EntriesSaved(23, 1, []EntryObs{{Index: 4, Term: 3, Digest: 4}})
	d.HardStateSaved(24, 1, HardState{Term: 3, Vote: 2, Commit: 4})
	d.EntriesSaved(25, 1, []EntryObs{{Index: 5, Term: 3, Digest: 5}})
	d.ConfAppended(25, 1, 5, 3)
	require.Empty(t, d.Violations())
}

// TestMembershipRulesOnApply: with configurations taking effect when applied (etcd raft), a
// follower may hold changes that are committed but not applied, a new leader may append a
// change before its own first entry commits (no uncommitted change took effect anywhere), and
// the rule is that a leader has applied every earlier change in its log.
func TestMembershipRulesOnApply(t *testing.T) {
	c, err := NewInvariants(3, Options{ConfOnApply: true})
	require.NoError(t, err)
	// A follower holding two unapplied changes (the first committed at the leader): fine.
	c.EntriesSaved(10, 1, []EntryObs{{Index: 1, Term: 1, Digest: 1}, {Index: 2, Term: 1, Digest: 2}, {Index: 3, Term: 1, Digest: 3}})
	c.ConfAppended(10, 1, 2, 1)
	c.ConfAppended(10, 1, 3, 1)
	require.Empty(t, c.Violations())

	// A new leader appending a change before its own entry commits: fine under this rule.
	c.EntriesSaved(11, 0, []EntryObs{{Index: 1, Term: 1, Digest: 1}})
	c.HardStateSaved(11, 0, HardState{Term: 2, Vote: 1, Commit: 1})
	c.Applied(11, 0, EntryObs{Index: 1, Term: 1, Digest: 1})
	c.BecameLeader(12, 0, 2)
	c.EntriesSaved(13, 0, []EntryObs{{Index: 2, Term: 2, Digest: 20}, {Index: 3, Term: 2, Digest: 30}})
	c.ConfAppended(13, 0, 3, 2)
	require.Empty(t, c.Violations())

	// Its next change before it applied this one: two changes in flight.
	c.HardStateSaved(14, 0, HardState{Term: 2, Vote: 1, Commit: 2})
	c.Applied(14, 0, EntryObs{Index: 2, Term: 2, Digest: 20})
	c.EntriesSaved(15, 0, []EntryObs{{Index: 4, Term: 2, Digest: 40}})
	c.ConfAppended(15, 0, 4, 2)
	wantExactly(t, c.Violations(), want{KindMembershipRule, 15, []int{0}, []string{
		"leader 0 of term 2 appended a configuration change at index 4 before applying the one at index 3 (applied 2): two changes in flight"}})

	c.HardStateSaved(16, 0, HardState{Term: 2, Vote: 1, Commit: 4})
	c.Applied(16, 0, EntryObs{Index: 3, Term: 2, Digest: 30})
	c.Applied(16, 0, EntryObs{Index: 4, Term: 2, Digest: 40})
	c.EntriesSaved(17, 0, []EntryObs{{Index: 5, Term: 2, Digest: 50}})
	c.ConfAppended(17, 0, 5, 2) // by the rules: everything before it applied
	require.Len(t, c.Violations(), 1)
}

// TestElectionQuorumCases: a leader must hold its own saved vote and granted votes of its term from
// a majority of its configuration (of both voter sets while joint); stale, duplicated and
// missing votes do not count.
func TestElectionQuorumCases(t *testing.T) {
	five := Conf{Voters: []int{0, 1, 2, 3, 4}}
	cases := []struct {
		name    string
		observe func(c *Invariants)
		conf    Conf
		want    string // "" for no violation
	}{
		{"majority", func(c *Invariants) {
			c.VoteGranted(5, 1, 3, 1)
			c.VoteGranted(6, 2, 3, 1)
		}, five, ""},
		{"stale votes", func(c *Invariants) {
			c.VoteGranted(5, 1, 2, 1) // granted in term 2: binds nothing in term 3
			c.VoteGranted(6, 2, 2, 1)
			c.VoteGranted(7, 3, 3, 4) // granted in term 3, to another candidate
		}, five, "node 0 became leader of term 3 in configuration voters [0 1 2 3 4] with votes from [0] only: no majority of voters [0 1 2 3 4]"},
		{"duplicated vote", func(c *Invariants) {
			c.VoteGranted(5, 1, 3, 1)
			c.VoteGranted(6, 1, 3, 1) // the same vote twice counts once
		}, five, "with votes from [0 1] only"},
		{"joint: both majorities", func(c *Invariants) {
			c.VoteGranted(5, 1, 3, 1)
			c.VoteGranted(6, 3, 3, 1)
		}, Conf{Voters: []int{0, 1, 3}, Outgoing: []int{0, 1, 2}}, ""},
		{"joint: one majority only", func(c *Invariants) {
			c.VoteGranted(5, 3, 3, 1)
			c.VoteGranted(6, 4, 3, 1)
		}, Conf{Voters: []int{0, 3, 4}, Outgoing: []int{0, 1, 2}}, "with votes from [0] only: no majority of voters [0 1 2]"},
		{"not a voter itself", func(c *Invariants) {
			c.VoteGranted(5, 1, 3, 1)
			c.VoteGranted(6, 2, 3, 1)
		}, Conf{Voters: []int{1, 2, 3, 4}}, "with votes from [1 2] only"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := NewInvariants(5, Options{})
			require.NoError(t, err)
			c.HardStateSaved(1, 0, HardState{Term: 3, Vote: 1}) // node 0 is named 1 in votes
			tc.observe(c)
			c.ElectionQuorum(10, 0, 3, tc.conf)
			c.BecameLeader(10, 0, 3)
			vs := c.Violations()
			if tc.want == "" {
				require.Empty(t, vs)
				return
			}
			require.Len(t, vs, 1)
			require.Equal(t, KindElectionQuorum, vs[0].Kind)
			require.Equal(t, []int{0}, vs[0].Nodes)
			require.Contains(t, vs[0].Detail, tc.want)
		})
	}
}

func TestElectionQuorumNeedsASavedSelfVote(t *testing.T) {
	c, err := NewInvariants(3, Options{})
	require.NoError(t, err)
	c.HardStateSaved(1, 0, HardState{Term: 2, Vote: 1})
	c.HardStateSaved(2, 0, HardState{Term: 3}) // term 3, its vote not saved
	c.VoteGranted(5, 1, 3, 1)
	c.VoteGranted(6, 2, 3, 1)
	c.ElectionQuorum(10, 0, 3, Conf{Voters: []int{0, 1, 2}})
	vs := c.Violations()
	require.Len(t, vs, 1)
	require.Equal(t, KindElectionQuorum, vs[0].Kind)
	require.Equal(t, "node 0 became leader of term 3 without having saved a vote for itself in that term (its last saved hard state: vote 0 in term 3)", vs[0].Detail)
}
