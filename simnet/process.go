package simnet

import (
	"errors"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
)

// Host is the code a Process runs: a node's whole in-memory state. It is built by the
// process's boot function and discarded on a crash.
type Host interface {
	// Tick is called every ProcessConfig.TickInterval of the process's local time.
	Tick()
	// Receive gets a message; msg is valid only during the call (see Receiver).
	Receive(from NodeID, msg []byte)
}

// ProcState is a process's life state.
type ProcState uint8

// The process states.
const (
	Down    ProcState = iota // not started, or crashed: no Host
	Running                  // ticking and receiving
	Paused                   // no ticks, no messages (they wait), timers held
)

// String returns the state's name.
func (s ProcState) String() string {
	switch s {
	case Down:
		return "Down"
	case Running:
		return "Running"
	case Paused:
		return "Paused"
	}
	return fmt.Sprintf("ProcState(%d)", uint8(s))
}

// ErrState is wrapped by the errors of process operations that the current state does not
// allow (Pause while Down, Start while Running, ...).
var ErrState = errors.New("invalid process state")

// Bounds of ProcessConfig.ClockRate: anything outside is absurd.
const (
	ClockRateMin = 0.1
	ClockRateMax = 10.0
)

// ProcessConfig configures a Process.
type ProcessConfig struct {
	TickInterval Time    // local time between ticks; > 0
	ClockRate    float64 // local time per simulated time (drift), in [ClockRateMin, ClockRateMax]; 1 is exact
	Disk         *Disk   // optional: the disk PowerFail crashes
}

// Validate reports the first invalid field.
func (c ProcessConfig) Validate() error {
	if c.TickInterval <= 0 {
		return fmt.Errorf("simnet: ProcessConfig.TickInterval = %d: must be > 0", int64(c.TickInterval))
	}
	return validClockRate("ProcessConfig.ClockRate", c.ClockRate)
}

func validClockRate(field string, r float64) error {
	if !(r >= ClockRateMin && r <= ClockRateMax) {
		return fmt.Errorf("simnet: %s = %v: must be in [%v, %v]", field, r, ClockRateMin, ClockRateMax)
	}
	return nil
}

// timer is a process-scoped timer in its slab.
type timer struct {
	h     Handler
	arg   uint64
	epoch uint64
}

// Process is one node's life on the network: it boots a Host, ticks it at its own clock
// rate, hands it its messages, and crashes, restarts, pauses and resumes it. Its epoch
// increments on every crash and every start, so events of an earlier life are ignored.
type Process struct {
	k        *Kernel
	net      *Network
	id       NodeID
	cfg      ProcessConfig
	boot     func() Host
	host     Host
	state    ProcState
	epoch    uint64
	ratePPM  uint64 // clock rate in parts per million
	tickGen  uint64 // identifies the current tick chain; older tick events are ignored
	tickBase Time   // simulated time of tick 0 of the current chain
	tickN    uint64 // ticks of the current chain
	ticks    uint64 // ticks in this epoch
	timers   []timer
	free     []int32
	held     []int32 // timers that came due while paused, in order
}

// NewProcess attaches a process as endpoint id of net. It starts Down; Start boots it.
func NewProcess(k *Kernel, net *Network, id NodeID, cfg ProcessConfig, boot func() Host) (*Process, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if boot == nil {
		return nil, fmt.Errorf("simnet: NewProcess(%d): nil boot function", id)
	}
	p := &Process{k: k, net: net, id: id, cfg: cfg, boot: boot, ratePPM: ppm(cfg.ClockRate)}
	if err := net.Attach(id, (*procReceiver)(p)); err != nil {
		return nil, err
	}
	net.setState(id, endDown)
	return p, nil
}

func ppm(rate float64) uint64 { return uint64(math.Round(rate * 1e6)) }

// ID returns the process's endpoint.
func (p *Process) ID() NodeID { return p.id }

// State returns the life state.
func (p *Process) State() ProcState { return p.state }

// Epoch returns the life counter: it increments on every crash and every start.
func (p *Process) Epoch() uint64 { return p.epoch }

