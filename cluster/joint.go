package cluster

import (
	"fmt"
	"slices"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/engine"
	"github.com/raftcheck/raftcheck/nemesis"
)

// jointTask is a joint membership change the nemesis asked for (nemesis.Joint): fresh nodes
// join as voters, and leaving nodes are removed or demoted, all in one change through the
// joint configuration (thesis §4.3). It is done once the cluster applied the joint entry and
// then the leave entry.
type jointTask struct {
	fault   int  // its index in the schedule
	split   bool // split the network once a leader takes the change (nemesis.JointSplit)
	shape   string
	leaving []int // removed or demoted
	want    int   // fresh nodes to add
	added   []int // the fresh nodes created so far
	entered bool  // a joint entry was applied while this task ran
}

// enqueueJoint queues joint fault i on resolved leaving nodes.
func (r *run) enqueueJoint(f nemesis.Fault, i int, leaving []int) bool {
	want, _ := f.JointChanges()
	if f.Shape != "add" && len(leaving) == 0 {
		return false
	}
	r.members.tasks = append(r.members.tasks, memberTask{kind: nemesis.Joint, node: -1, added: -1,
		joint: &jointTask{fault: i, split: f.Mode == nemesis.JointSplit, shape: f.Shape, leaving: slices.Clone(leaving), want: want}})
	return true
}

// attemptJoint makes one try at a joint change; it reports done once the change is left.
func (m *membership) attemptJoint(r *run, t *memberTask) (bool, error) {
	j := t.joint
	if j.entered || len(m.outgoing) > 0 {
		return j.entered && len(m.outgoing) == 0, nil // wait for the leave (the engine's own)
	}
	if len(j.added) == 0 {
		if err := r.withinBand(j.delta(), false); err != nil {
			return false, err
		}
	}
	for len(j.added) < j.want {
		n, err := r.addNode(true)
		if err != nil {
			return false, err
		}
		j.added = append(j.added, n.id)
	}
	changes, err := m.jointChanges(r, j)
	if err != nil {
		return false, err
	}
	return false, r.proposeThen(func(l *node) {
		if j.split {
			r.split(j.fault, l, m.incoming(changes))
		}
	}, changes...)
}

// jointChanges lists the changes of j against the current view, refusing one that would leave
// a configuration without a healthy quorum.
func (m *membership) jointChanges(r *run, j *jointTask) ([]engine.MemberChange, error) {
	var out []engine.MemberChange
	for _, id := range j.added {
		if !m.has(id) {
			out = append(out, engine.MemberChange{Op: engine.PromoteVoter, Node: id})
		}
	}
	for _, id := range j.leaving {
		switch {
		case j.shape == "demote" && slices.Contains(m.voters, id):
			out = append(out, engine.MemberChange{Op: engine.DemoteVoter, Node: id})
		case j.shape != "demote" && m.has(id):
			out = append(out, engine.MemberChange{Op: engine.RemoveMember, Node: id})
		}
	}
	if len(out) < 2 {
		return nil, fmt.Errorf("only %d changes left to make", len(out))
	}
	if !r.jointAffordable(j.leaving, j.added) {
		return nil, errBudget
	}
	incoming := m.incoming(out)
	m.propose(proposedJoint{incoming: incoming, leaving: m.leavingVoters(incoming)})
	return out, nil
}

// leavingVoters lists the current voters that are not voters of incoming.
func (m *membership) leavingVoters(incoming []int) []int {
	var out []int
	for _, id := range m.voters {
		if !slices.Contains(incoming, id) {
			out = append(out, id)
		}
	}
	return out
}

// propose records a joint change as proposed, once however often a task retries it.
func (m *membership) propose(p proposedJoint) {
	same := func(q proposedJoint) bool {
		return slices.Equal(q.incoming, p.incoming) && slices.Equal(q.leaving, p.leaving)
	}
	if !slices.ContainsFunc(m.entering, same) {
		m.entering = append(m.entering, p)
	}
}

// incoming returns the voter set the changes lead to from the current voters.
func (m *membership) incoming(changes []engine.MemberChange) []int {
	out := slices.Clone(m.voters)
	for _, c := range changes {
		out = slices.DeleteFunc(out, func(id int) bool { return id == c.Node })
		if c.Op == engine.PromoteVoter {
			out = append(out, c.Node)
		}
	}
	slices.Sort(out)
	return out
}

