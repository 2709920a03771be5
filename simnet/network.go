package simnet

import (
	"fmt"
	"math/rand/v2"
)

// Receiver is a network endpoint. msg is owned by the network and valid only during the
// call: a receiver that keeps bytes must copy them (decoding immediately is the intended use).
type Receiver interface {
	Receive(from NodeID, msg []byte)
}

// DefaultQueueCap is the per-link queue capacity used when LinkConfig.QueueCap is 0.
const DefaultQueueCap = 1024

// LinkConfig describes one direction of a link between two endpoints.
type LinkConfig struct {
	Latency   Latency // per message; reordering arises only if it Varies
	Loss      float64 // probability in [0, 1] that a message is dropped
	Duplicate float64 // probability in [0, 1] that a message is delivered twice
	// QueueCap bounds the messages sent on the link and not yet received (in flight, or
	// waiting at a paused receiver); a send beyond it is dropped. 0 means DefaultQueueCap.
	QueueCap int
}

// Validate reports the first invalid field, named as "LinkConfig.<Field>".
func (c LinkConfig) Validate() error {
	if err := c.Latency.validate("LinkConfig.Latency"); err != nil {
		return err
	}
	if !(c.Loss >= 0 && c.Loss <= 1) { // also rejects NaN
		return fmt.Errorf("simnet: LinkConfig.Loss = %v: must be in [0, 1]", c.Loss)
	}
	if !(c.Duplicate >= 0 && c.Duplicate <= 1) {
		return fmt.Errorf("simnet: LinkConfig.Duplicate = %v: must be in [0, 1]", c.Duplicate)
	}
	if c.QueueCap < 0 {
		return fmt.Errorf("simnet: LinkConfig.QueueCap = %d: must be >= 0", c.QueueCap)
	}
	return nil
}

func (c *LinkConfig) queueCap() int32 {
	if c.QueueCap == 0 {
		return DefaultQueueCap
	}
	return int32(min(c.QueueCap, 1<<30))
}

// DropReason says why the network dropped a message.
type DropReason uint8

// The reasons for a drop.
const (
	DropLoss      DropReason = iota + 1 // LinkConfig.Loss
	DropPartition                       // the link was cut at send or at arrival
	DropQueue                           // the link's queue was full
	DropDown                            // the receiver was down (crashed) at arrival
)

var dropReasonNames = [...]string{"?", "loss", "partition", "queue", "down"}

// String returns the reason's name.
func (r DropReason) String() string {
	if int(r) < len(dropReasonNames) {
		return dropReasonNames[r]
	}
	return fmt.Sprintf("DropReason(%d)", uint8(r))
}

// DropCounts counts dropped messages by reason.
type DropCounts struct {
	Loss, Partition, Queue, Down uint64
}

// Total returns the sum of all drops.
func (d DropCounts) Total() uint64 { return d.Loss + d.Partition + d.Queue + d.Down }

// NetStats counts the network's messages. Every Send is counted once in Sent; each copy
// (the original and a duplicate) ends either Delivered or Dropped, or is still in flight.
type NetStats struct {
	Sent       uint64
	Delivered  uint64
	Duplicated uint64
	Dropped    DropCounts
}

// endState is an endpoint's state as the network sees it.
type endState uint8

const (
	endUp       endState = iota
	endHeld              // paused: arriving messages wait, in order
	endDown              // crashed: arriving messages are dropped
	endDraining          // resumed: held messages are being delivered; arrivals queue behind
)

type endpoint struct {
	id    NodeID
	r     Receiver
	state endState
	// held[heldHead:] are the flights waiting for the endpoint, in arrival order.
	held     []int32
	heldHead int
}

// link is one direction between two endpoints. cfg nil means the network's default.
type link struct {
	cfg      *LinkConfig
	cut      bool
	hold     bool // messages sent on it wait in the network's stash (SetHold)
	inflight int32
}

// flight is one message copy on its way. buf keeps its capacity when the slot is reused.
type flight struct {
	from, to int32 // endpoint indexes
	arrived  bool  // reached the receiver (past the partition check), maybe held
	buf      []byte
}

// Network carries messages between endpoints with per-link latency, loss, duplication and
// queue limits, and cuts links for partitions. Its random choices come from the kernel
// streams "net/latency", "net/loss" and "net/dup", one per purpose, so that switching
// one fault off does not reshuffle the others.
type Network struct {
	k       *Kernel
	def     LinkConfig
	index   endpointIndex
	eps     []endpoint
	links   []link // links[from*len(eps)+to]
	flights []flight
	free    []int32
	poison  bool
	latRng  *rand.Rand
	lossRng *rand.Rand
	dupRng  *rand.Rand
	stats   NetStats
	stash   []stashed // messages held back on held links, in send order
}

