package cluster

import (
	"errors"
	"fmt"
	"slices"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/engine"
	"github.com/raftcheck/raftcheck/nemesis"
)

// membership is the cluster's view of the configuration, as committed (learned from applied
// configuration entries), and the membership changes the nemesis asked for.
type membership struct {
	voters, learners []int
	outgoing         []int       // while joint: the voters of C_old (thesis §4.3)
	index            uint64      // log index of the change the view reflects
	alias            map[int]int // a replaced node's id → its replacement
	tasks            []memberTask
	// removing lists the nodes whose removal has been proposed since the last committed
	// change: such an entry may sit uncommitted in some log for as long as no other change
	// commits (only one change is in flight at a time, so a later commit means it was
	// committed or truncated).
	removing []int
	// entering is the joint changes proposed since the last committed change: a joint entry
	// may sit uncommitted in some log, and a node holding it needs a majority of its incoming
	// voters as well (our raft uses it from the append on), so the budget counts them until a
	// later change commits (seed 224). Each distinct proposal adds one: a leader that lacks an
	// earlier entry may accept a later change while the earlier one still sits in other logs,
	// to be committed if a node holding it leads again (seed 4667).
	entering []proposedJoint
	// views are the configurations nodes may still be in: see views.go.
	views confViews
}

// proposedJoint is a joint change proposed and not yet known to be committed or dropped:
// the voters it leads to, and the voters it takes out (removed or demoted).
type proposedJoint struct {
	incoming, leaving []int
}

// memberTask is a change the nemesis asked for; one runs at a time.
type memberTask struct {
	kind  nemesis.Kind // Add, Remove or Replace
	node  int          // Remove, Replace: the node leaving
	added int          // Replace: the new node, -1 until created
	tries int
	joint *jointTask // nemesis.Joint
}

// maxMemberTries bounds the supervisor rounds one change may take before it is given up.
const maxMemberTries = 80

func (m *membership) init(founders []int) {
	m.voters = slices.Clone(founders)
	m.views.init(founders)
	m.alias = map[int]int{}
}

// all returns the current members, voters then learners.
func (m *membership) all() []int { return append(slices.Clone(m.voters), m.learners...) }

func (m *membership) has(id int) bool {
	return slices.Contains(m.voters, id) || slices.Contains(m.learners, id)
}

// leaving says whether id stops voting at the leave of a joint configuration: an outgoing
// voter of the one the cluster is in that is no incoming voter, or a voter a proposed joint
// change takes out. The budget counts it as gone already: once one node applies the leave,
// the host shuts a removed node down and a demoted one is a learner that cannot campaign,
// while a node that has not applied the leave still needs a majority of the outgoing voters
// (etcd seeds 3064, 4148, 6184 and 3261).
func (m *membership) leaving(id int) bool {
	if slices.Contains(m.outgoing, id) && !slices.Contains(m.voters, id) {
		return true
	}
	return slices.ContainsFunc(m.entering, func(p proposedJoint) bool { return slices.Contains(p.leaving, id) })
}

// votes says whether id votes: a voter, or while joint an outgoing voter.
func (m *membership) votes(id int) bool {
	return slices.Contains(m.voters, id) || slices.Contains(m.outgoing, id)
}

// resolve follows replacements: a fault aimed at a replaced node strikes its replacement.
func (m *membership) resolve(id int) int {
	for range nemesis.MaxNodeIDs {
		next, ok := m.alias[id]
		if !ok {
			return id
		}
		id = next
	}
	return id
}

// applied updates the view with a configuration change committed at index.
func (m *membership) applied(index uint64, c engine.MemberChange) bool {
	if index <= m.index {
		return false
	}
	m.index = index
	m.removing, m.entering = nil, nil
	m.voters = slices.DeleteFunc(m.voters, func(id int) bool { return id == c.Node })
	m.learners = slices.DeleteFunc(m.learners, func(id int) bool { return id == c.Node })
	switch c.Op {
	case engine.AddLearner:
		m.learners = append(m.learners, c.Node)
	case engine.PromoteVoter:
		m.voters = append(m.voters, c.Node)
	}
	slices.Sort(m.voters)
	slices.Sort(m.learners)
	return true
}

