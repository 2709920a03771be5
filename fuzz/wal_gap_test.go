package fuzz

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/raftcheck/raftcheck/raft"
	"github.com/raftcheck/raftcheck/raft/wal"
	"github.com/raftcheck/raftcheck/simnet"
)

// recordEnds returns the offsets at which the records of a segment end, read with the
// framing of raft/wal's doc.go (crc, length, kind, payload), up to the first record that does
// not fit.
func recordEnds(b []byte) []int {
	var ends []int
	for off := 0; off+9 <= len(b); {
		end := off + 9 + int(binary.LittleEndian.Uint32(b[off+4:]))
		if end > len(b) || end <= off {
			break
		}
		ends = append(ends, end)
		off = end
	}
	return ends
}

// TestWALDetectsTruncatedSealedSegment cuts a sealed segment (one that is not the last, so
// all of it was synced and it ends with a sync commit) at a record boundary, dropping synced
// entries, and opens the WAL. When a later segment holds entries, replay notices the gap in
// indexes; here the segments after it hold only HardStates (as when the entry that made the
// WAL rotate was lost in a crash), so nothing shows the loss. Open must still report
// corruption rather than return a log that silently lost synced entries, followed by a
// HardState written after them. FuzzWALRecover found that it did not
// (testdata/found/FuzzWALRecover-fffc9d2b9410a76c); the WAL now checks that a segment that is
// not the last ends with the sync commit that sealed it.
func TestWALDetectsTruncatedSealedSegment(t *testing.T) {
	disk, err := simnet.NewDisk(simnet.NewKernel(1), 0, simnet.DiskConfig{})
	if err != nil {
		t.Fatal(err)
	}
	w, _, err := wal.Open(disk, walOptions)
	if err != nil {
		t.Fatal(err)
	}
	const entries = 8
	for i := uint64(1); i <= entries; i++ {
		e := raft.Entry{Term: 1, Index: i, Data: []byte(strings.Repeat("x", 40))}
		if err := w.Save(raft.HardState{Term: 1, Commit: i - 1}, []raft.Entry{e}, true); err != nil {
			t.Fatal(err)
		}
	}
	// HardState-only saves until the WAL rotates twice: the last two segments hold no entry.
	segments := func() []string {
		names, err := disk.List()
		if err != nil {
			t.Fatal(err)
		}
		return names
	}
	before := len(segments())
	for vote := uint64(1); len(segments()) < before+2; vote++ {
		if vote > 100 {
			t.Fatalf("the WAL did not rotate: %v", segments())
		}
		if err := w.Save(raft.HardState{Term: 1 + vote, Vote: 2, Commit: entries}, nil, true); err != nil {
			t.Fatal(err)
		}
	}
	names := segments()
	sealed := names[before-1] // the segment holding the last entries
	b, err := disk.ReadFile(sealed)
	if err != nil {
		t.Fatal(err)
	}
	ends := recordEnds(b)
	if len(ends) < 5 || ends[len(ends)-1] != len(b) {
		t.Fatalf("segment %s: records end at %v of %d bytes", sealed, ends, len(b))
	}
	cut := ends[3] // header, HardState, commit, one entry: the rest of the segment is lost
	rewrite(t, disk, sealed, b[:cut])
	_, rec, err := wal.Open(disk, walOptions)
	var ce *wal.CorruptionError
	switch {
	case errors.As(err, &ce):
		return
	case err != nil:
		t.Fatalf("Open: %v; want a *wal.CorruptionError", err)
	case len(rec.Entries) == entries:
		t.Fatalf("the cut lost nothing: %d entries recovered", len(rec.Entries))
	default:
		_, restart := raft.New(raft.Config{ID: 1, Voters: []uint64{1}, ElectionTick: 10, HeartbeatTick: 1,
			Rand: rand.New(rand.NewPCG(1, 1)), Restore: &rec})
		t.Fatalf("raft/wal: sealed segment %s cut at a record boundary (%d of %d bytes) opens without error: "+
			"it returns %d of the %d synced entries, with HardState %+v saved after the lost ones; raft.New on it: %v",
			sealed, cut, len(b), len(rec.Entries), entries, rec.HardState, restart)
	}
}
