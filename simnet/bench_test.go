package simnet

import (
	"testing"
)

// benchTimer reschedules itself with a pseudo-random delay (arg is its LCG state), keeping
// the queue at a steady size.
type benchTimer struct{ k *Kernel }

func (h *benchTimer) OnEvent(now Time, arg uint64) {
	arg = arg*6364136223846793005 + 1442695040888963407
	h.k.Schedule(now+Time(arg>>54)+1, h, arg)
}

// BenchmarkTimerEvents measures bare timer events through the kernel with 1000 timers
// pending: one op is one event.
func BenchmarkTimerEvents(b *testing.B) {
	k := NewKernel(1)
	h := &benchTimer{k: k}
	for i := range uint64(1000) {
		k.Schedule(Time(i), h, i)
	}
	if err := k.Run(Limits{MaxEvents: 10_000, MaxTime: 1 << 62}); err == nil {
		b.Fatal("warm-up: the runaway timers stopped")
	}
	b.ReportAllocs()
	b.ResetTimer()
	err := k.Run(Limits{MaxEvents: k.Events() + uint64(b.N), MaxTime: 1 << 62})
	b.StopTimer()
	if be, ok := err.(*BoundError); !ok || be.Bound != "MaxEvents" {
		b.Fatalf("got %v; want the MaxEvents bound", err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// pinger answers every message with a 64-byte message back, until stop deliveries.
type pinger struct {
	n     *Network
	k     *Kernel
	self  NodeID
	msg   []byte
	count int
	stop  int
}

func (p *pinger) Receive(from NodeID, msg []byte) {
	p.count++
	if p.count >= p.stop {
		p.k.Stop()
		return
	}
	if err := p.n.Send(p.self, from, p.msg); err != nil {
		panic(err)
	}
}

// BenchmarkNetworkDeliver measures 64-byte message deliveries through the network model
// (latency jitter, trace, buffer reuse) with 100 messages in flight: one op is one delivery.
func BenchmarkNetworkDeliver(b *testing.B) {
	k := NewKernel(1)
	n, err := NewNetwork(k, LinkConfig{Latency: UniformLatency(Millisecond, 2*Millisecond)})
	if err != nil {
		b.Fatal(err)
	}
	msg := make([]byte, 64)
	a := &pinger{n: n, k: k, self: 0, msg: msg}
	c := &pinger{n: n, k: k, self: 1, msg: msg}
	if err := n.Attach(0, a); err != nil {
		b.Fatal(err)
	}
	if err := n.Attach(1, c); err != nil {
		b.Fatal(err)
	}
	lim := Limits{MaxEvents: 1 << 62, MaxTime: 1 << 62}
	run := func(deliveries int) {
		a.count, c.count = 0, 0
		a.stop, c.stop = deliveries/2+1, deliveries/2+1
		if err := k.Run(lim); err != nil {
			b.Fatal(err)
		}
	}
	for range 100 {
		if err := n.Send(0, 1, msg); err != nil {
			b.Fatal(err)
		}
	}
	run(10_000) // warm up: buffers and queues reach their steady size
	b.ReportAllocs()
	b.ResetTimer()
	before := n.Stats().Delivered
	run(b.N)
	b.StopTimer()
	delivered := n.Stats().Delivered - before
	b.ReportMetric(float64(delivered)/b.Elapsed().Seconds(), "deliveries/s")
}
