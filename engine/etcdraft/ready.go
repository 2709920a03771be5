package etcdraft

import (
	"fmt"
	"slices"

	"google.golang.org/protobuf/proto"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/engine"
	"github.com/raftcheck/raftcheck/raft"
	etcd "go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"
)

// write is what one Ready asks to append to the WAL.
type write struct {
	hs   *pb.HardState // nil: unchanged
	ents []*pb.Entry
	sync bool
}

// Ready follows etcd's contract with synchronous storage: it takes etcd's Ready, writes its
// snapshot, entries and hard state to the WAL and to the MemoryStorage (syncing when etcd
// requires it), and only then returns the Batch with the messages, the committed entries
// (applying their configuration changes to etcd, which configures on apply) and the reads.
func (e *node) Ready() (engine.Batch, bool, error) {
	if e.syncErr != nil {
		return engine.Batch{}, false, fmt.Errorf("etcdraft: node %d: timer sync: %w", e.id, e.syncErr)
	}
	if e.localErr != nil {
		return engine.Batch{}, false, e.localErr
	}
	if e.inReady {
		panic(fmt.Sprintf("etcdraft: node %d: Ready called again before Advance", e.id))
	}
	var b engine.Batch
	if e.restore != nil { // the first batch of a life restores the recovered snapshot
		b.Snapshot, e.restore = e.restore, nil
	}
	b.Observed.Synced, e.synced = e.synced, false
	if e.async {
		return e.readyAsync(b)
	}
	if b.Observed.Synced || !e.rn.HasReady() { // a timer sync is reported before newer writes
		return b, b.Snapshot != nil || b.Observed.Synced, nil
	}
	e.rd = e.rn.Ready()
	e.inReady = true
	if err := e.persist(&b.Observed); err != nil {
		return engine.Batch{}, false, err
	}
	e.observe(&b.Observed)
	e.outputs(&b, e.rd.Messages, e.rd.Snapshot, e.rd.CommittedEntries, e.rd.ReadStates)
	return b, true, nil
}

// persist writes the Ready's snapshot, entries and hard state to the WAL, then mirrors them in
// the MemoryStorage etcd reads.
func (e *node) persist(o *engine.Observations) error {
	rd := &e.rd
	snap := !etcd.IsEmptySnap(rd.Snapshot)
	if snap {
		if err := e.installSnapshot(rd.Snapshot, o); err != nil {
			return err
		}
	}
	// A snapshot's hard state (its commit index) is synced with it: a restart must not find
	// the snapshot without the commit that covers it.
	w := write{hs: rd.HardState, ents: rd.Entries, sync: rd.MustSync || snap}
	if e.mut.applyBeforePersist {
		w, e.owedWrite = e.owedWrite, write{hs: w.hs, ents: slices.Clone(w.ents), sync: w.sync}
		if snap { // the snapshot replaced the log the owed entries extended
			w.ents = nil
		}
		// A compaction since may cover owed entries (the host applied them): the WAL
		// holds the snapshot instead.
		for len(w.ents) > 0 && w.ents[0].GetIndex() <= e.store.snapIndex() {
			w.ents = w.ents[1:]
		}
	}
	unsynced, err := e.save(w, o)
	if err != nil {
		return err
	}
	o.Synced = o.Synced || snap && !unsynced
	if err := e.store.Append(rd.Entries); err != nil {
		return fmt.Errorf("etcdraft: node %d: appending %d entries to the storage: %w", e.id, len(rd.Entries), err)
	}
	if !etcd.IsEmptyHardState(rd.HardState) {
		return e.store.SetHardState(rd.HardState)
	}
	return nil
}

// installSnapshot saves a snapshot received from the leader; etcd replaces the whole log with
// it (it restores a snapshot only when its log does not hold the snapshot's last entry).
func (e *node) installSnapshot(s *pb.Snapshot, o *engine.Observations) error {
	md := s.GetMetadata()
	cs := pb.EnsureConfState(md.GetConfState())
	if err := e.log.SaveSnapshot(walSnapshot(md.GetIndex(), md.GetTerm(), cs, s.GetData())); err != nil {
		return fmt.Errorf("etcdraft: node %d: saving snapshot %d: %w", e.id, md.GetIndex(), err)
	}
	if err := e.store.ApplySnapshot(s); err != nil {
		return fmt.Errorf("etcdraft: node %d: restoring snapshot %d: %w", e.id, md.GetIndex(), err)
	}
	e.store.confs.reset(md.GetIndex(), cs)
	o.Snapshot = &checker.SnapshotObs{Index: md.GetIndex(), Term: md.GetTerm(), KeepSuffix: false}
	return nil
}