// NewNetwork returns a network without endpoints whose links default to def.
func NewNetwork(k *Kernel, def LinkConfig) (*Network, error) {
	if err := def.Validate(); err != nil {
		return nil, err
	}
	return &Network{
		k: k, def: def,
		latRng: k.Stream("net/latency"), lossRng: k.Stream("net/loss"), dupRng: k.Stream("net/dup"),
	}, nil
}

// Attach adds endpoint id, delivering its messages to r.
func (n *Network) Attach(id NodeID, r Receiver) error {
	if id < 0 {
		return fmt.Errorf("simnet: Attach(%d): NodeID must be >= 0", id)
	}
	if r == nil {
		return fmt.Errorf("simnet: Attach(%d): nil Receiver", id)
	}
	if _, ok := n.index.get(id); ok {
		return fmt.Errorf("simnet: Attach(%d): already attached", id)
	}
	old, m := n.links, len(n.eps)
	n.links = make([]link, (m+1)*(m+1))
	for i := range m {
		copy(n.links[i*(m+1):i*(m+1)+m], old[i*m:(i+1)*m])
	}
	n.index.set(id, int32(m))
	n.eps = append(n.eps, endpoint{id: id, r: r})
	return nil
}

// Nodes returns the attached endpoints in attach order.
func (n *Network) Nodes() []NodeID {
	out := make([]NodeID, len(n.eps))
	for i, ep := range n.eps {
		out[i] = ep.id
	}
	return out
}

func (n *Network) lookup(op string, id NodeID) (int32, error) {
	i, ok := n.index.get(id)
	if !ok {
		return 0, fmt.Errorf("simnet: %s: unknown node %d", op, id)
	}
	return i, nil
}

func (n *Network) link(from, to int32) *link { return &n.links[int(from)*len(n.eps)+int(to)] }

func (l *link) config(def *LinkConfig) *LinkConfig {
	if l.cfg != nil {
		return l.cfg
	}
	return def
}

// Stats returns the message counters.
func (n *Network) Stats() NetStats { return n.stats }

// SetPoison makes the network overwrite each delivered message with 0xDB bytes after
// Receive returns, so that a receiver that keeps a delivered slice is caught.
func (n *Network) SetPoison(on bool) { n.poison = on }

// Send sends a copy of msg from one endpoint to another; msg may be reused as soon as Send
// returns. Drops are counted, not reported; an unknown endpoint is an error.
func (n *Network) Send(from, to NodeID, msg []byte) error {
	fi, ok := n.index.get(from)
	if !ok {
		return fmt.Errorf("simnet: Send(%d, %d): unknown node %d", from, to, from)
	}
	ti, ok := n.index.get(to)
	if !ok {
		return fmt.Errorf("simnet: Send(%d, %d): unknown node %d", from, to, to)
	}
	n.stats.Sent++
	n.k.trace.Event(TraceSend, uint64(from), uint64(to), uint64(len(msg)))
	l := n.link(fi, ti)
	c := l.config(&n.def)
	// Draw every choice before acting on any, each from its own stream.
	lost := c.Loss > 0 && n.lossRng.Float64() < c.Loss
	dup := c.Duplicate > 0 && n.dupRng.Float64() < c.Duplicate
	switch {
	case l.cut:
		n.drop(from, to, DropPartition)
	case l.hold:
		n.stashMsg(fi, ti, msg)
	case lost:
		n.drop(from, to, DropLoss)
	default:
		n.enqueue(fi, ti, l, c, msg)
		if dup {
			n.stats.Duplicated++
			n.k.trace.Event(TraceDuplicate, uint64(from), uint64(to), uint64(len(msg)))
			n.enqueue(fi, ti, l, c, msg)
		}
	}
	return nil
}

func (n *Network) drop(from, to NodeID, why DropReason) {
	switch why {
	case DropLoss:
		n.stats.Dropped.Loss++
	case DropPartition:
		n.stats.Dropped.Partition++
	case DropQueue:
		n.stats.Dropped.Queue++
	case DropDown:
		n.stats.Dropped.Down++
	}
	n.k.trace.Event(TraceDrop, uint64(from), uint64(to), uint64(why))
}

