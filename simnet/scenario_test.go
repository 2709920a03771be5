package simnet

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
)

// The scenario driver: a randomized run that exercises the network, disks and processes
// under faults, all derived from one seed. It is the workload of the determinism tests.

const (
	scenarioNodes    = 5
	scenarioClient   = NodeID(1000)
	traceHostBoot    = TraceUser + 1 // a=node b=log bytes recovered c=1 if the read failed
	traceHostDurable = TraceUser + 2 // a=node b=log bytes durable (acknowledged after disk latency)
)

// scenarioHost is a node: it gossips on ticks, appends what it receives to its log, syncs
// every few ticks and, once the disk latency has passed, records the durable length.
type scenarioHost struct {
	w     *scenario
	id    NodeID
	p     *Process
	d     *Disk
	rng   *rand.Rand
	ticks int
	buf   []byte
}

func (h *scenarioHost) Tick() {
	h.ticks++
	to := NodeID(h.rng.IntN(scenarioNodes))
	if to == h.id {
		to = scenarioClient
	}
	h.buf = binary.LittleEndian.AppendUint64(h.buf[:0], uint64(h.ticks)<<8|uint64(h.id))
	if err := h.p.Send(to, h.buf); err != nil {
		panic(err)
	}
	if h.ticks%4 == 0 {
		h.sync()
	}
	if h.ticks%25 == 0 {
		h.compact()
	}
}

func (h *scenarioHost) Receive(from NodeID, msg []byte) {
	if err := h.d.Append("log", msg); err != nil {
		h.w.k.Trace().Note(TraceUser, uint64(h.id), 0, 0, err.Error())
	}
}

func (h *scenarioHost) sync() {
	if err := h.d.Sync("log"); err != nil {
		return // no log yet
	}
	size, _ := h.d.Size("log")
	h.p.After(h.d.TakeLatency(), h, uint64(size))
}

// OnEvent: a sync's latency has passed; the host acts on durability.
func (h *scenarioHost) OnEvent(now Time, size uint64) {
	h.d.Settle()
	h.w.k.Trace().Event(traceHostDurable, uint64(h.id), size, 0)
}

// compact rewrites the log's last 64 bytes into a new file and renames it over the log.
func (h *scenarioHost) compact() {
	data, err := h.d.ReadFile("log")
	if err != nil {
		return
	}
	data = data[max(0, len(data)-64):]
	if h.d.Append("log.tmp", data) != nil || h.d.Sync("log.tmp") != nil {
		return
	}
	if h.rng.IntN(2) == 0 {
		_ = h.d.SyncDir()
	}
	_ = h.d.Rename("log.tmp", "log")
	if h.rng.IntN(2) == 0 {
		_ = h.d.SyncDir()
	}
}

// scenarioClient sends requests to random nodes on a kernel timer.
type scenarioClientEP struct {
	w   *scenario
	got int
}

func (c *scenarioClientEP) Receive(from NodeID, msg []byte) { c.got++ }

func (c *scenarioClientEP) OnEvent(now Time, arg uint64) {
	r := c.w.k.Stream("client")
	msg := binary.LittleEndian.AppendUint64(nil, arg)
	if err := c.w.net.Send(scenarioClient, NodeID(r.IntN(scenarioNodes)), msg); err != nil {
		panic(err)
	}
	c.w.k.Schedule(now+Time(1+r.IntN(20))*Millisecond, c, arg+1)
}

type scenario struct {
	k      *Kernel
	net    *Network
	procs  []*Process
	disks  []*Disk
	client *scenarioClientEP
	rng    *rand.Rand // the nemesis stream
}

// runScenario runs one seed for duration and returns the trace hash (and the text lines
// if record is set).
func runScenario(seed uint64, duration Time, record bool) (uint64, []string, error) {
	w, err := newScenario(seed, record)
	if err != nil {
		return 0, nil, err
	}
	w.k.Schedule(0, w.client, 0)
	w.k.Schedule(0, HandlerFunc(w.nemesis), 0)
	if err := w.k.RunUntil(duration, Limits{MaxEvents: 10_000_000, MaxTime: duration}); err != nil {
		return 0, nil, err
	}
	return w.k.Trace().Hash(), w.k.Trace().Lines(), nil
}

