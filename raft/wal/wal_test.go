package wal

import (
	"errors"
	"strings"
	"testing"

	"github.com/raftcheck/raftcheck/raft"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustOpen(t testing.TB, fsys FS, opts Options) (*WAL, raft.Recovered) {
	t.Helper()
	w, rec, err := Open(fsys, opts)
	require.NoError(t, err)
	return w, rec
}

func segmentFiles(t testing.TB, fsys FS) []string {
	t.Helper()
	names, err := fsys.List()
	require.NoError(t, err)
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, "wal-") {
			out = append(out, n)
		}
	}
	return out
}

func TestOpenEmpty(t *testing.T) {
	m := newMemFS()
	_, rec := mustOpen(t, m, Options{})
	assert.Equal(t, raft.Recovered{}, rec)
	names, err := m.List()
	require.NoError(t, err)
	assert.Equal(t, []string{"wal-0000000000000001-0000000000000001.log"}, names)
	_, rec = mustOpen(t, m, Options{})
	assert.Equal(t, raft.Recovered{}, rec)
}

func TestSaveOpenRoundTrip(t *testing.T) {
	m := newMemFS()
	w, _ := mustOpen(t, m, Options{})
	hs := raft.HardState{Term: 3, Vote: 2, Commit: 4}
	ents := entries(1, 5, 3)
	ents[2].Type = raft.EntryConfChange
	ents[3].Data = nil
	require.NoError(t, w.Save(hs, ents, true))
	_, rec := mustOpen(t, m, Options{})
	requireState(t, state{HardState: hs, Entries: ents}, rec)
}

func TestSegmentRotation(t *testing.T) {
	m := newMemFS()
	opts := Options{SegmentBytes: 512}
	w, _ := mustOpen(t, m, opts)
	h := newHistory(state{})
	for i := uint64(1); i <= 60; i++ {
		hs := raft.HardState{Term: 1, Commit: i - 1}
		e := entries(i, i, 1)
		require.NoError(t, w.Save(hs, e, i%3 == 0))
		h.save(hs, e)
	}
	segs := segmentFiles(t, m)
	require.Greater(t, len(segs), 5, "segments: %v", segs)
	for _, name := range segs {
		size, err := m.Size(name)
		require.NoError(t, err)
		assert.LessOrEqual(t, size, int64(512), "size of %s", name)
	}
	_, rec := mustOpen(t, m, opts)
	requireState(t, h.cur(), rec)
}

// TestOverwriteSuffixAcrossRotation: entries that overwrite a suffix supersede the older
// ones on replay, even when the older ones sit in earlier segments.
func TestOverwriteSuffixAcrossRotation(t *testing.T) {
	m := newMemFS()
	opts := Options{SegmentBytes: 512}
	w, _ := mustOpen(t, m, opts)
	require.NoError(t, w.Save(raft.HardState{Term: 1}, entries(1, 40, 1), true))
	first := segmentFiles(t, m)
	require.NoError(t, w.Save(raft.HardState{Term: 2}, entries(10, 15, 2), true))
	require.NoError(t, w.Save(raft.HardState{}, entries(16, 16, 2), false))
	require.NoError(t, w.Save(raft.HardState{Term: 3}, entries(12, 13, 3), true))
	require.Greater(t, len(segmentFiles(t, m)), len(first))
	want := slices2(entries(1, 9, 1), entries(10, 11, 2), entries(12, 13, 3))
	_, rec := mustOpen(t, m, opts)
	requireState(t, state{HardState: raft.HardState{Term: 3}, Entries: want}, rec)
}

func slices2(parts ...[]raft.Entry) []raft.Entry {
	var out []raft.Entry
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestSaveSnapshot(t *testing.T) {
	conf := raft.ConfState{Voters: []uint64{1, 2, 3}, Learners: []uint64{4}}
	tests := []struct {
		name string
		snap raft.SnapshotMeta
		want []raft.Entry
	}{
		{"compaction keeps the suffix", raft.SnapshotMeta{Index: 30, Term: 1, Conf: conf}, entries(31, 40, 1)},
		{"a mismatching term drops the log", raft.SnapshotMeta{Index: 30, Term: 2, Conf: conf}, nil},
		{"beyond the log drops it", raft.SnapshotMeta{Index: 50, Term: 2, Conf: conf}, nil},
		{"at the last index", raft.SnapshotMeta{Index: 40, Term: 1}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := newMemFS()
			opts := Options{SegmentBytes: 512}
			w, _ := mustOpen(t, m, opts)
			hs := raft.HardState{Term: 2, Vote: 1, Commit: 30}
			require.NoError(t, w.Save(hs, entries(1, 40, 1), true))
			before := len(segmentFiles(t, m))
			snap := raft.Snapshot{Meta: tc.snap, Data: []byte("state machine image")}
			require.NoError(t, w.SaveSnapshot(snap))
			assert.Less(t, len(segmentFiles(t, m)), before, "obsolete segments removed")
			_, rec := mustOpen(t, m, opts)
			requireState(t, state{HardState: hs, Snapshot: &snap, Entries: tc.want}, rec)

			// The WAL goes on after the snapshot, and a second snapshot replaces the first.
			w, _ = mustOpen(t, m, opts)
			next := tc.snap.Index + 1
			if len(tc.want) > 0 {
				next = tc.want[len(tc.want)-1].Index + 1
			}
			require.NoError(t, w.Save(raft.HardState{}, entries(next, next+20, 3), true))
			snap2 := raft.Snapshot{Meta: raft.SnapshotMeta{Index: next + 10, Term: 3}, Data: []byte("later")}
			require.NoError(t, w.SaveSnapshot(snap2))
			_, rec = mustOpen(t, m, opts)
			requireState(t, state{HardState: hs, Snapshot: &snap2, Entries: entries(next+11, next+20, 3)}, rec)
			names, err := m.List()
			require.NoError(t, err)
			assert.Contains(t, names, snapName(next+10, 3))
			assert.NotContains(t, names, snapName(tc.snap.Index, tc.snap.Term))
		})
	}
}

