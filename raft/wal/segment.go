package wal

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// segmentName returns the file name of segment seq whose first entry was to be first.
func segmentName(seq, first uint64) string {
	return fmt.Sprintf("wal-%016x-%016x.log", seq, first)
}

// parseSegmentName is the inverse of segmentName; ok is false for any other name.
func parseSegmentName(name string) (seq, first uint64, ok bool) {
	rest, found := strings.CutPrefix(name, "wal-")
	if !found {
		return 0, 0, false
	}
	rest, found = strings.CutSuffix(rest, ".log")
	if !found || len(rest) != 33 || rest[16] != '-' {
		return 0, 0, false
	}
	return parseHex2(rest[:16], rest[17:])
}

// parseHex2 parses two 16-digit lowercase hex numbers.
func parseHex2(a, b string) (x, y uint64, ok bool) {
	if !isHex16(a) || !isHex16(b) {
		return 0, 0, false
	}
	x, errA := strconv.ParseUint(a, 16, 64)
	y, errB := strconv.ParseUint(b, 16, 64)
	return x, y, errA == nil && errB == nil
}

func isHex16(s string) bool {
	if len(s) != 16 {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// scan is the result of reading one segment file.
type scan struct {
	records []record // the valid prefix, header first
	end     int64    // bytes of the valid prefix
	// bad is the first damaged record: its offset (-1 if none) and what is wrong. proof is
	// the offset of a valid sync commit after it (-1 if none).
	bad    int64
	reason string
	proof  int64
	fatal  bool // damage no crash can cause: a valid record that is malformed or misplaced
}

// scanSegment reads the records of segment seq (named name) from b. It stops at the first
// damaged record; for the last segment it then searches the rest for a sync commit that
// proves the damage lies in durable data.
func scanSegment(b []byte, seq, first uint64, maxRecord int) scan {
	s := scan{bad: -1, proof: -1, records: make([]record, 0, countFrames(b))}
	off := int64(0)
	for off < int64(len(b)) {
		k, p, f := readFrame(b[off:], maxRecord)
		if f != frameOK {
			s.bad, s.reason = off, f.String()
			break
		}
		r := record{off: off, end: off + int64(recordHeaderBytes+len(p))}
		if reason := checkRecord(&r, k, p, seq, first); reason != "" {
			s.bad, s.reason, s.fatal = off, reason, true
			break
		}
		s.records = append(s.records, r)
		off = r.end
	}
	s.end = off
	if len(b) == 0 {
		s.bad, s.reason = 0, "empty segment file (no header)"
	}
	if s.bad >= 0 && !s.fatal {
		s.proof = findCommit(b, s.bad+1, seq)
	}
	return s
}

// checkRecord decodes a checksum-valid record into r and returns why it cannot be where it
// is, or "" if it can.
func checkRecord(r *record, k kind, p []byte, seq, first uint64) string {
	if !decodePayload(r, k, p) {
		return fmt.Sprintf("malformed record of kind %d (%d payload bytes)", k, len(p))
	}
	switch {
	case r.off == 0 && k != kindSegment:
		return fmt.Sprintf("first record is of kind %d, not a segment header", k)
	case r.off != 0 && k == kindSegment:
		return "segment header inside the segment"
	case k == kindSegment && (r.u[0] != seq || r.u[1] != first):
		return fmt.Sprintf("segment header says seq %d first index %d; the name says %d, %d",
			r.u[0], r.u[1], seq, first)
	case k == kindCommit && (r.u[0] != seq || r.u[1] != uint64(r.off)):
		return fmt.Sprintf("sync commit for seq %d offset %d found at seq %d offset %d",
			r.u[0], r.u[1], seq, r.off)
	}
	return ""
}

// findCommit returns the offset of the first valid sync commit record of segment seq that
// starts at or after from and names its own offset, or -1. A commit record is written only
// after a Sync of the bytes before it returned, so it proves them durable even if it was
// itself never synced. The candidate test is cheap; only exact matches pay for a CRC.
func findCommit(b []byte, from int64, seq uint64) int64 {
	le := binary.LittleEndian
	for p := from; p+commitRecordBytes <= int64(len(b)); p++ {
		c := b[p:]
		if c[8] != byte(kindCommit) || le.Uint32(c[4:]) != commitPayload ||
			le.Uint64(c[recordHeaderBytes+8:]) != uint64(p) || le.Uint64(c[recordHeaderBytes:]) != seq {
			continue
		}
		if _, _, f := readFrame(c[:commitRecordBytes], commitRecordBytes); f == frameOK {
			return p
		}
	}
	return -1
}

// countFrames returns how many record frames b seems to hold, following the length fields
// without checking anything else: a capacity hint.
func countFrames(b []byte) int {
	n, off := 0, 0
	for off+recordHeaderBytes <= len(b) {
		n++
		size := int64(binary.LittleEndian.Uint32(b[off+4:]))
		if size > int64(len(b)-off-recordHeaderBytes) {
			break
		}
		off += recordHeaderBytes + int(size)
	}
	return n
}
