package raft

import (
	"hash/crc32"
	"slices"
)

// snapResendHeartbeats is how many heartbeat intervals a leader waits for a snapshot
// transfer to make progress before resending from the last acknowledged offset.
const snapResendHeartbeats = 3

// sendSnapChunks sends the next chunks of the snapshot being transferred to pr, keeping at
// most MaxInflightMsgs chunks beyond the acknowledged offset in flight.
func (n *Node) sendSnapChunks(pr *progress) {
	data := pr.snap.snap.Data
	size := uint64(len(data))
	chunk := uint64(n.cfg.SnapshotChunkBytes)
	window := uint64(n.cfg.MaxInflightMsgs) * chunk
	st := &pr.snap
	for range n.cfg.MaxInflightMsgs {
		if st.sent > size || (st.sent == size && st.doneSent) || st.sent-st.acked >= window {
			return
		}
		end := min(st.sent+chunk, size)
		n.send(Message{To: pr.id, Type: MsgSnap, Snap: st.snap.Meta, SnapSize: size,
			SnapCRC: st.crc, SnapOffset: st.sent, SnapData: data[st.sent:end:end],
			SnapDone: end == size})
		st.sent = end
		st.doneSent = end == size
	}
}

// tickSnapshotTransfers resends from the acknowledged offset any transfer that made no
// progress for snapResendHeartbeats heartbeat intervals (chunks or acks were lost); one of
// which nothing was acknowledged starts over with the leader's newest snapshot.
func (n *Node) tickSnapshotTransfers() {
	for i := range n.prs {
		pr := &n.prs[i]
		if pr.state != ProgressSnapshot {
			continue
		}
		pr.snap.idleTicks++
		if pr.snap.idleTicks < snapResendHeartbeats*n.cfg.HeartbeatTick {
			continue
		}
		if pr.snap.acked == 0 && pr.snap.index != n.snap.Meta.Index {
			pr.becomeSnapshot(n.snap, n.snapCRC)
			continue
		}
		pr.snap.idleTicks = 0
		pr.snap.sent = pr.snap.acked
		pr.snap.doneSent = false
	}
}

// handleSnapResp processes a follower's acknowledgement of snapshot chunks.
func (n *Node) handleSnapResp(pr *progress, m Message) {
	if m.SnapDone {
		// Installed, or not needed: the follower's commit index is known to match us.
		if m.Commit > n.log.lastIndex() {
			return // claims entries we never had: a broken peer
		}
		grew := pr.maybeUpdate(m.Commit, false)
		if pr.state == ProgressSnapshot && pr.match >= pr.snap.index {
			pr.becomeProbe()
		}
		if grew {
			n.maybeCommit()
		}
		return
	}
	st := &pr.snap
	if pr.state != ProgressSnapshot || m.Index != st.index || m.LogTerm != st.term {
		return // about another transfer
	}
	switch {
	case m.Reject && m.SnapOffset < st.acked:
		// The follower does not hold what it acknowledged before (it restarted, or the
		// data failed its checksum): start over from where it is.
		st.acked, st.sent, st.doneSent = m.SnapOffset, m.SnapOffset, false
		st.idleTicks = 0
	case m.Reject && m.SnapOffset == st.acked && st.sent > st.acked:
		// A later chunk came first: the one the follower expects was lost or is late. Go back
		// to it now (go-back-N) rather than wait for the resend timeout, which under loss
		// would cost a timeout per lost chunk.
		st.sent, st.doneSent = st.acked, false
	case m.SnapOffset > st.acked && m.SnapOffset <= uint64(len(st.snap.Data)):
		st.acked = m.SnapOffset
		st.idleTicks = 0
		if st.acked > st.sent {
			// The follower already held a prefix (of an earlier leader's transfer of the
			// same snapshot): resume from there.
			st.sent, st.doneSent = st.acked, false
		}
	}
}

// snapReceiver assembles the chunks of one snapshot on a follower.
type snapReceiver struct {
	meta SnapshotMeta
	size uint64
	crc  uint32
	buf  []byte
}

func (r *snapReceiver) matches(m *Message) bool {
	return r != nil && r.meta.Index == m.Snap.Index && r.meta.Term == m.Snap.Term &&
		r.size == m.SnapSize && r.crc == m.SnapCRC
}

// handleSnapChunk is the InstallSnapshot receiver (§7), chunked: a chunk is taken only
// at the next expected offset; any other is answered with the offset we expect.
func (n *Node) handleSnapChunk(m Message) {
	ack := Message{To: m.From, Type: MsgSnapResp, Index: m.Snap.Index, LogTerm: m.Snap.Term}
	if m.Snap.Index <= n.log.committed && !n.cfg.Mutations.SnapshotRegress {
		// We hold everything it covers already: report our commit index instead.
		ack.SnapDone, ack.SnapOffset, ack.Commit = true, m.SnapSize, n.log.committed
		n.send(ack)
		return
	}
	if !n.recv.matches(&m) {
		n.recv = nil
		if m.SnapOffset != 0 {
			ack.Reject = true // unknown transfer: ask for it from the start
			n.send(ack)
			return
		}
		n.recv = &snapReceiver{meta: m.Snap, size: m.SnapSize, crc: m.SnapCRC}
	}
	r := n.recv
	if m.SnapOffset != uint64(len(r.buf)) {
		ack.Reject, ack.SnapOffset = true, uint64(len(r.buf))
		n.send(ack)
		return
	}
	r.buf = append(r.buf, m.SnapData...)
	ack.SnapOffset = uint64(len(r.buf))
	if !m.SnapDone {
		n.send(ack)
		return
	}
	n.recv = nil
	if crc32.Checksum(r.buf, crcTable) != r.crc {
		ack.Reject, ack.SnapOffset = true, 0 // corrupted in transit: start over
		n.send(ack)
		return
	}
	if r.meta.Index > n.log.snapIndex {
		n.installSnapshot(r.meta, r.buf)
	}
	ack.SnapDone, ack.Commit = true, n.log.committed
	n.send(ack)
}

// installSnapshot replaces the log with a received snapshot (§7). If the log holds the
// snapshot's last entry with the same term, the entries after it are kept; otherwise the
// whole log goes. Commit and applied never regress (except under SnapshotRegress).
func (n *Node) installSnapshot(meta SnapshotMeta, data []byte) {
	regress := n.cfg.Mutations.SnapshotRegress
	l := &n.log
	idx := meta.Index
	if l.matchTerm(idx, meta.Term) && !regress {
		l.ents = slices.Clone(l.ents[idx-l.snapIndex:])
		n.members.compacted(idx)
		n.members.base = cloneConf(meta.Conf)
	} else {
		l.ents = nil
		n.members.reset(meta.Conf)
	}
	l.snapIndex, l.snapTerm = idx, meta.Term
	if regress {
		l.committed, l.applied, l.applying = idx, idx, idx
	} else {
		l.committed = max(l.committed, idx)
		l.applied, l.applying = max(l.applied, idx), max(l.applying, idx)
	}
	// The kept suffix is handed out again in Ready.Entries after the snapshot, so that
	// storage holds exactly snapshot + suffix.
	l.stable = idx
	n.setSnapshot(Snapshot{Meta: SnapshotMeta{Index: idx, Term: meta.Term, Conf: cloneConf(n.members.base)},
		Data: data})
	n.pendingSnap = &Snapshot{Meta: n.snap.Meta, Data: data}
	n.conf = n.members.current()
}
