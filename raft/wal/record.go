package wal

import (
	"encoding/binary"
	"hash/crc32"

	"github.com/raftcheck/raftcheck/raft"
)

// kind is a record's type byte.
type kind uint8

// The record kinds. Zero is never valid, so a zeroed region never parses as a record.
const (
	kindSegment   kind = 1 // segment header: magic, version, seq, first index
	kindEntry     kind = 2 // a log entry
	kindHardState kind = 3 // a HardState
	kindSnapshot  kind = 4 // snapshot marker: a snapshot file now on disk
	kindCommit    kind = 5 // sync commit: bytes [0, offset) of this segment were durable
)

// Layout of a record: crc uint32 | length uint32 | kind uint8 | payload [length]byte, all
// integers little-endian; crc is CRC-32C over length, kind and payload.
const (
	recordHeaderBytes = 9
	segmentPayload    = 24 // magic, version, seq, first index
	hardStatePayload  = 24 // term, vote, commit
	snapshotPayload   = 17 // index, term, flags
	commitPayload     = 16 // seq, offset
	entryPayloadMin   = 17 // term, index, type, data
	commitRecordBytes = recordHeaderBytes + commitPayload
)

// segmentMagic opens every segment header; formatVersion is the only version written and read.
const (
	segmentMagic  = 0x4c575352 // "RSWL" little-endian
	formatVersion = 1
)

// markerKeep is the snapshot marker's flag bit: the entries after the snapshot's index were
// kept (the log held the snapshot's entry); without it they were dropped.
const markerKeep = 1

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// record is one decoded record and the offset it starts at. The fields in u depend on kind:
// segment (seq, first index), entry (term, index), hard state (term, vote, commit), snapshot
// marker (index, term, flags), commit (seq, offset).
type record struct {
	off   int64
	end   int64 // the offset just past the record
	kind  kind
	etype raft.EntryType
	u     [3]uint64
	data  []byte // entry data: a capacity-limited slice of the segment's buffer
}

func (r *record) entry() raft.Entry {
	return raft.Entry{Term: r.u[0], Index: r.u[1], Type: r.etype, Data: r.data}
}

func (r *record) hardState() raft.HardState {
	return raft.HardState{Term: r.u[0], Vote: r.u[1], Commit: r.u[2]}
}

// appendRecord appends a record of kind k with the given payload to dst.
func appendRecord(dst []byte, k kind, payload ...[]byte) []byte {
	n := 0
	for _, p := range payload {
		n += len(p)
	}
	start := len(dst)
	dst = binary.LittleEndian.AppendUint32(dst, 0)
	dst = binary.LittleEndian.AppendUint32(dst, uint32(n))
	dst = append(dst, byte(k))
	for _, p := range payload {
		dst = append(dst, p...)
	}
	crc := crc32.Checksum(dst[start+4:], castagnoli)
	binary.LittleEndian.PutUint32(dst[start:], crc)
	return dst
}

func u64s(vs ...uint64) []byte {
	b := make([]byte, 0, 8*len(vs))
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint64(b, v)
	}
	return b
}

func appendSegmentHeader(dst []byte, seq, first uint64) []byte {
	var p [segmentPayload]byte
	binary.LittleEndian.PutUint32(p[0:], segmentMagic)
	binary.LittleEndian.PutUint32(p[4:], formatVersion)
	binary.LittleEndian.PutUint64(p[8:], seq)
	binary.LittleEndian.PutUint64(p[16:], first)
	return appendRecord(dst, kindSegment, p[:])
}

func appendEntry(dst []byte, e *raft.Entry) []byte {
	var p [entryPayloadMin]byte
	binary.LittleEndian.PutUint64(p[0:], e.Term)
	binary.LittleEndian.PutUint64(p[8:], e.Index)
	p[16] = byte(e.Type)
	return appendRecord(dst, kindEntry, p[:], e.Data)
}

func appendHardState(dst []byte, hs raft.HardState) []byte {
	return appendRecord(dst, kindHardState, u64s(hs.Term, hs.Vote, hs.Commit))
}

func appendMarker(dst []byte, index, term uint64, keep bool) []byte {
	flags := byte(0)
	if keep {
		flags = markerKeep
	}
	return appendRecord(dst, kindSnapshot, u64s(index, term), []byte{flags})
}

func appendCommit(dst []byte, seq uint64, off int64) []byte {
	return appendRecord(dst, kindCommit, u64s(seq, uint64(off)))
}

// entryRecordBytes is the size of e's record.
func entryRecordBytes(e *raft.Entry) int {
	return recordHeaderBytes + entryPayloadMin + len(e.Data)
}

// frame is the outcome of reading the record frame at one offset.
type frame uint8

const (
	frameOK       frame = iota
	frameShort          // fewer bytes than the header or the length field promises
	frameTooLarge       // the length field exceeds the record bound
	frameChecksum       // the CRC does not match
)

func (f frame) String() string {
	switch f {
	case frameOK:
		return "ok"
	case frameShort:
		return "incomplete record"
	case frameTooLarge:
		return "record length exceeds the bound"
	default:
		return "checksum mismatch"
	}
}

// readFrame checks the record frame at b[0:]: header, length bound and CRC. On frameOK it
// returns the kind and payload (a capacity-limited sub-slice of b).
func readFrame(b []byte, maxRecord int) (kind, []byte, frame) {
	if len(b) < recordHeaderBytes {
		return 0, nil, frameShort
	}
	n := binary.LittleEndian.Uint32(b[4:])
	if uint64(n) > uint64(maxRecord-recordHeaderBytes) {
		return 0, nil, frameTooLarge
	}
	end := recordHeaderBytes + int(n)
	if end > len(b) {
		return 0, nil, frameShort
	}
	if crc32.Checksum(b[4:end], castagnoli) != binary.LittleEndian.Uint32(b) {
		return 0, nil, frameChecksum
	}
	return kind(b[8]), b[recordHeaderBytes:end:end], frameOK
}

// decodePayload fills r from a checksum-valid payload. A false result means the payload is
// malformed for its kind: written by no correct WAL, so it is corruption, never a torn write.
func decodePayload(r *record, k kind, p []byte) bool {
	r.kind = k
	le := binary.LittleEndian
	switch k {
	case kindSegment:
		if len(p) != segmentPayload || le.Uint32(p) != segmentMagic || le.Uint32(p[4:]) != formatVersion {
			return false
		}
		r.u = [3]uint64{le.Uint64(p[8:]), le.Uint64(p[16:])}
	case kindEntry:
		if len(p) < entryPayloadMin {
			return false
		}
		r.u = [3]uint64{le.Uint64(p), le.Uint64(p[8:])}
		r.etype = raft.EntryType(p[16])
		if len(p) > entryPayloadMin {
			r.data = p[entryPayloadMin:]
		}
	case kindHardState:
		if len(p) != hardStatePayload {
			return false
		}
		r.u = [3]uint64{le.Uint64(p), le.Uint64(p[8:]), le.Uint64(p[16:])}
	case kindSnapshot:
		if len(p) != snapshotPayload || p[16]&^markerKeep != 0 {
			return false
		}
		r.u = [3]uint64{le.Uint64(p), le.Uint64(p[8:]), uint64(p[16])}
	case kindCommit:
		if len(p) != commitPayload {
			return false
		}
		r.u = [3]uint64{le.Uint64(p), le.Uint64(p[8:])}
	default:
		return false
	}
	return true
}
