package raftengine

import (
	"fmt"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/engine"
	"github.com/raftcheck/raftcheck/raft"
)

// Ready persists raft's Ready through the WAL and translates it into a engine.Batch.
func (e *raftEngine) Ready() (engine.Batch, bool, error) {
	if e.syncErr != nil {
		return engine.Batch{}, false, e.syncErr
	}
	var b engine.Batch
	if e.restore != nil { // the first batch of a life restores the recovered snapshot
		b.Snapshot, e.restore = e.restore, nil
	}
	b.Observed.Synced, e.synced = e.synced, false
	if !e.node.HasReady() || b.Observed.Synced { // a timer sync is reported before newer writes
		return b, b.Snapshot != nil || b.Observed.Synced, nil
	}
	rd := e.node.Ready()
	e.inReady = true
	if err := e.persist(rd, &b.Observed); err != nil {
		return engine.Batch{}, false, err
	}
	e.outputs(rd, &b)
	return b, true, nil
}

// persist writes a Ready's snapshot, entries and hard state, syncing when raft requires it
// (or, with mutant SendBeforeSync, one round late).
func (e *raftEngine) persist(rd raft.Ready, o *engine.Observations) error {
	if rd.Snapshot != nil {
		if err := e.log.SaveSnapshot(*rd.Snapshot); err != nil {
			return fmt.Errorf("node %d: saving snapshot %d: %w", e.id, rd.Snapshot.Meta.Index, err)
		}
		// Raft keeps the log after the snapshot when it matches. The kept entries are restated
		// in Entries only if they were not yet persisted: a Step between the Ready that saved
		// them and its Advance may install the snapshot, and then both raft and the WAL keep
		// them without restating. Entries that start right after the snapshot restate the
		// whole log after it (kept or newly appended), so nothing else is kept.
		restated := len(rd.Entries) > 0 && rd.Entries[0].Index == rd.Snapshot.Meta.Index+1
		keep := !restated && e.node.Status().LastIndex > rd.Snapshot.Meta.Index
		o.Snapshot = &checker.SnapshotObs{Index: rd.Snapshot.Meta.Index, Term: rd.Snapshot.Meta.Term, KeepSuffix: keep}
	}
	sync := rd.MustSync
	if e.syncLate { // the messages leave first; the sync waits for the next tick
		e.owedSync = e.owedSync || sync
		sync = false
	}
	if len(rd.Entries) > 0 || !rd.HardState.IsEmpty() || sync {
		if err := e.log.Save(rd.HardState, rd.Entries, sync); err != nil {
			return fmt.Errorf("node %d: saving %d entries: %w", e.id, len(rd.Entries), err)
		}
	}
	e.saved = appendObs(e.saved[:0], rd.Entries) // read by the host before the next Ready
	o.Saved = e.saved
	for i, ent := range rd.Entries {
		if ent.Type == raft.EntryConfChange || ent.Type == raft.EntryJointChange {
			o.Confs = append(o.Confs, o.Saved[i])
		}
	}
	committed := false
	if !rd.HardState.IsEmpty() {
		hs := obsHardState(rd.HardState)
		o.HardState = &hs
		committed = hs.Commit > e.commit && e.leader
		e.commit = hs.Commit
	}
	// Every batch, not only those with a hard state: a configuration entry appended in a
	// batch without one (commit and term unchanged) takes effect at once, and the next
	// commit may be counted under it.
	o.Quorums = e.quorums(committed)
	o.Synced = o.Synced || sync || rd.Snapshot != nil && len(rd.Entries) == 0 && rd.HardState.IsEmpty()
	if rd.SoftState != nil || rd.HardState.Term != e.term && !rd.HardState.IsEmpty() {
		st := e.node.Status()
		o.Role, o.Term, e.term = role(st.Role), st.HardState.Term, st.HardState.Term
	}
	for _, m := range rd.Messages {
		if m.Type == raft.MsgVoteResp && !m.Reject {
			o.Votes = append(o.Votes, engine.Vote{Term: m.Term, Candidate: m.To})
		}
	}
	if rd.SoftState != nil {
		lead := rd.SoftState.Role == raft.Leader
		if lead && !e.leader {
			o.Leader = e.node.Status().HardState.Term
			elected := e.conf()
			o.Elected = &elected
		}
		e.leader = lead
	}
	o.Term = e.term
	if e.leader {
		e.progress = e.node.AppendProgress(e.progress[:0])
		e.matches = e.matches[:0]
		for _, p := range e.progress {
			e.matches = append(e.matches, checker.Match{Node: nodeOf(p.ID), Index: p.Match})
		}
		o.Matches = e.matches // read by the host before the next Ready
	}
	return nil
}