// Host returns the current Host, nil while Down.
func (p *Process) Host() Host { return p.host }

// Ticks returns the ticks delivered to the current Host.
func (p *Process) Ticks() uint64 { return p.ticks }

// ClockRate returns the clock rate.
func (p *Process) ClockRate() float64 { return float64(p.ratePPM) / 1e6 }

// Disk returns ProcessConfig.Disk.
func (p *Process) Disk() *Disk { return p.cfg.Disk }

func (p *Process) stateErr(op string) error {
	return fmt.Errorf("simnet: process %d: %s while %v: %w", p.id, op, p.state, ErrState)
}

// Start boots a Down process: boot() builds a fresh Host (recovering from its disk), then
// messages are delivered and ticks begin. The process is Running while boot runs, so boot
// may call After and Send.
func (p *Process) Start() error {
	if p.state != Down {
		return p.stateErr("Start")
	}
	p.epoch++
	p.state = Running
	p.ticks = 0
	p.k.trace.Event(TraceStart, uint64(p.id), p.epoch, 0)
	h := p.boot()
	if h == nil {
		p.state = Down
		p.epoch++
		return fmt.Errorf("simnet: process %d: boot returned a nil Host", p.id)
	}
	if p.state != Running || p.host != nil {
		panic(fmt.Sprintf("simnet: process %d: state %v during its own boot", p.id, p.state))
	}
	p.host = h
	p.net.setState(p.id, endUp)
	p.startTicks()
	return nil
}

// Crash kills a Running or Paused process: the Host and all its memory are gone, messages
// waiting for it are dropped and so are later arrivals, and its ticks and timers stop. The
// disk is not touched (see PowerFail).
func (p *Process) Crash() error {
	if p.state == Down {
		return p.stateErr("Crash")
	}
	p.epoch++
	p.state = Down
	p.host = nil
	p.tickGen++
	p.net.setState(p.id, endDown)
	for _, slot := range p.held {
		p.freeTimer(slot)
	}
	p.held = p.held[:0]
	p.k.trace.Event(TraceCrash, uint64(p.id), p.epoch, 0)
	return nil
}

// PowerFail crashes the process (if it is up) and then its disk with mode (see
// Disk.Crash).
func (p *Process) PowerFail(mode CrashMode, r *rand.Rand) error {
	if p.cfg.Disk == nil {
		return fmt.Errorf("simnet: process %d: PowerFail: ProcessConfig.Disk is nil", p.id)
	}
	if p.state != Down {
		if err := p.Crash(); err != nil {
			return err
		}
	}
	return p.cfg.Disk.Crash(mode, r)
}

// Restart crashes the process if it is up, then starts it.
func (p *Process) Restart() error {
	if p.state != Down {
		if err := p.Crash(); err != nil {
			return err
		}
	}
	return p.Start()
}

// Pause stops a Running process: no ticks, no messages (they wait, in order), timers that
// come due are held.
func (p *Process) Pause() error {
	if p.state != Running {
		return p.stateErr("Pause")
	}
	p.state = Paused
	p.tickGen++
	p.net.setState(p.id, endHeld)
	p.k.trace.Event(TracePause, uint64(p.id), p.epoch, 0)
	return nil
}

// Resume restarts a Paused process: at the current time the waiting messages are delivered
// in order, then the held timers fire in order; ticks resume one interval later.
func (p *Process) Resume() error {
	if p.state != Paused {
		return p.stateErr("Resume")
	}
	p.state = Running
	p.k.trace.Event(TraceResume, uint64(p.id), p.epoch, 0)
	p.net.setState(p.id, endUp)
	for _, slot := range p.held {
		p.k.Schedule(p.k.now, (*timerHandler)(p), uint64(slot))
	}
	p.held = p.held[:0]
	p.startTicks()
	return nil
}

// SetClockRate changes the clock rate. Ticks restart one (new) interval after now; timers
// already set keep the times they were given.
func (p *Process) SetClockRate(rate float64) error {
	if err := validClockRate("ClockRate", rate); err != nil {
		return err
	}
	p.ratePPM = ppm(rate)
	p.k.trace.Event(TraceClock, uint64(p.id), p.ratePPM, 0)
	if p.state == Running {
		p.startTicks()
	}
	return nil
}

