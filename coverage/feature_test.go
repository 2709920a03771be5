package coverage

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAllNamesAreDistinctAndProductOfDimensions(t *testing.T) {
	all := All()
	want := 0
	for _, f := range families {
		n := 1
		for _, d := range f.dims {
			n *= len(d.values)
		}
		want += n
	}
	require.Len(t, all, want)
	seen := map[string]bool{}
	for _, n := range all {
		require.False(t, seen[n], "duplicate feature %s", n)
		seen[n] = true
	}
	require.Equal(t, "state/role=follower/term=lower/log=behind/lag=0/phase=election", all[0])
}

func TestKeyNameMatchesAll(t *testing.T) {
	all := NewSet(All()...)
	cases := map[key]string{
		mk(famState, roleFollower, 0, logBehind, 0, phaseElection):  "state/role=follower/term=lower/log=behind/lag=0/phase=election",
		mk(famRoleChange, roleLeader, roleFollower, 1, phaseSteady): "role-change/from=leader/to=follower/uncommitted=1-4/phase=steady",
		mk(famVote, roleFollower, 0, phaseElection):                 "vote/role=follower/candidate-log=older/phase=election",
		mk(famFault, 17, 6, phaseHeal):                              "fault/kind=transfer/target=cluster/phase=heal",
		mk(famRestart, logNoLeader, phaseConfig):                    "restart/log=no-leader/phase=config",
		mk(famQuorum, 3, 1, phaseSteady):                            "quorum/up-to-date=all/leaders=2+/phase=steady",
		mk(famTruncate, roleCandidate, 2, 1):                        "truncate/role=candidate/entries=9+/committed=yes",
		mk(famCommit, 3, 1, phaseConfig):                            "commit/advance=65+/earlier-terms=yes/phase=config",
		mk(famLeaderless, roleLearner, logDivergent, phaseHeal):     "leaderless/role=learner/log=divergent/phase=heal",
		mk(famSnapshot, rolePreCandidate, logAhead):                 "snapshot/role=pre-candidate/log-before=ahead",
		mk(famTermJump, roleLeader, 2):                              "term-jump/role=leader/jump=4+",
		mk(famState, roleLearner, 2, logDivergent, 4, phaseHeal):    "state/role=learner/term=higher/log=divergent/lag=ahead/phase=heal",
	}
	for k, name := range cases {
		require.Equal(t, name, k.name())
		require.True(t, all.Has(name), name)
	}
	require.Panics(t, func() { mk(famVote, 0, 3, 0) }, "candidate-log has three values")
	require.Panics(t, func() { mk(famVote, 0) }, "vote has three dimensions")
}

func TestBucket(t *testing.T) {
	require.Equal(t, []uint8{0, 1, 1, 2, 2}, []uint8{bucket(1, 2, 9), bucket(2, 2, 9), bucket(8, 2, 9), bucket(9, 2, 9), bucket(100, 2, 9)})
	require.Equal(t, []uint8{0, 1, 1, 2, 3, 4}, []uint8{lag(10, 10), lag(11, 10), lag(14, 10), lag(15, 10), lag(50, 10), lag(9, 10)})
}

func TestSetMergeAndMissing(t *testing.T) {
	a := NewSet("x", "y")
	b := NewSet("y", "z")
	require.Equal(t, 1, a.Merge(b))
	require.Equal(t, 3, a.Len())
	require.Equal(t, []string{"x", "y", "z"}, a.Names())
	require.Equal(t, []string{"x"}, a.NewIn(b))
	var zero Set
	require.Equal(t, 0, zero.Len())
	require.Len(t, zero.Missing(), len(All()))
	full := NewSet(All()...)
	require.Empty(t, full.Missing())
}
