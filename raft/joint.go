package raft

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
)

// JointChange is a membership change of several servers at once, made through the joint
// configuration C_old,new (thesis §4.3): appending it makes the configuration joint —
// elections and commitment then need a majority of the old voters and a majority of the
// new ones — and once it is committed the leader appends, by itself, the leave entry (a
// JointChange with no Changes), which makes C_new alone the configuration. It is carried
// encoded (EncodeJointChange) in the Data of an EntryJointChange entry and, like a
// ConfChange, takes effect on a node as soon as it is appended to that node's log.
//
// Within a JointChange, AddVoter adds a voter directly (a learner or a new server),
// AddLearner of a voter demotes it (it keeps voting in the old configuration until the
// leave), and RemoveNode removes a member; a node appears at most once.
type JointChange struct {
	Changes []ConfChange
}

// Leave reports whether jc is the entry that leaves the joint configuration.
func (jc JointChange) Leave() bool { return len(jc.Changes) == 0 }

// String renders jc as e.g. "joint[add-voter 4, remove 2]" or "leave-joint".
func (jc JointChange) String() string {
	if jc.Leave() {
		return "leave-joint"
	}
	parts := make([]string, len(jc.Changes))
	for i, cc := range jc.Changes {
		parts[i] = cc.String()
	}
	return "joint[" + strings.Join(parts, ", ") + "]"
}

// maxJointChanges bounds the changes of one JointChange (decoding rejects more).
const maxJointChanges = 64

// EncodeJointChange returns the encoding of jc carried in an EntryJointChange's Data:
// WireVersion, the number of changes, then each change's type byte and node.
func EncodeJointChange(jc JointChange) []byte {
	b := make([]byte, 0, 2+len(jc.Changes)*(1+binary.MaxVarintLen64))
	b = append(b, WireVersion)
	b = binary.AppendUvarint(b, uint64(len(jc.Changes)))
	for _, cc := range jc.Changes {
		b = append(b, byte(cc.Type))
		b = binary.AppendUvarint(b, cc.Node)
	}
	return b
}

// DecodeJointChange decodes the Data of an EntryJointChange entry, checking the version,
// each change's type, that no node is None or named twice, and that nothing trails.
func DecodeJointChange(b []byte) (JointChange, error) {
	d := decoder{b: b}
	if v := d.byte("version"); d.err == nil && v != WireVersion {
		return JointChange{}, fmt.Errorf("%w: joint change version %d, want %d", ErrMalformed, v, WireVersion)
	}
	n := d.uvarint("joint change count")
	if d.err == nil && n > maxJointChanges {
		d.fail(fmt.Sprintf("joint change of %d changes (bound %d)", n, maxJointChanges))
	}
	var jc JointChange
	for i := uint64(0); i < n && d.err == nil; i++ {
		cc := ConfChange{Type: ConfChangeType(d.byte("joint change type"))}
		cc.Node = d.uvarint("joint change node")
		switch {
		case d.err != nil:
		case !cc.Type.Valid():
			d.fail(fmt.Sprintf("joint change type %d", cc.Type))
		case cc.Node == None:
			d.fail("joint change of node 0")
		case slices.ContainsFunc(jc.Changes, func(o ConfChange) bool { return o.Node == cc.Node }):
			d.fail(fmt.Sprintf("joint change names node %d twice", cc.Node))
		}
		jc.Changes = append(jc.Changes, cc)
	}
	if d.err == nil && d.off != len(b) {
		d.fail(fmt.Sprintf("%d trailing bytes", len(b)-d.off))
	}
	if d.err != nil {
		return JointChange{}, d.err
	}
	return jc, nil
}

// Joint reports whether cs is a joint configuration.
func (cs ConfState) Joint() bool { return len(cs.VotersOutgoing) > 0 }

// hasVoter reports whether id votes in cs: in the incoming voters or, while joint, the
// outgoing ones.
func (cs ConfState) hasVoter(id uint64) bool {
	_, in := slices.BinarySearch(cs.Voters, id)
	_, out := slices.BinarySearch(cs.VotersOutgoing, id)
	return in || out
}

