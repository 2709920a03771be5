package wal

import (
	"fmt"

	"github.com/raftcheck/raftcheck/raft"
)

// repair makes the files match what was recovered, then returns the WAL positioned at the
// end of the last segment. It removes leftover snapshot files, cuts the torn tail (removing
// a last segment with no valid header), syncs the directory, and makes the current segment
// durable and ended by a sync commit, so that what Open returns stays recoverable.
func (rc *recovery) repair(rp *replayer, snap *raft.Snapshot) (*WAL, error) {
	w := &WAL{fs: rc.fs, opts: rc.opts, hs: rp.hs, snapFile: rc.snapFile}
	if snap != nil {
		w.snapIndex = snap.Meta.Index
	}
	w.terms = make([]uint64, len(rp.entries))
	for i := range rp.entries {
		w.terms[i] = rp.entries[i].Term
	}
	if err := rc.removeLeftovers(); err != nil {
		return nil, err
	}
	kept, err := rc.cutTail()
	if err != nil {
		return nil, err
	}
	if err := rc.fs.SyncDir(); err != nil {
		return nil, fmt.Errorf("wal: sync dir: %w", err)
	}
	w.segs = rc.segs[:kept]
	if kept == 0 {
		seq := max(rc.removeSeq, 1)
		if err := w.startSegment(seq, rp.last()+1); err != nil {
			return nil, err
		}
		return w, nil
	}
	return w, rc.resume(w, &rc.scans[kept-1])
}

// removeLeftovers removes temporary snapshot files and every snapshot file but the one in use.
func (rc *recovery) removeLeftovers() error {
	for _, name := range rc.tmpFiles {
		if err := rc.fs.Remove(name); err != nil {
			return fmt.Errorf("wal: remove %s: %w", name, err)
		}
	}
	for _, name := range rc.snapFiles {
		if name == rc.snapFile {
			continue
		}
		if err := rc.fs.Remove(name); err != nil {
			return fmt.Errorf("wal: remove %s: %w", name, err)
		}
	}
	return nil
}

// cutTail truncates the last read segment at rc.cut (removing it if nothing valid is left)
// and removes the segments after it. It returns the number of segments kept.
func (rc *recovery) cutTail() (int, error) {
	kept := len(rc.scans)
	if rc.cut == 0 {
		kept--
	} else if rc.cut > 0 {
		name := rc.segs[kept-1].name
		if err := rc.fs.Truncate(name, rc.cut); err != nil {
			return 0, fmt.Errorf("wal: truncate %s: %w", name, err)
		}
		if err := rc.fs.Sync(name); err != nil {
			return 0, fmt.Errorf("wal: sync %s: %w", name, err)
		}
		rc.scans[kept-1].end = rc.cut
	}
	for i := kept; i < len(rc.segs); i++ {
		if rc.removeSeq == 0 {
			rc.removeSeq = rc.segs[i].seq
		}
		if err := rc.fs.Remove(rc.segs[i].name); err != nil {
			return 0, fmt.Errorf("wal: remove %s: %w", rc.segs[i].name, err)
		}
	}
	return kept, nil
}

// resume positions w at the end of its last segment, whose scan is s, and makes it durable:
// a crash may have left unsynced data that Open has now returned (a process crash keeps the
// page cache), so it is synced and, unless it already ends with one, given a sync commit.
func (rc *recovery) resume(w *WAL, s *scan) error {
	w.size = s.end
	w.base = preludeEnd(s.records)
	if sealed(s) {
		w.commitEnd = s.end
		if err := w.fs.Sync(w.cur().name); err != nil {
			return w.fail(err)
		}
		return nil
	}
	return w.sync()
}
