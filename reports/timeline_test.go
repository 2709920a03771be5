package reports

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/nemesis"
)

func TestBuildTimelineNodeLanes(t *testing.T) {
	tl := buildTimeline(handResult(t))
	assert.Equal(t, 1000*ms, tl.end, "end: the recorded end of the run")
	assert.Equal(t, 800*ms, tl.heal)
	require.Len(t, tl.nodes, 3)

	tests := []struct {
		node   int
		roles  []roleSpan
		lives  []lifeSpan
		points []pointMark
	}{
		{0, []roleSpan{
			{span{0, 10 * ms}, roleUp, 0},
			{span{10 * ms, 50 * ms}, "follower", 1},
			{span{50 * ms, 60 * ms}, "pre-candidate", 1},
			{span{60 * ms, 70 * ms}, "candidate", 2},
			{span{70 * ms, 1000 * ms}, "leader", 2},
		}, nil, nil},
		{1, []roleSpan{
			{span{0, 10 * ms}, roleUp, 0},
			{span{10 * ms, 200 * ms}, "follower", 1},
			{span{350 * ms, 1000 * ms}, "follower", 2},
		}, []lifeSpan{{span{200 * ms, 350 * ms}, lifeDown}}, []pointMark{
			{300 * ms, pointRefused, "refused to start: " + hostile},
			{350 * ms, pointViolation, checker.KindDurability + ": " + hostile},
		}},
		{2, []roleSpan{
			{span{0, 10 * ms}, roleUp, 0},
			{span{10 * ms, 600 * ms}, "follower", 1},
		}, []lifeSpan{
			{span{400 * ms, 500 * ms}, lifePaused},
			{span{600 * ms, 1000 * ms}, lifeRemoved},
		}, []pointMark{
			{600 * ms, pointMember, "membership: remove 2 at index 9 (voters [0 1], learners [])"},
			{350 * ms, pointViolation, checker.KindDurability + ": " + hostile},
		}},
	}
	for _, tc := range tests {
		n := tl.nodes[tc.node]
		assert.Equal(t, tc.node, n.id)
		assert.Equal(t, tc.roles, n.roles, "node %d roles", tc.node)
		assert.Equal(t, tc.lives, n.lives, "node %d lives", tc.node)
		assert.Equal(t, tc.points, n.points, "node %d points", tc.node)
	}
}

func TestBuildTimelineFaultsAndViolations(t *testing.T) {
	tl := buildTimeline(handResult(t))
	require.Len(t, tl.faults, 4)
	slow, part, skipped, delay := tl.faults[0], tl.faults[1], tl.faults[2], tl.faults[3]

	assert.Equal(t, span{100 * ms, 200 * ms}, slow.span)
	assert.Equal(t, "slow-disk 30ms → 0", slow.label())
	assert.False(t, slow.global(), "a disk fault strikes its nodes only")

	assert.Equal(t, span{250 * ms, 450 * ms}, part.span, "partition: ended by its fault-end mark")
	assert.Equal(t, []int{0, 1, 2}, part.targets)
	assert.True(t, part.parsed && part.global() && !part.skipped)
	assert.Equal(t, "partition halves → 0,1,2", part.label())

	assert.True(t, skipped.skipped)
	assert.False(t, skipped.global(), "a skipped fault shades nothing")
	assert.Equal(t, span{260 * ms, 260 * ms}, skipped.span)
	assert.Equal(t, "corrupt → 2 (skipped)", skipped.label(), "a skipped fault names the nodes it asked for")

	assert.Equal(t, span{700 * ms, 800 * ms}, delay.span, "delay: still on at the heal, which lifts it")
	assert.Equal(t, "delay 40ms", delay.label())

	require.Len(t, tl.violations, 3)
	assert.Equal(t, violationMark{0, 350 * ms, checker.KindDurability, hostile, []int{1, 2}}, tl.violations[0])
	assert.Equal(t, 1, tl.violations[1].index)
	assert.Equal(t, checker.KindLinearizability, tl.violations[1].kind)
	assert.Equal(t, violationMark{-1, 900 * ms, "liveness", "liveness: " + hostile, nil}, tl.violations[2],
		"a violation mark that matches no Result.Violation is placed on its own")
}

func TestBuildTimelineAddsLanesForNewNodes(t *testing.T) {
	res := &cluster.Result{Config: cluster.Config{Nodes: 3}, Stats: cluster.Stats{Ended: 5 * ms}, Timeline: []cluster.Mark{
		{Time: 1 * ms, Kind: cluster.MarkStart, Node: 4},
		{Time: 2 * ms, Kind: cluster.MarkRole, Node: 4, Term: 3, Detail: "follower"},
		{Time: 3 * ms, Kind: cluster.MarkRole, Node: nemesis.MaxNodeIDs, Term: 3, Detail: "leader"}, // ignored
		{Time: 3 * ms, Kind: cluster.MarkRole, Node: -1, Term: 3, Detail: "leader"},                 // ignored
	}}
	tl := buildTimeline(res)
	require.Len(t, tl.nodes, 5, "lanes 0..4: the added node 4 gets a lane, and so does the unseen 3")
	assert.Equal(t, []roleSpan{{span{1 * ms, 2 * ms}, roleUp, 0}, {span{2 * ms, 5 * ms}, "follower", 3}}, tl.nodes[4].roles,
		"up from its start, then its reported role")
	assert.Empty(t, tl.nodes[3].roles)
}

func TestRoleClass(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Follower", "follower"}, {"follower", "follower"},
		{"PreCandidate", "pre-candidate"}, {"pre-candidate", "pre-candidate"}, {"StatePreCandidate", "other"},
		{"Candidate", "candidate"}, {"Leader", "leader"}, {"LEADER", "leader"},
		{"learner", "other"}, {"", "other"}, {hostile, "other"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if got := roleClass(tc.in); got != tc.want {
				t.Errorf("roleClass(%q) = %q; want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestParseNodeList(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []int
	}{
		{"[1 2 4]", []int{1, 2, 4}}, {"[]", nil}, {"", nil}, {"[3]", []int{3}}, {"[1 x]", nil},
	} {
		t.Run(tc.in, func(t *testing.T) { assert.Equal(t, tc.want, parseNodeList(tc.in)) })
	}
}

func TestPackFaultsNeverOverlaps(t *testing.T) {
	res := shortRun(t)
	tl := buildTimeline(res)
	x := timeScale(tl)
	placed, rows := packFaults(tl, x)
	require.Len(t, placed, len(tl.faults))
	assert.LessOrEqual(t, rows, tlFaultRowMax)
	for i, a := range placed {
		for _, b := range placed[i+1:] {
			if a.row != b.row || a.row == tlFaultRowMax-1 {
				continue // the last row takes the overflow
			}
			fa, fb := tl.faults[a.index], tl.faults[b.index]
			alo, ahi, _ := faultExtent(fa, x)
			blo, bhi, _ := faultExtent(fb, x)
			assert.False(t, alo < bhi && blo < ahi, "faults %q and %q overlap in row %d", fa.text, fb.text, a.row)
		}
	}
}
