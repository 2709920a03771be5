package simnet

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// inbox is a Receiver that records what it gets.
type inbox struct {
	k    *Kernel
	id   NodeID
	got  []delivery
	keep [][]byte // slices kept without copying, to test poisoning
}

type delivery struct {
	from NodeID
	at   Time
	msg  string
}

func (b *inbox) Receive(from NodeID, msg []byte) {
	b.got = append(b.got, delivery{from: from, at: b.k.Now(), msg: string(msg)})
	b.keep = append(b.keep, msg)
}

func newTestNet(t *testing.T, def LinkConfig, ids ...NodeID) (*Kernel, *Network, map[NodeID]*inbox) {
	t.Helper()
	k := NewKernel(7)
	n, err := NewNetwork(k, def)
	require.NoError(t, err)
	boxes := map[NodeID]*inbox{}
	for _, id := range ids {
		boxes[id] = &inbox{k: k, id: id}
		require.NoError(t, n.Attach(id, boxes[id]))
	}
	return k, n, boxes
}

func TestNetworkDeliversACopyAfterTheLatency(t *testing.T) {
	k, n, boxes := newTestNet(t, LinkConfig{Latency: FixedLatency(3 * Millisecond)}, 0, 1)
	msg := []byte("hello")
	require.NoError(t, n.Send(0, 1, msg))
	copy(msg, "XXXXX")
	require.NoError(t, k.Run(testLimits))
	require.Equal(t, []delivery{{from: 0, at: 3 * Millisecond, msg: "hello"}}, boxes[1].got)
	require.Equal(t, NetStats{Sent: 1, Delivered: 1}, n.Stats())
	require.EqualError(t, n.Send(0, 9, msg), "simnet: Send(0, 9): unknown node 9")
	require.EqualError(t, n.Send(9, 0, msg), "simnet: Send(9, 0): unknown node 9")
}

func TestNetworkPartitions(t *testing.T) {
	nodes := []NodeID{0, 1, 2, 3, 4, 1000}
	type pair [2]NodeID
	both := func(a, b NodeID) []pair { return []pair{{a, b}, {b, a}} }
	tests := []struct {
		name  string
		apply func(n *Network) error
		cut   []pair // directions that must be cut; all others must deliver
	}{
		{"none", func(n *Network) error { return nil }, nil},
		{"symmetric", func(n *Network) error { return n.Partition([]NodeID{0, 1}, []NodeID{2, 3, 4}) },
			slices.Concat(both(0, 2), both(0, 3), both(0, 4), both(1, 2), both(1, 3), both(1, 4))},
		{"three groups", func(n *Network) error { return n.Partition([]NodeID{0}, []NodeID{1}, []NodeID{2}) },
			slices.Concat(both(0, 1), both(0, 2), both(1, 2))},
		{"one-way", func(n *Network) error { return n.PartitionOneWay([]NodeID{0}, []NodeID{1, 2}) },
			[]pair{{0, 1}, {0, 2}}},
		{"block", func(n *Network) error { return n.Block(3, 4) }, []pair{{3, 4}}},
		{"block then unblock", func(n *Network) error {
			if err := n.Block(3, 4); err != nil {
				return err
			}
			return n.Unblock(3, 4)
		}, nil},
		{"clog link", func(n *Network) error { return n.Clog(1, 3) }, both(1, 3)},
		{"isolate node", func(n *Network) error { return n.Isolate(2) },
			slices.Concat(both(2, 0), both(2, 1), both(2, 3), both(2, 4), both(2, 1000))},
		{"heal", func(n *Network) error {
			if err := n.Partition([]NodeID{0, 1}, []NodeID{2, 3, 4}); err != nil {
				return err
			}
			if err := n.Isolate(1000); err != nil {
				return err
			}
			n.Heal()
			return nil
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, n, boxes := newTestNet(t, LinkConfig{Latency: FixedLatency(Millisecond)}, nodes...)
			require.NoError(t, tt.apply(n))
			wantCut := map[pair]bool{}
			for _, p := range tt.cut {
				wantCut[p] = true
			}
			for _, a := range nodes {
				for _, b := range nodes {
					require.Equal(t, !wantCut[pair{a, b}], n.Connected(a, b), "Connected(%d, %d)", a, b)
					require.NoError(t, n.Send(a, b, []byte(fmt.Sprint(a))))
				}
			}
			require.NoError(t, k.Run(testLimits))
			for _, b := range nodes {
				var want []string
				for _, a := range nodes {
					if !wantCut[pair{a, b}] {
						want = append(want, fmt.Sprint(a))
					}
				}
				var got []string
				for _, d := range boxes[b].got {
					got = append(got, d.msg)
				}
				require.Equal(t, want, got, "messages received by %d", b)
			}
			require.Equal(t, uint64(len(tt.cut)), n.Stats().Dropped.Partition)
		})
	}
}

