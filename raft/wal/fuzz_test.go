package wal

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/raftcheck/raftcheck/raft"
	"github.com/stretchr/testify/require"
)

// fuzzFS builds an in-memory FS from fuzz input: up to three segment files, named with the
// seq and first index their header bytes claim (else seq 1, 2, 3 and first index 1), and a
// snapshot file named with the index and term its bytes claim. Empty inputs are absent.
func fuzzFS(segs [3][]byte, snap []byte) *memFS {
	m := newMemFS()
	for i, b := range segs {
		if len(b) == 0 {
			continue
		}
		seq, first := uint64(i+1), uint64(1)
		if len(b) >= recordHeaderBytes+segmentPayload {
			seq = binary.LittleEndian.Uint64(b[recordHeaderBytes+8:])
			first = binary.LittleEndian.Uint64(b[recordHeaderBytes+16:])
		}
		m.files[segmentName(seq, first)] = b
	}
	if len(snap) >= 24 {
		le := binary.LittleEndian
		m.files[snapName(le.Uint64(snap[8:]), le.Uint64(snap[16:]))] = snap
	}
	return m
}

// FuzzRecover feeds arbitrary bytes to recovery as segment and snapshot files. Open must
// not panic; if it succeeds, every entry and the HardState it returns must be present in
// the input as a record with a valid checksum, the entries must follow the snapshot
// contiguously, the WAL must accept a synced save, and a second Open must return the same
// state plus that save.
func FuzzRecover(f *testing.F) {
	for _, c := range fuzzSeeds(f) {
		f.Add(c[0], c[1], c[2], c[3])
	}
	f.Fuzz(func(t *testing.T, seg1, seg2, seg3, snap []byte) {
		m := fuzzFS([3][]byte{seg1, seg2, seg3}, snap)
		inputs := m.clone()
		opts := Options{SegmentBytes: 512, MaxRecordBytes: 4096}
		w, rec, err := Open(m, opts)
		if err != nil {
			return
		}
		checkRecoveredFrom(t, inputs, rec)
		s := fromRecovered(rec)
		h := newHistory(s)
		next := op{ents: entries(s.lastIndex()+1, s.lastIndex()+1, max(s.HardState.Term, 1)), sync: true}
		require.NoError(t, next.apply(w, h))
		_, again, err := Open(m, opts)
		require.NoError(t, err, "a recovered WAL failed to reopen")
		require.True(t, stateEqual(h.cur(), fromRecovered(again)), "reopen changed the state")
	})
}

// checkRecoveredFrom checks rec against the raw input files.
func checkRecoveredFrom(t *testing.T, inputs *memFS, rec raft.Recovered) {
	t.Helper()
	var all [][]byte
	for _, b := range inputs.files {
		all = append(all, b)
	}
	present := func(rec []byte) bool {
		for _, b := range all {
			if bytes.Contains(b, rec) {
				return true
			}
		}
		return false
	}
	next := uint64(1)
	if rec.Snapshot != nil {
		next = rec.Snapshot.Meta.Index + 1
		require.True(t, present(encodeSnapshot(rec.Snapshot)), "snapshot not in the input")
	}
	for i := range rec.Entries {
		e := &rec.Entries[i]
		require.Equal(t, next, e.Index, "entries not contiguous")
		next++
		require.True(t, present(appendEntry(nil, e)), "entry %d has no valid record in the input", e.Index)
	}
	if !rec.HardState.IsEmpty() {
		require.True(t, present(appendHardState(nil, rec.HardState)), "HardState has no valid record in the input")
	}
}

// fuzzSeeds returns inputs built from real WALs: a small log, a rotated log with a
// snapshot, and torn variants.
func fuzzSeeds(t testing.TB) [][4][]byte {
	var out [][4][]byte
	for seed := range 4 {
		m := newMemFS()
		opts := Options{SegmentBytes: 512, MaxRecordBytes: 4096}
		w, _ := mustOpen(t, m, opts)
		h := newHistory(state{})
		for _, o := range genWorkload(rand.New(rand.NewPCG(uint64(seed), 9)), 3+3*seed, 4) {
			for i := range o.ents {
				o.ents[i].Data = o.ents[i].Data[:min(len(o.ents[i].Data), 40)]
			}
			if o.snap != nil {
				o.snap.Data = o.snap.Data[:min(len(o.snap.Data), 40)]
			}
			require.NoError(t, o.apply(w, h))
		}
		out = append(out, memFSInput(m))
	}
	torn := out[1]
	torn[0] = append(bytes.Clone(torn[0]), 1, 2, 3, 0, 0, 0, 0, 9)
	return append(out, torn)
}

// memFSInput returns m's last three segments and its snapshot file as fuzz input.
func memFSInput(m *memFS) [4][]byte {
	var in [4][]byte
	names, _ := m.List()
	var segs [][]byte
	for _, n := range names {
		if _, _, ok := parseSegmentName(n); ok {
			segs = append(segs, m.files[n])
		} else if _, _, tmp, ok := parseSnapName(n); ok && !tmp {
			in[3] = m.files[n]
		}
	}
	if len(segs) > 3 {
		segs = segs[len(segs)-3:]
	}
	copy(in[:], segs)
	return in
}

// TestFuzzSeedsRecover: the seeds are real WALs, so they must recover (the fuzzer starts
// from meaningful files, not only from rejected ones).
func TestFuzzSeedsRecover(t *testing.T) {
	var withEntries, withSnapshot int
	for i, c := range fuzzSeeds(t) {
		_, rec, err := Open(fuzzFS([3][]byte{c[0], c[1], c[2]}, c[3]), Options{SegmentBytes: 512, MaxRecordBytes: 4096})
		require.NoError(t, err, "seed %d", i)
		withEntries += min(len(rec.Entries), 1)
		if rec.Snapshot != nil {
			withSnapshot++
		}
	}
	require.Positive(t, withEntries)
	require.Positive(t, withSnapshot)
}

// TestWriteFuzzSeeds writes the seed corpus to testdata/fuzz/FuzzRecover when
// RAFTCHECK_WRITE_FUZZ_SEEDS=1.
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("RAFTCHECK_WRITE_FUZZ_SEEDS") != "1" {
		t.Skip("set RAFTCHECK_WRITE_FUZZ_SEEDS=1 to rewrite the seed corpus")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzRecover")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	for i, c := range fuzzSeeds(t) {
		body := "go test fuzz v1\n"
		for _, b := range c {
			body += fmt.Sprintf("[]byte(%q)\n", b)
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%d", i)), []byte(body), 0o644))
	}
}
