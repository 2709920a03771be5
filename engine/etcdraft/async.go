package etcdraft

import (
	"errors"
	"fmt"
	"slices"

	"github.com/raftcheck/raftcheck/engine"
	etcd "go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"
)

// Asynchronous storage writes (engine.Config.AsyncWrites, etcd's Config.AsyncStorageWrites).
//
// etcd's Ready then carries no obligation to persist before sending: its Messages hold a
// MsgStorageAppend for the local append thread (entries, hard state, snapshot, and the
// responses to deliver once they are durable: the follower's MsgAppResp, a vote, the leader's
// own acknowledgement, the MsgStorageAppendResp), a MsgStorageApply for the local apply thread
// (the committed entries, with a MsgStorageApplyResp to deliver once applied), and messages
// for peers, which may leave at once. RawNode.Advance must not be called.
//
// The adapter is the append thread, run deterministically by the host's own loop: a Ready
// of etcd becomes an output Batch holding its peer messages (no disk write, so the host sends
// them at once) and queues its MsgStorageAppend; the next Ready writes the queued append to
// the WAL and syncs (the host waits for the disk; a crash then strikes the sync in flight),
// and that Batch's messages are the append's responses to peers. Responses to the node itself
// are stepped in Advance, once the host's wait is over. The apply thread runs after the append
// thread: the Ready's committed entries and reads go with its append's Batch (with none, with
// its messages), and the MsgStorageApplyResp is stepped in that Batch's Advance. etcd hands
// out only entries that are durable here, but its commit index may not be yet: applied with
// the append, the entries are never above the commit index the node saved. Nothing is
// acknowledged before the write under it is durable.

// owedAppend is a MsgStorageAppend taken from etcd and not written yet.
type owedAppend struct {
	m *pb.Message
	// leading: the node led its term before and after the Ready that made m, whose commit
	// index then moved under conf (the configuration in force then) or the one in force when
	// m is written.
	leading bool
	conf    engine.Conf
	// The same Ready's committed entries, reads and MsgStorageApply responses.
	committed []*pb.Entry
	reads     []etcd.ReadState
	applied   []*pb.Message
}

// readyAsync is Ready with asynchronous storage writes: the oldest owed append first, else
// etcd's next Ready.
func (e *node) readyAsync(b engine.Batch) (engine.Batch, bool, error) {
	if b.Observed.Synced { // a timer sync is reported before newer writes
		return b, true, nil
	}
	if len(e.appends) > 0 {
		e.inReady = true
		if err := e.writeAppend(&b); err != nil {
			return engine.Batch{}, false, err
		}
		return b, true, nil
	}
	if !e.rn.HasReady() {
		return b, b.Snapshot != nil, nil
	}
	e.rd = e.rn.Ready()
	e.inReady = true
	wasLeader := e.leader
	e.observe(&b.Observed)
	peers, queued := e.route(wasLeader && e.leader, e.conf())
	if queued {
		b.Messages = e.encode(peers)
		return b, true, nil
	}
	e.outputs(&b, peers, nil, e.rd.CommittedEntries, e.rd.ReadStates)
	return b, true, nil
}

// route sorts the Ready's messages and returns those to peers. Its append is queued, with
// its committed entries, reads and apply responses (queued says so); without an append, the
// apply responses wait for this Batch's Advance.
func (e *node) route(leading bool, conf engine.Conf) (peers []*pb.Message, queued bool) {
	peers = e.peerMsgs[:0]
	var apply []*pb.Message
	for _, m := range e.rd.Messages {
		switch m.GetTo() {
		case etcd.LocalAppendThread:
			e.appends = append(e.appends, owedAppend{m: m, leading: leading, conf: conf,
				committed: e.rd.CommittedEntries, reads: e.rd.ReadStates})
			queued = true
			if len(e.appends) > maxOwedAppends {
				panic(fmt.Sprintf("etcdraft: node %d owes %d appends: the host does not call Ready", e.id, len(e.appends)))
			}
		case etcd.LocalApplyThread:
			apply = append(apply, m.GetResponses()...)
		default:
			peers = append(peers, m)
		}
	}
	if queued {
		a := &e.appends[len(e.appends)-1]
		a.applied = apply
	} else {
		e.local = append(e.local, apply...)
	}
	e.peerMsgs = peers
	return peers, queued
}

