package wal

import (
	"errors"
	"fmt"

	"github.com/raftcheck/raftcheck/raft"
)

// WAL is an open write-ahead log: it appends records to the current segment file and knows
// just enough of the log (indexes and terms, not data) to validate writes and to decide
// which segments a snapshot makes obsolete. It is not safe for concurrent use.
type WAL struct {
	fs   FS
	opts Options

	segs []segment // oldest first; the last is the one written
	size int64     // bytes of the current segment appended so far (buf not included)
	// commitEnd is the size of the current segment just after its last synced commit
	// record. Invariant: commitEnd <= size; size == commitEnd means nothing is unsynced.
	commitEnd int64
	base      int64  // size of the current segment's prelude (header, HardState)
	buf       []byte // encoded records not yet appended to the current segment

	hs        raft.HardState
	snapIndex uint64
	snapFile  string   // the current snapshot's file name, "" if none
	terms     []uint64 // terms[i] is the term of entry snapIndex+1+i

	err error // the first file-system error; once set, every write returns it
}

// segment is one segment file the WAL knows about.
type segment struct {
	seq, first uint64
	name       string
	maxIndex   uint64 // largest entry index recorded in the segment, 0 if none
}

func (w *WAL) lastIndex() uint64 { return w.snapIndex + uint64(len(w.terms)) }

func (w *WAL) cur() *segment { return &w.segs[len(w.segs)-1] }

// fail records the first file-system error and returns the error the WAL keeps returning.
func (w *WAL) fail(err error) error {
	if w.err == nil {
		w.err = fmt.Errorf("%w: %w", ErrFailed, err)
	}
	return w.err
}

// Save appends ents, then hs (if it is not empty and differs from the last one saved), to
// the log. ents may overwrite a suffix of the log: ents[0].Index must be in
// (snapshot index, last index + 1]; the entries it replaces are superseded on replay. If
// sync is true, Save returns only once everything saved so far is durable; otherwise the
// records may be lost, wholly or in part, by a crash. Raft's Ready contract: call Save with
// sync = Ready.MustSync before sending Ready.Messages.
func (w *WAL) Save(hs raft.HardState, ents []raft.Entry, sync bool) error {
	if w.err != nil {
		return w.err
	}
	if err := w.checkEntries(ents); err != nil {
		return err
	}
	for i := range ents {
		if err := w.add(entryRecordBytes(&ents[i]), func(b []byte) []byte { return appendEntry(b, &ents[i]) }); err != nil {
			return err
		}
		w.noteEntry(ents[i].Index, ents[i].Term)
	}
	if !hs.IsEmpty() && hs != w.hs {
		if err := w.add(recordHeaderBytes+hardStatePayload, func(b []byte) []byte { return appendHardState(b, hs) }); err != nil {
			return err
		}
		w.hs = hs
	}
	if err := w.flush(); err != nil {
		return err
	}
	if sync {
		return w.sync()
	}
	return nil
}

// checkEntries validates ents against the log without changing anything.
func (w *WAL) checkEntries(ents []raft.Entry) error {
	if len(ents) == 0 {
		return nil
	}
	if first := ents[0].Index; first <= w.snapIndex || first > w.lastIndex()+1 {
		return fmt.Errorf("%w: first index %d; snapshot index %d, last index %d",
			ErrNotContiguous, first, w.snapIndex, w.lastIndex())
	}
	for i := range ents {
		if i > 0 && ents[i].Index != ents[i-1].Index+1 {
			return fmt.Errorf("%w: index %d follows %d in the batch", ErrNotContiguous, ents[i].Index, ents[i-1].Index)
		}
		if n := entryRecordBytes(&ents[i]); n > w.opts.MaxRecordBytes {
			return fmt.Errorf("%w: entry %d needs %d bytes; Options.MaxRecordBytes = %d",
				ErrRecordTooLarge, ents[i].Index, n, w.opts.MaxRecordBytes)
		}
	}
	return nil
}

// noteEntry records in memory that entry index (of term) was appended, superseding any
// entry at or after index.
func (w *WAL) noteEntry(index, term uint64) {
	w.terms = append(w.terms[:index-w.snapIndex-1], term)
	if c := w.cur(); index > c.maxIndex {
		c.maxIndex = index
	}
}

// add encodes one record of n bytes with enc into the buffer, first starting a new segment
// if the record and a sync commit after it would overflow a current segment that holds more
// than its prelude.
func (w *WAL) add(n int, enc func([]byte) []byte) error {
	end := w.size + int64(len(w.buf))
	if end > w.base && end+int64(n+commitRecordBytes) > w.opts.SegmentBytes {
		if err := w.rotate(); err != nil {
			return err
		}
	}
	w.buf = enc(w.buf)
	return nil
}

