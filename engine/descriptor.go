package engine

import "strconv"

// Descriptor names an engine and says what it is: how to build it, which semantics its
// implementation has (the checkers follow them) and which bugs can be planted in it.
type Descriptor struct {
	Name      string // what --engine takes
	Version   string // the implementation's module version; repro files record it
	Semantics Semantics
	New       Factory
	Mutants   []Mutant
	// Describe renders a message in the implementation's wire format on one line (type, term,
	// indexes, votes granted or rejected, entries), for a replay's trace; nil if it cannot.
	Describe func(msg []byte) string
}

// Semantics declares where implementations of Raft legitimately differ, so that a checker
// holds each engine to its own contract rather than to another's.
type Semantics struct {
	// ConfOnApply: a configuration takes effect when its entry is applied (etcd raft), not
	// when it is appended (the thesis' rule, §4.1). Checks of the append-time rule do not
	// apply; the apply-time rule (one change pending until the previous one is applied) does.
	ConfOnApply bool
	// PromotesLearners: the implementation promotes a caught-up learner itself. Otherwise the
	// host proposes PromoteVoter once the learner's log matches the leader's commit index.
	PromotesLearners bool
	// LazyApply: the host may restore a batch's snapshot and apply its committed entries
	// after Advance, at its own pace and in order (a slow state machine, applied behind
	// commit); the engine never assumes the state machine has reached what it handed out
	// (an image it asks for is at the host's own applied index). etcd raft: Advance "may be
	// done at any time after" persisting, the updates processed in order.
	LazyApply bool
	// RepeatReads: ReadIndex may be called again with the context of a read that has not
	// been answered yet (a host retrying a read with its original context, the way etcd's
	// server does); the engine answers every call or ignores the repeats, never another read.
	RepeatReads bool
	// AsyncWrites: the engine can persist its log asynchronously (Config.AsyncWrites; etcd
	// raft's AsyncStorageWrites): messages to peers may leave before the local append is
	// durable, while acknowledgements of the append (the follower's, the leader's own) and
	// votes wait for it. Runs then draw it per seed (cluster.Config.AsyncWrites).
	AsyncWrites bool
	// MixedProtocol says which mixes of PreVote and CheckQuorum settings the members may run
	// at once, each node taking its own from Config.Protocol when it starts, as when an
	// operator turns a setting on or off one node at a time (a rolling restart).
	MixedProtocol Mix
	// QuietBelowTermWithoutChecks: a member answers an AppendEntries or heartbeat of a lower
	// term with its own term only while it runs CheckQuorum or PreVote (etcd raft); without
	// either it stays silent and relies on its own vote requests, once its election timer
	// fires, to depose that leader. Otherwise it always answers (Figure 2).
	QuietBelowTermWithoutChecks bool
}

// Mix is how far an engine lets members' PreVote and CheckQuorum settings differ.
type Mix uint8

const (
	// MixNone: every member runs the same settings.
	MixNone Mix = iota
	// MixGuarded: settings may differ, but while any member runs CheckQuorum, every member
	// runs CheckQuorum or PreVote. A member running neither ignores a leader of a lower
	// term in etcd raft, which relies on its vote requests to depose that leader; members
	// running CheckQuorum ignore those, so a member whose term ran ahead is stranded for
	// good (testdata/regressions/finding-etcd-mixed-check-quorum.json).
	MixGuarded
	// MixAny: any mix.
	MixAny
)

// String names the mix as `raftcheck list engines` shows it.
func (m Mix) String() string {
	switch m {
	case MixNone:
		return "uniform protocol settings"
	case MixGuarded:
		return "mixed PreVote/CheckQuorum settings, each member running one while any runs CheckQuorum"
	case MixAny:
		return "any mix of PreVote/CheckQuorum settings"
	}
	return "Mix(" + strconv.Itoa(int(m)) + ")"
}

// Allows reports whether members running a and b (PreVote, CheckQuorum) may be in one
// cluster at once.
func (m Mix) Allows(a, b [2]bool) bool {
	switch {
	case a == b || m == MixAny:
		return true
	case m == MixNone:
		return false
	}
	neither := func(p [2]bool) bool { return !p[0] && !p[1] }
	return !(neither(a) && b[1] || neither(b) && a[1])
}

// Mutant is a planted bug, switched on by name, used to measure how fast the framework finds
// bugs. Each is named after the real mistake it plants.
type Mutant struct {
	Name string
	Help string
}

// Lookup returns the mutant called name, if d has one.
func (d *Descriptor) Lookup(name string) (Mutant, bool) {
	for _, m := range d.Mutants {
		if m.Name == name {
			return m, true
		}
	}
	return Mutant{}, false
}
