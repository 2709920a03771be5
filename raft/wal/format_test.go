package wal

import (
	"encoding/binary"
	"hash/crc32"
	"testing"

	"github.com/raftcheck/raftcheck/raft"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNames(t *testing.T) {
	seq, first, ok := parseSegmentName(segmentName(0x1f, 0xabc))
	require.True(t, ok)
	assert.Equal(t, [2]uint64{0x1f, 0xabc}, [2]uint64{seq, first})
	index, term, tmp, ok := parseSnapName(snapName(7, 3) + ".tmp")
	require.True(t, ok)
	assert.Equal(t, [2]uint64{7, 3}, [2]uint64{index, term})
	assert.True(t, tmp)
	for _, bad := range []string{
		"wal-1-1.log", "wal-000000000000001F-0000000000000001.log", "wal-0000000000000001_0000000000000001.log",
		"wal-0000000000000001-0000000000000001.lg", "snap-0000000000000001-000000000000000g.snap",
		"snap-0000000000000001-0000000000000001.snp", "snap-0000000000000001+0000000000000001.snap", "x.tmp",
	} {
		_, _, okSeg := parseSegmentName(bad)
		_, _, _, okSnap := parseSnapName(bad)
		assert.False(t, okSeg || okSnap, "%q parsed", bad)
	}
}

func TestCorruptionErrorMessage(t *testing.T) {
	err := error(corruptf("wal-x.log", 42, "checksum mismatch"))
	assert.Equal(t, "wal: corrupt: wal-x.log at offset 42: checksum mismatch", err.Error())
	assert.ErrorIs(t, err, ErrCorrupt)
}

// segmentWith returns a segment file (seq 1, first 1) whose header is followed by recs.
func segmentWith(recs ...[]byte) []byte {
	b := appendSegmentHeader(nil, 1, 1)
	for _, r := range recs {
		b = append(b, r...)
	}
	return b
}

// TestValidButMisplacedRecordsAreCorruption: a record with a valid checksum that no correct
// WAL writes where it is found is corruption even in the last segment's tail, where a crash
// can only tear.
func TestValidButMisplacedRecordsAreCorruption(t *testing.T) {
	tests := []struct {
		name   string
		file   []byte
		off    int64
		reason string
	}{
		{"no header first", appendHardState(nil, raft.HardState{Term: 1}), 0, "not a segment header"},
		{"header inside", segmentWith(appendSegmentHeader(nil, 1, 1)), 33, "header inside"},
		{"header names another segment", appendSegmentHeader(nil, 2, 1), 0, "the name says 1, 1"},
		{"commit at the wrong offset", segmentWith(appendCommit(nil, 1, 7)), 33, "sync commit for seq 1 offset 7"},
		{"commit of another segment", segmentWith(appendCommit(nil, 9, 33)), 33, "sync commit for seq 9"},
		{"unknown kind", segmentWith(appendRecord(nil, 9, []byte{1})), 33, "malformed record of kind 9"},
		{"short hard state", segmentWith(appendRecord(nil, kindHardState, []byte{1})), 33, "malformed"},
		{"short entry", segmentWith(appendRecord(nil, kindEntry, []byte{1})), 33, "malformed"},
		{"marker flags", segmentWith(appendRecord(nil, kindSnapshot, u64s(1, 1), []byte{2})), 33, "malformed"},
		{"bad magic", appendRecord(nil, kindSegment, make([]byte, segmentPayload)), 0, "malformed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ce := openCorrupt(t, tc.file)
			assert.Equal(t, segmentName(1, 1), ce.File)
			assert.Equal(t, tc.off, ce.Offset)
			assert.Contains(t, ce.Reason, tc.reason)
		})
	}
}

// TestReplayInconsistencies: checksum-valid records that break the log's rules.
func TestReplayInconsistencies(t *testing.T) {
	e := func(index uint64) []byte { return appendEntry(nil, &raft.Entry{Term: 1, Index: index}) }
	tests := []struct {
		name   string
		file   []byte
		named  string // the file the error names
		reason string
	}{
		{"entry gap", segmentWith(e(1), e(3)), segmentName(1, 1), "entry index 3 does not follow the last index 1"},
		{"marker regress", segmentWith(e(1), e(2), appendMarker(nil, 2, 1, true), appendMarker(nil, 1, 1, true)),
			segmentName(1, 1), "does not exceed the previous marker's 2"},
		{"marker without file", segmentWith(e(1), appendMarker(nil, 1, 1, true)), snapName(1, 1), "is missing"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ce := openCorrupt(t, tc.file)
			assert.Equal(t, tc.named, ce.File)
			assert.Contains(t, ce.Reason, tc.reason)
		})
	}
}

