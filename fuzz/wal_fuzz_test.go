package fuzz

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/raftcheck/raftcheck/raft"
	"github.com/raftcheck/raftcheck/raft/wal"
	"github.com/raftcheck/raftcheck/simnet"
)

// FuzzWALRecover writes a real WAL with wal.Save and wal.SaveSnapshot on a simnet disk (its
// shape drawn from build), crashes the disk (crash: bits 0-2 pick a simnet.CrashMode or none,
// bit 3 leaves the last saves unsynced), damages the files as muts says, and recovers with
// wal.Open. Recovery must not panic, and:
//
//   - an error must be a *wal.CorruptionError naming one of the files, and is allowed only if
//     some mutation changed a byte (a crash alone is never corruption);
//   - every recovered entry and the HardState must have a checksum-valid record in the files
//     and be ones that were written, the entries contiguous after the snapshot;
//   - the recovered state must be one the WAL passed through at or after its last sync (a
//     prefix of what was written, never losing synced data), unless the damage is outside the
//     WAL's fault model: the last segment's final sync commit damaged together with bytes
//     before it (then the damage reads as a torn tail, see raft/wal's doc.go). A truncated
//     sealed segment is inside the model: it must be reported (it once was not; see
//     TestWALDetectsTruncatedSealedSegment);
//   - opening the recovered WAL again gives the same state.
//
// muts is a list of 5-byte mutations: op, file (index into the sorted file list), offset
// (2 bytes, big-endian, modulo the file size) and a value. Ops (op%6): xor the byte with the
// value, set it, truncate the file there, append value%32+1 garbage bytes, zero the 512-byte
// sector holding the offset, or add a new segment file after the last one (named as the WAL
// names them, its first index the offset) holding the value%64 input bytes that follow.
func FuzzWALRecover(f *testing.F) {
	f.Fuzz(func(t *testing.T, build, crash uint8, muts []byte) {
		c := recoverWAL(t, build, crash, muts)
		if c.err != nil {
			checkOpenError(t, c.err, c.files, c.dmg)
			return
		}
		checkRecordsPresent(t, c.got, c.files, c.h)
		if !c.dmg.outsideModel {
			checkPrefix(t, c.got, c.h)
		}
		_, again, err := wal.Open(c.h.disk, walOptions)
		if err != nil {
			t.Fatalf("reopening a recovered WAL: %v", err)
		}
		if re := (walState{hs: again.HardState, snap: again.Snapshot, ents: again.Entries}); !c.got.equal(re) {
			diff := cmp.Diff(c.got, re, walCmp)
			t.Fatalf("reopen changed the recovered state (-first +second):\n%s", diff)
		}
	})
}

// walCase is one FuzzWALRecover input carried out: the history written, the damage done, the
// files as Open found them, and what Open returned.
type walCase struct {
	h     *walHistory
	dmg   damage
	files map[string][]byte
	got   walState
	err   error
}

func recoverWAL(t *testing.T, build, crash uint8, muts []byte) walCase {
	h, err := buildWAL(build, crash&8 != 0)
	if err != nil {
		t.Fatalf("building WAL %d: %v", build, err)
	}
	final, finalEnd := finalCommit(t, h.disk)
	if mode := crash & 7; int(mode) < len(simnet.CrashModes()) {
		r := rand.New(rand.NewPCG(uint64(build), uint64(crash)))
		if err := h.disk.Crash(simnet.CrashModes()[mode], r); err != nil {
			t.Fatal(err)
		}
	}
	c := walCase{h: h}
	c.dmg = mutate(t, h.disk, muts, final, finalEnd)
	c.files = readAll(t, h.disk)
	_, rec, err := wal.Open(h.disk, walOptions)
	c.got, c.err = walState{hs: rec.HardState, snap: rec.Snapshot, ents: rec.Entries}, err
	return c
}

var walCmp = cmp.Options{cmp.AllowUnexported(walState{}), cmpopts.EquateEmpty()}

// damage is what the mutations did.
type damage struct {
	changed      bool // some byte or length changed
	outsideModel bool // the damage is not one the WAL promises to detect
}

// finalCommit returns the name of the last segment and the end of its durable data, which is
// where its final sync commit record ends.
func finalCommit(t *testing.T, d *simnet.Disk) (string, int) {
	names, err := d.List()
	if err != nil {
		t.Fatal(err)
	}
	last := ""
	for _, n := range names {
		if strings.HasPrefix(n, "wal-") && strings.HasSuffix(n, ".log") {
			last = n
		}
	}
	if last == "" {
		t.Fatalf("no segment in %v", names)
	}
	b, err := d.Durable(last)
	if err != nil {
		t.Fatal(err)
	}
	return last, len(b)
}

