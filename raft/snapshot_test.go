package raft

import (
	"errors"
	"hash/crc32"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// snapChunks splits a snapshot into MsgSnap chunks from leader 1 to node 2 at term.
func snapChunks(meta SnapshotMeta, data []byte, chunk int, term uint64) []Message {
	crc := crc32.Checksum(data, crcTable)
	var msgs []Message
	for off := 0; ; off += chunk {
		end := min(off+chunk, len(data))
		msgs = append(msgs, Message{Type: MsgSnap, From: 1, To: 2, Term: term, Snap: meta,
			SnapSize: uint64(len(data)), SnapCRC: crc, SnapOffset: uint64(off),
			SnapData: data[off:end], SnapDone: end == len(data)})
		if end == len(data) {
			return msgs
		}
	}
}

func stepAll(t *testing.T, n *Node, msgs []Message) {
	t.Helper()
	for _, m := range msgs {
		require.NoError(t, n.Step(m))
	}
}

var meta3 = SnapshotMeta{Index: 3, Term: 2, Conf: ConfState{Voters: voters3}}

// §7: if the follower's log holds the snapshot's last entry with the same term, it keeps
// the entries after it; the kept suffix is restated in Ready.Entries so that storage
// holds exactly snapshot + suffix.
func TestInstallSnapshotKeepsMatchingSuffix(t *testing.T) {
	n := newPaperNode(t, 2, voters3, []uint64{1, 1, 2, 2, 2}, 2)
	stepAll(t, n, snapChunks(meta3, []byte("state@3"), 4, 2))
	assert.Equal(t, uint64(3), n.log.snapIndex)
	assert.Equal(t, []uint64{2, 2}, termsOf(n))
	assert.Equal(t, uint64(3), n.log.committed)
	rd := n.Ready()
	require.NotNil(t, rd.Snapshot)
	assert.Equal(t, "state@3", string(rd.Snapshot.Data))
	assert.Equal(t, []Entry{{Term: 2, Index: 4, Data: []byte{3}}, {Term: 2, Index: 5, Data: []byte{4}}}, rd.Entries)
	assert.True(t, rd.MustSync)
	assert.Empty(t, rd.CommittedEntries, "the snapshot covers everything committed")
	dones := msgsOfType(rd.Messages, MsgSnapResp)
	last := dones[len(dones)-1]
	assert.True(t, last.SnapDone)
	assert.Equal(t, uint64(3), last.Commit)
	n.Advance()
	assert.Nil(t, n.pendingSnap)
	assert.Equal(t, uint64(3), n.log.applied)
}

// §7: otherwise the whole log is discarded.
func TestInstallSnapshotDiscardsConflictingLog(t *testing.T) {
	n := newPaperNode(t, 2, voters3, []uint64{1, 1, 1, 1}, 2)
	stepAll(t, n, snapChunks(meta3, []byte("s"), 4, 2))
	assert.Equal(t, uint64(3), n.log.lastIndex())
	assert.Empty(t, n.log.ents)
	rd := n.Ready()
	assert.Empty(t, rd.Entries)
	n.Advance()
}

// A snapshot at or behind the follower's commit index is not installed; it is
// acknowledged as done with the follower's commit index. SnapshotRegress installs it,
// regressing commit and applied and discarding the matching suffix.
func TestStaleSnapshotIgnored(t *testing.T) {
	for _, regress := range []bool{false, true} {
		n := newPaperNode(t, 2, voters3, []uint64{1, 1, 2, 2, 2}, 2, func(c *Config) { c.Mutations.SnapshotRegress = regress })
		require.NoError(t, n.Step(Message{Type: MsgApp, From: 1, To: 2, Term: 2, Index: 5, LogTerm: 2, Commit: 5}))
		rd := n.Ready() // apply 1..5
		n.Advance()
		require.Len(t, rd.CommittedEntries, 5)
		stepAll(t, n, snapChunks(meta3, []byte("old"), 8, 2))
		msgs := drain(n)
		done := msgs[len(msgs)-1]
		assert.True(t, done.SnapDone)
		if regress {
			assert.Equal(t, uint64(3), n.log.committed, "SnapshotRegress regresses commit")
			assert.Equal(t, uint64(3), n.log.lastIndex(), "SnapshotRegress discards the matching suffix")
		} else {
			assert.Equal(t, uint64(5), n.log.committed)
			assert.Equal(t, uint64(5), n.log.applied)
			assert.Equal(t, uint64(5), done.Commit)
			assert.Equal(t, uint64(0), n.log.snapIndex)
		}
	}
}

// A chunk at an offset other than the next expected one is ignored and answered with
// the expected offset; the transfer then continues.
func TestSnapshotChunkOutOfOrder(t *testing.T) {
	n := newPaperNode(t, 2, voters3, []uint64{1}, 2)
	chunks := snapChunks(meta3, []byte("abcdefghij"), 4, 2) // offsets 0, 4, 8
	stepAll(t, n, []Message{chunks[1], chunks[0], chunks[2], chunks[1], chunks[2]})
	var acks []string
	for _, m := range drain(n) {
		acks = append(acks, m.String())
	}
	assert.Equal(t, []string{
		"2->1 MsgSnapResp term=2 snap=2/3 offset=0 reject", // unknown transfer: start over
		"2->1 MsgSnapResp term=2 snap=2/3 offset=4",
		"2->1 MsgSnapResp term=2 snap=2/3 offset=4 reject", // 8 is not next: 4 is
		"2->1 MsgSnapResp term=2 snap=2/3 offset=8",
		"2->1 MsgSnapResp term=2 snap=2/3 offset=10 done commit=3",
	}, acks)
	assert.Equal(t, uint64(3), n.log.snapIndex)
}

// The assembled data is checked against the snapshot's CRC before it is installed.
func TestSnapshotChecksumMismatch(t *testing.T) {
	n := newPaperNode(t, 2, voters3, []uint64{1}, 2)
	chunks := snapChunks(meta3, []byte("abcdefgh"), 4, 2)
	chunks[1].SnapData = []byte("XXXX")
	stepAll(t, n, chunks)
	msgs := drain(n)
	last := msgs[len(msgs)-1]
	assert.True(t, last.Reject)
	assert.Equal(t, uint64(0), last.SnapOffset)
	assert.Equal(t, uint64(0), n.log.snapIndex, "corrupt snapshot not installed")
}

func TestCompactErrors(t *testing.T) {
	pn := newCluster(t, 3)
	lead := pn.nodes[1]
	require.NoError(t, lead.Propose([]byte("x")))
	pn.stabilize()
	applied := lead.log.applied
	err := lead.Compact(applied+1, nil)
	assert.True(t, errors.Is(err, ErrCompactIndex), "beyond applied: %v", err)
	require.NoError(t, lead.Compact(applied-1, []byte("s")))
	err = lead.Compact(applied-1, nil)
	assert.True(t, errors.Is(err, ErrCompactIndex), "not after the snapshot: %v", err)
	require.NoError(t, lead.Compact(applied, []byte("s2")))
	assert.Equal(t, applied, lead.snap.Meta.Index)
	assert.Equal(t, voters3, lead.snap.Meta.Conf.Voters)
}

// leaderPastFollower returns a 3-node cluster whose leader (node 1) compacted past node 3
// while it was cut off, node 3 now reachable again: it needs a snapshot, sent in 2-byte
// chunks, inflight at a time.
func leaderPastFollower(t *testing.T, inflight int) (*paperNet, *Node) {
	t.Helper()
	pn := newCluster(t, 3, func(c *Config) { c.SnapshotChunkBytes = 2; c.MaxInflightMsgs = inflight })
	lead := pn.nodes[1]
	pn.cut[3] = true
	require.NoError(t, lead.Propose([]byte("a")))
	pn.stabilize()
	require.NoError(t, lead.Compact(lead.log.applied, []byte("snap-one")))
	pn.cut[3] = false
	return pn, lead
}

// A leader that compacts again while a transfer makes no progress at all sends the newer
// snapshot from offset 0 when it resends.
func TestLeaderCompactsDuringStalledTransfer(t *testing.T) {
	pn, lead := leaderPastFollower(t, 1)
	first := lead.snap.Meta.Index
	pn.drop = func(m Message) bool { return m.Type == MsgSnap } // the transfer makes no progress
	lead.Tick()
	pn.stabilize()
	require.Equal(t, ProgressSnapshot, lead.progress(3).state)
	require.Equal(t, first, lead.progress(3).snap.index)

	compactPast(t, pn, lead, first)
	for range snapResendHeartbeats * lead.cfg.HeartbeatTick {
		lead.Tick()
	}
	snaps := msgsOfType(drain(lead), MsgSnap)
	require.NotEmpty(t, snaps)
	assert.Equal(t, lead.snap.Meta.Index, snaps[0].Snap.Index, "the newer snapshot is sent")
	assert.Equal(t, uint64(0), snaps[0].SnapOffset)
	pn.drop = nil
	for range 3 {
		lead.Tick()
		pn.stabilize()
	}
	assert.Equal(t, lead.log.lastIndex(), pn.nodes[3].log.lastIndex(), "the follower caught up")
}

// A leader that compacts again while a transfer is progressing finishes the snapshot it
// began: starting over with each newer one, under a write load that compacts faster than a
// transfer ends, no follower would ever catch up.
func TestLeaderCompactsDuringTransferFinishesIt(t *testing.T) {
	pn, lead := leaderPastFollower(t, 1)
	first := lead.snap.Meta.Index
	var snaps []Message
	pn.drop = func(m Message) bool { // the first chunk goes out and waits (kept, not delivered)
		if m.Type == MsgSnap {
			snaps = append(snaps, m)
			return true
		}
		return false
	}
	lead.Tick()
	pn.stabilize()
	require.Len(t, snaps, 1)
	require.Equal(t, first, snaps[0].Snap.Index)

	compactPast(t, pn, lead, first)
	var sent []Message
	pn.drop = func(m Message) bool { // records the chunks, drops nothing
		if m.Type == MsgSnap {
			sent = append(sent, m)
		}
		return false
	}
	pn.deliver(snaps[0]) // the follower acknowledges it: the transfer is progressing
	pn.stabilize()
	require.NotEmpty(t, sent)
	finished := false
	for _, m := range sent {
		if m.Snap.Index != first {
			require.True(t, finished, "a newer snapshot went out before the one under way was finished: %v", m)
			continue
		}
		finished = finished || m.SnapDone
	}
	require.True(t, finished, "the snapshot under way is finished")
	for range 6 {
		lead.Tick()
		pn.stabilize()
	}
	assert.Equal(t, lead.log.lastIndex(), pn.nodes[3].log.lastIndex(), "the follower caught up")
}

// A follower that gets a later chunk first rejects it with the offset it expects; the leader
// goes back to that offset at once (go-back-N), without waiting for the resend timeout.
func TestSnapshotChunkLostGoesBack(t *testing.T) {
	pn, lead := leaderPastFollower(t, 2)
	dropped := false
	var offsets []uint64
	pn.drop = func(m Message) bool {
		if m.Type != MsgSnap {
			return false
		}
		offsets = append(offsets, m.SnapOffset)
		if m.SnapOffset == 0 && !dropped {
			dropped = true // the first chunk is lost once
			return true
		}
		return false
	}
	lead.Tick() // the heartbeat whose reply starts the transfer
	pn.stabilize()
	require.True(t, dropped)
	require.GreaterOrEqual(t, len(offsets), 3)
	assert.Equal(t, []uint64{0, 2, 0}, offsets[:3], "chunk 0 sent again right after the reject of chunk 2")
	assert.Equal(t, lead.log.lastIndex(), pn.nodes[3].log.lastIndex(), "the follower caught up without another tick")
}

// compactPast has leader lead commit one more entry and compact again, past the snapshot at
// index first that a transfer is sending.
func compactPast(t *testing.T, pn *paperNet, lead *Node, first uint64) {
	t.Helper()
	require.NoError(t, lead.Propose([]byte("b")))
	pn.stabilize()
	require.NoError(t, lead.Compact(lead.log.applied, []byte("snap-two")))
	require.Greater(t, lead.snap.Meta.Index, first)
}
