package wal

import (
	"fmt"

	"github.com/raftcheck/raftcheck/raft"
)

// SaveSnapshot makes s the WAL's snapshot. It writes the snapshot file as
// snap-<index>-<term>.snap.tmp, syncs it, renames it to its final name and syncs the
// directory; then appends a snapshot marker to the log and syncs it; then removes the
// segments the snapshot makes obsolete and the previous snapshot file. A crash at any point
// recovers either the old snapshot or the new one, with every synced entry after it.
//
// Entries after s.Meta.Index are kept if the log holds entry s.Meta.Index with term
// s.Meta.Term (a local compaction, or a snapshot matching the log); otherwise the whole log
// is dropped, as Raft does when it restores a snapshot. s.Meta.Index must exceed the
// current snapshot's index (ErrSnapshotStale). Call it before Save of the same Ready.
func (w *WAL) SaveSnapshot(s raft.Snapshot) error {
	if w.err != nil {
		return w.err
	}
	if s.Meta.Index <= w.snapIndex {
		return fmt.Errorf("%w: index %d; the current snapshot's is %d", ErrSnapshotStale, s.Meta.Index, w.snapIndex)
	}
	name := snapName(s.Meta.Index, s.Meta.Term)
	if err := w.writeSnapshotFile(name, encodeSnapshot(&s)); err != nil {
		return err
	}
	keep := s.Meta.Index <= w.lastIndex() && w.terms[s.Meta.Index-w.snapIndex-1] == s.Meta.Term
	if err := w.add(recordHeaderBytes+snapshotPayload, func(b []byte) []byte {
		return appendMarker(b, s.Meta.Index, s.Meta.Term, keep)
	}); err != nil {
		return err
	}
	if err := w.sync(); err != nil {
		return err
	}
	w.noteSnapshot(s.Meta.Index, keep)
	old := w.snapFile
	w.snapFile = name
	return w.removeObsolete(old)
}

// writeSnapshotFile writes data durably under name via a temporary file.
func (w *WAL) writeSnapshotFile(name string, data []byte) error {
	tmp := name + ".tmp"
	if err := w.fs.Append(tmp, data); err != nil {
		return w.fail(err)
	}
	if err := w.fs.Sync(tmp); err != nil {
		return w.fail(err)
	}
	if err := w.fs.Rename(tmp, name); err != nil {
		return w.fail(err)
	}
	if err := w.fs.SyncDir(); err != nil {
		return w.fail(err)
	}
	return nil
}

// noteSnapshot applies a snapshot marker to the in-memory log.
func (w *WAL) noteSnapshot(index uint64, keep bool) {
	if keep {
		w.terms = append(w.terms[:0], w.terms[index-w.snapIndex:]...)
	} else {
		w.terms = w.terms[:0]
	}
	w.snapIndex = index
}

// removeObsolete removes the oldest segments while every entry they and the segments before
// them hold is covered by the snapshot, never the current segment; then the previous
// snapshot file old ("" if none). Each segment removal is made durable before the next, so
// the surviving segments always have consecutive sequence numbers.
func (w *WAL) removeObsolete(old string) error {
	n := 0
	for n < len(w.segs)-1 && w.segs[n].maxIndex <= w.snapIndex {
		n++
	}
	for i := range n {
		if err := w.fs.Remove(w.segs[i].name); err != nil {
			return w.fail(err)
		}
		if err := w.fs.SyncDir(); err != nil {
			return w.fail(err)
		}
	}
	w.segs = append(w.segs[:0], w.segs[n:]...)
	if old == "" || old == w.snapFile {
		return nil
	}
	if err := w.fs.Remove(old); err != nil {
		return w.fail(err)
	}
	if err := w.fs.SyncDir(); err != nil {
		return w.fail(err)
	}
	return nil
}