// memberApplied is called by every node applying a configuration change; the first
// application of each index updates the view, and a removed node is shut down for good.
func (r *run) memberApplied(by int, index uint64, c engine.MemberChange) {
	r.members.views.appliedBy(by, index)
	if !r.members.applied(index, c) {
		return
	}
	r.members.views.add(index, r.members.voters, nil)
	r.mark(Mark{Kind: MarkMember, Node: c.Node, Detail: fmt.Sprintf("%s %d at index %d (voters %v, learners %v)",
		c.Op, c.Node, index, r.members.voters, r.members.learners)})
	r.k.Trace().Event(traceMember, uint64(c.Op), uint64(c.Node), index)
	if c.Op == engine.RemoveMember && c.Node < len(r.nodes) {
		n := r.nodes[c.Node]
		n.removed = true
		r.mark(Mark{Kind: MarkRemoved, Node: n.id})
		r.k.After(0, func() { r.crash(n, nil, nil) })
	}
}

// step advances the first pending change by one attempt.
func (m *membership) step(r *run) {
	if len(m.tasks) == 0 {
		return
	}
	t := &m.tasks[0]
	t.tries++
	done, err := m.attempt(r, t)
	if err != nil || t.tries > maxMemberTries {
		r.res.Stats.FaultsSkipped++
		detail := fmt.Sprintf("%s %d given up after %d tries", t.kind, t.node, t.tries)
		if err != nil {
			detail = fmt.Sprintf("%s %d skipped: %v", t.kind, t.node, err)
		}
		r.mark(Mark{Kind: MarkMember, Node: t.node, Detail: detail})
		done = true
	}
	if done {
		m.tasks = m.tasks[1:]
	}
}

var errBudget = errors.New("would leave too few healthy voters")

// attempt makes one try at a change; it reports done once the change is committed.
func (m *membership) attempt(r *run, t *memberTask) (bool, error) {
	if t.joint != nil {
		return m.attemptJoint(r, t)
	}
	if len(m.outgoing) > 0 {
		return false, nil // a joint configuration is not left yet
	}
	if t.kind == nemesis.Add || (t.kind == nemesis.Replace && t.added < 0) {
		return m.attemptAdd(r, t)
	}
	if t.kind == nemesis.Replace && !slices.Contains(m.voters, t.added) {
		return false, nil // wait until the new node is promoted
	}
	if !m.has(t.node) {
		return true, nil
	}
	if !slices.Contains(m.removing, t.node) && !r.removable(t.node) {
		return false, errBudget
	}
	if t.kind == nemesis.Remove && !slices.Contains(m.removing, t.node) {
		if err := r.withinBand(-1, false); err != nil {
			return false, err
		}
	}
	if !slices.Contains(m.removing, t.node) {
		m.removing = append(m.removing, t.node) // from now on the nemesis budgets as if it may be gone
	}
	return false, r.propose(engine.MemberChange{Op: engine.RemoveMember, Node: t.node})
}

func (m *membership) attemptAdd(r *run, t *memberTask) (bool, error) {
	id := t.added
	if id < 0 {
		if err := r.withinBand(1, t.kind == nemesis.Replace); err != nil {
			return false, err
		}
	}
	if id < 0 {
		n, err := r.addNode(true)
		if err != nil {
			return false, err
		}
		id = n.id
		t.added = id
		if t.kind == nemesis.Replace {
			m.alias[t.node] = id
		}
	}
	if m.has(id) {
		return t.kind == nemesis.Add, nil
	}
	return false, r.propose(engine.MemberChange{Op: engine.AddLearner, Node: id})
}

// propose asks the current leader for a change; a refusal (no leader, a change in flight) is
// retried at the next supervisor round.
func (r *run) propose(c ...engine.MemberChange) error { return r.proposeThen(nil, c...) }

// proposeThen is propose that, when a leader takes the change, calls taken (if not nil) with
// it before the leader sends anything.
func (r *run) proposeThen(taken func(l *node), c ...engine.MemberChange) error {
	l := r.leader()
	if l == nil {
		return nil
	}
	err := l.h.eng.ChangeMembership(c...)
	if err != nil && !errors.Is(err, engine.ErrDropped) && !errors.Is(err, engine.ErrNotLeader) {
		return err
	}
	if err == nil && taken != nil {
		taken(l)
	}
	l.h.drive()
	return nil
}

