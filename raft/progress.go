package raft

import "fmt"

// progress is a leader's view of one member (voter or learner, itself included).
type progress struct {
	id uint64
	// match is the highest index known to be replicated on the member; next is the next
	// index to send. Neither moves backwards on reordered replies (only a rejection of
	// next-1 lowers next, and never below match+1).
	// Invariant: match < next.
	match uint64
	next  uint64
	state ProgressState
	// learner mirrors the configuration: learners replicate but are not counted.
	learner bool
	// probeSent: in Probe state a MsgApp is outstanding; no other is sent until it is
	// answered or a heartbeat response arrives.
	probeSent bool
	// forceApp asks for one MsgApp (empty if need be) at the next flush even if paused,
	// to uncover messages lost in Replicate state.
	forceApp bool
	// recentActive: heard from since the last CheckQuorum round.
	recentActive bool
	// sentCommit is the highest commit index sent in a MsgApp, to know when an empty
	// MsgApp is worth sending just to advance the follower's commit.
	sentCommit uint64
	// roundAck is the highest ReadIndex round the member acknowledged in this term.
	roundAck uint64
	// inflights bounds the unacknowledged MsgApps in Replicate state.
	inflights inflights
	// snap is the state of the snapshot transfer in Snapshot state.
	snap snapTransfer
}

// snapTransfer tracks the chunks of a snapshot sent to one follower.
type snapTransfer struct {
	index, term uint64
	// snap and crc are the snapshot being sent, kept until the transfer ends: a leader that
	// compacts again meanwhile finishes this one rather than starting over with its newer
	// snapshot, which under load it would replace again before any transfer could finish.
	snap Snapshot
	crc  uint32
	// acked is the offset the follower confirmed holding; sent is how far chunks went out.
	// Invariant: acked <= sent.
	acked uint64
	sent  uint64
	// doneSent: the last chunk was sent (and not yet due for a resend).
	doneSent  bool
	idleTicks int
}

func newProgress(id, next uint64, learner bool, maxInflight int) progress {
	return progress{id: id, next: next, learner: learner, inflights: newInflights(maxInflight)}
}

func (pr *progress) becomeProbe() {
	pr.state = ProgressProbe
	pr.next = pr.match + 1
	pr.probeSent = false
	pr.inflights.reset()
}

func (pr *progress) becomeReplicate() {
	pr.state = ProgressReplicate
	pr.next = pr.match + 1
	pr.probeSent = false
	pr.inflights.reset()
}

func (pr *progress) becomeSnapshot(snap Snapshot, crc uint32) {
	pr.state = ProgressSnapshot
	pr.probeSent = false
	pr.inflights.reset()
	pr.snap = snapTransfer{index: snap.Meta.Index, term: snap.Meta.Term, snap: snap, crc: crc}
}

// paused reports whether MsgApps to the member must wait.
func (pr *progress) paused() bool {
	switch pr.state {
	case ProgressProbe:
		return pr.probeSent
	case ProgressReplicate:
		return pr.inflights.full()
	}
	return true
}

// maybeUpdate records a successful append up to n, returning whether match grew. With
// regress (the ProgressRegress mutation) match and next are overwritten even if n is
// smaller.
func (pr *progress) maybeUpdate(n uint64, regress bool) bool {
	if regress {
		grew := n > pr.match
		if n+1 < pr.next {
			pr.inflights.reset()
		}
		pr.match, pr.next = n, n+1
		pr.probeSent = false
		return grew
	}
	grew := false
	if n > pr.match {
		pr.match = n
		pr.probeSent = false
		grew = true
	}
	pr.next = max(pr.next, n+1)
	return grew
}

// maybeDecrTo handles a rejection of prevLogIndex rejected with the follower's hint
// matchHint. It returns false for a stale rejection, which changes nothing.
func (pr *progress) maybeDecrTo(rejected, matchHint uint64) bool {
	switch pr.state {
	case ProgressReplicate:
		if rejected <= pr.match {
			return false
		}
		pr.becomeProbe()
	case ProgressProbe:
		if pr.next-1 != rejected {
			return false
		}
	default:
		return false
	}
	next := max(min(rejected, matchHint+1), pr.match+1)
	if next == pr.next && pr.state == ProgressProbe {
		// The follower rejected the entry it is known to match: only possible if it lost
		// entries (a broken peer). Retrying at once would loop; the next heartbeat
		// response retries instead.
		return false
	}
	pr.next = next
	pr.probeSent = false
	return true
}

// sentEntries records a MsgApp carrying entries up to last.
func (pr *progress) sentEntries(last uint64, n int) {
	switch pr.state {
	case ProgressReplicate:
		if n > 0 {
			pr.next = last + 1
			pr.inflights.add(last)
		}
	case ProgressProbe:
		pr.probeSent = true
	default:
		panic(fmt.Sprintf("raft: sending entries to %d in state %s", pr.id, pr.state))
	}
}

func (pr *progress) checkInvariants(lastIndex uint64) {
	if pr.match >= pr.next || pr.next > lastIndex+1 {
		panic(fmt.Sprintf("raft: progress of %d: match %d < next %d <= last+1 %d broken",
			pr.id, pr.match, pr.next, lastIndex+1))
	}
	if pr.snap.acked > pr.snap.sent {
		panic(fmt.Sprintf("raft: snapshot transfer to %d: acked %d > sent %d", pr.id, pr.snap.acked, pr.snap.sent))
	}
}

func (pr *progress) status() PeerStatus {
	return PeerStatus{ID: pr.id, Match: pr.match, Next: pr.next, State: pr.state, Learner: pr.learner}
}
