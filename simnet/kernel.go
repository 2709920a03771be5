package simnet

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Time is simulated time: nanoseconds since the start of the run. It is also used for
// simulated durations. Time never comes from the wall clock.
type Time int64

// Units of simulated time.
const (
	Nanosecond  Time = 1
	Microsecond      = 1000 * Nanosecond
	Millisecond      = 1000 * Microsecond
	Second           = 1000 * Millisecond
	Minute           = 60 * Second
)

// String formats t like a time.Duration ("1.5ms").
func (t Time) String() string { return time.Duration(t).String() }

// NodeID names an endpoint of the network: by convention servers are 0..n-1 and clients
// count up from 1000, but any value >= 0 is valid.
type NodeID int

// BoundError reports that a run reached one of its Limits: a runaway simulation, never a hang.
type BoundError struct {
	Bound  string // "MaxEvents", "MaxTime" or "QueueMax"
	Limit  int64  // the value of the bound
	Now    Time   // simulated time when the bound was reached
	Events uint64 // events processed when the bound was reached
}

// Error implements error.
func (e *BoundError) Error() string {
	return fmt.Sprintf("simnet: bound Limits.%s = %d reached at time %v after %d events",
		e.Bound, e.Limit, e.Now, e.Events)
}

// Limits bounds one call of Kernel.Run or Kernel.RunUntil. Both are absolute: MaxEvents caps
// Kernel.Events() (events since NewKernel) and MaxTime caps Kernel.Now(). Both must be set
// (> 0); there is no "unlimited".
type Limits struct {
	MaxEvents uint64
	MaxTime   Time
	// Observe, if set, is called every ObserveEvery events with the time and the events so
	// far, for a progress display. It must not touch the simulation: it cannot change a run.
	Observe func(now Time, events uint64)
}

// ObserveEvery is how many events pass between calls of Limits.Observe.
const ObserveEvery = 1 << 12

// Validate reports a Limits field that is not set.
func (l Limits) Validate() error {
	if l.MaxEvents == 0 {
		return fmt.Errorf("simnet: Limits.MaxEvents = 0: must be > 0")
	}
	if l.MaxTime <= 0 {
		return fmt.Errorf("simnet: Limits.MaxTime = %d: must be > 0", int64(l.MaxTime))
	}
	return nil
}

