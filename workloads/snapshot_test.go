package workloads

import (
	"encoding/binary"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// populated returns a KV with keys, sessions (with cached replies of every shape), a no-op
// and an eviction watermark.
func populated(t testing.TB) *KV {
	t.Helper()
	kv := newKV(t, KVOptions{MaxSessions: 3})
	cmds := []Command{
		{Client: 2, Seq: 1, Op: Op{Kind: Put, Key: "b", Value: "v b"}},
		{Client: 3, Seq: 1, Op: Op{Kind: Append, Key: "list", Value: "1"}},
		{Client: 3, Seq: 2, Op: Op{Kind: Append, Key: "list", Value: "2"}},
		{Client: 4, Seq: 1, Op: Op{Kind: Put, Key: "a", Value: ""}},
		{Client: 5, Seq: 7, Op: Op{Kind: CAS, Key: "b", Expect: "v b", Value: "w"}}, // evicts 2
		{Client: 4, Seq: 2, Op: Op{Kind: Get, Key: "list"}},
	}
	for _, c := range cmds {
		apply(t, kv, c)
	}
	_, err := kv.Apply(kv.AppliedIndex()+1, nil)
	require.NoError(t, err)
	return kv
}

func TestSnapshotRestoreRoundTrip(t *testing.T) {
	kv := populated(t)
	snap := kv.Snapshot()
	assert.Equal(t, snap, kv.Snapshot(), "snapshot is deterministic")

	restored := newKV(t, KVOptions{MaxSessions: 3})
	apply(t, restored, Command{Client: 99, Seq: 1, Op: Op{Kind: Put, Key: "junk", Value: "1"}})
	require.NoError(t, restored.Restore(snap))
	assert.Equal(t, kv.Digest(), restored.Digest())
	assert.Equal(t, snap, restored.Snapshot())
	assert.Equal(t, uint64(7), restored.AppliedIndex())
	assert.Equal(t, Reply{}, restored.Read("junk"), "restore replaces state")
	assert.Equal(t, kv.String(), restored.String())
	assert.Equal(t, "kv{applied 7, 3 keys, 3 sessions, expired through 2}", kv.String())

	// Subsequent applies behave the same on both, dedup included.
	next := []Command{
		{Client: 4, Seq: 2, Op: Op{Kind: Get, Key: "list"}},                         // cached get
		{Client: 3, Seq: 1, Op: Op{Kind: Append, Key: "list", Value: "1"}},          // stale
		{Client: 2, Seq: 1, Op: Op{Kind: Put, Key: "b", Value: "v b"}},              // expired
		{Client: 5, Seq: 7, Op: Op{Kind: CAS, Key: "b", Expect: "v b", Value: "w"}}, // cached cas
		{Client: 3, Seq: 3, Op: Op{Kind: Append, Key: "list", Value: "3"}},          // executed
		{Client: 6, Seq: 1, Op: Op{Kind: Put, Key: "c", Value: "1"}},                // evicts 3
	}
	for _, c := range next {
		a1, a2 := apply(t, kv, c), apply(t, restored, c)
		assert.Equal(t, a1, a2, "after restore, %v", c)
	}
	assert.Equal(t, kv.Digest(), restored.Digest())
	assert.Equal(t, Reply{Value: "1 2 3", Found: true}, restored.Read("list"))
	assert.Equal(t, Reply{Value: "1 2", Found: true}, apply(t, restored, next[0]).Reply, "the cached get")
}

func TestSnapshotEncodingExact(t *testing.T) {
	kv := newKV(t, KVOptions{})
	apply(t, kv, Command{Client: 2, Seq: 3, Op: Op{Kind: Put, Key: "k", Value: "v"}})
	want := []byte{0x31, 1, 0, // tag, applied 1, watermark 0
		1, 1, 'k', 1, 'v', // one key
		1, 2, 3, 0, 0, 0} // one session: client 2, seq 3, reply flags 0 status 0 value ""
	assert.Equal(t, want, kv.Snapshot())
	empty := newKV(t, KVOptions{})
	assert.Equal(t, []byte{0x31, 0, 0, 0, 0}, empty.Snapshot())
	assert.NotEqual(t, empty.Digest(), kv.Digest())
}

func TestRestoreTruncatedAtEveryByte(t *testing.T) {
	kv := populated(t)
	snap := kv.Snapshot()
	before := kv.Digest()
	for n := range len(snap) {
		err := kv.Restore(snap[:n])
		require.ErrorIs(t, err, ErrMalformed, "cut at %d of %d", n, len(snap))
		require.Equal(t, before, kv.Digest(), "a failed restore changed the KV (cut at %d)", n)
	}
	require.NoError(t, kv.Restore(snap))
}

func TestRestoreRejects(t *testing.T) {
	build := func(parts ...[]byte) []byte {
		b := []byte{0x31}
		for _, p := range parts {
			b = append(b, p...)
		}
		return b
	}
	str := func(s string) []byte { return appendString(nil, s) }
	uv := func(v uint64) []byte { return binary.AppendUvarint(nil, v) }
	sess := func(client, seq uint64) []byte { return append(append(uv(client), uv(seq)...), 0, 0, 0) }
	tests := []struct {
		name string
		b    []byte
		want string
	}{
		{"wrong tag", []byte{0x11, 0, 0, 0, 0}, "tag"},
		{"trailing", build(uv(0), uv(0), uv(0), uv(0), []byte{0}), "trailing"},
		{"keys unsorted", build(uv(1), uv(0), uv(2), str("b"), str(""), str("a"), str(""), uv(0)), "strictly increasing"},
		{"duplicate key", build(uv(1), uv(0), uv(2), str("a"), str(""), str("a"), str(""), uv(0)), "strictly increasing"},
		{"empty key", build(uv(1), uv(0), uv(1), str(""), str(""), uv(0)), "non-empty"},
		{"key count beyond bytes", build(uv(1), uv(0), uv(1000), str("a"), str("")), "count 1000"},
		{"key count beyond MaxKeys", build(uv(1), uv(0), uv(MaxKeys+1)), "count"},
		{"sessions unsorted", build(uv(1), uv(0), uv(0), uv(2), sess(5, 1), sess(4, 1)), "clients must increase"},
		{"session at watermark", build(uv(1), uv(4), uv(0), uv(1), sess(4, 1)), "clients must increase"},
		{"session seq zero", build(uv(1), uv(0), uv(0), uv(1), sess(4, 0)), "seq be >= 1"},
		{"too many sessions", build(uv(1), uv(0), uv(0), uv(3), sess(1, 1), sess(2, 1), sess(3, 1)), "count 3"},
		{"bad reply status", build(uv(1), uv(0), uv(0), uv(1), uv(4), uv(1), []byte{0, 9, 0}), "status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kv := newKV(t, KVOptions{MaxSessions: 2})
			err := kv.Restore(tt.b)
			require.ErrorIs(t, err, ErrMalformed)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func FuzzRestore(f *testing.F) {
	f.Add(populated(f).Snapshot())
	f.Add([]byte{0x31, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		kv, err := NewKV(KVOptions{MaxSessions: 3})
		if err != nil {
			t.Fatal(err)
		}
		if kv.Restore(b) != nil {
			return
		}
		if got := kv.Snapshot(); string(got) != string(b) {
			t.Fatalf("a restored snapshot re-encodes differently:\n got %x\nwant %x", got, b)
		}
	})
}
