package cluster

import (
	"testing"

	"github.com/raftcheck/raftcheck/engine"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/stretchr/testify/require"
)

// budgetRun is a run with just what the nemesis budget reads: the membership view and which
// nodes are damaged or removed.
func budgetRun(voters, learners, removing []int, damaged ...int) *run {
	r := &run{}
	for id := range 8 {
		r.nodes = append(r.nodes, &node{id: id})
	}
	for _, id := range damaged {
		r.nodes[id].damaged = true
	}
	r.members.init(voters)
	r.members.learners, r.members.removing = learners, removing
	return r
}

// adding gives r a pending addition of node id.
func adding(r *run, id int) *run {
	r.members.tasks = append(r.members.tasks, memberTask{kind: nemesis.Replace, node: 4, added: id})
	return r
}

// entering gives r a proposed joint change whose incoming voters are ids.
func entering(r *run, ids ...int) *run {
	r.members.entering = append(r.members.entering, proposedJoint{incoming: ids})
	return r
}

func TestNemesisBudget(t *testing.T) {
	cases := []struct {
		name     string
		r        *run
		lose     int
		canLose  bool
		removeOK bool
	}{
		{"five voters, one damaged: a second may go", budgetRun([]int{0, 1, 2, 3, 4}, nil, nil, 0), 1, true, true},
		{"five voters, two damaged: a third may not", budgetRun([]int{0, 1, 2, 3, 4}, nil, nil, 0, 1), 2, false, false},
		// Seed 226: a removal proposed (maybe appended, maybe not) leaves four voters, which
		// need three healthy ones. Removing 2 as well would leave {0, 3, 4} a healthy majority,
		// but the host shuts 2 down at the first application of its removal, and a node that
		// never learns the removal committed counts 2 in {0, 2, 3, 4}, where {3, 4} is no
		// quorum (etcd seed 1418).
		{"pending removal counts as gone", budgetRun([]int{0, 1, 2, 3, 4}, nil, []int{1}, 0), 2, false, false},
		// Seeds 509 and 768: the leader may promote a learner at any time; six voters need four.
		// Removing the learner is refused too: a node that saw it promoted counts it.
		{"a learner may be promoted", budgetRun([]int{0, 1, 2, 3, 4}, []int{5}, nil, 1, 4), 5, false, false},
		{"five voters, one damaged: a healthy one may be removed", budgetRun([]int{0, 1, 2, 3, 4}, nil, nil, 0), 3, true, true},
		{"three voters never shrink", budgetRun([]int{0, 1, 2}, nil, nil), 2, true, false},
		// Seed 1726: node 5, being added in place of 4, may be appended as a learner and
		// promoted on a match it reported before it failed; six voters need four healthy.
		{"a node being added counts", adding(budgetRun([]int{0, 1, 2, 3, 4}, nil, nil, 0, 4), 5), 5, false, false},
		// Seed 224: a joint change removing 0 and 1 was proposed, node 3 refuses to start; the
		// entry may sit appended and uncommitted, and a node holding it needs two of {2, 3, 4}.
		{"a proposed joint change's incoming voters count", entering(budgetRun([]int{0, 1, 2, 3, 4}, nil, nil, 3), 2, 3, 4), 4, false, false},
		{"a proposed joint change leaves room for one", entering(budgetRun([]int{0, 1, 2, 3, 4}, nil, nil), 2, 3, 4), 4, true, false},
		// Seed 4667: a joint change removing 0 and 1 was proposed and appended in some logs,
		// then another (replacing 0) by a leader without it; node 3 refuses to start. The
		// first entry may still commit: losing 2 would leave {2, 3, 4} without a quorum.
		{"every proposed joint change counts", entering(entering(budgetRun([]int{0, 1, 2, 3, 4}, nil, nil, 3), 2, 3, 4), 1, 2, 3, 4, 5), 2, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			require.Equal(t, c.canLose, c.r.canLose(c.lose), "canLose(%d)", c.lose)
			require.Equal(t, c.removeOK, c.r.removable(c.lose), "removable(%d)", c.lose)
		})
	}
}

// joint gives r a committed joint configuration: voters are the incoming voters, outgoing
// the outgoing ones.
func joint(r *run, voters, outgoing []int) *run {
	r.members.voters, r.members.outgoing = voters, outgoing
	return r
}