// openCorrupt opens a WAL whose only file is segment 1 holding file, and returns the
// corruption error it must report.
func openCorrupt(t *testing.T, file []byte) *CorruptionError {
	t.Helper()
	m := newMemFS()
	m.files[segmentName(1, 1)] = file
	_, _, err := Open(m, Options{})
	var ce *CorruptionError
	require.ErrorAs(t, err, &ce)
	return ce
}

func TestMissingSegmentIsCorruption(t *testing.T) {
	m := newMemFS()
	w, _ := mustOpen(t, m, Options{SegmentBytes: 256})
	require.NoError(t, w.Save(raft.HardState{Term: 1}, entries(1, 20, 1), true))
	segs := segmentFiles(t, m)
	require.Greater(t, len(segs), 2)
	require.NoError(t, m.Remove(segs[1]))
	_, _, err := Open(m, Options{SegmentBytes: 256})
	var ce *CorruptionError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, segs[2], ce.File)
	assert.Contains(t, ce.Reason, "a segment is missing")
}

func TestBounds(t *testing.T) {
	t.Run("too many segments on rotation", func(t *testing.T) {
		m := newMemFS()
		w, _ := mustOpen(t, m, Options{SegmentBytes: 256, MaxSegments: 3})
		err := w.Save(raft.HardState{}, entries(1, 30, 1), false)
		require.ErrorIs(t, err, ErrTooManySegments)
		require.ErrorIs(t, err, ErrFailed)
		assert.Len(t, segmentFiles(t, m), 3)
		_, _, err = Open(m, Options{SegmentBytes: 256, MaxSegments: 2})
		require.ErrorIs(t, err, ErrTooManySegments)
	})
	t.Run("hostile length field", func(t *testing.T) {
		rec := appendEntry(nil, &raft.Entry{Term: 1, Index: 1})
		binary.LittleEndian.PutUint32(rec[4:], 1<<31)
		_, _, f := readFrame(rec, DefaultMaxRecordBytes)
		assert.Equal(t, frameTooLarge, f)
		assert.Equal(t, "record length exceeds the bound", f.String())
	})
	t.Run("snapshot file too large", func(t *testing.T) {
		m := newMemFS()
		w, _ := mustOpen(t, m, Options{})
		require.NoError(t, w.Save(raft.HardState{}, entries(1, 2, 1), true))
		require.NoError(t, w.SaveSnapshot(raft.Snapshot{Meta: raft.SnapshotMeta{Index: 1, Term: 1}, Data: make([]byte, 100)}))
		_, _, err := Open(m, Options{MaxSnapshotBytes: 64})
		require.ErrorIs(t, err, ErrCorrupt)
		assert.Contains(t, err.Error(), "exceeds the bound 64")
	})
}

// sealSnapshot returns body with a valid trailing CRC.
func sealSnapshot(body []byte) []byte {
	return binary.LittleEndian.AppendUint32(body, crc32.Checksum(body, castagnoli))
}

func TestSnapshotFileFormat(t *testing.T) {
	s := &raft.Snapshot{Meta: raft.SnapshotMeta{Index: 9, Term: 2,
		Conf: raft.ConfState{Voters: []uint64{1, 2}, Learners: []uint64{3}}}, Data: []byte("abc")}
	b := encodeSnapshot(s)
	got, err := decodeSnapshot("f", b)
	require.NoError(t, err)
	assert.Equal(t, s, got)

	body := b[:len(b)-4]
	withField := func(off int, v uint32) []byte {
		c := append([]byte(nil), body...)
		binary.LittleEndian.PutUint32(c[off:], v)
		return sealSnapshot(c)
	}
	tests := []struct {
		name   string
		file   []byte
		reason string
	}{
		{"bad version", withField(4, 3), "bad snapshot magic or version 3"},
		{"too many voters", withField(24, 1<<20), "bound"},
		{"members past the end", withField(24, 100), "member lists need"},
		{"data length", withField(snapFixedBytes+24, 99), "snapshot data length 99"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodeSnapshot("f", tc.file)
			var ce *CorruptionError
			require.ErrorAs(t, err, &ce)
			assert.Contains(t, ce.Reason, tc.reason)
		})
	}
}
