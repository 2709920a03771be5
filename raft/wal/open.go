package wal

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"slices"

	"github.com/raftcheck/raftcheck/raft"
)

// Defaults of Options' zero fields, and the bounds the fields must respect.
const (
	DefaultSegmentBytes     = 64 << 20
	DefaultMaxRecordBytes   = 16 << 20
	DefaultMaxSegments      = 1 << 12
	DefaultMaxSnapshotBytes = 1 << 30

	// MinSegmentBytes is the smallest SegmentBytes: room for a segment's header, its
	// HardState and a sync commit, with space to spare.
	MinSegmentBytes = 256
	// MinRecordBytes is the smallest MaxRecordBytes: an entry with a few bytes of data.
	MinRecordBytes = 64
	// segmentFileMax bounds the size of any segment file Open reads, whatever the options.
	segmentFileMax = 1 << 32
)

// Options configures a WAL. The zero value is the default configuration.
type Options struct {
	// SegmentBytes is the size at which the WAL starts a new segment file. A segment holds at
	// least one record after its header, so a single larger record makes a larger segment.
	// 0 means DefaultSegmentBytes.
	SegmentBytes int64
	// MaxRecordBytes bounds one record (an entry plus 26 bytes of framing), on write and on
	// read: a larger length field in a file is damage, never an allocation. 0 means
	// DefaultMaxRecordBytes. Must not shrink between runs over the same files.
	MaxRecordBytes int
	// MaxSegments bounds the number of segment files. 0 means DefaultMaxSegments.
	MaxSegments int
	// MaxSnapshotBytes bounds a snapshot file's size. 0 means DefaultMaxSnapshotBytes.
	MaxSnapshotBytes int64
	// TruncateOnCorruption is a planted bug (mutant 15, WAL recovery that truncates at a
	// checksum failure inside durable data): recovery truncates the log at the first damaged
	// record of any segment, removing the later segments, instead of returning a
	// *CorruptionError. It silently loses synced entries. Off, it costs nothing.
	TruncateOnCorruption bool
	// TornTailAsCorruption is a planted bug: recovery reports a torn tail of the last
	// segment (what a crash leaves of unsynced writes) as corruption, so a node refuses to
	// start after an ordinary crash.
	TornTailAsCorruption bool
	// SkipSegmentDirSync is a planted bug: a new segment's name is never made durable (no
	// SyncDir after creating it), so a power failure can lose the whole segment, synced
	// entries and all.
	SkipSegmentDirSync bool
}

// withDefaults validates o and fills in its zero fields.
func (o Options) withDefaults() (Options, error) {
	if o.SegmentBytes == 0 {
		o.SegmentBytes = DefaultSegmentBytes
	}
	if o.MaxRecordBytes == 0 {
		o.MaxRecordBytes = DefaultMaxRecordBytes
	}
	if o.MaxSegments == 0 {
		o.MaxSegments = DefaultMaxSegments
	}
	if o.MaxSnapshotBytes == 0 {
		o.MaxSnapshotBytes = DefaultMaxSnapshotBytes
	}
	switch {
	case o.SegmentBytes < MinSegmentBytes || o.SegmentBytes > segmentFileMax/2:
		return o, fmt.Errorf("wal: Options.SegmentBytes = %d: must be 0 or in [%d, %d]",
			o.SegmentBytes, MinSegmentBytes, segmentFileMax/2)
	case o.MaxRecordBytes < MinRecordBytes || o.MaxRecordBytes > 1<<30:
		return o, fmt.Errorf("wal: Options.MaxRecordBytes = %d: must be 0 or in [%d, %d]",
			o.MaxRecordBytes, MinRecordBytes, 1<<30)
	case o.MaxSegments < 2:
		return o, fmt.Errorf("wal: Options.MaxSegments = %d: must be 0 or >= 2", o.MaxSegments)
	case o.MaxSnapshotBytes < snapMinBytes:
		return o, fmt.Errorf("wal: Options.MaxSnapshotBytes = %d: must be 0 or >= %d", o.MaxSnapshotBytes, snapMinBytes)
	}
	return o, nil
}

