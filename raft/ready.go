package raft

import "fmt"

// Ready is a batch of work the host must do, in this order:
//
//  1. Persist: if Snapshot is set, save it (it replaces the log up to its index, and the
//     entries after it are exactly those in Entries); save Entries (Entries[0].Index may
//     overwrite a suffix of the stored log: drop everything from it on first) and
//     HardState if it is not empty. If MustSync, make all of it durable (fsync) before
//     going on.
//  2. Send Messages. They may depend on step 1: a vote is granted, or an append
//     acknowledged, only once what it promises is durable.
//  3. Apply: if Snapshot is set, restore the state machine from it; then apply
//     CommittedEntries in order; then serve the ReadStates whose Index is applied.
//  4. Call Advance.
//
// Steps 2 and 3 may happen in either order or together, but both only after step 1. Step 3
// may also finish after Advance, at the host's pace (a slow state machine), as long as the
// host applies in order and only Compacts through what it has applied. No
// other Ready may be requested before Advance; Step, Tick and the proposal methods may be
// called in between. The slices in a Ready alias the node's memory: read them, do not
// modify them. Messages stays valid until the Advance of the next Ready, which recycles
// its array for later messages: a host that keeps messages longer copies them (the Message
// values; the slices inside a Message stay valid).
type Ready struct {
	// SoftState is the new leader and role, nil if unchanged since the last Ready.
	SoftState *SoftState
	// HardState is the new term, vote and commit index to persist, zero if unchanged.
	HardState HardState
	// Entries are log entries to persist before sending Messages.
	Entries []Entry
	// Snapshot is a snapshot received from the leader, to persist and restore from.
	Snapshot *Snapshot
	// CommittedEntries are entries to apply, in order, after persisting. After a restart
	// they start after the restored snapshot: committed entries are handed out again.
	CommittedEntries []Entry
	// Messages are to be sent after persisting. They stay valid until the Advance of the
	// next Ready, which reuses their array.
	Messages []Message
	// ReadStates answer ReadIndex requests.
	ReadStates []ReadState
	// MustSync is true when HardState's term or vote changed, or Entries or Snapshot is
	// set: those must be durable before Messages leave. A change of commit index alone
	// need not be synced (the commit index is recovered from the log).
	MustSync bool
}

// HasReady reports whether Ready would return any work. It is false while a Ready is
// outstanding (not yet acknowledged by Advance).
func (n *Node) HasReady() bool {
	if n.rd.out {
		return false
	}
	n.flush()
	if len(n.msgs) > 0 || len(n.readStates) > 0 || n.pendingSnap != nil {
		return true
	}
	if (SoftState{Lead: n.lead, Role: n.role}) != n.prevSoft {
		return true
	}
	if n.reportedHardState() != n.prevHard {
		return true
	}
	return n.log.stable < n.log.lastIndex() || n.log.applying < n.log.committed
}

// Ready returns the work accumulated since the last Ready (see the Ready type for what to
// do with it). Calling it again before Advance panics.
func (n *Node) Ready() Ready {
	if n.rd.out {
		panic(fmt.Sprintf("raft: node %d: Ready called again before Advance", n.id))
	}
	n.flush()
	var rd Ready
	if soft := (SoftState{Lead: n.lead, Role: n.role}); soft != n.prevSoft {
		n.prevSoft = soft
		rd.SoftState = new(SoftState) // only here: taking soft's address would allocate every call
		*rd.SoftState = soft
	}
	hs := n.reportedHardState()
	if hs != n.prevHard {
		rd.HardState = hs
	}
	rd.Entries = n.log.unstable()
	rd.Snapshot = n.pendingSnap
	rd.CommittedEntries = n.log.nextApply(n.cfg.MaxApplyEntries)
	rd.Messages, n.msgs = n.msgs, n.takeFree()
	rd.ReadStates, n.readStates = n.readStates, nil
	rd.MustSync = hs.Term != n.prevHard.Term || hs.Vote != n.prevHard.Vote ||
		len(rd.Entries) > 0 || rd.Snapshot != nil
	n.prevHard = hs

	n.rd = readyMark{out: true, msgs: rd.Messages}
	if k := len(rd.Entries); k > 0 {
		n.rd.lastIndex, n.rd.lastTerm = rd.Entries[k-1].Index, rd.Entries[k-1].Term
	}
	if k := len(rd.CommittedEntries); k > 0 {
		n.rd.applyTo = rd.CommittedEntries[k-1].Index
		n.log.applying = n.rd.applyTo
	}
	if rd.Snapshot != nil {
		n.rd.snapIndex = rd.Snapshot.Meta.Index
	}
	return rd
}

// reportedHardState is the HardState to persist. Under VoteNotPersisted the vote is left
// at what was persisted before.
func (n *Node) reportedHardState() HardState {
	hs := n.hardState()
	if n.cfg.Mutations.VoteNotPersisted {
		hs.Vote = n.prevHard.Vote
	}
	return hs
}

// Advance acknowledges that the last Ready was processed: its entries and snapshot are
// durable and its committed entries handed to the state machine (which may apply them
// later, in order).
func (n *Node) Advance() {
	if !n.rd.out {
		panic(fmt.Sprintf("raft: node %d: Advance without an outstanding Ready", n.id))
	}
	mark := n.rd
	n.rd = readyMark{}
	n.recycleMessages(mark.msgs)
	if mark.snapIndex != 0 && n.pendingSnap != nil && n.pendingSnap.Meta.Index == mark.snapIndex {
		n.pendingSnap = nil
	}
	if mark.lastIndex != 0 {
		n.log.stableTo(mark.lastIndex, mark.lastTerm)
	}
	if mark.applyTo > n.log.applied && mark.applyTo <= n.log.committed {
		n.log.applied = mark.applyTo
	}
	n.log.applying = max(n.log.applying, n.log.applied)
	if n.role == Leader {
		// The leader counts itself towards a quorum only for entries it has persisted.
		if pr := n.progress(n.id); pr != nil {
			pr.maybeUpdate(n.log.stable, false)
		}
		n.maybeCommit()
	}
	n.checkInvariants()
}

// The message buffers rotate through three arrays, so that a steady stream of Readys
// allocates none: the one msgs collects into, the one an outstanding Ready handed out, and
// the one of the Ready advanced before it (valid until the next Advance). An Advance frees
// the last, and msgs takes a free array whenever it has none, also at Ready, so messages
// stepped between a Ready and its Advance (a host that waits for its disk) reuse one too.

// takeFree returns a free message array, emptied, or nil when there is none. Arrays are
// cleared when freed, so that they keep no entries alive.
func (n *Node) takeFree() []Message {
	k := len(n.freeMsgs)
	if k == 0 {
		return nil
	}
	a := n.freeMsgs[k-1]
	n.freeMsgs[k-1] = nil
	n.freeMsgs = n.freeMsgs[:k-1]
	return a
}

// recycleMessages is an Advance's part: sent, the Messages of the Ready just advanced, stays
// valid until the next Advance; the array of the Ready before it is freed.
func (n *Node) recycleMessages(sent []Message) {
	if old := n.sentMsgs; cap(old) > 0 && len(n.freeMsgs) < 2 {
		clear(old)
		n.freeMsgs = append(n.freeMsgs, old[:0])
	}
	n.sentMsgs = sent
	if cap(n.msgs) == 0 {
		n.msgs = n.takeFree()
	}
}
