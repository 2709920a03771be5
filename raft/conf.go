package raft

import (
	"fmt"
	"slices"
)

// confPoint records the configuration in force from a configuration entry on.
type confPoint struct {
	index uint64
	conf  ConfState
}

// membership tracks a node's configuration. Configurations take effect when their entry
// is appended (thesis §4.1), so the current one is that of the last configuration entry
// in the log, or the base (as of the snapshot, or empty) if there is none; truncating a
// configuration entry away reverts to the one before it.
type membership struct {
	base ConfState
	// points holds the configuration entries after the snapshot, in index order.
	points []confPoint
}

func (ms *membership) current() ConfState {
	if n := len(ms.points); n > 0 {
		return ms.points[n-1].conf
	}
	return ms.base
}

// asOf returns the configuration in force at log index (that of the last configuration entry
// at or before it, or the base).
func (ms *membership) asOf(index uint64) ConfState {
	conf := ms.base
	for _, p := range ms.points {
		if p.index > index {
			break
		}
		conf = p.conf
	}
	return conf
}

// lastIndex returns the index of the last configuration entry in the log (0 if none
// after the snapshot).
func (ms *membership) lastIndex() uint64 {
	if n := len(ms.points); n > 0 {
		return ms.points[n-1].index
	}
	return 0
}

// appended applies a configuration entry (EntryConfChange or EntryJointChange) appended at
// index. Entries are validated before they reach a log; one that does not decode changes
// nothing.
func (ms *membership) appended(e *Entry) {
	next, ok := applyConfEntry(ms.current(), e)
	if ok {
		ms.points = append(ms.points, confPoint{index: e.Index, conf: next})
	}
}

// applyConfEntry returns the configuration after configuration entry e, and false if e
// is not one or does not decode.
func applyConfEntry(cs ConfState, e *Entry) (ConfState, bool) {
	switch e.Type {
	case EntryConfChange:
		cc, err := DecodeConfChange(e.Data)
		return applyConfChange(cs, cc), err == nil
	case EntryJointChange:
		jc, err := DecodeJointChange(e.Data)
		return applyJointChange(cs, jc), err == nil
	}
	return cs, false
}

// decodeConfEntry checks that the Data of configuration entry e decodes.
func decodeConfEntry(e *Entry) error {
	var err error
	switch e.Type {
	case EntryConfChange:
		_, err = DecodeConfChange(e.Data)
	case EntryJointChange:
		_, err = DecodeJointChange(e.Data)
	}
	return err
}

// truncated forgets the configuration entries at or after index.
func (ms *membership) truncated(index uint64) bool {
	n := len(ms.points)
	for n > 0 && ms.points[n-1].index >= index {
		n--
	}
	changed := n != len(ms.points)
	ms.points = ms.points[:n:n]
	return changed
}

// compacted makes the configuration as of index the base.
func (ms *membership) compacted(index uint64) {
	k := 0
	for k < len(ms.points) && ms.points[k].index <= index {
		ms.base = ms.points[k].conf
		k++
	}
	ms.points = slices.Clone(ms.points[k:])
}

// reset replaces everything with base (a snapshot's configuration).
func (ms *membership) reset(base ConfState) {
	ms.base = cloneConf(base)
	for _, ids := range []*[]uint64{&ms.base.Voters, &ms.base.Learners, &ms.base.VotersOutgoing} {
		slices.Sort(*ids)
		*ids = slices.Compact(*ids)
	}
	ms.points = nil
}

// applyConfChange returns the configuration after cc. It is total: a change that does
// not apply (the leader refuses to propose those) leaves the result well formed.
func applyConfChange(cs ConfState, cc ConfChange) ConfState {
	voters := slices.Clone(cs.Voters)
	learners := slices.Clone(cs.Learners)
	switch cc.Type {
	case AddLearner:
		if !slices.Contains(voters, cc.Node) {
			learners = insertID(learners, cc.Node)
		}
	case AddVoter:
		learners = removeID(learners, cc.Node)
		voters = insertID(voters, cc.Node)
	case RemoveNode:
		voters = removeID(voters, cc.Node)
		learners = removeID(learners, cc.Node)
	}
	return ConfState{Voters: voters, Learners: learners, VotersOutgoing: slices.Clone(cs.VotersOutgoing)}
}

// checkConfChange tells whether cc applies to cs, for a leader deciding to propose it.
func checkConfChange(cs ConfState, cc ConfChange) error {
	if cs.Joint() {
		return fmt.Errorf("%w: %s: the joint configuration is not yet left", ErrConfChangePending, cc)
	}
	isVoter := slices.Contains(cs.Voters, cc.Node)
	isLearner := slices.Contains(cs.Learners, cc.Node)
	switch cc.Type {
	case AddLearner:
		if isVoter || isLearner {
			return fmt.Errorf("%w: %s: node %d is already a member", ErrInvalidConfChange, cc, cc.Node)
		}
	case AddVoter:
		if !isLearner {
			return fmt.Errorf("%w: %s: only a learner can be promoted", ErrInvalidConfChange, cc)
		}
	case RemoveNode:
		if !isVoter && !isLearner {
			return fmt.Errorf("%w: %s: node %d is not a member", ErrInvalidConfChange, cc, cc.Node)
		}
		if isVoter && len(cs.Voters) == 1 {
			return fmt.Errorf("%w: %s: cannot remove the last voter", ErrInvalidConfChange, cc)
		}
	default:
		return fmt.Errorf("%w: type %d", ErrInvalidConfChange, cc.Type)
	}
	return nil
}

func insertID(ids []uint64, id uint64) []uint64 {
	i, found := slices.BinarySearch(ids, id)
	if found {
		return ids
	}
	return slices.Insert(ids, i, id)
}

func removeID(ids []uint64, id uint64) []uint64 {
	i, found := slices.BinarySearch(ids, id)
	if !found {
		return ids
	}
	return slices.Delete(ids, i, i+1)
}

func cloneConf(cs ConfState) ConfState {
	return ConfState{Voters: slices.Clone(cs.Voters), Learners: slices.Clone(cs.Learners),
		VotersOutgoing: slices.Clone(cs.VotersOutgoing)}
}

// quorum returns the number of voters that make a majority of n voters.
func quorum(n int) int { return n/2 + 1 }