// mutate applies muts to the disk's files and syncs them (damage at rest). The WAL promises
// to detect any damage to synced data except one kind: damage to the last segment's final
// sync commit hides damage before it in the same segment (it reads as a torn tail), so that
// combination is outside the fault model.
func mutate(t *testing.T, d *simnet.Disk, muts []byte, final string, finalEnd int) damage {
	var dmg damage
	var hitCommit, hitBefore bool
	seq := segmentSeq(t, final)
	for ; len(muts) >= 5; muts = muts[5:] {
		if muts[0]%6 == 5 {
			n := min(int(muts[4])%64, len(muts)-5)
			seq++
			rewrite(t, d, fmt.Sprintf("wal-%016x-%016x.log", seq, int(muts[2])<<8|int(muts[3])), muts[5:5+n])
			dmg.changed = true
			muts = muts[n:]
			continue
		}
		names, err := d.List()
		if err != nil || len(names) == 0 {
			t.Fatalf("listing: %v %v", names, err)
		}
		name := names[int(muts[1])%len(names)]
		b, err := d.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		orig := slices.Clone(b)
		off := int(muts[2])<<8 | int(muts[3])
		if len(b) > 0 {
			off %= len(b)
		}
		op := muts[0] % 6
		b, ok := mutateBytes(b, op, off, muts[4])
		if !ok || slices.Equal(b, orig) {
			continue
		}
		dmg.changed = true
		if name == final {
			for _, i := range changedOffsets(orig, b) {
				hitCommit = hitCommit || (i >= finalEnd-commitRecordBytes && i < finalEnd)
				hitBefore = hitBefore || i < finalEnd-commitRecordBytes
			}
		}
		rewrite(t, d, name, b)
	}
	dmg.outsideModel = dmg.outsideModel || (hitCommit && hitBefore)
	return dmg
}

// segmentSeq parses the sequence number of a segment file name (wal-<seq>-<first>.log).
func segmentSeq(t *testing.T, name string) uint64 {
	var seq, first uint64
	if _, err := fmt.Sscanf(name, "wal-%016x-%016x.log", &seq, &first); err != nil {
		t.Fatalf("segment name %q: %v", name, err)
	}
	return seq
}

// changedOffsets lists the offsets of orig that b changed or cut off.
func changedOffsets(orig, b []byte) []int {
	var out []int
	for i := range orig {
		if i >= len(b) || b[i] != orig[i] {
			out = append(out, i)
		}
	}
	return out
}

// mutateBytes applies one mutation; ok is false when it does not apply (an empty file can
// only be appended to).
func mutateBytes(b []byte, op byte, off int, val byte) ([]byte, bool) {
	if len(b) == 0 && op != 3 {
		return b, false
	}
	switch op {
	case 0:
		b[off] ^= val
	case 1:
		b[off] = val
	case 2:
		return b[:off], true
	case 3:
		for i := range int(val%32) + 1 {
			b = append(b, val*byte(i+1))
		}
	case 4:
		start := off &^ 511
		clear(b[start:min(start+512, len(b))])
	}
	return b, true
}

// rewrite replaces (or creates) file name with b, durably.
func rewrite(t *testing.T, d *simnet.Disk, name string, b []byte) {
	if err := d.Truncate(name, 0); err != nil && !errors.Is(err, simnet.ErrNotExist) {
		t.Fatal(err)
	}
	if err := d.Append(name, b); err != nil {
		t.Fatal(err)
	}
	if err := d.Sync(name); err != nil {
		t.Fatal(err)
	}
	if err := d.SyncDir(); err != nil {
		t.Fatal(err)
	}
}

func readAll(t *testing.T, d *simnet.Disk) map[string][]byte {
	names, err := d.List()
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, n := range names {
		if files[n], err = d.ReadFile(n); err != nil {
			t.Fatal(err)
		}
	}
	return files
}

func checkOpenError(t *testing.T, err error, files map[string][]byte, dmg damage) {
	var ce *wal.CorruptionError
	if !errors.As(err, &ce) {
		t.Fatalf("Open failed with %v (%T); want a *wal.CorruptionError", err, err)
	}
	if !errors.Is(err, wal.ErrCorrupt) {
		t.Fatalf("CorruptionError %v does not match wal.ErrCorrupt", err)
	}
	b, ok := files[ce.File]
	if !ok && !strings.HasPrefix(ce.File, "snap-") {
		t.Fatalf("CorruptionError names file %q, which is not on the disk", ce.File)
	}
	if ce.Offset < 0 || (ok && ce.Offset > int64(len(b))) {
		t.Fatalf("CorruptionError offset %d outside file %s of %d bytes", ce.Offset, ce.File, len(b))
	}
	if !dmg.changed {
		t.Fatalf("Open reported corruption after a crash alone (no byte was damaged): %v", err)
	}
}