// quorums returns the configurations before and after the current batch if committed (a
// leader advanced its commit index), and remembers the current one.
func (e *raftEngine) quorums(committed bool) []engine.Conf {
	e.ids = e.node.AppendVoters(e.ids[:0])
	e.outIDs = e.node.AppendVotersOutgoing(e.outIDs[:0])
	if !committed && sameNodes(e.ids, e.voters.Voters) && sameNodes(e.outIDs, e.voters.Outgoing) {
		return nil // nothing to report and nothing changed: no allocation
	}
	before := e.voters
	e.voters = engine.Conf{Voters: nodesOf(e.ids), Outgoing: nodesOf(e.outIDs)}
	if !committed {
		return nil
	}
	return []engine.Conf{before, e.voters}
}

// conf returns the node's current configuration in the checker's terms.
func (e *raftEngine) conf() engine.Conf {
	return engine.Conf{Voters: nodesOf(e.node.AppendVoters(nil)), Outgoing: nodesOf(e.node.AppendVotersOutgoing(nil))}
}

func sameNodes(ids []uint64, nodes []int) bool {
	if len(ids) != len(nodes) {
		return false
	}
	for i, v := range ids {
		if nodeOf(v) != nodes[i] {
			return false
		}
	}
	return true
}

// nodesOf names raft IDs as nodes (nil for none).
func nodesOf(ids []uint64) []int {
	if len(ids) == 0 {
		return nil
	}
	out := make([]int, len(ids))
	for i, v := range ids {
		out[i] = nodeOf(v)
	}
	return out
}

// outputs turns a Ready's outputs into the host's terms.
func (e *raftEngine) outputs(rd raft.Ready, b *engine.Batch) {
	if s := rd.Snapshot; s != nil {
		b.Snapshot = &engine.SnapshotData{Index: s.Meta.Index, Term: s.Meta.Term, Data: s.Data}
	}
	// The buffers are reused from batch to batch: the host is done with a batch before it
	// asks for the next one.
	e.out, e.ends, e.outbound = e.out[:0], e.ends[:0], e.outbound[:0]
	for _, m := range rd.Messages {
		e.out = raft.AppendMessage(e.out, m)
		e.ends = append(e.ends, len(e.out))
	}
	start := 0
	for i, m := range rd.Messages {
		e.outbound = append(e.outbound, engine.Outbound{To: nodeOf(m.To), Data: e.out[start:e.ends[i]:e.ends[i]], Snapshot: m.Type == raft.MsgSnap})
		start = e.ends[i]
	}
	b.Messages = e.outbound
	e.apply = e.apply[:0]
	for _, ent := range rd.CommittedEntries {
		c := engine.Committed{Index: ent.Index, Term: ent.Term, Digest: digest(ent)}
		switch {
		case ent.Type == raft.EntryJointChange:
			c.Joint = e.jointApplied(ent)
		case ent.Type == raft.EntryConfChange:
			cc, err := raft.DecodeConfChange(ent.Data)
			if err != nil {
				panic(fmt.Sprintf("raftengine: node %d committed an undecodable conf change at %d: %v", e.id, ent.Index, err))
			}
			c.Member = &engine.MemberChange{Op: memberOp(cc.Type), Node: nodeOf(cc.Node)}
		case len(ent.Data) > 0:
			c.Command = ent.Data
		}
		e.apply = append(e.apply, c)
	}
	b.Apply = e.apply
	for _, rs := range rd.ReadStates {
		b.Reads = append(b.Reads, engine.ReadReady{Index: rs.Index, Ctx: rs.Ctx})
	}
}

func memberOp(t raft.ConfChangeType) engine.MemberOp {
	switch t {
	case raft.AddLearner:
		return engine.AddLearner
	case raft.RemoveNode:
		return engine.RemoveMember
	}
	return engine.PromoteVoter
}

// role names a raft role in the engine's terms.
func role(r raft.Role) engine.Role {
	switch r {
	case raft.Follower:
		return engine.Follower
	case raft.PreCandidate:
		return engine.PreCandidate
	case raft.Candidate:
		return engine.Candidate
	case raft.Leader:
		return engine.Leader
	}
	panic(fmt.Sprintf("raftengine: unknown raft role %v", r))
}

// jointApplied translates a committed joint entry for the host.
func (e *raftEngine) jointApplied(ent raft.Entry) *engine.JointChange {
	jc, err := raft.DecodeJointChange(ent.Data)
	if err != nil {
		panic(fmt.Sprintf("raftengine: node %d committed an undecodable joint change at %d: %v", e.id, ent.Index, err))
	}
	out := &engine.JointChange{}
	for _, cc := range jc.Changes { // AddLearner of a voter (a demotion) reads the same
		out.Changes = append(out.Changes, engine.MemberChange{Op: memberOp(cc.Type), Node: nodeOf(cc.Node)})
	}
	return out
}
