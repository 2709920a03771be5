package coverage

import (
	"fmt"
	"strings"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/engine"
	"github.com/raftcheck/raftcheck/nemesis"
)

// Tracker computes the coverage of one run from what the run observes. It is a
// cluster.Observer: set it as cluster.Options.Observer, run, then read Set. It keeps no
// reference into the run and never changes it. A Tracker serves one run.
type Tracker struct {
	nodes  []nodeState // by node id
	leader int         // the up node leading in the highest term, -1 if none
	stated int         // the leader every node's state was last stated against
	healed bool
	keys   map[key]struct{}
	quorum key // the last quorum feature emitted, to skip repeats
	depth  depth
}

// nodeState is what the tracker knows of one node.
type nodeState struct {
	booted  bool // has booted at least once
	up      bool // booted, not crashed since, not removed
	role    uint8
	term    uint64
	commit  uint64
	log     nodeLog
	conf    uint64 // index of the last configuration entry in its log (0: none seen)
	lastKey key    // the last state feature emitted for it, to skip repeats
}

// The role values of roleDim.
const (
	roleFollower = iota
	rolePreCandidate
	roleCandidate
	roleLeader
	roleLearner
)

// The phase values of phaseDim.
const (
	phaseElection = iota
	phaseSteady
	phaseConfig
	phaseHeal
)

// NewTracker returns a tracker for one run.
func NewTracker() *Tracker {
	return &Tracker{leader: -1, stated: -1, keys: map[key]struct{}{}}
}

var _ cluster.Observer = (*Tracker)(nil)

// Len is the number of features the run has reached so far.
func (t *Tracker) Len() int { return len(t.keys) }

// Set returns the features the run reached.
func (t *Tracker) Set() Set {
	s := Set{m: make(map[string]struct{}, len(t.keys))}
	for k := range t.keys {
		s.m[k.name()] = struct{}{}
	}
	return s
}

func (t *Tracker) emit(k key) { t.keys[k] = struct{}{} }

// node returns the state of node id, growing the table as needed.
func (t *Tracker) node(id int) *nodeState {
	if id < 0 || id >= nemesis.MaxNodeIDs {
		panic(fmt.Sprintf("coverage: node id %d out of range [0, %d)", id, nemesis.MaxNodeIDs))
	}
	for len(t.nodes) <= id {
		t.nodes = append(t.nodes, nodeState{})
	}
	return &t.nodes[id]
}

// phase is the protocol phase the cluster is in: heal once every fault is lifted, else
// election while no node leads, else config while the leader holds an uncommitted
// configuration entry, else steady.
func (t *Tracker) phase() uint8 {
	switch {
	case t.healed:
		return phaseHeal
	case t.leader < 0:
		return phaseElection
	case t.nodes[t.leader].conf > t.nodes[t.leader].commit:
		return phaseConfig
	}
	return phaseSteady
}

// Recovered starts a node's life from what its engine recovered.
func (t *Tracker) Recovered(_ int64, id int, rec engine.Recovery) {
	n := t.node(id)
	restart := n.booted
	n.booted, n.up, n.role, n.lastKey = true, true, roleFollower, 0
	n.term, n.commit = rec.HardState.Term, rec.HardState.Commit
	n.log.reset(rec.SnapIndex, rec.SnapTerm)
	n.conf = 0
	n.log.save(rec.Entries)
	if restart {
		t.emit(mk(famRestart, t.logRel(id), t.phase()))
		t.count(measureRestarts)
	}
	t.emitStates(id)
}

// Observed folds one batch of a node's observations in: role and term first (the state the
// node acted in), then its log, then its hard state, then its votes.
func (t *Tracker) Observed(_ int64, id int, o engine.Observations) {
	n := t.node(id)
	if o.Role != engine.NoRole {
		t.roleChanged(id, roleIndex(o.Role), o.Term)
	}
	if o.Leader != 0 {
		t.becameLeader(id, o.Leader)
	}
	if o.Snapshot != nil {
		t.emit(mk(famSnapshot, n.role, t.logRel(id)))
		if !o.Snapshot.KeepSuffix {
			n.log.reset(o.Snapshot.Index, o.Snapshot.Term)
		}
	}
	t.saved(n, o)
	if hs := o.HardState; hs != nil {
		t.termSeen(n, hs.Term)
		t.committed(id, hs.Commit)
	}
	for _, v := range o.Votes {
		t.voted(n, v)
	}
	t.emitStates(id)
}

// Marked follows the run's timeline: crashes, removals, the heal, faults striking.
func (t *Tracker) Marked(m cluster.Mark) {
	switch m.Kind {
	case cluster.MarkCrash, cluster.MarkRemoved:
		n := t.node(m.Node)
		if n.up && n.role == roleLeader {
			t.count(measureStepDowns)
		}
		n.up = false
		if t.leader == m.Node {
			t.electLeader()
		}
	case cluster.MarkHeal:
		t.healed = true
	case cluster.MarkFaultStart:
		t.faultStruck(m)
	}
}