// maxOwedAppends bounds the append queue: each output Batch queues at most one, and the
// next Ready writes it.
const maxOwedAppends = 64

// writeAppend writes the oldest owed append: its snapshot, entries and hard state to the
// WAL, synced when etcd's MustSync rule asks it (new entries, term or vote, a snapshot),
// then to the MemoryStorage; the Batch carries its responses to peers, and those to the node
// itself wait for Advance.
func (e *node) writeAppend(b *engine.Batch) error {
	a := e.appends[0]
	e.appends[0] = owedAppend{}
	e.appends = e.appends[1:]
	m, o := a.m, &b.Observed
	snap := m.GetSnapshot() != nil && !etcd.IsEmptySnap(m.GetSnapshot())
	if snap {
		if err := e.installSnapshot(m.GetSnapshot(), o); err != nil {
			return err
		}
		if !e.mut.skipRestore {
			md := m.GetSnapshot().GetMetadata()
			b.Snapshot = &engine.SnapshotData{Index: md.GetIndex(), Term: md.GetTerm(), Data: m.GetSnapshot().GetData()}
		}
	}
	var hs *pb.HardState
	if m.Term != nil {
		hs = &pb.HardState{Term: m.Term, Vote: m.Vote, Commit: m.Commit}
	}
	w := write{hs: hs, ents: m.GetEntries(), sync: snap || len(m.GetEntries()) > 0 ||
		hs != nil && (hs.GetTerm() != e.durable[0] || hs.GetVote() != e.durable[1])}
	if w.sync && e.mut.asyncAckBeforeSync { // the responses go; the sync waits for the next tick
		e.owedSync, w.sync = true, false
	}
	unsynced, err := e.save(w, o)
	if err != nil {
		return err
	}
	o.Synced = o.Synced || snap && !unsynced
	if err := e.store.Append(m.GetEntries()); err != nil {
		return fmt.Errorf("etcdraft: node %d: appending %d entries to the storage: %w", e.id, len(m.GetEntries()), err)
	}
	if hs != nil {
		e.durable = [2]uint64{hs.GetTerm(), hs.GetVote()}
		if a.leading && hs.GetCommit() > e.commit {
			o.Quorums = append(slices.Clone(e.confsSince), a.conf, e.conf())
		}
		e.commit, e.confsSince = hs.GetCommit(), e.confsSince[:0]
		if err := e.store.SetHardState(hs); err != nil {
			return err
		}
	}
	peers := e.respond(b, m.GetResponses())
	e.outputs(b, peers, nil, a.committed, a.reads)
	e.local = append(e.local, a.applied...)
	return nil
}

// respond returns an append's responses to peers, putting the votes they grant in the
// Batch, and keeps those to the node itself for Advance.
func (e *node) respond(b *engine.Batch, resps []*pb.Message) []*pb.Message {
	peers := e.peerMsgs[:0]
	for _, r := range resps {
		if r.GetTo() == raftID(e.id) {
			e.local = append(e.local, r)
			continue
		}
		peers = append(peers, r)
		if r.GetType() == pb.MsgVoteResp && !r.GetReject() {
			b.Observed.Votes = append(b.Observed.Votes, engine.Vote{Term: r.GetTerm(), Candidate: r.GetTo()})
		}
	}
	e.peerMsgs = peers
	return peers
}

// stepLocal delivers the responses owed to the node itself, in order, once the host is done
// with the Batch that made them due. A response from a member removed since is dropped; any
// other refusal is reported by the next Ready.
func (e *node) stepLocal() {
	for i, m := range e.local {
		err := e.rn.Step(m)
		if err != nil && !errors.Is(err, etcd.ErrStepPeerNotFound) && e.localErr == nil {
			e.localErr = fmt.Errorf("etcdraft: node %d: stepping %v from the local storage thread: %w", e.id, m.GetType(), err)
		}
		e.local[i] = nil
	}
	e.local = e.local[:0]
}
