// Package wal is the write-ahead log and snapshot store of package raft: HardState, entries
// and snapshots in files on a small file-system interface, FS, that simnet.Disk and OSFS (a
// real directory) both satisfy. Durability is modelled, not assumed (DESIGN.md contract 4):
// recovery returns exactly a durable prefix of what was written, truncates what a crash
// tore, and reports damage to durable data as a *CorruptionError instead of dropping it.
//
// # Usage
//
// The host loop of a node:
//
//	w, rec, err := wal.Open(disk, wal.Options{})
//	if err != nil { ... } // errors.Is(err, wal.ErrCorrupt): damaged durable data
//	node, err := raft.New(raft.Config{..., Restore: &rec})
//	for {
//		... node.Step / Tick / Propose ...
//		rd := node.Ready()
//		if rd.Snapshot != nil {
//			err = w.SaveSnapshot(*rd.Snapshot) // before the entries that follow it
//		}
//		err = w.Save(rd.HardState, rd.Entries, rd.MustSync)
//		// only now send rd.Messages, then apply rd.CommittedEntries
//		node.Advance()
//	}
//
// Any error from Save or SaveSnapshot other than the validation errors (ErrNotContiguous,
// ErrSnapshotStale, ErrRecordTooLarge) is sticky (ErrFailed): the node must crash and Open
// again.
//
// # Files
//
// Segments are named wal-<seq>-<first>.log and snapshots snap-<index>-<term>.snap, every
// number 16 lowercase hex digits; seq counts segments from 1 and first is the index the
// segment's first entry was to have (informational: replay does not rely on it). A
// snapshot is written as <name>.tmp first. Other files in the directory are ignored.
//
// A segment is a sequence of records. A record is
//
//	crc uint32 | length uint32 | kind uint8 | payload [length]byte
//
// integers little-endian, crc the CRC-32C (Castagnoli) of length, kind and payload: each
// record is checked on its own (no chaining), so recovery can look past a damaged one.
// Kinds and payloads:
//
//	1 segment header  magic "RSWL" (0x4c575352) uint32, version uint32 (1), seq uint64, first uint64
//	2 entry           term uint64, index uint64, type uint8, data (the rest)
//	3 hard state      term uint64, vote uint64, commit uint64
//	4 snapshot marker index uint64, term uint64, flags uint8 (bit 0: the log after index was kept)
//	5 sync commit     seq uint64, offset uint64 (the record's own offset in the segment)
//
// Kind 0 is invalid, so zeroed space never parses. A segment starts with its header,
// followed by the HardState current when it was created (so removing older segments never
// loses the HardState), then a sync commit. A record larger than Options.MaxRecordBytes is
// damage, never an allocation.
//
// A snapshot file is
//
//	magic "RSSN" | version uint32 | index uint64 | term uint64 | voters uint32 | learners uint32 |
//	voter ids [voters]uint64 | learner ids [learners]uint64 | data length uint64 | data | crc uint32
//
// with crc the CRC-32C of every byte before it.
//
// # Writing
//
// Save appends the entries, then the HardState. With sync it then calls Sync, appends a
// sync commit naming the segment's size at that Sync, and calls Sync again: the commit is
// the durable proof that every byte before it was synced. When a record and a commit would
// not fit in Options.SegmentBytes, the segment is sealed (synced, ended by a commit) and the
// next one is created, synced and its name made durable by SyncDir before anything is
// written to it. Conflicting entries (ents[0].Index <= last index) are appended like any
// other: on replay an entry at index i supersedes every earlier entry at or after i, in any
// segment. Nothing is ever rewritten in place.
//
// SaveSnapshot writes snap-<index>-<term>.snap.tmp, syncs it, renames it to its final name
// and syncs the directory; then appends a snapshot marker and syncs as above; then removes,
// oldest first and each made durable by SyncDir before the next, the segments (never the
// last) that hold only entries at or below the snapshot's index, and the previous snapshot
// file. The marker keeps the entries after the snapshot index if the log held the
// snapshot's index with its term; otherwise the whole log is dropped, as Raft does when it
// restores a snapshot.
//
// # Recovery
//
// Open lists the files; segments must have consecutive seqs. It reads each segment's
// records until the first damaged one: an incomplete record, a length beyond the bound or a
// checksum failure (a record with a valid checksum that is malformed or misplaced, such as
// a header mismatching the file name, is always corruption). Damage is a torn tail, which
// is truncated, only if all of these hold:
//
//   - it is in the last segment: a segment is sealed (fully synced) before the next is
//     created, so damage in any other segment is in durable data;
//   - no valid sync commit follows it, at any offset p after the damage, naming offset p
//     and the segment's seq. Such a commit is written only after a Sync of the p bytes
//     before it returned, so its presence, synced or not, proves the damage is in durable
//     data. Conversely every acknowledged byte lies before a durable commit (the second
//     Sync of Save makes the commit itself durable), so damage to acknowledged data is
//     always followed by one and is always reported.
//
// Why a crash is never mistaken for corruption: a crash changes only bytes after the
// durable end D (it may lose them, keep a prefix, tear a write at a sector, or keep a random
// subset of sectors so that valid records follow zeros: lazyfs's torn-seq), and never
// touches bytes before D because the WAL only appends. Damage caused by the crash therefore
// starts at or after D, and every commit after it names an offset p > D; but a commit
// naming p exists only if a Sync covering p bytes returned, which would make D >= p. So no
// proof follows crash damage, and it is cut. Why corruption is never mistaken for a crash:
// every acknowledged byte lies before a durable commit, so damage to it is followed by one.
// The single exception is a bit flipped in the last segment's final commit itself: it is
// read as a torn tail, and it holds no data, so nothing is lost (Open writes a new one).
// Records after the first damage, even valid ones, are never used: the recovered log is a
// prefix of what was written.
//
// Replay starts from the snapshot the last marker names (its file must exist and pass its
// checksum, else corruption), skips entries at or below it (an entry at or below it clears
// the log after it, as it superseded it when written), applies entries by index, markers
// (a dropping marker clears the log), and HardStates (the last wins). Open then removes
// leftover temporary and unreferenced snapshot files and the torn tail (a last segment with
// no valid header is removed), syncs the last segment and ends it with a sync commit, so
// that what Open returned stays durable: a process crash can leave unsynced data in the
// page cache that Open reads. On a *CorruptionError Open changes nothing.
//
// Options.TruncateOnCorruption is a planted bug: recovery truncates at the first damage in
// any segment (removing the later ones) instead of reporting it, silently losing synced
// entries.
package wal