// flush appends the buffered records to the current segment.
func (w *WAL) flush() error {
	if len(w.buf) == 0 {
		return nil
	}
	c := w.cur()
	if err := w.fs.Append(c.name, w.buf); err != nil {
		return w.fail(err)
	}
	w.size += int64(len(w.buf))
	w.buf = w.buf[:0]
	return nil
}

// sync makes the current segment durable and then proves it: Sync, append a commit record
// naming the synced size, Sync again. After it, damage anywhere before the commit is
// detectable as corruption (see doc.go).
func (w *WAL) sync() error {
	if err := w.flush(); err != nil {
		return err
	}
	if w.size == w.commitEnd {
		return nil
	}
	c := w.cur()
	if err := w.fs.Sync(c.name); err != nil {
		return w.fail(err)
	}
	w.buf = appendCommit(w.buf, c.seq, w.size)
	if err := w.flush(); err != nil {
		return err
	}
	if err := w.fs.Sync(c.name); err != nil {
		return w.fail(err)
	}
	w.commitEnd = w.size
	return nil
}

// rotate seals the current segment (durable, ending in a commit) and starts the next one,
// whose prelude repeats the current HardState so that removing older segments never loses
// it. The new file's name is durable before rotate returns. Any error is sticky: the
// caller may already have noted records of the batch in memory.
func (w *WAL) rotate() error {
	if len(w.segs) >= w.opts.MaxSegments {
		return w.fail(fmt.Errorf("%w: Options.MaxSegments = %d", ErrTooManySegments, w.opts.MaxSegments))
	}
	if err := w.sync(); err != nil {
		return err
	}
	return w.startSegment(w.cur().seq+1, w.lastIndex()+1)
}

// startSegment creates segment seq, writes its prelude, syncs it and its name.
func (w *WAL) startSegment(seq, first uint64) error {
	w.segs = append(w.segs, segment{seq: seq, first: first, name: segmentName(seq, first)})
	w.size, w.commitEnd = 0, 0
	w.buf = appendSegmentHeader(w.buf[:0], seq, first)
	if !w.hs.IsEmpty() {
		w.buf = appendHardState(w.buf, w.hs)
	}
	if err := w.sync(); err != nil {
		return err
	}
	w.base = w.size
	if w.opts.SkipSegmentDirSync {
		return nil
	}
	if err := w.fs.SyncDir(); err != nil {
		return w.fail(err)
	}
	return nil
}

// ErrCorrupt is matched (errors.Is) by every *CorruptionError: damage found in data that was
// durable, which recovery refuses to drop silently.
var ErrCorrupt = errors.New("wal: corrupt")

// ErrNotContiguous is returned by Save when entries do not follow the log: ents[0].Index
// must be in (snapshot index, last index + 1] and the entries' indexes consecutive.
var ErrNotContiguous = errors.New("wal: entries not contiguous with the log")

// ErrSnapshotStale is returned by SaveSnapshot for a snapshot whose index is not above the
// current snapshot's.
var ErrSnapshotStale = errors.New("wal: snapshot not newer than the current one")

// ErrRecordTooLarge is returned by Save for an entry whose record would exceed
// Options.MaxRecordBytes. Nothing is written.
var ErrRecordTooLarge = errors.New("wal: record too large")

// ErrTooManySegments is returned by Open when there are more segment files than
// Options.MaxSegments, and (wrapped in the sticky ErrFailed) by a write whose rotation would
// exceed it: take snapshots to retire segments.
var ErrTooManySegments = errors.New("wal: too many segments")

// ErrFailed wraps the first file-system error a WAL met while writing. After it the WAL
// refuses every write, because what reached the disk is unknown: the host must crash the
// node and Open the files again.
var ErrFailed = errors.New("wal: failed")

// CorruptionError reports damage in durable data: a record or snapshot file that fails its
// checksum or is malformed where a crash cannot have torn it. File is the file's name and
// Offset the byte offset of the first damaged record (0 for a snapshot file's checksum).
type CorruptionError struct {
	File   string
	Offset int64
	Reason string
}

// Error describes the damage.
func (e *CorruptionError) Error() string {
	return fmt.Sprintf("wal: corrupt: %s at offset %d: %s", e.File, e.Offset, e.Reason)
}

// Is makes errors.Is(err, ErrCorrupt) hold.
func (e *CorruptionError) Is(target error) bool { return target == ErrCorrupt }

func corruptf(file string, off int64, format string, args ...any) *CorruptionError {
	return &CorruptionError{File: file, Offset: off, Reason: fmt.Sprintf(format, args...)}
}