// Open recovers the WAL stored in fsys and returns it ready for writing, with the durable
// state it holds: the HardState, the snapshot (nil if none) and the entries after it. A torn
// tail of the last segment (what a crash leaves of unsynced writes) is truncated; damage in
// durable data is a *CorruptionError (errors.Is(err, ErrCorrupt)) and Open then changes
// nothing. Before Open returns, everything it recovered is durable. An empty fsys gives an
// empty Recovered.
func Open(fsys FS, opts Options) (*WAL, raft.Recovered, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, raft.Recovered{}, err
	}
	rc := &recovery{fs: fsys, opts: opts, cut: -1}
	if err := rc.inventory(); err != nil {
		return nil, raft.Recovered{}, err
	}
	if err := rc.readSegments(); err != nil {
		return nil, raft.Recovered{}, err
	}
	rp, snap, err := rc.replay()
	if err != nil {
		return nil, raft.Recovered{}, err
	}
	w, err := rc.repair(rp, snap)
	if err != nil {
		return nil, raft.Recovered{}, err
	}
	rec := raft.Recovered{HardState: rp.hs, Snapshot: snap}
	if len(rp.entries) > 0 {
		rec.Entries = rp.entries
	}
	return w, rec, nil
}

// recovery is the work of one Open.
type recovery struct {
	fs   FS
	opts Options

	segs      []segment // every segment file, by sequence number
	scans     []scan    // scans[i] is what segs[i] holds, for the segments read
	snapFiles []string  // final snapshot files
	tmpFiles  []string  // leftover temporary snapshot files
	// cut, if >= 0, is where the last kept segment is truncated: its torn tail (or, with
	// TruncateOnCorruption, the damage) starts there. Segments after it are removed.
	cut       int64
	snapFile  string // the snapshot file in use, "" if none
	removeSeq uint64 // sequence number of the first segment removed by repair, 0 if none
}

// inventory lists the files and sorts them into segments, snapshots and leftovers.
func (rc *recovery) inventory() error {
	names, err := rc.fs.List()
	if err != nil {
		return fmt.Errorf("wal: list: %w", err)
	}
	for _, name := range names {
		if seq, first, ok := parseSegmentName(name); ok {
			rc.segs = append(rc.segs, segment{seq: seq, first: first, name: name})
			continue
		}
		if _, _, tmp, ok := parseSnapName(name); ok {
			if tmp {
				rc.tmpFiles = append(rc.tmpFiles, name)
			} else {
				rc.snapFiles = append(rc.snapFiles, name)
			}
		}
	}
	if len(rc.segs) > rc.opts.MaxSegments {
		return fmt.Errorf("%w: %d segment files; Options.MaxSegments = %d", ErrTooManySegments, len(rc.segs), rc.opts.MaxSegments)
	}
	slices.SortFunc(rc.segs, func(a, b segment) int { return cmp.Compare(a.seq, b.seq) })
	for i := 1; i < len(rc.segs); i++ {
		if rc.segs[i].seq != rc.segs[i-1].seq+1 {
			return corruptf(rc.segs[i].name, 0, "segment seq %d follows seq %d: a segment is missing",
				rc.segs[i].seq, rc.segs[i-1].seq)
		}
	}
	return nil
}