func TestNetworkPartitionErrors(t *testing.T) {
	_, n, _ := newTestNet(t, LinkConfig{}, 0, 1, 2)
	require.EqualError(t, n.Partition([]NodeID{0, 1}, []NodeID{1, 2}), "simnet: Partition: node 1 is in groups 0 and 1")
	require.EqualError(t, n.Partition([]NodeID{0}, []NodeID{7}), "simnet: Partition: unknown node 7")
	require.True(t, n.Connected(0, 1), "a failed Partition changes nothing")
	require.EqualError(t, n.PartitionOneWay([]NodeID{0}, []NodeID{8}), "simnet: PartitionOneWay: unknown node 8")
	require.EqualError(t, n.Block(0, 5), "simnet: Block: unknown node 5")
	require.EqualError(t, n.Isolate(5), "simnet: Isolate: unknown node 5")
	require.EqualError(t, n.SetLink(5, 0, LinkConfig{}), "simnet: SetLink: unknown node 5")
	require.EqualError(t, n.Attach(0, &inbox{}), "simnet: Attach(0): already attached")
	require.EqualError(t, n.Attach(-1, &inbox{}), "simnet: Attach(-1): NodeID must be >= 0")
}

func TestNetworkCutDropsMessagesInFlight(t *testing.T) {
	k, n, boxes := newTestNet(t, LinkConfig{Latency: FixedLatency(10 * Millisecond)}, 0, 1)
	require.NoError(t, n.Send(0, 1, []byte("a")))
	k.After(5*Millisecond, func() { require.NoError(t, n.Block(0, 1)) })
	require.NoError(t, k.Run(testLimits))
	require.Empty(t, boxes[1].got)
	require.Equal(t, NetStats{Sent: 1, Dropped: DropCounts{Partition: 1}}, n.Stats())
}

func TestLinkConfigValidation(t *testing.T) {
	tests := []struct {
		cfg  LinkConfig
		want string
	}{
		{LinkConfig{Loss: 1.5}, "simnet: LinkConfig.Loss = 1.5: must be in [0, 1]"},
		{LinkConfig{Loss: -0.1}, "simnet: LinkConfig.Loss = -0.1: must be in [0, 1]"},
		{LinkConfig{Loss: math.NaN()}, "simnet: LinkConfig.Loss = NaN: must be in [0, 1]"},
		{LinkConfig{Duplicate: 2}, "simnet: LinkConfig.Duplicate = 2: must be in [0, 1]"},
		{LinkConfig{QueueCap: -1}, "simnet: LinkConfig.QueueCap = -1: must be >= 0"},
		{LinkConfig{Latency: FixedLatency(-5)}, "simnet: LinkConfig.Latency.Min = -5: must be >= 0"},
		{LinkConfig{Latency: UniformLatency(10, 5)}, "simnet: LinkConfig.Latency.Max = 5: must be >= LinkConfig.Latency.Min (10)"},
		{LinkConfig{Latency: Latency{Kind: 7}}, "simnet: LinkConfig.Latency.Kind = 7: unknown kind"},
		{LinkConfig{Latency: Latency{TailMean: 3}}, "simnet: LinkConfig.Latency.TailMean = 3: only for LatencyExponential"},
		{LinkConfig{Latency: ExponentialLatency(1, -1, 5)}, "simnet: LinkConfig.Latency.TailMean = -1: must be >= 0"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			_, err := NewNetwork(NewKernel(1), tt.cfg)
			require.EqualError(t, err, tt.want)
			_, n, _ := newTestNet(t, LinkConfig{}, 0, 1)
			require.EqualError(t, n.SetLink(0, 1, tt.cfg), tt.want)
			require.EqualError(t, n.SetDefault(tt.cfg), tt.want)
		})
	}
}

// within4Sigma asserts that count successes of n trials at probability p are within four
// standard deviations of the binomial mean.
func within4Sigma(t *testing.T, what string, count, n uint64, p float64) {
	t.Helper()
	mean := float64(n) * p
	sigma := math.Sqrt(float64(n) * p * (1 - p))
	require.InDelta(t, mean, float64(count), 4*sigma, "%s: got %d of %d; want %.0f ± %.0f", what, count, n, mean, 4*sigma)
}