// jointAffordable says whether every configuration the cluster may be in keeps, without the
// leaving nodes and with the added fresh voters, at least three voters and a healthy quorum,
// and whether every one keeps a healthy quorum without all the leaving voters at once while
// they still count: a node still joint needs a majority of the outgoing voters, which include
// them, and once one node applies the leave the host shuts a removed one down, and a demoted
// one is a learner that cannot campaign, though its log may be the longest (etcd seed 3261:
// the demoted leader's). So a joint change never takes two voters of three or four.
func (r *run) jointAffordable(leaving, added []int) bool {
	for _, c := range r.configs() {
		left := slices.DeleteFunc(slices.Clone(c), func(v int) bool { return slices.Contains(leaving, v) })
		if r.healthyVoters(left, -1) < len(c)/2+1 {
			return false
		}
		for _, id := range added {
			if !slices.Contains(left, id) {
				left = append(left, id)
			}
		}
		if len(left) < 3 || r.servingVoters(left) < len(left)/2+1 {
			return false
		}
	}
	return true
}

// servingVoters counts the voters that can serve once faults heal: not damaged, removed or
// refusing to start.
func (r *run) servingVoters(voters []int) int {
	count := 0
	for _, v := range voters {
		if r.participant(v) && r.healthyVoters([]int{v}, -1) == 1 {
			count++
		}
	}
	return count
}

// appliedJoint updates the view with a joint entry committed at index: entering makes the
// current voters the outgoing ones and applies the changes; leaving drops the outgoing voters
// and returns the nodes no longer members.
func (m *membership) appliedJoint(index uint64, j engine.JointChange) (gone []int, ok bool) {
	if index <= m.index {
		return nil, false
	}
	m.index = index
	m.removing, m.entering = nil, nil
	if j.Leave() {
		for _, id := range m.outgoing {
			if !m.has(id) {
				gone = append(gone, id)
			}
		}
		m.outgoing = nil
		return gone, true
	}
	m.outgoing = slices.Clone(m.voters)
	for _, c := range j.Changes {
		m.voters = slices.DeleteFunc(m.voters, func(id int) bool { return id == c.Node })
		m.learners = slices.DeleteFunc(m.learners, func(id int) bool { return id == c.Node })
		switch c.Op {
		case engine.PromoteVoter:
			m.voters = append(m.voters, c.Node)
		case engine.AddLearner, engine.DemoteVoter:
			m.learners = append(m.learners, c.Node)
		}
	}
	slices.Sort(m.voters)
	slices.Sort(m.learners)
	if len(m.tasks) > 0 && m.tasks[0].joint != nil {
		m.tasks[0].joint.entered = true
	}
	return nil, true
}

// jointApplied is called by every node applying a joint entry; the first application of each
// index updates the view, and the nodes a leave drops are shut down for good.
func (r *run) jointApplied(by int, index uint64, j engine.JointChange) {
	r.members.views.appliedBy(by, index)
	gone, ok := r.members.appliedJoint(index, j)
	if !ok {
		return
	}
	r.members.views.add(index, r.members.voters, r.members.outgoing)
	what := fmt.Sprintf("joint %v", j.Changes)
	if j.Leave() {
		what = "leave joint"
	}
	r.mark(Mark{Kind: MarkMember, Node: -1, Detail: fmt.Sprintf("%s at index %d (voters %v, outgoing %v, learners %v)",
		what, index, r.members.voters, r.members.outgoing, r.members.learners)})
	r.k.Trace().Event(traceMember, uint64(len(j.Changes)), uint64(len(r.members.outgoing)), index)
	if !j.Leave() {
		r.res.Stats.JointChanges++
	}
	for _, id := range gone {
		if id < len(r.nodes) {
			n := r.nodes[id]
			n.removed = true
			r.mark(Mark{Kind: MarkRemoved, Node: n.id})
			r.k.After(0, func() { r.crash(n, nil, nil) })
		}
	}
}

// jointLeft returns a configuration still joint, for the liveness check: the committed one,
// or else the one a live member reports it is in (Status), which once faults heal must also
// have left the joint configuration (an engine that reports a leave to the host but stays
// joint itself never completes the change).
func (r *run) jointLeft() *checker.Conf {
	if len(r.members.outgoing) > 0 {
		return &checker.Conf{Voters: slices.Clone(r.members.voters), Outgoing: slices.Clone(r.members.outgoing)}
	}
	for _, id := range r.members.all() {
		n := r.nodes[id]
		if n.h == nil || n.h.dead {
			continue
		}
		if st := n.h.eng.Status(); len(st.VotersOutgoing) > 0 {
			return &checker.Conf{Voters: slices.Clone(st.Voters), Outgoing: slices.Clone(st.VotersOutgoing)}
		}
	}
	return nil
}
