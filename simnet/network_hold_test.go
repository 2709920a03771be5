package simnet

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestHoldReleasesLateInOrder: messages sent on a held link wait in the stash, in send
// order, and arrive after the release, once per copy; other links and a cut still behave.
func TestHoldReleasesLateInOrder(t *testing.T) {
	k, n, boxes := newTestNet(t, LinkConfig{Latency: FixedLatency(Millisecond)}, 1, 2, 3)
	require.NoError(t, n.SetHold(1, 2, true))
	for _, m := range []string{"a", "b"} {
		require.NoError(t, n.Send(1, 2, []byte(m)))
	}
	require.NoError(t, n.Send(1, 3, []byte("c")))
	require.NoError(t, k.RunUntil(Second, Limits{MaxEvents: 100, MaxTime: Second}))
	require.Empty(t, boxes[2].got, "held")
	require.Equal(t, []delivery{{from: 1, at: Millisecond, msg: "c"}}, boxes[3].got)
	require.Equal(t, 2, n.Held())

	released, err := n.ReleaseHeld(1, 2, 2)
	require.NoError(t, err)
	require.Equal(t, 2, released)
	require.Equal(t, 0, n.Held())
	require.NoError(t, n.SetHold(1, 2, false))
	require.NoError(t, n.Send(1, 2, []byte("d")))
	require.NoError(t, k.RunUntil(2*Second, Limits{MaxEvents: 100, MaxTime: 2 * Second}))
	at := Second + Millisecond
	require.Equal(t, []delivery{{1, at, "a"}, {1, at, "a"}, {1, at, "b"}, {1, at, "b"}, {1, at, "d"}}, boxes[2].got)

	_, err = n.ReleaseHeld(1, 2, 0)
	require.ErrorContains(t, err, "copies must be in [1, 4]")
	require.ErrorContains(t, n.SetHold(1, 9, true), "unknown")
}