// applyJointChange returns the configuration after jc. Entering: the current voters
// become the outgoing ones and the changes apply to the incoming configuration. Leaving:
// the outgoing voters are dropped. Like applyConfChange it is total.
func applyJointChange(cs ConfState, jc JointChange) ConfState {
	if jc.Leave() {
		return ConfState{Voters: slices.Clone(cs.Voters), Learners: slices.Clone(cs.Learners)}
	}
	voters, learners := slices.Clone(cs.Voters), slices.Clone(cs.Learners)
	for _, cc := range jc.Changes {
		switch cc.Type {
		case AddVoter:
			learners = removeID(learners, cc.Node)
			voters = insertID(voters, cc.Node)
		case AddLearner:
			voters = removeID(voters, cc.Node)
			learners = insertID(learners, cc.Node)
		case RemoveNode:
			voters = removeID(voters, cc.Node)
			learners = removeID(learners, cc.Node)
		}
	}
	return ConfState{Voters: voters, Learners: learners, VotersOutgoing: slices.Clone(cs.Voters)}
}

// checkJointChange tells whether jc applies to cs, for a leader deciding to propose it.
func checkJointChange(cs ConfState, jc JointChange) error {
	if cs.Joint() {
		return fmt.Errorf("%w: %s: the joint configuration is not yet left", ErrConfChangePending, jc)
	}
	if jc.Leave() {
		return fmt.Errorf("%w: %s: only the leader appends the leave entry", ErrInvalidConfChange, jc)
	}
	for i, cc := range jc.Changes {
		if slices.ContainsFunc(jc.Changes[:i], func(o ConfChange) bool { return o.Node == cc.Node }) {
			return fmt.Errorf("%w: %s: node %d named twice", ErrInvalidConfChange, jc, cc.Node)
		}
		isVoter, isLearner := slices.Contains(cs.Voters, cc.Node), slices.Contains(cs.Learners, cc.Node)
		switch {
		case !cc.Type.Valid():
			return fmt.Errorf("%w: %s: type %d", ErrInvalidConfChange, jc, cc.Type)
		case cc.Type == AddVoter && isVoter, cc.Type == AddLearner && isLearner:
			return fmt.Errorf("%w: %s: %s changes nothing", ErrInvalidConfChange, jc, cc)
		case cc.Type == RemoveNode && !isVoter && !isLearner:
			return fmt.Errorf("%w: %s: node %d is not a member", ErrInvalidConfChange, jc, cc.Node)
		}
	}
	if len(applyJointChange(cs, jc).Voters) == 0 {
		return fmt.Errorf("%w: %s: no voter would be left", ErrInvalidConfChange, jc)
	}
	return nil
}

// maybeLeaveJoint has the leader append the leave entry once the joint entry is committed
// (and it has committed an entry of its term, which a leader elected while joint needs to
// know that the joint entry is committed): thesis §4.3, "once C_old,new has been committed,
// the leader creates a log entry describing C_new". The JointNoLeave mutation never does.
func (n *Node) maybeLeaveJoint() {
	if !n.conf.Joint() || n.cfg.Mutations.JointNoLeave || !n.confChangeAllowed() {
		return
	}
	n.appendEntries([]Entry{{Type: EntryJointChange, Data: EncodeJointChange(JointChange{})}})
}

// jointMajority reports whether counted voters reach a majority of voters and, for a
// joint configuration, of the outgoing voters too (unless incomingOnly, a mutation).
func (n *Node) jointMajority(counted func(id uint64) bool, incomingOnly bool) bool {
	if !majority(n.conf.Voters, counted) {
		return false
	}
	return incomingOnly || !n.conf.Joint() || majority(n.conf.VotersOutgoing, counted)
}

// majority reports whether counted holds for a majority of voters (never for no voters).
func majority(voters []uint64, counted func(id uint64) bool) bool {
	k := 0
	for _, v := range voters {
		if counted(v) {
			k++
		}
	}
	return k >= quorum(len(voters))
}

// members returns every member of the configuration (voters in either half of a joint
// configuration, and learners) once each, sorted.
func (cs ConfState) members() []uint64 {
	all := slices.Concat(cs.Voters, cs.VotersOutgoing, cs.Learners)
	slices.Sort(all)
	return slices.Compact(all)
}