// Handler receives a scheduled event. Handlers are values stored in the event queue, so
// scheduling a pointer-typed Handler does not allocate; arg is the caller's own datum (an
// index, an epoch, ...) handed back unchanged.
type Handler interface {
	OnEvent(now Time, arg uint64)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(now Time, arg uint64)

// OnEvent calls f(now, arg).
func (f HandlerFunc) OnEvent(now Time, arg uint64) { f(now, arg) }

// funcHandler adapts a func() to Handler for Kernel.After.
type funcHandler func()

func (f funcHandler) OnEvent(Time, uint64) { f() }

// QueueMax bounds the event queue. Scheduling beyond it drops the event and makes the running
// Run return a *BoundError{Bound: "QueueMax"}: a runaway, reported instead of eating memory.
const QueueMax = 1 << 24

// event is one queued event. Events are ordered by (at, seq): seq is a global counter, so
// events scheduled for the same time run in the order they were scheduled.
type event struct {
	at  Time
	seq uint64
	h   Handler
	arg uint64
}

func (a *event) before(b *event) bool {
	return a.at < b.at || (a.at == b.at && a.seq < b.seq)
}

// Kernel is the simulated world's core: a virtual clock, an event queue, named random
// streams derived from one seed, and the trace. It is single-threaded; everything in a run
// happens inside Kernel.Run on the caller's goroutine.
type Kernel struct {
	now      Time
	seq      uint64 // next sequence number
	events   uint64 // events processed
	queue    []event
	stopped  bool
	overflow bool // an event was dropped because the queue reached queueMax
	queueMax int  // QueueMax; tests lower it
	seed     uint64
	streams  map[string]*rand.Rand
	trace    *Trace
}

// NewKernel returns a kernel at time 0 whose random streams derive from seed.
func NewKernel(seed uint64) *Kernel {
	k := &Kernel{seed: seed, streams: map[string]*rand.Rand{}, queueMax: QueueMax}
	k.trace = newTrace(k)
	return k
}

// Now returns the current simulated time.
func (k *Kernel) Now() Time { return k.now }

// Seed returns the root seed.
func (k *Kernel) Seed() uint64 { return k.seed }

// Events returns the number of events processed since NewKernel.
func (k *Kernel) Events() uint64 { return k.events }

// Pending returns the number of events in the queue.
func (k *Kernel) Pending() int { return len(k.queue) }

// Trace returns the run's trace.
func (k *Kernel) Trace() *Trace { return k.trace }

// Stream returns the random stream named name. Its seed is a function of (root seed, name)
// only, so creating or not creating one stream never changes another. Calling Stream again
// with the same name returns the same *rand.Rand, continuing its sequence.
func (k *Kernel) Stream(name string) *rand.Rand {
	if r, ok := k.streams[name]; ok {
		return r
	}
	h := fnvString(fnvOffset, name)
	s1 := splitmix64(k.seed ^ splitmix64(h))
	s2 := splitmix64(s1 + h)
	r := rand.New(rand.NewPCG(s1, s2))
	k.streams[name] = r
	return r
}

// Schedule queues h.OnEvent(at, arg). Scheduling in the past is a broken invariant and
// panics with the times involved; a nil handler panics too.
func (k *Kernel) Schedule(at Time, h Handler, arg uint64) {
	if at < k.now {
		panic(fmt.Sprintf("simnet: Schedule at %d (%v) < now %d (%v)", int64(at), at, int64(k.now), k.now))
	}
	if h == nil {
		panic(fmt.Sprintf("simnet: Schedule at %v with a nil Handler (arg %d)", at, arg))
	}
	if len(k.queue) >= k.queueMax {
		k.overflow = true
		return
	}
	k.push(event{at: at, seq: k.seq, h: h, arg: arg})
	k.seq++
}

// maxDelay caps delays so that now+delay cannot overflow: about 146 years.
const maxDelay = Time(1 << 62)

// After runs fn after d of simulated time (d is capped at about 146 years). It allocates
// (the closure); hot paths use Schedule with a Handler instead. A negative d panics.
func (k *Kernel) After(d Time, fn func()) {
	if d < 0 {
		panic(fmt.Sprintf("simnet: After(%d): negative delay", int64(d)))
	}
	k.Schedule(k.now+min(d, maxDelay), funcHandler(fn), 0)
}

// Stop makes the running Run or RunUntil return nil after the current event.
func (k *Kernel) Stop() { k.stopped = true }

// Run processes events in (time, sequence) order until the queue is empty or Stop is
// called, and returns nil then. Reaching a bound of lim returns a *BoundError naming it;
// the event that would have crossed the bound is left in the queue.
func (k *Kernel) Run(lim Limits) error {
	if err := lim.Validate(); err != nil {
		return err
	}
	return k.run(lim, lim.MaxTime, true)
}

// RunUntil processes the events at or before t, then advances Now to t (unless Stop was
// called) and returns nil; events after t stay queued. A t beyond lim.MaxTime runs to
// lim.MaxTime and returns the MaxTime *BoundError; t before Now is an error.
func (k *Kernel) RunUntil(t Time, lim Limits) error {
	if err := lim.Validate(); err != nil {
		return err
	}
	if t < k.now {
		return fmt.Errorf("simnet: RunUntil(%d): before now %d", int64(t), int64(k.now))
	}
	beyond := t > lim.MaxTime
	until := min(t, lim.MaxTime)
	if err := k.run(lim, until, beyond); err != nil || k.stopped {
		return err
	}
	k.now = until
	if beyond {
		return k.boundErr("MaxTime", int64(lim.MaxTime))
	}
	return nil
}

// run processes events with time <= until. An event after until is the MaxTime bound if
// bounded is set, else the normal end.
func (k *Kernel) run(lim Limits, until Time, bounded bool) error {
	k.stopped = false
	for len(k.queue) > 0 && !k.stopped {
		if k.queue[0].at > until {
			if bounded {
				return k.boundErr("MaxTime", int64(lim.MaxTime))
			}
			return nil
		}
		if k.events >= lim.MaxEvents {
			return k.boundErr("MaxEvents", int64(lim.MaxEvents))
		}
		e := k.pop()
		k.now = e.at
		k.events++
		e.h.OnEvent(e.at, e.arg)
		if lim.Observe != nil && k.events%ObserveEvery == 0 {
			lim.Observe(k.now, k.events)
		}
		if k.overflow {
			k.overflow = false
			return k.boundErr("QueueMax", int64(k.queueMax))
		}
	}
	return nil
}

func (k *Kernel) boundErr(name string, limit int64) *BoundError {
	return &BoundError{Bound: name, Limit: limit, Now: k.now, Events: k.events}
}

// push adds e to the binary min-heap.
func (k *Kernel) push(e event) {
	k.queue = append(k.queue, e)
	q := k.queue
	i := len(q) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !e.before(&q[p]) {
			break
		}
		q[i] = q[p]
		i = p
	}
	q[i] = e
}

// pop removes and returns the earliest event.
func (k *Kernel) pop() event {
	q := k.queue
	top := q[0]
	n := len(q) - 1
	last := q[n]
	q[n] = event{} // drop the Handler reference
	q = q[:n]
	k.queue = q
	i := 0
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && q[c+1].before(&q[c]) {
			c++
		}
		if !q[c].before(&last) {
			break
		}
		q[i] = q[c]
		i = c
	}
	if n > 0 {
		q[i] = last
	}
	return top
}

// splitmix64 is the SplitMix64 finalizer: a bijective mix of x.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