func newScenario(seed uint64, record bool) (*scenario, error) {
	k := NewKernel(seed)
	k.Trace().Record(record)
	if err := k.Trace().NameKind(traceHostBoot, "boot"); err != nil {
		return nil, err
	}
	if err := k.Trace().NameKind(traceHostDurable, "durable"); err != nil {
		return nil, err
	}
	net, err := NewNetwork(k, LinkConfig{Latency: ExponentialLatency(Millisecond, Millisecond, 50*Millisecond), QueueCap: 64})
	if err != nil {
		return nil, err
	}
	w := &scenario{k: k, net: net, rng: k.Stream("nemesis")}
	w.client = &scenarioClientEP{w: w}
	if err := net.Attach(scenarioClient, w.client); err != nil {
		return nil, err
	}
	for i := range scenarioNodes {
		id := NodeID(i)
		d, err := NewDisk(k, id, DiskConfig{Capacity: 1 << 16, WriteLatency: UniformLatency(0, 100*Microsecond),
			SyncLatency: ExponentialLatency(Millisecond, Millisecond, 20*Millisecond)})
		if err != nil {
			return nil, err
		}
		rate := 0.95 + 0.1*w.rng.Float64()
		var p *Process
		p, err = NewProcess(k, net, id, ProcessConfig{TickInterval: 10 * Millisecond, ClockRate: rate, Disk: d},
			func() Host { return w.boot(p, d) })
		if err != nil {
			return nil, err
		}
		w.procs, w.disks = append(w.procs, p), append(w.disks, d)
		if err := p.Start(); err != nil {
			return nil, err
		}
	}
	return w, nil
}

func (w *scenario) boot(p *Process, d *Disk) Host {
	h := &scenarioHost{w: w, id: p.ID(), p: p, d: d, rng: w.k.Stream(fmt.Sprintf("host/%d", p.ID()))}
	data, err := d.ReadFile("log")
	failed := uint64(0)
	if err != nil {
		failed = 1
	}
	w.k.Trace().Event(traceHostBoot, uint64(p.ID()), uint64(len(data)), failed)
	return h
}

// nemesis applies one random fault and reschedules itself.
func (w *scenario) nemesis(now Time, arg uint64) {
	r := w.rng
	i := r.IntN(scenarioNodes)
	p, id := w.procs[i], NodeID(i)
	switch r.IntN(12) {
	case 0:
		_ = p.PowerFail(CrashModes()[r.IntN(len(CrashModes()))], r)
	case 1:
		_ = p.Restart()
	case 2:
		_ = p.Pause()
	case 3:
		_ = p.Resume()
	case 4:
		a, b := w.groups(r)
		_ = w.net.Partition(a, b)
	case 5:
		a, b := w.groups(r)
		_ = w.net.PartitionOneWay(a, b)
	case 6:
		_ = w.net.Isolate(id)
	case 7, 8:
		w.net.Heal()
		for _, p := range w.procs {
			if p.State() == Down {
				_ = p.Start()
			} else if p.State() == Paused {
				_ = p.Resume()
			}
		}
	case 9:
		_ = w.net.SetLink(id, NodeID(r.IntN(scenarioNodes)), LinkConfig{
			Latency: UniformLatency(0, Time(r.IntN(10))*Millisecond), Loss: r.Float64() / 2, Duplicate: r.Float64() / 4})
	case 10:
		w.disks[i].FlipRandomBit(r)
		w.disks[i].FailReads("log", r.IntN(3) == 0)
	case 11:
		_ = p.SetClockRate(0.9 + 0.2*r.Float64())
	}
	w.k.Schedule(now+Time(10+r.IntN(90))*Millisecond, HandlerFunc(w.nemesis), arg+1)
}

// groups splits the nodes into two random groups.
func (w *scenario) groups(r *rand.Rand) (a, b []NodeID) {
	for i := range scenarioNodes {
		if r.IntN(2) == 0 {
			a = append(a, NodeID(i))
		} else {
			b = append(b, NodeID(i))
		}
	}
	return a, b
}