func TestNetworkLossAndDuplicationRates(t *testing.T) {
	const msgs = 100_000
	cfg := LinkConfig{Latency: UniformLatency(Millisecond, 2*Millisecond), Loss: 0.1, Duplicate: 0.05, QueueCap: msgs}
	k, n, boxes := newTestNet(t, cfg, 0, 1)
	for range msgs {
		require.NoError(t, n.Send(0, 1, []byte("m")))
	}
	require.NoError(t, k.Run(testLimits))
	s := n.Stats()
	within4Sigma(t, "lost", s.Dropped.Loss, msgs, 0.1)
	within4Sigma(t, "duplicated", s.Duplicated, msgs-s.Dropped.Loss, 0.05)
	require.Equal(t, s.Sent+s.Duplicated, s.Delivered+s.Dropped.Total(), "every copy is delivered or dropped")
	require.Equal(t, uint64(len(boxes[1].got)), s.Delivered)
	require.Equal(t, uint64(msgs), s.Sent)
}

// seqMsgs sends count numbered messages 0 -> 1 and returns the numbers in arrival order.
func seqMsgs(t *testing.T, lat Latency, count int) []uint32 {
	k, n, boxes := newTestNet(t, LinkConfig{Latency: lat, QueueCap: count}, 0, 1)
	for i := range count {
		k.After(Time(i)*Microsecond, func() {
			require.NoError(t, n.Send(0, 1, binary.LittleEndian.AppendUint32(nil, uint32(i))))
		})
	}
	require.NoError(t, k.Run(testLimits))
	out := make([]uint32, 0, count)
	for _, d := range boxes[1].got {
		out = append(out, binary.LittleEndian.Uint32([]byte(d.msg)))
	}
	return out
}

func TestNetworkReordering(t *testing.T) {
	tests := []struct {
		name     string
		lat      Latency
		reorders bool
	}{
		{"fixed", FixedLatency(5 * Millisecond), false},
		{"fixed zero", FixedLatency(0), false},
		{"exponential without tail", ExponentialLatency(Millisecond, 0, 9*Millisecond), false},
		{"uniform jitter", UniformLatency(Millisecond, 2*Millisecond), true},
		{"exponential tail", ExponentialLatency(Millisecond, 100*Microsecond, 10*Millisecond), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := seqMsgs(t, tt.lat, 10_000)
			require.Len(t, got, 10_000)
			inversions := 0
			for i := 1; i < len(got); i++ {
				if got[i] < got[i-1] {
					inversions++
				}
			}
			if tt.reorders {
				require.Greater(t, inversions, 100)
			} else {
				require.Equal(t, 0, inversions)
			}
		})
	}
}

func TestNetworkQueueCapacity(t *testing.T) {
	k, n, boxes := newTestNet(t, LinkConfig{Latency: FixedLatency(Millisecond), QueueCap: 3}, 0, 1, 2)
	for i := range 5 {
		require.NoError(t, n.Send(0, 1, []byte{byte(i)}))
	}
	require.NoError(t, n.Send(2, 1, []byte{9}), "the cap is per link")
	require.NoError(t, k.Run(testLimits))
	var got []string
	for _, d := range boxes[1].got {
		got = append(got, d.msg)
	}
	require.ElementsMatch(t, []string{"\x00", "\x01", "\x02", "\x09"}, got, "the two sends over the cap were dropped")
	require.Equal(t, NetStats{Sent: 6, Delivered: 4, Dropped: DropCounts{Queue: 2}}, n.Stats())
	require.NoError(t, n.Send(0, 1, []byte{7}), "delivered messages free the queue")
	require.NoError(t, k.Run(testLimits))
	require.Len(t, boxes[1].got, 5)
}

func TestNetworkPerLinkConfig(t *testing.T) {
	k, n, boxes := newTestNet(t, LinkConfig{Latency: FixedLatency(Millisecond)}, 0, 1)
	require.NoError(t, n.SetLink(0, 1, LinkConfig{Latency: FixedLatency(7 * Millisecond)}))
	require.NoError(t, n.Send(0, 1, []byte("a")))
	require.NoError(t, n.Send(1, 0, []byte("b")))
	require.NoError(t, k.Run(testLimits))
	require.Equal(t, 7*Millisecond, boxes[1].got[0].at)
	require.Equal(t, Millisecond, boxes[0].got[0].at, "the other direction keeps the default")
	got, err := n.Link(0, 1)
	require.NoError(t, err)
	require.Equal(t, FixedLatency(7*Millisecond), got.Latency)
	n.ResetLinks()
	got, _ = n.Link(0, 1)
	require.Equal(t, FixedLatency(Millisecond), got.Latency)
}

func TestNetworkPoisonCatchesKeptSlices(t *testing.T) {
	k, n, boxes := newTestNet(t, LinkConfig{}, 0, 1)
	n.SetPoison(true)
	require.NoError(t, n.Send(0, 1, []byte("abc")))
	require.NoError(t, k.Run(testLimits))
	require.Equal(t, "abc", boxes[1].got[0].msg)
	require.Equal(t, []byte{0xDB, 0xDB, 0xDB}, boxes[1].keep[0])
}
