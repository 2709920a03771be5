package wal

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/raftcheck/raftcheck/raft"
	"github.com/raftcheck/raftcheck/simnet"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const sectorBytes = simnet.DefaultSectorSize

// syncedDisk runs a workload to completion and syncs everything; it returns the disk and the
// state it holds.
func syncedDisk(t testing.TB, ops []op, opts Options) (*simnet.Disk, state) {
	t.Helper()
	d := newDisk(t)
	w, _, err := Open(d, opts)
	require.NoError(t, err)
	h := newHistory(state{})
	for _, o := range ops {
		require.NoError(t, o.apply(w, h))
	}
	require.NoError(t, w.Save(raft.HardState{}, nil, true))
	return d, h.cur()
}

// flipSite is one bit to flip and the record it lands in.
type flipSite struct {
	file        string
	sector, bit int
	recordOff   int64 // start of the record holding the bit (segments only)
	finalCommit bool  // the bit is in the last segment's final sync commit
}

// flipSites returns, for every sector of every file on d, a bit of every 16th byte (and the
// sector's last bit), located in the clean files' records.
func flipSites(t testing.TB, d *simnet.Disk) []flipSite {
	t.Helper()
	names, err := d.List()
	require.NoError(t, err)
	var segs []string
	for _, n := range names {
		if strings.HasPrefix(n, "wal-") {
			segs = append(segs, n)
		}
	}
	var out []flipSite
	for _, name := range names {
		b, err := d.ReadFile(name)
		require.NoError(t, err)
		var recs []record
		if seq, first, ok := parseSegmentName(name); ok {
			s := scanSegment(b, seq, first, DefaultMaxRecordBytes)
			require.Equal(t, int64(-1), s.bad, "clean segment %s", name)
			recs = s.records
		}
		for sec := 0; sec*sectorBytes < len(b); sec++ {
			n := min(sectorBytes, len(b)-sec*sectorBytes)
			bits := []int{8*n - 1}
			for j := 0; j < n; j += 16 {
				bits = append(bits, 8*j+j%8)
			}
			for _, bit := range bits {
				site := flipSite{file: name, sector: sec, bit: bit}
				off := int64(sec*sectorBytes + bit/8)
				for i := range recs {
					if recs[i].off <= off && off < recs[i].end {
						site.recordOff = recs[i].off
						site.finalCommit = name == segs[len(segs)-1] && i == len(recs)-1
					}
				}
				out = append(out, site)
			}
		}
	}
	return out
}

// TestBitFlipsInDurableDataAreCorruption flips bits in every sector of fully synced segment
// and snapshot files: recovery must report corruption naming the file and the damaged
// record's offset, and leave the files alone. The one flip it may not see is in the last
// segment's final sync commit, which holds no data: recovery then returns the whole state.
func TestBitFlipsInDurableDataAreCorruption(t *testing.T) {
	opts := Options{SegmentBytes: 2048}
	for _, tc := range []struct {
		name      string
		snapEvery int
	}{{"with snapshots", 8}, {"long log", 0}} {
		t.Run(tc.name, func(t *testing.T) {
			ops := genWorkload(rand.New(rand.NewPCG(3, 42)), 80, tc.snapEvery)
			d, want := syncedDisk(t, ops, opts)
			require.Equal(t, tc.snapEvery > 0, want.Snapshot != nil)
			flipAll(t, d, want, opts)
		})
	}
}

// flipAll checks each of flipSites(d) on a copy of d.
func flipAll(t *testing.T, clean *simnet.Disk, want state, opts Options) {
	files := diskFiles(t, clean)
	var corrupt, benign int
	for _, site := range flipSites(t, clean) {
		t.Run(fmt.Sprintf("%s/sector%d/bit%d", site.file, site.sector, site.bit), func(t *testing.T) {
			d := copyDisk(t, files)
			require.NoError(t, d.FlipBit(site.file, site.sector, site.bit))
			before := diskFiles(t, d)
			_, rec, err := Open(d, opts)
			if site.finalCommit {
				require.NoError(t, err)
				requireState(t, want, rec)
				benign++
				return
			}
			var ce *CorruptionError
			require.ErrorAs(t, err, &ce)
			require.ErrorIs(t, err, ErrCorrupt)
			assert.Equal(t, site.file, ce.File)
			assert.Equal(t, site.recordOff, ce.Offset, "reason: %s", ce.Reason)
			assert.Equal(t, before, diskFiles(t, d), "Open changed the files")
			corrupt++
		})
	}
	t.Logf("%d flips reported as corruption, %d in the final commit", corrupt, benign)
	require.Positive(t, corrupt, "no flip landed in durable records")
	require.Positive(t, benign, "no flip landed in the final commit")
}

// copyDisk returns a new disk holding files, all durable.
func copyDisk(t testing.TB, files map[string]string) *simnet.Disk {
	t.Helper()
	d := newDisk(t)
	for name, b := range files {
		require.NoError(t, d.Append(name, []byte(b)))
		require.NoError(t, d.Sync(name))
	}
	require.NoError(t, d.SyncDir())
	return d
}

func diskFiles(t testing.TB, d *simnet.Disk) map[string]string {
	t.Helper()
	names, err := d.List()
	require.NoError(t, err)
	out := map[string]string{}
	for _, n := range names {
		b, err := d.ReadFile(n)
		require.NoError(t, err)
		out[n] = string(b)
	}
	return out
}

