package cluster

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/engine"
	"github.com/raftcheck/raftcheck/simnet"
	"github.com/raftcheck/raftcheck/workloads"
)

// maxRoundsPerDrive bounds the batches one drive call handles; the next tick continues.
const maxRoundsPerDrive = 64

// drive processes the engine's output in the order of the Ready contract: the engine has
// persisted a batch when it returns it; the host waits for the disk's latency, then sends,
// applies and advances.
func (h *host) drive() {
	for range maxRoundsPerDrive {
		if h.busy || h.dead {
			return
		}
		var ok bool
		var err error
		// Syncs since the last batch (a compaction's) have returned: only a Ready's are waited for.
		h.n.disk.Settle()
		h.batch, ok, err = h.eng.Ready() // h.batch is empty while the host is not busy
		if err != nil {
			h.batch = engine.Batch{}
			h.n.w.failStop(h.n, err)
			return
		}
		if !ok {
			return
		}
		h.observe(&h.batch.Observed)
		if lat := h.n.disk.TakeLatency(); lat > 0 {
			h.busy = true
			h.n.w.diskWait(h.n, lat)
			h.n.proc.After(lat, h, 0)
			return
		}
		h.complete()
	}
}

// OnEvent resumes a batch once its disk latency has passed.
func (h *host) OnEvent(simnet.Time, uint64) {
	if h.dead {
		return
	}
	h.busy = false
	h.complete()
	h.drive()
}

// observe reports a batch's persisted facts to the checkers, in the order they require.
func (h *host) observe(o *engine.Observations) {
	inv, t, id := h.n.inv, h.n.now(), h.n.id
	h.n.w.observed(id, o)
	if o.Snapshot != nil {
		inv.SnapshotInstalled(t, id, *o.Snapshot)
	}
	if len(o.Saved) > 0 {
		inv.EntriesSaved(t, id, o.Saved)
	}
	if o.HardState != nil {
		inv.HardStateSaved(t, id, *o.HardState)
	}
	inv.BatchSaved(t, id)
	for _, e := range o.Confs {
		inv.ConfAppended(t, id, e.Index, e.Term)
	}
	if o.Quorums != nil && o.HardState != nil {
		inv.CommitQuorum(t, id, o.HardState.Commit, o.Quorums)
	}
	if o.Matches != nil {
		inv.LeaderMatches(t, id, o.Term, o.Matches)
	}
	if o.Synced {
		inv.Synced(t, id)
	}
	h.n.observeState(o)
	if o.Role != engine.NoRole && o.Term != h.n.term {
		h.n.term, h.n.termAt = o.Term, t
		h.n.noteTerm(o.Term, t)
	}
	if o.Leader != 0 {
		h.n.ledAt = t
	}
	if o.Role != engine.NoRole {
		h.n.w.mark(Mark{Kind: MarkRole, Node: id, Term: o.Term, Detail: o.Role.String()})
	}
	if o.Leader != 0 {
		if o.Elected != nil {
			inv.ElectionQuorum(t, id, o.Leader, *o.Elected)
		}
		inv.BecameLeader(t, id, o.Leader)
		h.n.w.noteLeader(id, o.Leader)
	}
}

// complete acts on a persisted batch: send, restore, apply, serve reads, advance.
func (h *host) complete() {
	b := h.batch
	h.batch = engine.Batch{}
	h.settle(&b.Observed)
	h.deliveries = h.deliveries[:0]
	for _, m := range b.Messages {
		buf := append(h.n.buf[:0], wireRaft)
		buf = append(buf, m.Data...)
		h.n.buf = buf
		to := simnet.NodeID(m.To)
		// A removed or never-added peer is not attached; a cut link is refused at once, as a
		// connection-oriented transport learns it. A snapshot-fail fault breaks every snapshot
		// transfer the node starts, and the transport learns that too.
		sent := !(m.Snapshot && h.n.snapFail > 0) &&
			h.n.proc.Send(to, buf) == nil && h.n.net.Connected(simnet.NodeID(h.n.id), to)
		h.n.describe(m)
		if d, ok := delivery(m.Snapshot, sent); ok {
			h.deliveries = append(h.deliveries, report{peer: m.To, d: d})
		}
	}
	h.given = handedThrough(h.given, b)
	if b.Snapshot != nil {
		h.n.w.restored(h.n.id, b.Snapshot.Index)
		if h.lazy == nil {
			h.restore(b.Snapshot)
		}
	}
	for _, c := range b.Apply {
		h.handed(c)
		if h.lazy == nil {
			h.apply(c)
		}
	}
	if h.lazy != nil {
		h.lazy.push(b.Snapshot, b.Apply)
	}
	for _, rs := range b.Reads {
		h.readIndexKnown(rs)
	}
	h.serveReads()
	h.eng.Advance()
	for _, rp := range h.deliveries {
		h.eng.Report(rp.peer, rp.d)
	}
	h.maybeCompact()
}

// handedThrough is the index through which the engine has handed the host its log after
// batch b: the last committed entry or snapshot in it, else given.
func handedThrough(given uint64, b engine.Batch) uint64 {
	if n := len(b.Apply); n > 0 {
		return b.Apply[n-1].Index
	}
	if b.Snapshot != nil {
		return b.Snapshot.Index
	}
	return given
}

// restore replaces the state machine with a snapshot's image.
func (h *host) restore(s *engine.SnapshotData) {
	if err := h.kv.Restore(s.Data); err != nil {
		h.n.w.violate(checker.Violation{Kind: KindSnapshotData, Time: h.n.now(), Nodes: []int{h.n.id},
			Detail: "restoring snapshot " + itoa64(s.Index) + ": " + err.Error()})
	}
	h.applied = 0
}

