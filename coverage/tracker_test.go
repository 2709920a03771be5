package coverage

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/engine"
)

// threeNodes boots nodes 0, 1, 2 with empty logs.
func threeNodes() *Tracker {
	tr := NewTracker()
	for id := range 3 {
		tr.Recovered(0, id, engine.Recovery{})
	}
	return tr
}

func hs(term, commit uint64) *engine.HardState { return &engine.HardState{Term: term, Commit: commit} }

func TestTrackerLeaderSteppingDownWithUncommittedEntries(t *testing.T) {
	tr := threeNodes()
	tr.Observed(1, 0, engine.Observations{Role: engine.Leader, Term: 2, Leader: 2, HardState: hs(2, 0)})
	tr.Observed(2, 0, engine.Observations{Saved: entries(1, 2, 2, 2), HardState: hs(2, 1)})
	tr.Observed(3, 1, engine.Observations{Saved: entries(1, 2), HardState: hs(2, 1)})
	tr.Observed(4, 0, engine.Observations{Role: engine.Follower, Term: 3, HardState: hs(3, 1)})
	s := tr.Set()
	for _, want := range []string{
		"role-change/from=follower/to=leader/uncommitted=0/phase=election",
		"commit/advance=1/earlier-terms=no/phase=steady",
		"state/role=follower/term=equal/log=behind/lag=0/phase=steady",
		"role-change/from=leader/to=follower/uncommitted=1-4/phase=steady",
		"term-jump/role=follower/jump=1",
		"leaderless/role=follower/log=equal/phase=election", // node 0 holds the freshest log
		"leaderless/role=follower/log=behind/phase=election",
		"quorum/up-to-date=leader-only/leaders=1/phase=steady",
	} {
		require.True(t, s.Has(want), "missing %s in %v", want, s.Names())
	}
	require.Equal(t, -1, tr.leader)
}

func TestTrackerDivergenceTruncationAndVotes(t *testing.T) {
	tr := threeNodes()
	// Node 2 holds a deposed leader's uncommitted tail in term 1; node 0 leads term 2.
	tr.Observed(1, 2, engine.Observations{Saved: entries(1, 1, 1), HardState: hs(1, 0)})
	tr.Observed(2, 1, engine.Observations{HardState: hs(2, 0), Votes: []engine.Vote{{Term: 2, Candidate: 1}}})
	tr.Observed(3, 0, engine.Observations{Role: engine.Leader, Term: 2, Leader: 2, Saved: entries(1, 2), HardState: hs(2, 0)})
	tr.Observed(4, 2, engine.Observations{HardState: hs(2, 0)})
	require.True(t, tr.Set().Has("state/role=follower/term=equal/log=divergent/lag=0/phase=steady"), "%v", tr.Set().Names())
	tr.Observed(5, 2, engine.Observations{Saved: entries(1, 2), HardState: hs(2, 1)})
	// A vote for a candidate whose log is older than the voter's: the safety bug the family shows.
	tr.Observed(6, 2, engine.Observations{Votes: []engine.Vote{{Term: 3, Candidate: 2}}})
	s := tr.Set()
	for _, want := range []string{
		"vote/role=follower/candidate-log=equal/phase=election",
		"truncate/role=follower/entries=2-8/committed=no",
		"state/role=follower/term=equal/log=equal/lag=ahead/phase=steady",
		"vote/role=follower/candidate-log=older/phase=steady",
	} {
		require.True(t, s.Has(want), "missing %s in %v", want, s.Names())
	}
}

func TestTrackerFaultsByRoleAndPhase(t *testing.T) {
	tr := threeNodes()
	tr.Marked(cluster.Mark{Kind: cluster.MarkFaultStart, Node: 1, Detail: "1s crash for=1s nodes=1 mode=torn → nodes [1]", Nodes: []int{1}})
	tr.Observed(1, 0, engine.Observations{Role: engine.Leader, Term: 2, Leader: 2, HardState: hs(2, 0)})
	tr.Observed(2, 0, engine.Observations{Saved: entries(1, 2), Confs: entries(1, 2)})
	tr.Marked(cluster.Mark{Kind: cluster.MarkFaultStart, Node: 0, Detail: "2s crash for=1s leader mode=lose → nodes [0]", Nodes: []int{0}})
	tr.Marked(cluster.Mark{Kind: cluster.MarkCrash, Node: 0})
	tr.Marked(cluster.Mark{Kind: cluster.MarkFaultStart, Node: 0, Detail: "3s pause for=1s nodes=0 → nodes [0]", Nodes: []int{0}})
	tr.Marked(cluster.Mark{Kind: cluster.MarkFaultStart, Node: -1, Detail: "skipped: 3s pause for=1s nodes=0"})
	tr.Marked(cluster.Mark{Kind: cluster.MarkHeal, Node: -1})
	tr.Marked(cluster.Mark{Kind: cluster.MarkFaultStart, Node: -1, Detail: "4s loss for=1s value=0.1 → nodes []"})
	require.Equal(t, []string{
		"fault/kind=crash/target=follower/phase=election",
		"fault/kind=crash/target=leader/phase=config",
		"fault/kind=loss/target=cluster/phase=heal",
		"fault/kind=pause/target=down/phase=election",
	}, inFamily(tr.Set(), "fault"))
}

// inFamily returns the features of s in family f, sorted.
func inFamily(s Set, f string) []string {
	var out []string
	for _, n := range s.Names() {
		if Family(n) == f {
			out = append(out, n)
		}
	}
	return out
}

func TestDepthLevelsAreReachedInOrder(t *testing.T) {
	require.Equal(t, []uint8{0, 1, 1, 2, 2, 3, 4, 5, 5}, []uint8{level(1), level(2), level(3), level(4), level(7), level(8), level(16), level(32), level(1000)})
	tr := threeNodes()
	for term := uint64(1); term <= 5; term++ { // node 0 elected five times
		tr.Observed(int64(term), 0, engine.Observations{Role: engine.Leader, Term: term, Leader: term, HardState: hs(term, 0)})
		tr.Observed(int64(term), 0, engine.Observations{Role: engine.Follower, Term: term})
	}
	require.Equal(t, []string{
		"depth/measure=elections/reached=1",
		"depth/measure=elections/reached=2-3",
		"depth/measure=elections/reached=4-7",
		"depth/measure=max-term/reached=1",
		"depth/measure=max-term/reached=2-3",
		"depth/measure=max-term/reached=4-7",
		"depth/measure=step-downs/reached=1",
		"depth/measure=step-downs/reached=2-3",
		"depth/measure=step-downs/reached=4-7",
	}, inFamily(tr.Set(), "depth"))
}
