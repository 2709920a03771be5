package wal

import (
	"github.com/raftcheck/raftcheck/raft"
)

// located is a record together with the file it was read from.
type located struct {
	file string
	rec  *record
}

// lastMarker returns the last snapshot marker of the log (nil if none), checking that marker
// indexes only increase, as SaveSnapshot guarantees.
func lastMarker(segs []segment, scans []scan) (*located, error) {
	var last *located
	for i := range scans {
		for j := range scans[i].records {
			r := &scans[i].records[j]
			if r.kind != kindSnapshot {
				continue
			}
			if last != nil && r.u[0] <= last.rec.u[0] {
				return nil, corruptf(segs[i].name, r.off, "snapshot marker index %d does not exceed the previous marker's %d",
					r.u[0], last.rec.u[0])
			}
			last = &located{file: segs[i].name, rec: r}
		}
	}
	return last, nil
}

// replayer rebuilds the log from the snapshot named by the last marker and the records of
// the surviving segments.
//
// Starting from snapshot index S rather than from the first record ever written gives the
// same log above S: an entry at index i <= S supersedes every entry at or after i, so it
// clears the log (all of whose entries are above S); an earlier marker that dropped the log
// clears it; an earlier marker that kept the log changes nothing above S. Segments removed
// by SaveSnapshot held only entries at or below S, and every segment begins with the
// HardState current when it was started.
type replayer struct {
	snapIndex uint64
	entries   []raft.Entry // entries[i].Index == snapIndex+1+i
	hs        raft.HardState
}

func (rp *replayer) last() uint64 { return rp.snapIndex + uint64(len(rp.entries)) }

// apply replays one record.
func (rp *replayer) apply(file string, r *record) error {
	switch r.kind {
	case kindEntry:
		i := r.u[1]
		if i <= rp.snapIndex {
			rp.entries = rp.entries[:0]
			return nil
		}
		if i > rp.last()+1 {
			return corruptf(file, r.off, "entry index %d does not follow the last index %d", i, rp.last())
		}
		rp.entries = append(rp.entries[:i-rp.snapIndex-1], r.entry())
	case kindHardState:
		rp.hs = r.hardState()
	case kindSnapshot:
		if r.u[2]&markerKeep == 0 {
			rp.entries = rp.entries[:0]
		}
	}
	return nil
}

// replayAll replays every record of scans in order.
func (rp *replayer) replayAll(segs []segment, scans []scan) error {
	for i := range scans {
		for j := range scans[i].records {
			if err := rp.apply(segs[i].name, &scans[i].records[j]); err != nil {
				return err
			}
		}
	}
	return nil
}

// maxEntryIndex returns the largest entry index among records, 0 if none.
func maxEntryIndex(records []record) uint64 {
	m := uint64(0)
	for i := range records {
		if records[i].kind == kindEntry {
			m = max(m, records[i].u[1])
		}
	}
	return m
}

// preludeEnd returns the offset just past the leading header, HardState and commit records.
func preludeEnd(records []record) int64 {
	end := int64(0)
	for i := range records {
		r := &records[i]
		if r.kind == kindEntry || r.kind == kindSnapshot {
			break
		}
		end = r.end
	}
	return end
}
