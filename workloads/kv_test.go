package workloads

import (
	"errors"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newKV(t testing.TB, opts KVOptions) *KV {
	t.Helper()
	kv, err := NewKV(opts)
	require.NoError(t, err)
	return kv
}

func encode(t testing.TB, c Command) []byte {
	t.Helper()
	b, err := EncodeCommand(nil, c)
	require.NoError(t, err)
	return b
}

// apply applies c at the next index and returns the result.
func apply(t testing.TB, kv *KV, c Command) Applied {
	t.Helper()
	a, err := kv.Apply(kv.AppliedIndex()+1, encode(t, c))
	require.NoError(t, err)
	return a
}

func TestApplyOps(t *testing.T) {
	tests := []struct {
		name  string
		setup []Op // applied first, by client 9
		op    Op
		want  Reply
		after Reply // Read(op.Key) afterwards
	}{
		{"get missing", nil, Op{Kind: Get, Key: "x"}, Reply{}, Reply{}},
		{"get present", []Op{{Kind: Put, Key: "x", Value: "3"}}, Op{Kind: Get, Key: "x"},
			Reply{Value: "3", Found: true}, Reply{Value: "3", Found: true}},
		{"get empty value", []Op{{Kind: Put, Key: "x", Value: ""}}, Op{Kind: Get, Key: "x"},
			Reply{Value: "", Found: true}, Reply{Value: "", Found: true}},
		{"put new", nil, Op{Kind: Put, Key: "x", Value: "1"}, Reply{}, Reply{Value: "1", Found: true}},
		{"put overwrite", []Op{{Kind: Put, Key: "x", Value: "1"}}, Op{Kind: Put, Key: "x", Value: "2"},
			Reply{}, Reply{Value: "2", Found: true}},
		{"append to missing", nil, Op{Kind: Append, Key: "x", Value: "5"}, Reply{}, Reply{Value: "5", Found: true}},
		{"append to list", []Op{{Kind: Append, Key: "x", Value: "5"}, {Kind: Append, Key: "x", Value: "17"}},
			Op{Kind: Append, Key: "x", Value: "0"}, Reply{}, Reply{Value: "5 17 0", Found: true}},
		{"append to empty value", []Op{{Kind: Put, Key: "x", Value: ""}}, Op{Kind: Append, Key: "x", Value: "4"},
			Reply{}, Reply{Value: "4", Found: true}},
		{"cas success", []Op{{Kind: Put, Key: "x", Value: "3"}}, Op{Kind: CAS, Key: "x", Expect: "3", Value: "4"},
			Reply{Value: "3", Found: true, Swapped: true}, Reply{Value: "4", Found: true}},
		{"cas failure", []Op{{Kind: Put, Key: "x", Value: "5"}}, Op{Kind: CAS, Key: "x", Expect: "3", Value: "4"},
			Reply{Value: "5", Found: true}, Reply{Value: "5", Found: true}},
		{"cas creates missing key on empty expect", nil, Op{Kind: CAS, Key: "x", Expect: "", Value: "1"},
			Reply{Swapped: true}, Reply{Value: "1", Found: true}},
		{"cas on missing key fails for non-empty expect", nil, Op{Kind: CAS, Key: "x", Expect: "1", Value: "2"},
			Reply{}, Reply{}},
		{"other keys untouched", []Op{{Kind: Put, Key: "y", Value: "7"}}, Op{Kind: Put, Key: "x", Value: "1"},
			Reply{}, Reply{Value: "1", Found: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kv := newKV(t, KVOptions{})
			for i, o := range tt.setup {
				apply(t, kv, Command{Client: 9, Seq: uint64(i + 1), Op: o})
			}
			a := apply(t, kv, Command{Client: 1, Seq: 1, Op: tt.op})
			assert.Equal(t, tt.want, a.Reply, "reply")
			assert.True(t, a.Executed, "executed")
			assert.Equal(t, tt.after, kv.Read(tt.op.Key), "read after")
			assert.Equal(t, uint64(len(tt.setup)+1), kv.AppliedIndex())
		})
	}
}

func TestApplyResultFields(t *testing.T) {
	kv := newKV(t, KVOptions{})
	a, err := kv.Apply(1, nil)
	require.NoError(t, err)
	assert.Equal(t, Applied{Index: 1, NoOp: true}, a)
	a = apply(t, kv, Command{Client: 4, Seq: 2, Op: Op{Kind: Put, Key: "x", Value: "1"}})
	assert.Equal(t, Applied{Index: 2, Client: 4, Seq: 2, Executed: true, Reply: Reply{}}, a)
}

func TestSessionDedup(t *testing.T) {
	kv := newKV(t, KVOptions{})
	put := Command{Client: 1, Seq: 1, Op: Op{Kind: Append, Key: "x", Value: "1"}}
	first := apply(t, kv, put)
	require.True(t, first.Executed)
	retry := apply(t, kv, put)
	assert.False(t, retry.Executed, "retry executed")
	assert.Equal(t, first.Reply, retry.Reply, "retry reply")
	assert.Equal(t, Reply{Value: "1", Found: true}, kv.Read("x"), "one element after a retry")

	// The cached reply of a get is the value it read then, not the value now.
	get := Command{Client: 1, Seq: 2, Op: Op{Kind: Get, Key: "x"}}
	apply(t, kv, get)
	apply(t, kv, Command{Client: 2, Seq: 1, Op: Op{Kind: Append, Key: "x", Value: "2"}})
	cached := apply(t, kv, get)
	assert.Equal(t, Reply{Value: "1", Found: true}, cached.Reply)
	assert.False(t, cached.Executed)

	// A delayed duplicate of seq 1 is stale.
	stale := apply(t, kv, put)
	assert.Equal(t, Reply{Status: StatusStale}, stale.Reply)
	assert.False(t, stale.Executed)
	assert.Equal(t, Reply{Value: "1 2", Found: true}, kv.Read("x"))

	// Gaps are fine: seq 5 after seq 2 executes.
	gap := apply(t, kv, Command{Client: 1, Seq: 5, Op: Op{Kind: Append, Key: "x", Value: "3"}})
	assert.True(t, gap.Executed)
	assert.Equal(t, Reply{Value: "1 2 3", Found: true}, kv.Read("x"))
}

func TestCASRetryReturnsCachedSuccess(t *testing.T) {
	kv := newKV(t, KVOptions{})
	apply(t, kv, Command{Client: 1, Seq: 1, Op: Op{Kind: Put, Key: "x", Value: "3"}})
	cas := Command{Client: 2, Seq: 1, Op: Op{Kind: CAS, Key: "x", Expect: "3", Value: "4"}}
	want := Reply{Value: "3", Found: true, Swapped: true}
	assert.Equal(t, want, apply(t, kv, cas).Reply)
	assert.Equal(t, want, apply(t, kv, cas).Reply, "a retried cas must report the original success")
}

func TestNoDedupMutantAppliesTwice(t *testing.T) {
	kv := newKV(t, KVOptions{NoDedup: true})
	c := Command{Client: 1, Seq: 1, Op: Op{Kind: Append, Key: "x", Value: "7"}}
	apply(t, kv, c)
	a := apply(t, kv, c)
	assert.True(t, a.Executed, "mutant: retry executed")
	assert.Equal(t, Reply{Value: "7 7", Found: true}, kv.Read("x"), "mutant: element twice")
	apply(t, kv, Command{Client: 1, Seq: 2, Op: Op{Kind: Append, Key: "x", Value: "8"}})
	apply(t, kv, c) // stale seq 1 too
	assert.Equal(t, Reply{Value: "7 7 8 7", Found: true}, kv.Read("x"))
}

func TestSessionEviction(t *testing.T) {
	kv := newKV(t, KVOptions{MaxSessions: 2})
	app := func(client, seq uint64, elem string) Applied {
		return apply(t, kv, Command{Client: client, Seq: seq, Op: Op{Kind: Append, Key: "x", Value: elem}})
	}
	app(5, 1, "1")
	app(7, 1, "2")
	assert.Equal(t, 2, kv.Sessions())
	a := app(9, 1, "3") // evicts 5, the lowest
	assert.True(t, a.Executed)
	assert.Equal(t, 2, kv.Sessions())

	expired := app(5, 1, "1") // a retry of an applied command from an evicted client
	assert.Equal(t, Reply{Status: StatusSessionExpired}, expired.Reply)
	assert.False(t, expired.Executed)
	lower := app(3, 1, "4") // never seen, but below the watermark
	assert.Equal(t, Reply{Status: StatusSessionExpired}, lower.Reply)
	newcomer := app(6, 1, "5") // above the watermark but lowest when full: evicted at once
	assert.Equal(t, Reply{Status: StatusSessionExpired}, newcomer.Reply)
	assert.Equal(t, 2, kv.Sessions())
	again := app(6, 1, "5")
	assert.Equal(t, Reply{Status: StatusSessionExpired}, again.Reply, "client 6 is now below the watermark")

	kept := app(9, 1, "3")
	assert.False(t, kept.Executed, "client 9's session survived")
	assert.Equal(t, Reply{Value: "1 2 3", Found: true}, kv.Read("x"), "nothing applied twice")
}

func TestApplyErrors(t *testing.T) {
	kv := newKV(t, KVOptions{})
	_, err := kv.Apply(2, nil)
	assert.ErrorIs(t, err, ErrIndexOrder)
	assert.Equal(t, uint64(0), kv.AppliedIndex(), "index order error changes nothing")

	a, err := kv.Apply(1, []byte{0x11, 1, 1})
	assert.ErrorIs(t, err, ErrMalformed)
	assert.Equal(t, Applied{Index: 1, NoOp: true}, a)
	assert.Equal(t, uint64(1), kv.AppliedIndex(), "a malformed entry is consumed as a no-op")
	assert.Equal(t, 0, kv.Len())

	_, err = kv.Apply(1, nil)
	assert.ErrorIs(t, err, ErrIndexOrder, "re-applying an index")
}

func TestApplyLimits(t *testing.T) {
	kv := newKV(t, KVOptions{})
	big := make([]byte, MaxValueBytes-2)
	for i := range big {
		big[i] = '9'
	}
	apply(t, kv, Command{Client: 1, Seq: 1, Op: Op{Kind: Put, Key: "x", Value: string(big)}})
	a := apply(t, kv, Command{Client: 1, Seq: 2, Op: Op{Kind: Append, Key: "x", Value: "12"}})
	assert.Equal(t, Reply{Status: StatusLimit}, a.Reply)
	assert.Equal(t, OutcomeFail, a.Reply.Outcome())
	assert.Len(t, kv.Read("x").Value, MaxValueBytes-2, "refused append left the value alone")
	a = apply(t, kv, Command{Client: 1, Seq: 3, Op: Op{Kind: Append, Key: "x", Value: "1"}})
	assert.Equal(t, Reply{}, a.Reply, "exactly MaxValueBytes fits")
}

func TestNewKVRejectsBadOptions(t *testing.T) {
	for _, n := range []int{-1, MaxSessionsLimit + 1} {
		_, err := NewKV(KVOptions{MaxSessions: n})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "KVOptions.MaxSessions")
	}
}

