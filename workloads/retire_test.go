package workloads

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRetireRoundTrip(t *testing.T) {
	b, err := EncodeRetire(nil, "k12")
	require.NoError(t, err)
	key, err := DecodeRetire(b)
	require.NoError(t, err)
	assert.Equal(t, "k12", key)
	_, err = DecodeCommand(b)
	assert.True(t, errors.Is(err, ErrMalformed), "a retire command is not a client's command: %v", err)
}

func TestRetireRejectsBadInput(t *testing.T) {
	for _, key := range []string{"", strings.Repeat("k", MaxKeyBytes+1)} {
		_, err := EncodeRetire(nil, key)
		assert.True(t, errors.Is(err, ErrMalformed), "key of %d bytes: got %v; want ErrMalformed", len(key), err)
	}
	good, _ := EncodeRetire(nil, "k1")
	for _, b := range [][]byte{{retireTag}, {retireTag, 0}, append(good, 0), good[:len(good)-1]} {
		_, err := DecodeRetire(b)
		assert.True(t, errors.Is(err, ErrMalformed), "%x: got %v; want ErrMalformed", b, err)
	}
}

func TestApplyRetireDropsTheKey(t *testing.T) {
	kv := newKV(t, KVOptions{})
	apply(t, kv, Command{Client: 1, Seq: 1, Op: Op{Kind: Append, Key: "k1", Value: "7"}})
	apply(t, kv, Command{Client: 1, Seq: 2, Op: Op{Kind: Append, Key: "k2", Value: "8"}})
	b, _ := EncodeRetire(nil, "k1")
	a, err := kv.Apply(kv.AppliedIndex()+1, b)
	require.NoError(t, err)
	assert.Equal(t, "k1", a.Retired)
	assert.False(t, kv.Read("k1").Found, "k1 after its retire command")
	assert.Equal(t, Reply{Value: "8", Found: true}, kv.Read("k2"))
	assert.Equal(t, uint64(2), kv.LastSeq(1), "a retire command leaves the sessions alone")
	a, err = kv.Apply(kv.AppliedIndex()+1, b)
	require.NoError(t, err, "retiring a key already gone")
	assert.Equal(t, uint64(4), a.Index)
	_, err = kv.Apply(kv.AppliedIndex()+1, []byte{retireTag})
	assert.True(t, errors.Is(err, ErrMalformed), "a malformed retire command: %v", err)
	assert.Equal(t, uint64(5), kv.AppliedIndex(), "a malformed entry is consumed")
}

func TestGeneratorTakeRetired(t *testing.T) {
	cfg := DefaultGeneratorConfig(WorkloadAppend)
	cfg.ReadFraction, cfg.Keys, cfg.MaxWritesPerKey = 0, 1, 2
	g, err := NewGenerator(cfg, rand.New(rand.NewPCG(1, 2)))
	require.NoError(t, err)
	var keys []string
	for range 7 {
		keys = append(keys, g.Next().Key)
	}
	assert.Equal(t, []string{"k0", "k0", "k1", "k1", "k2", "k2", "k3"}, keys)
	assert.Equal(t, []string{"k0", "k1", "k2"}, g.TakeRetired())
	assert.Empty(t, g.TakeRetired(), "taken once")
}