func roleIndex(r engine.Role) uint8 {
	if r < engine.Follower || r > engine.Learner {
		panic(fmt.Sprintf("coverage: role %d out of range", r))
	}
	return uint8(r - engine.Follower)
}

// roleChanged records a node's move to role in term: the transition, with how much of its
// log was uncommitted when it moved.
func (t *Tracker) roleChanged(id int, role uint8, term uint64) {
	n := t.node(id)
	if role != n.role {
		t.emit(mk(famRoleChange, n.role, role, bucket(n.log.last-min(n.commit, n.log.last), 1, 5), t.phase()))
		if n.role == roleLeader {
			t.count(measureStepDowns)
		}
	}
	n.role = role
	t.termSeen(n, term)
	if role != roleLeader && t.leader == id {
		t.electLeader()
	}
}

// termSeen records a node's term moving to term (a jump of one or more).
func (t *Tracker) termSeen(n *nodeState, term uint64) {
	if term > n.term && n.term > 0 {
		t.emit(mk(famTermJump, n.role, bucket(term-n.term, 2, 4)))
	}
	n.term = max(n.term, term)
	t.deepen(measureMaxTerm, n.term)
}

// becameLeader records node id leading in term.
func (t *Tracker) becameLeader(id int, term uint64) {
	n := t.node(id)
	n.role = roleLeader
	n.term = max(n.term, term)
	t.count(measureElections)
	if t.leader < 0 || t.nodes[t.leader].term <= term {
		t.leader = id
	}
}

// electLeader finds the up node that leads in the highest term, if any.
func (t *Tracker) electLeader() {
	t.leader = -1
	for id := range t.nodes {
		n := &t.nodes[id]
		if n.up && n.role == roleLeader && (t.leader < 0 || n.term > t.nodes[t.leader].term) {
			t.leader = id
		}
	}
}

// saved applies a batch's saved entries to a node's log: an overwrite is a truncation.
func (t *Tracker) saved(n *nodeState, o engine.Observations) {
	if len(o.Saved) == 0 {
		return
	}
	from := o.Saved[0].Index
	if over := n.log.save(o.Saved); over > 0 {
		below := uint8(0)
		if from <= n.commit {
			below = 1
		}
		t.emit(mk(famTruncate, n.role, bucket(over, 2, 9), below))
		t.count(measureTruncations)
	}
	if n.conf >= from {
		n.conf = 0
	}
	for _, e := range o.Confs {
		n.conf = max(n.conf, e.Index)
	}
}

// committed records a node's commit index moving to commit; a leader's advance is a
// feature, with whether it committed entries of earlier terms (by counting replicas of an
// entry of its own term, Raft §5.4.2).
func (t *Tracker) committed(id int, commit uint64) {
	n := t.node(id)
	if commit > n.commit && n.role == roleLeader {
		earlier := uint8(0)
		if tm := n.log.termAt(n.commit + 1); tm != 0 && tm < n.term {
			earlier = 1
		}
		t.emit(mk(famCommit, bucket(commit-n.commit, 2, 9, 65), earlier, t.phase()))
	}
	n.commit = max(n.commit, commit)
}

// voted records a vote a node granted, with how the candidate's log compares with its own.
// Both built-in engines name candidate c as node c-1; a vote naming no known node is skipped.
func (t *Tracker) voted(n *nodeState, v engine.Vote) {
	c := int(v.Candidate) - 1
	if v.Candidate == 0 || c >= len(t.nodes) || !t.nodes[c].booted {
		return
	}
	cmp := n.log.upToDate(&t.nodes[c].log)
	t.emit(mk(famVote, n.role, uint8(cmp+1), t.phase()))
}

// faultStruck records which role each node a fault struck was in, and the phase.
func (t *Tracker) faultStruck(m cluster.Mark) {
	fields := strings.Fields(m.Detail) // "<at> <kind> ..." (skipped faults: "skipped: ...")
	if len(fields) < 2 || fields[0] == "skipped:" {
		return
	}
	kind, ok := kindIndex(fields[1])
	if !ok {
		return
	}
	phase := t.phase()
	if len(m.Nodes) == 0 {
		t.emit(mk(famFault, kind, uint8(len(targetDim.values)-1), phase))
	}
	for _, id := range m.Nodes {
		target := uint8(len(targetDim.values) - 2) // down
		if n := t.node(id); n.up {
			target = n.role
		}
		t.emit(mk(famFault, kind, target, phase))
	}
}

func kindIndex(kind string) (uint8, bool) {
	for i, k := range kindDim.values {
		if k == kind {
			return uint8(i), true
		}
	}
	return 0, false
}

// bucket returns the index of the first bound v is below, or the number of bounds: with
// bounds 2, 9 the buckets are 1, 2-8 and 9+ for v >= 1, and 0, 1, 2+ for bounds 1, 2.
func bucket(v uint64, bounds ...uint64) uint8 {
	for i, b := range bounds {
		if v < b {
			return uint8(i)
		}
	}
	return uint8(len(bounds))
}