func TestSaveErrors(t *testing.T) {
	m := newMemFS()
	w, _ := mustOpen(t, m, Options{MaxRecordBytes: 100})
	require.NoError(t, w.Save(raft.HardState{Term: 1}, entries(1, 5, 1), true))
	require.NoError(t, w.SaveSnapshot(raft.Snapshot{Meta: raft.SnapshotMeta{Index: 3, Term: 1}}))
	tests := []struct {
		name string
		err  error
		call func() error
	}{
		{"gap after the last index", ErrNotContiguous, func() error { return w.Save(raft.HardState{}, entries(7, 7, 1), false) }},
		{"at the snapshot index", ErrNotContiguous, func() error { return w.Save(raft.HardState{}, entries(3, 4, 1), false) }},
		{"not consecutive", ErrNotContiguous, func() error {
			return w.Save(raft.HardState{}, []raft.Entry{{Index: 4, Term: 1}, {Index: 6, Term: 1}}, false)
		}},
		{"too large", ErrRecordTooLarge, func() error {
			return w.Save(raft.HardState{}, []raft.Entry{{Index: 6, Term: 1, Data: make([]byte, 80)}}, false)
		}},
		{"stale snapshot", ErrSnapshotStale, func() error { return w.SaveSnapshot(raft.Snapshot{Meta: raft.SnapshotMeta{Index: 3, Term: 1}}) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			require.ErrorIs(t, err, tc.err)
		})
	}
	// None of them changed anything, and the WAL is still usable.
	require.NoError(t, w.Save(raft.HardState{Term: 2}, entries(6, 6, 2), true))
	_, rec := mustOpen(t, m, Options{MaxRecordBytes: 100})
	requireState(t, state{HardState: raft.HardState{Term: 2}, Snapshot: &raft.Snapshot{Meta: raft.SnapshotMeta{Index: 3, Term: 1}},
		Entries: slices2(entries(4, 5, 1), entries(6, 6, 2))}, rec)
}

func TestOptionsValidation(t *testing.T) {
	tests := []struct {
		opts Options
		want string
	}{
		{Options{SegmentBytes: 100}, "Options.SegmentBytes = 100"},
		{Options{SegmentBytes: -1}, "Options.SegmentBytes = -1"},
		{Options{MaxRecordBytes: 10}, "Options.MaxRecordBytes = 10"},
		{Options{MaxSegments: 1}, "Options.MaxSegments = 1"},
		{Options{MaxSnapshotBytes: -5}, "Options.MaxSnapshotBytes = -5"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			_, _, err := Open(newMemFS(), tc.opts)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// failFS fails every mutating call after the first n.
type failFS struct {
	FS
	n int
}

var errInjected = errors.New("injected failure")

func (f *failFS) step() error {
	if f.n == 0 {
		return errInjected
	}
	f.n--
	return nil
}

func (f *failFS) Append(name string, p []byte) error {
	if err := f.step(); err != nil {
		return err
	}
	return f.FS.Append(name, p)
}

func (f *failFS) Truncate(name string, size int64) error {
	if err := f.step(); err != nil {
		return err
	}
	return f.FS.Truncate(name, size)
}

func (f *failFS) Rename(oldName, newName string) error {
	if err := f.step(); err != nil {
		return err
	}
	return f.FS.Rename(oldName, newName)
}

func (f *failFS) Remove(name string) error {
	if err := f.step(); err != nil {
		return err
	}
	return f.FS.Remove(name)
}

func (f *failFS) Sync(name string) error {
	if err := f.step(); err != nil {
		return err
	}
	return f.FS.Sync(name)
}

func (f *failFS) SyncDir() error {
	if err := f.step(); err != nil {
		return err
	}
	return f.FS.SyncDir()
}

func TestFailureIsSticky(t *testing.T) {
	f := &failFS{FS: newMemFS(), n: 1 << 30}
	w, _ := mustOpen(t, f, Options{})
	f.n = 2
	err := w.Save(raft.HardState{Term: 1}, entries(1, 1, 1), true)
	require.ErrorIs(t, err, ErrFailed)
	require.ErrorIs(t, err, errInjected)
	f.n = 1 << 30
	require.ErrorIs(t, w.Save(raft.HardState{Term: 1}, entries(1, 1, 1), true), ErrFailed)
	require.ErrorIs(t, w.SaveSnapshot(raft.Snapshot{Meta: raft.SnapshotMeta{Index: 1, Term: 1}}), ErrFailed)
}