// TestJointBudget: once one node applies a joint change's leave, the host shuts the removed
// nodes down and the demoted ones are learners that cannot campaign, while a node still joint
// needs a majority of the outgoing voters; the budget counts the leaving voters as gone, all
// at once, from the proposal on (etcd seeds 3064, 4148, 6184, 3261).
func TestJointBudget(t *testing.T) {
	five, four := []int{0, 1, 2, 3, 4}, []int{0, 1, 2, 3}
	require.False(t, budgetRun(five, nil, nil, 4).jointAffordable([]int{1, 3}, nil),
		"4 refuses: without 1 and 3 the outgoing voters keep {0, 2}, no quorum of five")
	require.True(t, budgetRun(five, nil, nil).jointAffordable([]int{1, 3}, nil), "{0, 2, 4} are three of five")
	require.True(t, budgetRun(five, nil, nil, 4).jointAffordable([]int{1}, []int{5}),
		"replacing 1 by 5 while 4 refuses: {0, 2, 3} keep the outgoing quorum, {0, 2, 3, 5} the incoming one")
	require.False(t, budgetRun(four, nil, nil).jointAffordable([]int{1, 2}, []int{5, 6}),
		"replacing two of four: {0, 3} are no quorum of the outgoing four")
	require.False(t, budgetRun(five, nil, nil, 0).jointAffordable([]int{1, 4}, nil),
		"seed 3261: 0 refuses; demoting 1 and 4 leaves {2, 3} of the outgoing five once the demoted leader applies the leave")

	inJoint := joint(budgetRun(five, nil, nil), []int{0, 2, 4}, five)
	require.True(t, inJoint.members.leaving(1) && inJoint.members.leaving(3) && !inJoint.members.leaving(0))
	require.False(t, inJoint.canLose(4), "while joint, 1 and 3 count as gone: losing 4 leaves {0, 2} of the outgoing five")
	require.True(t, joint(budgetRun(five, nil, nil), five, five).canLose(4), "a joint change that removes nobody")

	proposed := budgetRun(five, nil, nil)
	proposed.members.propose(proposedJoint{incoming: []int{0, 2, 4}, leaving: []int{1, 3}})
	proposed.members.propose(proposedJoint{incoming: []int{0, 2, 4}, leaving: []int{1, 3}})
	require.Len(t, proposed.members.entering, 1, "a retried proposal is recorded once")
	require.True(t, proposed.members.leaving(3), "a proposed removal counts before the entry applies")
	demoted := joint(budgetRun(five, nil, nil), []int{0, 2, 3}, five)
	demoted.members.learners = []int{1, 4}
	require.True(t, demoted.members.leaving(1), "a demoted voter cannot campaign once it applies the leave")
	require.False(t, proposed.canLose(4), "the entry may apply at any time: 4 must stay")
}

func TestMembershipView(t *testing.T) {
	var m membership
	m.init([]int{0, 1, 2})
	m.removing = []int{2}
	m.entering = []proposedJoint{{incoming: []int{0, 1}}}
	require.True(t, m.applied(10, engine.MemberChange{Op: engine.AddLearner, Node: 3}))
	require.Empty(t, m.removing, "a committed change means no earlier one is still in flight")
	require.Empty(t, m.entering, "a committed change means no earlier joint change is still in flight")
	require.False(t, m.applied(9, engine.MemberChange{Op: engine.RemoveMember, Node: 0}), "an older index changes nothing")
	require.True(t, m.applied(11, engine.MemberChange{Op: engine.PromoteVoter, Node: 3}))
	require.Equal(t, []int{0, 1, 2, 3}, m.voters)
	require.Empty(t, m.learners)
	m.alias[1] = 5
	m.alias[5] = 6
	require.Equal(t, 6, m.resolve(1), "a replaced node's faults strike its latest replacement")
}

// TestConfViews: the budget sees the configuration each node last applied, including one
// learned from a snapshot, and a node added later starts from the newest.
func TestConfViews(t *testing.T) {
	var v confViews
	v.init([]int{0, 1, 2})
	v.add(10, []int{0, 1, 2, 3}, nil)
	v.appliedBy(0, 10)
	v.add(20, []int{0, 1, 3}, nil)
	v.appliedBy(0, 20)
	v.appliedBy(3, 10)
	all := func(int) bool { return true }
	require.Equal(t, []int{1, 2, 3}, v.behind(20, func(id int) bool { return id < 4 }))
	require.Equal(t, [][]int{{0, 1, 2}}, v.sets(1), "never applied a change: the founders")
	require.Equal(t, [][]int{{0, 1, 2, 3}}, v.sets(3))
	require.Equal(t, [][]int{{0, 1, 3}}, v.sets(0))
	v.restored(1, 15)
	require.Equal(t, [][]int{{0, 1, 2, 3}}, v.sets(1), "a snapshot through 15 holds the change at 10")
	v.joined(4)
	require.Equal(t, [][]int{{0, 1, 3}}, v.sets(4))
	require.NotContains(t, v.behind(20, all), 4)
	v.add(30, []int{0, 3, 4}, []int{0, 1, 3})
	v.appliedBy(3, 30)
	require.Equal(t, [][]int{{0, 3, 4}, {0, 1, 3}}, v.sets(3), "joint: both voter sets")
}