// readSegments scans every segment and decides what a damaged one means: a torn tail of the
// last segment is cut; anything else is corruption (or, for the mutant, cut too).
func (rc *recovery) readSegments() error {
	for i := range rc.segs {
		sg := &rc.segs[i]
		b, err := readBounded(rc.fs, sg.name, segmentFileMax)
		if err != nil {
			return err
		}
		s := scanSegment(b, sg.seq, sg.first, rc.opts.MaxRecordBytes)
		sg.maxIndex = maxEntryIndex(s.records)
		rc.scans = append(rc.scans, s)
		last := i == len(rc.segs)-1
		if s.bad < 0 {
			if !last && !sealed(&s) && !rc.opts.TruncateOnCorruption {
				return corruptf(sg.name, s.end, "a segment that is not the last ends without its sealing sync commit (truncated after it was synced)")
			}
			continue
		}
		if !rc.opts.TruncateOnCorruption {
			if err := damage(sg.name, &s, last); err != nil {
				return err
			}
			if rc.opts.TornTailAsCorruption {
				return corruptf(sg.name, s.bad, "damaged record at the end of the last segment (planted: a torn tail reported as corruption)")
			}
		}
		rc.cut = s.bad
		return nil
	}
	return nil
}

// sealed reports whether a segment's valid records end with a sync commit naming its own
// offset: rotation seals every segment that way before starting the next one, so a segment
// that is not the last and lacks it lost synced records at its end.
func sealed(s *scan) bool {
	n := len(s.records)
	return n > 0 && s.records[n-1].kind == kindCommit && s.records[n-1].end == s.end
}

// damage returns the *CorruptionError for damage s found in a segment, or nil if the damage
// is a torn tail: in the last segment, caused by no valid record, and followed by no sync
// commit (which would prove it durable).
func damage(name string, s *scan, last bool) error {
	switch {
	case s.fatal:
		return corruptf(name, s.bad, "%s", s.reason)
	case !last:
		return corruptf(name, s.bad, "%s in a segment that is not the last (all of it was synced)", s.reason)
	case s.proof >= 0:
		return corruptf(name, s.bad, "%s before the sync commit at offset %d (durable data)", s.reason, s.proof)
	}
	return nil
}

// readBounded reads file name if it is at most limit bytes long.
func readBounded(fsys FS, name string, limit int64) ([]byte, error) {
	size, err := fsys.Size(name)
	if err != nil {
		return nil, fmt.Errorf("wal: size of %s: %w", name, err)
	}
	if size > limit || size > math.MaxInt {
		return nil, corruptf(name, 0, "file of %d bytes exceeds the bound %d", size, limit)
	}
	b, err := fsys.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("wal: read %s: %w", name, err)
	}
	return b, nil
}

// replay loads the snapshot named by the last marker and replays the records after it.
func (rc *recovery) replay() (*replayer, *raft.Snapshot, error) {
	segs, scans := rc.segs[:len(rc.scans)], rc.scans
	m, err := lastMarker(segs, scans)
	if err != nil {
		return nil, nil, err
	}
	n := 0
	for i := range scans {
		n += len(scans[i].records)
	}
	rp := &replayer{entries: make([]raft.Entry, 0, n)}
	var snap *raft.Snapshot
	if m != nil {
		snap, err = rc.loadSnapshot(m)
		if err != nil {
			return nil, nil, err
		}
		rp.snapIndex = snap.Meta.Index
	}
	if err := rp.replayAll(segs, scans); err != nil {
		return nil, nil, err
	}
	return rp, snap, nil
}

// loadSnapshot reads and verifies the snapshot file marker m names. The marker is written
// only after the file's rename was made durable, so a missing file is corruption too.
func (rc *recovery) loadSnapshot(m *located) (*raft.Snapshot, error) {
	index, term := m.rec.u[0], m.rec.u[1]
	name := snapName(index, term)
	b, err := readBounded(rc.fs, name, rc.opts.MaxSnapshotBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, corruptf(name, 0, "snapshot file named by the marker at %s offset %d is missing", m.file, m.rec.off)
	}
	if err != nil {
		return nil, err
	}
	snap, err := decodeSnapshot(name, b)
	if err != nil {
		return nil, err
	}
	if snap.Meta.Index != index || snap.Meta.Term != term {
		return nil, corruptf(name, 8, "snapshot file holds index %d term %d", snap.Meta.Index, snap.Meta.Term)
	}
	rc.snapFile = name
	return snap, nil
}