// configs returns the voter sets the cluster may be running with: the committed one; the
// older ones that a node which has not applied the later changes still uses (with an engine
// whose configurations take effect when applied, a follower that never learned that a
// removal committed counts its votes in the old configuration forever); for each removal
// proposed since, the one without that node; for each learner, and each node being added (its
// addition may sit appended and uncommitted, and the leader may promote it on a match it
// reported before it failed: seed 1726), the one with it. The nemesis budgets for the worst
// of them.
func (r *run) configs() [][]int {
	out := [][]int{r.members.voters}
	if len(r.members.outgoing) > 0 {
		out = append(out, r.members.outgoing)
	}
	for _, id := range r.members.views.behind(r.members.index, r.participant) {
		out = append(out, r.members.views.sets(id)...)
	}
	for _, p := range r.members.entering {
		out = append(out, p.incoming)
	}
	for _, gone := range r.members.removing {
		if slices.Contains(r.members.voters, gone) {
			out = append(out, slices.DeleteFunc(slices.Clone(r.members.voters), func(id int) bool { return id == gone }))
		}
	}
	for _, learner := range r.members.learners {
		out = append(out, append(slices.Clone(r.members.voters), learner))
	}
	for _, t := range r.members.tasks { // an addition may be appended, then promoted, any time
		if t.added >= 0 && !r.members.has(t.added) {
			out = append(out, append(slices.Clone(r.members.voters), t.added))
		}
	}
	return out
}

// canLose says whether every possible configuration keeps a healthy quorum without node id.
func (r *run) canLose(id int) bool {
	for _, c := range r.configs() {
		if r.healthyVoters(c, id) < len(c)/2+1 {
			return false
		}
	}
	return true
}

// removable says whether removing id leaves, in every possible configuration, at least three
// voters and a healthy quorum, and whether every configuration that still counts id keeps a
// healthy quorum without it: the host shuts a removed node down as soon as one node applies
// the removal, and a node that never learns the removal committed goes on counting it.
func (r *run) removable(id int) bool {
	if !r.canLose(id) {
		return false
	}
	for _, c := range r.configs() {
		left := slices.DeleteFunc(slices.Clone(c), func(v int) bool { return v == id })
		if len(left) < 3 || r.healthyVoters(left, id) < len(left)/2+1 {
			return false
		}
	}
	return true
}

// healthyVoters counts the voters other than except whose disks the nemesis has not damaged.
func (r *run) healthyVoters(voters []int, except int) int {
	count := 0
	for _, v := range voters {
		if v != except && v < len(r.nodes) && !r.nodes[v].damaged && !r.nodes[v].removed && !r.members.leaving(v) {
			count++
		}
	}
	return count
}

// enqueueMember queues a membership fault; node is the leaving node for nemesis.Remove and nemesis.Replace.
func (r *run) enqueueMember(kind nemesis.Kind, node int) {
	r.members.tasks = append(r.members.tasks, memberTask{kind: kind, node: node, added: -1})
}

// promoteLearners does, for an engine that leaves it to the application, what our raft does
// itself: it proposes the promotion of the first learner whose log matches the leader's
// through its commit index. A refusal (a change in flight) is retried at the next round.
func (r *run) promoteLearners() {
	if len(r.members.learners) == 0 || len(r.members.outgoing) > 0 {
		return
	}
	l := r.leader()
	if l == nil {
		return
	}
	st := l.h.eng.Status()
	for _, learner := range r.members.learners {
		for _, m := range st.Matches {
			if m.Node == learner && st.Commit > 0 && m.Index >= st.Commit {
				if err := r.propose(engine.MemberChange{Op: engine.PromoteVoter, Node: learner}); err != nil {
					r.violate(checker.Violation{Kind: KindEngine, Time: r.now(), Nodes: []int{l.id, learner},
						Detail: "promoting learner: " + err.Error()})
				}
				return
			}
		}
	}
}

// participant says whether node id may still vote or lead: it exists, and it was neither
// removed nor refused to start.
func (r *run) participant(id int) bool {
	return id < len(r.nodes) && !r.nodes[id].removed && !r.nodes[id].corrupt
}

// restored records that node restored a snapshot through index (it holds the changes in it).
func (r *run) restored(node int, index uint64) { r.members.views.restored(node, index) }