// enqueue puts one copy of msg on the link, to arrive after a latency drawn from c.
func (n *Network) enqueue(fi, ti int32, l *link, c *LinkConfig, msg []byte) {
	if l.inflight >= c.queueCap() {
		n.drop(n.eps[fi].id, n.eps[ti].id, DropQueue)
		return
	}
	l.inflight++
	var idx int32
	if k := len(n.free); k > 0 {
		idx = n.free[k-1]
		n.free = n.free[:k-1]
	} else {
		idx = int32(len(n.flights))
		n.flights = append(n.flights, flight{})
	}
	f := &n.flights[idx]
	f.from, f.to, f.arrived = fi, ti, false
	f.buf = append(f.buf[:0], msg...)
	n.k.Schedule(n.k.now+c.Latency.Sample(n.latRng), (*arrivalHandler)(n), uint64(idx))
}

// release ends flight idx: its link has one message less in flight; the slot is reused.
func (n *Network) release(idx int32) {
	f := &n.flights[idx]
	n.link(f.from, f.to).inflight--
	n.free = append(n.free, idx)
}

// arrivalHandler is the Handler of message arrivals; arg is the flight.
type arrivalHandler Network

// OnEvent is the arrival of flight arg at its receiver.
func (h *arrivalHandler) OnEvent(now Time, arg uint64) {
	n := (*Network)(h)
	idx := int32(arg)
	f := &n.flights[idx]
	from, to := n.eps[f.from].id, n.eps[f.to].id
	if !f.arrived {
		if n.link(f.from, f.to).cut {
			n.drop(from, to, DropPartition)
			n.release(idx)
			return
		}
		f.arrived = true
	}
	ep := &n.eps[f.to]
	switch ep.state {
	case endDown:
		n.drop(from, to, DropDown)
		n.release(idx)
		return
	case endHeld, endDraining:
		ep.held = append(ep.held, idx)
		return
	}
	n.deliver(idx)
}

// deliver hands flight idx to its receiver and releases it.
func (n *Network) deliver(idx int32) {
	f := &n.flights[idx]
	from, to, buf := n.eps[f.from].id, n.eps[f.to].id, f.buf
	n.stats.Delivered++
	n.k.trace.Event(TraceDeliver, uint64(from), uint64(to), uint64(len(buf)))
	n.eps[f.to].r.Receive(from, buf) // may Send, growing n.flights: f is stale after this
	if n.poison {
		for i := range buf {
			buf[i] = 0xDB
		}
	}
	n.release(idx)
}

// setState changes how endpoint id takes messages. endHeld: arrivals wait, in order.
// endDown: the waiting ones are dropped, and so are arrivals. endUp: the waiting ones are
// delivered first, in order, by a drain event at the current time (arrivals meanwhile queue
// behind them), then arrivals are delivered directly.
func (n *Network) setState(id NodeID, s endState) {
	i, ok := n.index.get(id)
	if !ok {
		panic(fmt.Sprintf("simnet: setState(%d, %d): unknown node", id, s))
	}
	ep := &n.eps[i]
	switch s {
	case endHeld:
		ep.state = endHeld
	case endDown:
		ep.state = endDown
		for _, idx := range ep.held[ep.heldHead:] {
			n.drop(n.eps[n.flights[idx].from].id, id, DropDown)
			n.release(idx)
		}
		ep.held, ep.heldHead = ep.held[:0], 0
	case endUp:
		if ep.heldHead == len(ep.held) {
			ep.state = endUp
			return
		}
		if ep.state != endDraining {
			ep.state = endDraining
			n.k.Schedule(n.k.now, (*drainHandler)(n), uint64(i))
		}
	default:
		panic(fmt.Sprintf("simnet: setState(%d, %d): not a target state", id, s))
	}
}

// drainHandler delivers the messages held for an endpoint that resumed.
type drainHandler Network

// OnEvent delivers endpoint arg's held messages in order, unless it was paused or went down
// again since (then setState has dealt with them, or they wait for the next resume).
func (h *drainHandler) OnEvent(now Time, arg uint64) {
	n := (*Network)(h)
	i := int32(arg)
	for n.eps[i].state == endDraining && n.eps[i].heldHead < len(n.eps[i].held) {
		ep := &n.eps[i]
		idx := ep.held[ep.heldHead]
		ep.heldHead++
		n.deliver(idx)
	}
	if ep := &n.eps[i]; ep.state == endDraining {
		ep.state = endUp
		ep.held, ep.heldHead = ep.held[:0], 0
	}
}
