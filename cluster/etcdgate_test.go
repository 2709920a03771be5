package cluster

import (
	crand "crypto/rand"
	"fmt"
	"os"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/engine/builtin"
)

// trapReader stands in for crypto/rand.Reader and counts the reads that reach it: bytes from
// a counter, never a constant (crypto/rand.Int rejects and reads again until a draw is in
// range).
type trapReader struct {
	reads atomic.Int64
	next  atomic.Uint32
}

func (t *trapReader) Read(p []byte) (int, error) {
	t.reads.Add(1)
	for i := range p {
		p[i] = byte(t.next.Add(1))
	}
	return len(p), nil
}

// TestEtcdDrawsOnlyFromNodeStreams: etcd raft draws its election jitter from
// crypto/rand.Reader, which the adapter points at the calling node's own stream around every
// call that may draw (engine/etcdraft/entropy.go). With a trap in its place, any draw
// elsewhere is counted: a run would no longer be a function of its seed. Seed 17191 of a soak
// drew inside Advance (its own pre-vote, stepped there after a slow disk delayed it, won the
// election) and ran differently each time until Advance was gated; a swarm of seeds covers
// the other paths.
func TestEtcdDrawsOnlyFromNodeStreams(t *testing.T) {
	d, err := builtin.Lookup("etcd")
	require.NoError(t, err)
	trap := &trapReader{}
	prev := crand.Reader
	crand.Reader = trap
	defer func() { crand.Reader = prev }()

	path := "../testdata/regressions/fixed-etcd-self-vote-drawn-in-advance.json"
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	rp, err := ParseRepro(path, data)
	require.NoError(t, err)
	opts, err := rp.Options(d)
	require.NoError(t, err)
	res, err := Run(rp.Seed, rp.Config, opts)
	require.NoError(t, err)
	require.Zero(t, trap.reads.Load(), "seed %d drew outside the gate", rp.Seed)
	require.Equal(t, rp.Expect.TraceHash, fmt.Sprintf("%016x", res.TraceHash), "and ran as recorded")

	cfg := DefaultConfig()
	for seed := uint64(1); seed <= 10; seed++ {
		_, err := Run(seed, cfg, Options{Engine: d})
		require.NoError(t, err)
		require.Zero(t, trap.reads.Load(), "seed %d drew outside the gate", seed)
	}
}
