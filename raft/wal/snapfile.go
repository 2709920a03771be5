package wal

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"strings"

	"github.com/raftcheck/raftcheck/raft"
)

// Snapshot file layout, integers little-endian:
//
//	magic "RSSN" | version uint32 | index uint64 | term uint64 |
//	voters uint32 | learners uint32 | voter ids [voters]uint64 | learner ids [learners]uint64 |
//	data length uint64 | data | crc uint32 (CRC-32C of every byte before it)
const (
	snapMagic      = "RSSN"
	snapFixedBytes = 32 // magic through learners count
	snapMinBytes   = snapFixedBytes + 8 + 4
	snapSuffix     = ".snap"
	snapTmpSuffix  = ".snap.tmp"
	snapMembersMax = 1 << 16
	// snapJointVersion marks a snapshot file whose configuration is joint: after the
	// learners come the outgoing voters' count (uint32) and IDs. Files of a configuration
	// that is not joint keep formatVersion and its layout.
	snapJointVersion = 2
	snapshotNameLen  = len("snap-") + 33 + len(snapSuffix)
)

// snapName returns the file name of the snapshot at (index, term).
func snapName(index, term uint64) string {
	return fmt.Sprintf("snap-%016x-%016x%s", index, term, snapSuffix)
}

// parseSnapName parses a final snapshot file name; tmp reports a temporary one (whose index
// and term are then also returned).
func parseSnapName(name string) (index, term uint64, tmp, ok bool) {
	if base, found := strings.CutSuffix(name, ".tmp"); found {
		index, term, _, ok = parseSnapName(base)
		return index, term, true, ok
	}
	if len(name) != snapshotNameLen || !strings.HasPrefix(name, "snap-") || !strings.HasSuffix(name, snapSuffix) {
		return 0, 0, false, false
	}
	rest := name[len("snap-") : len(name)-len(snapSuffix)]
	if rest[16] != '-' {
		return 0, 0, false, false
	}
	index, term, ok = parseHex2(rest[:16], rest[17:])
	return index, term, false, ok
}

// encodeSnapshot returns the file contents for s.
func encodeSnapshot(s *raft.Snapshot) []byte {
	le := binary.LittleEndian
	c := s.Meta.Conf
	n := snapMinBytes + 4 + 8*(len(c.Voters)+len(c.Learners)+len(c.VotersOutgoing)) + len(s.Data)
	b := make([]byte, 0, n)
	b = append(b, snapMagic...)
	version := uint32(formatVersion)
	if c.Joint() {
		version = snapJointVersion
	}
	b = le.AppendUint32(b, version)
	b = le.AppendUint64(b, s.Meta.Index)
	b = le.AppendUint64(b, s.Meta.Term)
	b = le.AppendUint32(b, uint32(len(c.Voters)))
	b = le.AppendUint32(b, uint32(len(c.Learners)))
	for _, id := range c.Voters {
		b = le.AppendUint64(b, id)
	}
	for _, id := range c.Learners {
		b = le.AppendUint64(b, id)
	}
	if c.Joint() {
		b = le.AppendUint32(b, uint32(len(c.VotersOutgoing)))
		for _, id := range c.VotersOutgoing {
			b = le.AppendUint64(b, id)
		}
	}
	b = le.AppendUint64(b, uint64(len(s.Data)))
	b = append(b, s.Data...)
	return le.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

// decodeSnapshot parses and verifies the contents b of snapshot file name. The result's Data
// is a capacity-limited slice of b.
func decodeSnapshot(name string, b []byte) (*raft.Snapshot, error) {
	le := binary.LittleEndian
	if len(b) < snapMinBytes {
		return nil, corruptf(name, 0, "snapshot file of %d bytes is shorter than %d", len(b), snapMinBytes)
	}
	body := b[:len(b)-4]
	if crc32.Checksum(body, castagnoli) != le.Uint32(b[len(body):]) {
		return nil, corruptf(name, 0, "snapshot checksum mismatch over bytes [0, %d)", len(body))
	}
	version := le.Uint32(b[4:])
	if string(b[:4]) != snapMagic || version != formatVersion && version != snapJointVersion {
		return nil, corruptf(name, 0, "bad snapshot magic or version %d", le.Uint32(b[4:]))
	}
	s := &raft.Snapshot{Meta: raft.SnapshotMeta{Index: le.Uint64(b[8:]), Term: le.Uint64(b[16:])}}
	voters, learners := le.Uint32(b[24:]), le.Uint32(b[28:])
	if voters > snapMembersMax || learners > snapMembersMax {
		return nil, corruptf(name, 24, "snapshot has %d voters and %d learners (bound %d)", voters, learners, snapMembersMax)
	}
	off := snapFixedBytes
	ids := func(n uint32) []uint64 {
		if n == 0 {
			return nil
		}
		out := make([]uint64, n)
		for i := range out {
			out[i] = le.Uint64(b[off:])
			off += 8
		}
		return out
	}
	if need := snapFixedBytes + 8*int(voters+learners) + 8; need > len(body) {
		return nil, corruptf(name, 24, "snapshot member lists need %d bytes; the file has %d", need, len(body))
	}
	s.Meta.Conf.Voters, s.Meta.Conf.Learners = ids(voters), ids(learners)
	if version == snapJointVersion {
		out, err := outgoingIDs(name, body, &off)
		if err != nil {
			return nil, err
		}
		s.Meta.Conf.VotersOutgoing = out
	}
	n := le.Uint64(b[off:])
	off += 8
	if n != uint64(len(body)-off) {
		return nil, corruptf(name, int64(off-8), "snapshot data length %d; the file holds %d", n, len(body)-off)
	}
	if n > 0 {
		s.Data = body[off:len(body):len(body)]
	}
	return s, nil
}

// outgoingIDs reads the outgoing voters of a joint snapshot file at *off, leaving room for
// the data length that follows.
func outgoingIDs(name string, body []byte, off *int) ([]uint64, error) {
	le := binary.LittleEndian
	if *off+4 > len(body) {
		return nil, corruptf(name, int64(*off), "joint snapshot lacks its outgoing voters' count")
	}
	n := le.Uint32(body[*off:])
	if n == 0 || n > snapMembersMax || *off+4+8*int(n)+8 > len(body) {
		return nil, corruptf(name, int64(*off), "joint snapshot has %d outgoing voters in %d bytes", n, len(body)-*off)
	}
	*off += 4
	out := make([]uint64, n)
	for i := range out {
		out[i] = le.Uint64(body[*off:])
		*off += 8
	}
	return out, nil
}