// save appends w to the WAL and reports it; unsynced says something was written without a
// sync.
func (e *node) save(w write, o *engine.Observations) (unsynced bool, err error) {
	var hs raft.HardState
	if !etcd.IsEmptyHardState(w.hs) && !e.mut.dropHardState {
		hs = walHardState(w.hs)
	}
	sync := w.sync
	if e.mut.sendBeforeSync && !e.async { // the messages leave first; the sync waits for the next tick
		e.owedSync = e.owedSync || sync
		sync = false
	}
	e.walEnts = appendWALEntries(e.walEnts[:0], w.ents)
	wrote := len(e.walEnts) > 0 || !hs.IsEmpty()
	if wrote || sync {
		if err := e.log.Save(hs, e.walEnts, sync); err != nil {
			return false, fmt.Errorf("etcdraft: node %d: saving %d entries: %w", e.id, len(e.walEnts), err)
		}
	}
	clear(e.walEnts) // drop the references to etcd's entries
	e.saved = appendObs(e.saved[:0], w.ents)
	o.Saved = e.saved
	for i, ent := range w.ents {
		if ent.GetType() != pb.EntryNormal && !isBootstrap(ent) {
			o.Confs = append(o.Confs, o.Saved[i])
		}
	}
	if !etcd.IsEmptyHardState(w.hs) {
		obs := obsHardState(w.hs)
		o.HardState = &obs
	}
	o.Synced = o.Synced || sync
	return wrote && !sync, nil
}

// outputs turns a Ready's outputs into the host's terms: msgs to send, the snapshot to
// restore (nil: none), the committed entries and the reads.
func (e *node) outputs(b *engine.Batch, msgs []*pb.Message, s *pb.Snapshot, committed []*pb.Entry, reads []etcd.ReadState) {
	if !etcd.IsEmptySnap(s) && !e.mut.skipRestore {
		b.Snapshot = &engine.SnapshotData{Index: s.GetMetadata().GetIndex(), Term: s.GetMetadata().GetTerm(), Data: s.GetData()}
	}
	b.Messages = e.encode(msgs)
	e.apply = e.apply[:0]
	for _, ent := range committed {
		c := engine.Committed{Index: ent.GetIndex(), Term: ent.GetTerm(), Digest: digest(ent)}
		switch ent.GetType() {
		case pb.EntryConfChange, pb.EntryConfChangeV2:
			c.Member, c.Joint = e.applyConf(ent)
		default:
			if len(ent.GetData()) > 0 {
				c.Command = ent.GetData()
			}
		}
		e.apply = append(e.apply, c)
		e.store.handed = c.Index
	}
	b.Apply = e.apply
	for _, rs := range reads {
		b.Reads = append(b.Reads, engine.ReadReady{Index: rs.Index, Ctx: rs.RequestCtx})
	}
}

// encode marshals the messages into one buffer reused from batch to batch.
func (e *node) encode(msgs []*pb.Message) []engine.Outbound {
	e.out, e.ends, e.outbound = e.out[:0], e.ends[:0], e.outbound[:0]
	for _, m := range msgs {
		var err error
		if e.out, err = marshal.MarshalAppend(e.out, m); err != nil {
			panic(fmt.Sprintf("etcdraft: node %d cannot marshal %v to %d: %v", e.id, m.GetType(), m.GetTo(), err))
		}
		e.ends = append(e.ends, len(e.out))
	}
	start := 0
	for i, m := range msgs {
		end := e.ends[i]
		e.outbound = append(e.outbound, engine.Outbound{To: nodeOf(m.GetTo()), Data: e.out[start:end:end], Snapshot: m.GetType() == pb.MsgSnap})
		start = end
	}
	return e.outbound
}

// applyConf applies a committed configuration change to etcd, which takes effect now, and
// returns the membership change the host applies: a single change, or a joint one (entering
// or leaving); nothing for the bootstrap entries, which the host counts already, and for
// changes that are none of the host's. The etcd-ignore-leave planted bug reports a leave to
// the host without applying it to etcd.
func (e *node) applyConf(ent *pb.Entry) (*engine.MemberChange, *engine.JointChange) {
	var cc pb.ConfChangeI
	if ent.GetType() == pb.EntryConfChange {
		cc = new(pb.ConfChange)
	} else {
		cc = new(pb.ConfChangeV2)
	}
	if err := proto.Unmarshal(ent.GetData(), cc.(proto.Message)); err != nil {
		panic(fmt.Sprintf("etcdraft: node %d committed an undecodable configuration change at %d: %v", e.id, ent.GetIndex(), err))
	}
	v2 := cc.AsV2()
	if v2.LeaveJoint() && e.mut.ignoreLeave {
		return nil, &engine.JointChange{} // "an empty change changes nothing"
	}
	e.confsSince = append(e.confsSince, e.conf())
	e.store.confs.record(ent.GetIndex(), e.rn.ApplyConfChange(cc))
	if isBootstrap(ent) {
		return nil, nil
	}
	if v2.LeaveJoint() {
		return nil, &engine.JointChange{}
	}
	if _, joint := v2.EnterJoint(); joint {
		j := &engine.JointChange{}
		for _, ch := range v2.GetChanges() {
			if m := memberChange(ch); m != nil {
				j.Changes = append(j.Changes, *m)
			}
		}
		return nil, j
	}
	if changes := v2.GetChanges(); len(changes) == 1 {
		return memberChange(changes[0]), nil
	}
	return nil, nil
}

// memberChange names one of etcd's single changes in the engine's terms (nil if none).
func memberChange(ch *pb.ConfChangeSingle) *engine.MemberChange {
	node := nodeOf(ch.GetNodeId())
	switch ch.GetType() {
	case pb.ConfChangeAddLearnerNode:
		return &engine.MemberChange{Op: engine.AddLearner, Node: node}
	case pb.ConfChangeAddNode:
		return &engine.MemberChange{Op: engine.PromoteVoter, Node: node}
	case pb.ConfChangeRemoveNode:
		return &engine.MemberChange{Op: engine.RemoveMember, Node: node}
	}
	return nil
}
