package wal

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/raftcheck/raftcheck/raft"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOSFSOperations(t *testing.T) {
	dir := t.TempDir()
	o := OSFS{Dir: dir}
	require.NoError(t, os.Mkdir(filepath.Join(dir, "subdir"), 0o755))
	require.NoError(t, o.Append("b", []byte("hello ")))
	require.NoError(t, o.Append("b", []byte("world")))
	require.NoError(t, o.Append("a", nil))
	got, err := o.ReadFile("b")
	require.NoError(t, err)
	assert.Equal(t, "hello world", string(got))
	size, err := o.Size("b")
	require.NoError(t, err)
	assert.Equal(t, int64(11), size)
	require.NoError(t, o.Truncate("b", 5))
	require.NoError(t, o.Sync("b"))
	got, err = o.ReadFile("b")
	require.NoError(t, err)
	assert.Equal(t, "hello", string(got))
	require.NoError(t, o.Rename("b", "c"))
	require.NoError(t, o.SyncDir())
	names, err := o.List()
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "c"}, names, "sorted, regular files only")
	require.NoError(t, o.Remove("a"))

	missing := []struct {
		name string
		err  error
	}{
		{"read", func() error { _, err := o.ReadFile("a"); return err }()},
		{"size", func() error { _, err := o.Size("a"); return err }()},
		{"truncate", o.Truncate("a", 0)},
		{"rename", o.Rename("a", "d")},
		{"remove", o.Remove("a")},
		{"sync", o.Sync("a")},
	}
	for _, tc := range missing {
		t.Run(tc.name, func(t *testing.T) {
			require.ErrorIs(t, tc.err, fs.ErrNotExist)
		})
	}
	for _, bad := range []string{"", ".", "..", "x/y", `x\y`} {
		require.Error(t, o.Append(bad, []byte("x")), "name %q", bad)
	}
	_, err = OSFS{Dir: filepath.Join(dir, "nope")}.List()
	require.ErrorIs(t, err, fs.ErrNotExist)
}

// TestWALOnOSFS runs the WAL on a real directory: saves, rotation, a snapshot, a reopen,
// and a torn tail (garbage appended to the last segment) that recovery truncates.
func TestWALOnOSFS(t *testing.T) {
	dir := t.TempDir()
	o := OSFS{Dir: dir}
	opts := Options{SegmentBytes: 1024}
	w, rec := mustOpen(t, o, opts)
	require.Equal(t, raft.Recovered{}, rec)
	hs := raft.HardState{Term: 2, Vote: 1, Commit: 20}
	require.NoError(t, w.Save(hs, entries(1, 40, 2), true))
	snap := raft.Snapshot{Meta: raft.SnapshotMeta{Index: 20, Term: 2, Conf: raft.ConfState{Voters: []uint64{1, 2, 3}}}, Data: []byte("image")}
	require.NoError(t, w.SaveSnapshot(snap))
	require.NoError(t, w.Save(raft.HardState{}, entries(41, 45, 2), false))
	want := state{HardState: hs, Snapshot: &snap, Entries: entries(21, 45, 2)}

	w, rec = mustOpen(t, o, opts)
	requireState(t, want, rec)
	segs := segmentFiles(t, o)
	require.Greater(t, len(segs), 1)
	last := segs[len(segs)-1]
	size, err := o.Size(last)
	require.NoError(t, err)
	require.NoError(t, o.Append(last, []byte{0, 0, 0, 0, 7, 0, 0, 0, 2, 1, 2}))

	_, rec = mustOpen(t, o, opts)
	requireState(t, want, rec)
	after, err := o.Size(last)
	require.NoError(t, err)
	assert.Equal(t, size, after, "garbage truncated (the tail ended with a sync commit already)")
	names, err := o.List()
	require.NoError(t, err)
	assert.Contains(t, names, snapName(20, 2))
	_ = w
}