// handed reports a committed entry the engine handed out: the checkers see the engine apply
// it (its order, its content) and the run sees its configuration change take effect, whether
// the state machine applies it now or later (a slow one).
func (h *host) handed(c engine.Committed) {
	n := h.n
	n.inv.Applied(n.now(), n.id, checker.EntryObs{Index: c.Index, Term: c.Term, Digest: c.Digest})
	if c.Member != nil {
		n.w.memberApplied(n.id, c.Index, *c.Member)
	}
	if c.Joint != nil {
		n.w.jointApplied(n.id, c.Index, *c.Joint)
	}
}

// apply applies a committed entry to the state machine and answers the client waiting for it.
func (h *host) apply(c engine.Committed) {
	n := h.n
	a, err := h.kv.Apply(c.Index, c.Command)
	if err != nil {
		n.w.violate(checker.Violation{Kind: KindStateMachine, Time: n.now(), Nodes: []int{n.id},
			Detail: "applying index " + itoa64(c.Index) + ": " + err.Error()})
	}
	obs := checker.EntryObs{Index: c.Index, Term: c.Term, Digest: c.Digest}
	h.applied++
	p, ok := h.pending[a.Client]
	if !ok || a.Client == 0 || p.seq != a.Seq {
		return
	}
	delete(h.pending, a.Client)
	h.answer(p.client, a.Client, a.Seq, a.Reply)
	if a.Executed && a.Reply.Outcome() == workloads.OutcomeOK {
		n.inv.Acked(n.now(), obs)
		n.w.ackedWrite(n)
	}
}

// readCtx is the ReadIndex context of a client's read: its session and sequence number (the
// session alone with the read-ctx-session planted bug).
func (h *host) readCtx(session, seq uint64) []byte {
	if h.n.spec.readCtxSession {
		seq = 0
	}
	b := binary.AppendUvarint(nil, session)
	return binary.AppendUvarint(b, seq)
}

func (h *host) addRead(p pendingRead) {
	for i := range h.reads {
		if h.reads[i].session == p.session {
			h.reads[i] = p
			return
		}
	}
	if len(h.reads) >= maxPendingReads {
		h.send(p.client, answer{Session: p.session, Seq: p.seq, Status: answerNotLeader, Hint: engine.NoHint})
		return
	}
	h.reads = append(h.reads, p)
}

// maxPendingReads bounds the reads one node holds (one per client at most in practice).
const maxPendingReads = 4096

func (h *host) readIndexKnown(rs engine.ReadReady) {
	session, n := binary.Uvarint(rs.Ctx)
	if n <= 0 {
		return
	}
	seq, m := binary.Uvarint(rs.Ctx[n:])
	if m <= 0 {
		return
	}
	for i := range h.reads {
		if p := &h.reads[i]; p.session == session && (p.seq == seq || h.n.spec.readCtxSession) {
			p.index = rs.Index
		}
	}
}

// serveReads answers every read whose index the state machine has reached (with the
// read-at-handed-index planted bug: whose index the engine has handed out, applied or not).
func (h *host) serveReads() {
	reached := h.kv.AppliedIndex()
	if h.n.spec.readAtHanded {
		reached = h.given
	}
	kept := h.reads[:0]
	for _, p := range h.reads {
		if p.index == 0 || p.index > reached {
			kept = append(kept, p)
			continue
		}
		h.n.inv.ReadServed(h.n.now(), h.n.id, p.arrived, h.kv.AppliedIndex())
		h.answer(p.client, p.session, p.seq, h.kv.Read(p.key))
	}
	h.reads = kept
}

// maybeCompact snapshots the state machine every CompactEvery applied entries.
func (h *host) maybeCompact() {
	if every := h.n.spec.cfg.CompactEvery; every > 0 && h.applied >= every {
		h.compact()
	}
}

// compact snapshots the state machine at its applied index and compacts the log up to it, if
// compaction is on and anything was applied since the last time.
func (h *host) compact() {
	if h.n.spec.cfg.CompactEvery == 0 || h.applied == 0 {
		return
	}
	index, snap := h.kv.AppliedIndex(), h.kv.Snapshot()
	h.n.inv.StateDigest(h.n.now(), h.n.id, index, digestOf(snap))
	if err := h.eng.Compact(index, snap); err != nil {
		if errors.Is(err, engine.ErrDropped) {
			return
		}
		h.n.w.failStop(h.n, err)
		return
	}
	h.applied = 0
	h.n.inv.Compacted(h.n.now(), h.n.id, index)
}

// report is what the host's transport tells the engine of one message it sent.
type report struct {
	peer int
	d    engine.Delivery
}

// delivery is the report due for a message: every snapshot's outcome, and any other message's
// failure.
func delivery(snapshot, sent bool) (engine.Delivery, bool) {
	switch {
	case snapshot && sent:
		return engine.SnapshotSent, true
	case snapshot:
		return engine.SnapshotFailed, true
	case !sent:
		return engine.Unreachable, true
	}
	return 0, false
}

// digestOf is the FNV-1a 64 hash of a state-machine image (workloads.KV.Digest's).
func digestOf(snap []byte) uint64 {
	h := fnv.New64a()
	h.Write(snap) // never fails
	return h.Sum64()
}

// describe writes a sent message, decoded by the engine, into the trace of a replay that
// records one.
func (n *node) describe(m engine.Outbound) {
	if d := n.spec.eng.Describe; d != nil && n.k.Trace().Recording() {
		n.k.Trace().Comment(fmt.Sprintf("node %d sends to %d: %s", n.id, m.To, d(m.Data)))
	}
}