// Send sends msg from this process (see Network.Send). It is an error unless Running.
func (p *Process) Send(to NodeID, msg []byte) error {
	if p.state != Running {
		return p.stateErr("Send")
	}
	return p.net.Send(p.id, to, msg)
}

// After calls h.OnEvent(now, arg) after local of the process's local time (scaled by the
// clock rate). The timer is dropped if the process crashes before it fires, and held while
// the process is paused (it fires on resume). It is ignored unless the process is up; a
// negative local panics.
func (p *Process) After(local Time, h Handler, arg uint64) {
	if local < 0 || h == nil {
		panic(fmt.Sprintf("simnet: process %d: After(%d, %v, %d): negative delay or nil Handler", p.id, int64(local), h, arg))
	}
	if p.state == Down {
		return
	}
	var slot int32
	if n := len(p.free); n > 0 {
		slot = p.free[n-1]
		p.free = p.free[:n-1]
	} else {
		slot = int32(len(p.timers))
		p.timers = append(p.timers, timer{})
	}
	p.timers[slot] = timer{h: h, arg: arg, epoch: p.epoch}
	p.k.Schedule(p.k.now+p.toSim(local), (*timerHandler)(p), uint64(slot))
}

func (p *Process) freeTimer(slot int32) {
	p.timers[slot] = timer{}
	p.free = append(p.free, slot)
}

// toSim converts local time to simulated time at the current clock rate (floor of
// local / rate, computed exactly in integers), saturating at maxDelay.
func (p *Process) toSim(local Time) Time {
	hi, lo := bits.Mul64(uint64(local), 1e6)
	if hi >= p.ratePPM {
		return maxDelay
	}
	q, _ := bits.Div64(hi, lo, p.ratePPM)
	return Time(min(q, uint64(maxDelay)))
}

// startTicks begins a new tick chain at now: tick n falls at now + toSim(n*TickInterval),
// computed from the chain's start so that rounding never accumulates.
func (p *Process) startTicks() {
	p.tickGen++
	p.tickBase = p.k.now
	p.tickN = 0
	p.scheduleTick()
}

func (p *Process) scheduleTick() {
	at := p.tickBase + p.toSim(Time(p.tickN+1)*p.cfg.TickInterval)
	p.k.Schedule(at, (*tickHandler)(p), p.tickGen)
}

// tickHandler is the Handler of a process's ticks; arg is the tick chain.
type tickHandler Process

// OnEvent ticks the host unless the chain is stale (crash, pause, restart or rate change).
func (h *tickHandler) OnEvent(now Time, gen uint64) {
	p := (*Process)(h)
	if gen != p.tickGen || p.state != Running {
		return
	}
	p.tickN++
	p.ticks++
	p.k.trace.Event(TraceTick, uint64(p.id), p.ticks, 0)
	p.host.Tick()
	if gen == p.tickGen && p.state == Running {
		p.scheduleTick()
	}
}

// timerHandler is the Handler of a process's timers; arg is the timer's slot.
type timerHandler Process

// OnEvent fires timer slot, unless it belongs to an earlier life; a paused process holds it.
func (h *timerHandler) OnEvent(now Time, arg uint64) {
	p := (*Process)(h)
	slot := int32(arg)
	t := p.timers[slot]
	if t.epoch != p.epoch {
		p.freeTimer(slot)
		return
	}
	if p.state == Paused {
		p.held = append(p.held, slot)
		return
	}
	p.freeTimer(slot)
	p.k.trace.Event(TraceTimer, uint64(p.id), t.arg, 0)
	t.h.OnEvent(now, t.arg)
}

// procReceiver is the network's view of a process.
type procReceiver Process

// Receive hands a delivered message to the host; the network delivers only while Running.
func (r *procReceiver) Receive(from NodeID, msg []byte) {
	p := (*Process)(r)
	if p.state != Running {
		panic(fmt.Sprintf("simnet: process %d: delivery from %d while %v", p.id, from, p.state))
	}
	p.host.Receive(from, msg)
}