// TestTruncateOnCorruptionLosesData proves the planted bug is real: with
// Options.TruncateOnCorruption a flip in a durable segment is silently truncated away,
// taking synced entries with it.
func TestTruncateOnCorruptionLosesData(t *testing.T) {
	ops := genWorkload(rand.New(rand.NewPCG(3, 42)), 50, 8)
	tests := []struct {
		name string
		pick func(segs []string) (string, int)
	}{
		{"first segment", func(segs []string) (string, int) { return segs[0], 1 }},
		{"last segment", func(segs []string) (string, int) { return segs[len(segs)-1], 0 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			opts := Options{SegmentBytes: 2048, TruncateOnCorruption: true}
			d, want := syncedDisk(t, ops, opts)
			file, sector := tc.pick(segmentFiles(t, d))
			require.NoError(t, d.FlipBit(file, sector, 100))
			_, rec, err := Open(d, opts)
			require.NoError(t, err, "the mutant reports nothing")
			got := fromRecovered(rec)
			assert.False(t, stateEqual(want, got), "the mutant lost nothing")
			assert.Less(t, got.lastIndex(), want.lastIndex(), "synced entries lost")

			opts.TruncateOnCorruption = false
			d, _ = syncedDisk(t, ops, opts)
			require.NoError(t, d.FlipBit(file, sector, 100))
			_, _, err = Open(d, opts)
			require.ErrorIs(t, err, ErrCorrupt, "without the mutant")
		})
	}
}

// TestSnapshotFileDamage: a missing, truncated or flipped snapshot file named by the log's
// last marker is corruption.
func TestSnapshotFileDamage(t *testing.T) {
	opts := Options{SegmentBytes: 2048}
	ops := genWorkload(rand.New(rand.NewPCG(3, 42)), 50, 8)
	tests := []struct {
		name   string
		damage func(d *simnet.Disk, name string) error
		reason string
	}{
		{"missing", func(d *simnet.Disk, name string) error {
			if err := d.Remove(name); err != nil {
				return err
			}
			return d.SyncDir()
		}, "is missing"},
		{"truncated", func(d *simnet.Disk, name string) error {
			if err := d.Truncate(name, 30); err != nil {
				return err
			}
			return d.Sync(name)
		}, "shorter than"},
		{"flipped", func(d *simnet.Disk, name string) error { return d.FlipBit(name, 0, 77) }, "checksum mismatch"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, want := syncedDisk(t, ops, opts)
			name := snapName(want.Snapshot.Meta.Index, want.Snapshot.Meta.Term)
			require.NoError(t, tc.damage(d, name))
			_, _, err := Open(d, opts)
			var ce *CorruptionError
			require.True(t, errors.As(err, &ce), "got %v; want a *CorruptionError", err)
			assert.Equal(t, name, ce.File)
			assert.Contains(t, ce.Reason, tc.reason)
		})
	}
}

// TestTornTailAsCorruptionRefusesAfterACrash: the planted bug reports what an ordinary crash
// leaves of unsynced writes as corruption; without it recovery cuts the torn tail.
func TestTornTailAsCorruptionRefusesAfterACrash(t *testing.T) {
	crashed := func(seed uint64) *simnet.Disk {
		d := newDisk(t)
		w, _, err := Open(d, Options{})
		require.NoError(t, err)
		require.NoError(t, w.Save(raft.HardState{Term: 1}, entries(1, 3, 1), true))
		require.NoError(t, w.Save(raft.HardState{}, entries(4, 40, 1), false)) // unsynced
		require.NoError(t, d.Crash(simnet.TornSectors, rand.New(rand.NewPCG(seed, 4))))
		return d
	}
	for seed := uint64(1); seed <= 64; seed++ {
		if _, _, err := Open(crashed(seed), Options{TornTailAsCorruption: true}); err == nil {
			continue // this crash left no damaged record
		} else {
			require.ErrorIs(t, err, ErrCorrupt)
			require.ErrorContains(t, err, "a torn tail reported as corruption")
		}
		_, rec, err := Open(crashed(seed), Options{})
		require.NoError(t, err, "seed %d: the same crash is a torn tail", seed)
		require.GreaterOrEqual(t, len(rec.Entries), 3, "the synced entries survive")
		return
	}
	t.Fatal("no crash in 64 seeds tore a record")
}

// TestSkipSegmentDirSyncLosesASegment: the planted bug leaves a rotated segment's name
// volatile, so a power failure takes the segment and its synced entries with it; without it
// every synced entry survives.
func TestSkipSegmentDirSyncLosesASegment(t *testing.T) {
	for _, planted := range []bool{false, true} {
		d := newDisk(t)
		opts := Options{SegmentBytes: 1024, SkipSegmentDirSync: planted}
		w, _, err := Open(d, opts)
		require.NoError(t, err)
		for i := uint64(1); i <= 60; i += 10 {
			require.NoError(t, w.Save(raft.HardState{Term: 1}, entries(i, i+9, 1), true)) // synced
		}
		require.NoError(t, d.Crash(simnet.LoseUnsynced, rand.New(rand.NewPCG(1, 2))))
		_, rec, err := Open(d, Options{SegmentBytes: 1024})
		require.NoError(t, err)
		if planted {
			require.Less(t, len(rec.Entries), 60, "mutant: synced entries in the last segment are gone")
			continue
		}
		require.Len(t, rec.Entries, 60, "every synced entry survives")
	}
}