func TestReplyOutcome(t *testing.T) {
	tests := []struct {
		status Status
		want   Outcome
	}{
		{StatusOK, OutcomeOK}, {StatusLimit, OutcomeFail}, {StatusStale, OutcomeUnknown},
		{StatusSessionExpired, OutcomeUnknown}, {StatusUnknown, OutcomeUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.status.String(), func(t *testing.T) {
			assert.Equal(t, tt.want, Reply{Status: tt.status}.Outcome())
		})
	}
}

func TestErrorsAreSentinels(t *testing.T) {
	_, err := DecodeCommand(nil)
	assert.True(t, errors.Is(err, ErrMalformed), "got %v; want ErrMalformed", err)
}

// The watermark, not only a full table, keeps an evicted client out: after a restore into
// a KV with room to spare, the evicted client is still expired.
func TestEvictionWatermarkSurvivesRestore(t *testing.T) {
	small := newKV(t, KVOptions{MaxSessions: 1})
	c := Command{Client: 1, Seq: 1, Op: Op{Kind: Append, Key: "x", Value: "1"}}
	apply(t, small, c)
	apply(t, small, Command{Client: 2, Seq: 1, Op: Op{Kind: Append, Key: "x", Value: "2"}}) // evicts 1
	roomy := newKV(t, KVOptions{MaxSessions: 10})
	require.NoError(t, roomy.Restore(small.Snapshot()))
	a := apply(t, roomy, c)
	assert.Equal(t, Reply{Status: StatusSessionExpired}, a.Reply)
	assert.Equal(t, Reply{Value: "1 2", Found: true}, roomy.Read("x"))
}