// checkRecordsPresent: everything recovered was written, and has a checksum-valid record
// in the files as they were before Open.
func checkRecordsPresent(t *testing.T, got walState, files map[string][]byte, h *walHistory) {
	next := got.snapIndex() + 1
	for _, e := range got.ents {
		if e.Index != next {
			t.Fatalf("recovered entries not contiguous: index %d where %d was due", e.Index, next)
		}
		next++
		if !slices.ContainsFunc(h.entries, func(w raft.Entry) bool { return entryEqual(w, e) }) {
			t.Fatalf("recovered entry %v was never written", e)
		}
		if !inFiles(files, entryRecord(e)) {
			t.Fatalf("recovered entry %v has no checksum-valid record in the files", e)
		}
	}
	if !got.hs.IsEmpty() {
		if !slices.Contains(h.hss, got.hs) {
			t.Fatalf("recovered HardState %+v was never written", got.hs)
		}
		if !inFiles(files, hardStateRecord(got.hs)) {
			t.Fatalf("recovered HardState %+v has no checksum-valid record in the files", got.hs)
		}
	}
	if got.snap != nil && !slices.ContainsFunc(h.snaps, func(s raft.Snapshot) bool { return snapEqual(&s, got.snap) }) {
		t.Fatalf("recovered snapshot %+v was never written", got.snap.Meta)
	}
}

// checkPrefix: the recovered state is one the WAL passed through at or after its last sync.
func checkPrefix(t *testing.T, got walState, h *walHistory) {
	for i := h.synced; i < len(h.states); i++ {
		if got.equal(h.states[i]) {
			return
		}
	}
	var closest string
	for i, s := range h.states {
		if got.equal(s) {
			closest = "; it equals state " + strconv.Itoa(i) + ", before the last sync: synced data was lost"
		}
	}
	t.Fatalf("recovered %v is none of states %d..%d (synced %v, last %v)%s",
		got, h.synced, len(h.states)-1, h.states[h.synced], h.cur(), closest)
}

// TestWALSeedOutcomes pins what each seed of FuzzWALRecover does, so that the corpus keeps
// exercising both sides: recoveries after crashes and damage that must be reported.
func TestWALSeedOutcomes(t *testing.T) {
	type want int
	const (
		wantFinal   want = iota // recovers exactly the last state written
		wantSynced              // recovers a state at or after the last sync
		wantCorrupt             // a *wal.CorruptionError naming the file kind in file
		wantLoss                // outside the fault model: recovers, losing synced data
	)
	cases := map[string]struct {
		want want
		file string // prefix of the file a CorruptionError names
	}{
		"crash-lose-unsynced": {want: wantSynced}, "crash-keep-unsynced": {want: wantFinal},
		"crash-keep-prefix": {want: wantSynced}, "crash-torn-sectors": {want: wantSynced},
		"crash-random-sectors": {want: wantSynced}, "clean": {want: wantFinal},
		"flip-snapshot":                {want: wantCorrupt, file: "snap-"},
		"flip-sealed-segment":          {want: wantCorrupt, file: "wal-"},
		"set-sealed-segment":           {want: wantCorrupt, file: "wal-"},
		"flip-final-commit":            {want: wantFinal},
		"flip-before-final-commit":     {want: wantCorrupt, file: "wal-"},
		"flip-final-commit-and-before": {want: wantLoss},
		"garbage-after-last-segment":   {want: wantFinal},
		"truncate-final-commit":        {want: wantFinal},
		"truncate-last-segment":        {want: wantLoss},
		"zero-sealed-sector":           {want: wantCorrupt, file: "wal-"},
		"zero-only-segment":            {want: wantLoss},
	}
	for _, s := range walSeeds(t) {
		t.Run(s.name, func(t *testing.T) {
			tc, ok := cases[s.name]
			if !ok {
				t.Fatalf("no expected outcome for seed %q", s.name)
			}
			c := recoverWAL(t, s.args[0].(uint8), s.args[1].(uint8), s.args[2].([]byte))
			var ce *wal.CorruptionError
			switch tc.want {
			case wantCorrupt:
				if !errors.As(c.err, &ce) || !strings.HasPrefix(ce.File, tc.file) {
					t.Fatalf("got error %v; want a *wal.CorruptionError in a %s* file", c.err, tc.file)
				}
				return
			case wantLoss:
				if c.err != nil || !c.dmg.outsideModel {
					t.Fatalf("got error %v, damage %+v; want a recovery after damage outside the model", c.err, c.dmg)
				}
				checkRecordsPresent(t, c.got, c.files, c.h)
				return
			}
			if c.err != nil {
				t.Fatalf("Open: %v", c.err)
			}
			if tc.want == wantFinal {
				if !c.got.equal(c.h.cur()) {
					diff := cmp.Diff(c.h.cur(), c.got, walCmp)
					t.Fatalf("recovered state differs from the last written (-want +got):\n%s", diff)
				}
			}
			checkPrefix(t, c.got, c.h)
		})
	}
}