func TestApplyKeyLimit(t *testing.T) {
	kv := newKV(t, KVOptions{})
	for i := range MaxKeys {
		apply(t, kv, Command{Client: 1, Seq: uint64(i + 1), Op: Op{Kind: Put, Key: "k" + strconv.Itoa(i), Value: "v"}})
	}
	require.Equal(t, MaxKeys, kv.Len())
	seq := uint64(MaxKeys)
	next := func(o Op) Reply { seq++; return apply(t, kv, Command{Client: 1, Seq: seq, Op: o}).Reply }
	assert.Equal(t, Reply{Status: StatusLimit}, next(Op{Kind: Put, Key: "new", Value: "v"}))
	assert.Equal(t, Reply{Status: StatusLimit}, next(Op{Kind: Append, Key: "new", Value: "1"}))
	assert.Equal(t, Reply{Status: StatusLimit}, next(Op{Kind: CAS, Key: "new", Value: "1"}))
	assert.Equal(t, Reply{}, next(Op{Kind: Put, Key: "k7", Value: "w"}), "existing keys can still be written")
	assert.Equal(t, Reply{}, next(Op{Kind: Get, Key: "new"}))
	assert.Equal(t, MaxKeys, kv.Len())
}

// TestRestoreWithoutSessionsMutantDiverges: the planted bug makes a replica restored from a
// snapshot apply a retry that the replica it was taken from deduplicates; their digests then
// differ at the same applied index.
func TestRestoreWithoutSessionsMutantDiverges(t *testing.T) {
	c := Command{Client: 1, Seq: 1, Op: Op{Kind: Append, Key: "x", Value: "7"}}
	for _, opts := range []KVOptions{{}, {RestoreWithoutSessions: true}} {
		a := newKV(t, KVOptions{})
		apply(t, a, c)
		b := newKV(t, opts)
		require.NoError(t, b.Restore(a.Snapshot()))
		apply(t, a, c) // the client's retry, committed again
		y := apply(t, b, c)
		if opts.RestoreWithoutSessions {
			assert.True(t, y.Executed, "mutant: the restored replica executes the retry")
			assert.Equal(t, Reply{Value: "7 7", Found: true}, b.Read("x"))
			assert.NotEqual(t, a.Digest(), b.Digest(), "mutant: the replicas diverge")
			continue
		}
		assert.False(t, y.Executed)
		assert.Equal(t, a.Digest(), b.Digest(), "replicas agree at applied index 2")
	}
}
