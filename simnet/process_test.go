package simnet

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// testHost records its ticks and messages with their times.
type testHost struct {
	k     *Kernel
	life  int
	ticks []Time
	got   []delivery
	fired []string
}

func (h *testHost) Tick() { h.ticks = append(h.ticks, h.k.Now()) }
func (h *testHost) Receive(from NodeID, msg []byte) {
	h.got = append(h.got, delivery{from: from, at: h.k.Now(), msg: string(msg)})
}

// fire is a timer Handler that records into a host.
type fire struct {
	h    *testHost
	name string
}

func (f fire) OnEvent(now Time, arg uint64) {
	f.h.fired = append(f.h.fired, fmt.Sprintf("%s@%v", f.name, now))
}

type procWorld struct {
	k     *Kernel
	net   *Network
	p     *Process
	hosts []*testHost // one per life
	peer  *inbox      // endpoint 0, a bare receiver
}

func newProcWorld(t *testing.T, cfg ProcessConfig) *procWorld {
	t.Helper()
	w := &procWorld{k: NewKernel(3)}
	var err error
	w.net, err = NewNetwork(w.k, LinkConfig{Latency: FixedLatency(Millisecond)})
	require.NoError(t, err)
	w.peer = &inbox{k: w.k, id: 0}
	require.NoError(t, w.net.Attach(0, w.peer))
	w.p, err = NewProcess(w.k, w.net, 1, cfg, func() Host {
		h := &testHost{k: w.k, life: len(w.hosts) + 1}
		w.hosts = append(w.hosts, h)
		return h
	})
	require.NoError(t, err)
	return w
}

func (w *procWorld) at(t *testing.T, when Time, fn func() error) {
	w.k.After(when-w.k.Now(), func() { require.NoError(t, fn()) })
}

func (w *procWorld) sendAt(t *testing.T, when Time, msg string) {
	w.at(t, when, func() error { return w.net.Send(0, 1, []byte(msg)) })
}

func TestProcessClockRateScalesTicks(t *testing.T) {
	tests := []struct {
		rate  float64
		ticks int
	}{{1, 100}, {1.05, 105}, {0.95, 95}, {2, 200}, {0.5, 50}}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.rate), func(t *testing.T) {
			w := newProcWorld(t, ProcessConfig{TickInterval: 10 * Millisecond, ClockRate: tt.rate})
			require.NoError(t, w.p.Start())
			require.NoError(t, w.k.RunUntil(Second, testLimits))
			require.Len(t, w.hosts[0].ticks, tt.ticks)
			require.Equal(t, uint64(tt.ticks), w.p.Ticks())
		})
	}
}

func TestProcessPauseHoldsMessagesAndTicks(t *testing.T) {
	w := newProcWorld(t, ProcessConfig{TickInterval: 10 * Millisecond, ClockRate: 1})
	require.NoError(t, w.p.Start())
	w.at(t, 25*Millisecond, w.p.Pause)
	for i := range 5 {
		w.sendAt(t, Time(30+i)*Millisecond, fmt.Sprint("m", i))
	}
	w.sendAt(t, 49*Millisecond, "m5")   // arrives at 50ms, the moment of the resume
	w.at(t, 50*Millisecond, w.p.Resume) // scheduled before m5 arrives, at the same time
	w.sendAt(t, 50*Millisecond, "m6")   // arrives at 51ms, after the held ones
	require.NoError(t, w.k.RunUntil(75*Millisecond, testLimits))
	h := w.hosts[0]
	require.Equal(t, []Time{10 * Millisecond, 20 * Millisecond, 60 * Millisecond, 70 * Millisecond}, h.ticks)
	var want []delivery
	for i := range 6 {
		want = append(want, delivery{from: 0, at: 50 * Millisecond, msg: fmt.Sprint("m", i)})
	}
	want = append(want, delivery{from: 0, at: 51 * Millisecond, msg: "m6"})
	require.Equal(t, want, h.got)
	require.Equal(t, Running, w.p.State())
}

func TestProcessTimers(t *testing.T) {
	w := newProcWorld(t, ProcessConfig{TickInterval: Second, ClockRate: 2})
	require.NoError(t, w.p.Start())
	h := w.hosts[0]
	w.p.After(20*Millisecond, fire{h, "a"}, 0) // local 20ms at rate 2: 10ms
	w.p.After(60*Millisecond, fire{h, "held"}, 0)
	w.at(t, 20*Millisecond, w.p.Pause) // "held" falls due at 30ms, while paused
	w.at(t, 40*Millisecond, w.p.Resume)
	require.NoError(t, w.k.RunUntil(100*Millisecond, testLimits))
	require.Equal(t, []string{"a@10ms", "held@40ms"}, h.fired)

	w.p.After(20*Millisecond, fire{h, "stale"}, 0)
	require.NoError(t, w.p.Crash())
	require.NoError(t, w.p.Start())
	w.p.After(40*Millisecond, fire{w.hosts[1], "new"}, 0)
	require.NoError(t, w.k.RunUntil(200*Millisecond, testLimits))
	require.Equal(t, []string{"a@10ms", "held@40ms"}, h.fired, "a crash drops the timers of the old life")
	require.Equal(t, []string{"new@120ms"}, w.hosts[1].fired)
}

func TestProcessCrashDropsQueuedMessagesAndTimers(t *testing.T) {
	w := newProcWorld(t, ProcessConfig{TickInterval: 10 * Millisecond, ClockRate: 1})
	require.NoError(t, w.p.Start())
	w.at(t, 5*Millisecond, w.p.Pause)
	w.sendAt(t, 6*Millisecond, "held1")
	w.sendAt(t, 7*Millisecond, "held2")
	w.at(t, 9*Millisecond, func() error { w.p.After(Millisecond, fire{w.hosts[0], "x"}, 0); return nil })
	w.at(t, 20*Millisecond, w.p.Crash)
	w.sendAt(t, 25*Millisecond, "down")
	w.at(t, 40*Millisecond, w.p.Start)
	w.sendAt(t, 41*Millisecond, "up")
	require.NoError(t, w.k.RunUntil(45*Millisecond, testLimits))
	require.Len(t, w.hosts, 2, "restart boots a fresh host")
	require.Empty(t, w.hosts[0].got)
	require.Empty(t, w.hosts[0].fired, "the paused timer died with its life")
	require.Empty(t, w.hosts[0].ticks)
	require.Equal(t, []delivery{{from: 0, at: 42 * Millisecond, msg: "up"}}, w.hosts[1].got)
	require.Equal(t, DropCounts{Down: 3}, w.net.Stats().Dropped)
	require.Equal(t, uint64(3), w.p.Epoch(), "start, crash, start")
}

func TestProcessStateErrors(t *testing.T) {
	w := newProcWorld(t, ProcessConfig{TickInterval: Millisecond, ClockRate: 1})
	require.EqualError(t, w.p.Pause(), "simnet: process 1: Pause while Down: invalid process state")
	require.ErrorIs(t, w.p.Resume(), ErrState)
	require.ErrorIs(t, w.p.Crash(), ErrState)
	require.ErrorIs(t, w.p.Send(0, nil), ErrState)
	require.NoError(t, w.p.Start())
	require.ErrorIs(t, w.p.Start(), ErrState)
	require.ErrorIs(t, w.p.Resume(), ErrState)
	require.NoError(t, w.p.Restart())
	require.Equal(t, uint64(3), w.p.Epoch())
	require.EqualError(t, w.p.PowerFail(LoseUnsynced, nil), "simnet: process 1: PowerFail: ProcessConfig.Disk is nil")
}

func TestProcessConfigValidation(t *testing.T) {
	tests := []struct {
		cfg  ProcessConfig
		want string
	}{
		{ProcessConfig{TickInterval: 0, ClockRate: 1}, "simnet: ProcessConfig.TickInterval = 0: must be > 0"},
		{ProcessConfig{TickInterval: 1, ClockRate: 0}, "simnet: ProcessConfig.ClockRate = 0: must be in [0.1, 10]"},
		{ProcessConfig{TickInterval: 1, ClockRate: -1}, "simnet: ProcessConfig.ClockRate = -1: must be in [0.1, 10]"},
		{ProcessConfig{TickInterval: 1, ClockRate: 11}, "simnet: ProcessConfig.ClockRate = 11: must be in [0.1, 10]"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			k := NewKernel(1)
			n, err := NewNetwork(k, LinkConfig{})
			require.NoError(t, err)
			_, err = NewProcess(k, n, 0, tt.cfg, func() Host { return nil })
			require.EqualError(t, err, tt.want)
		})
	}
	w := newProcWorld(t, ProcessConfig{TickInterval: 1, ClockRate: 1})
	require.EqualError(t, w.p.SetClockRate(0.01), "simnet: ClockRate = 0.01: must be in [0.1, 10]")
	_, err := NewProcess(w.k, w.net, 1, ProcessConfig{TickInterval: 1, ClockRate: 1}, func() Host { return nil })
	require.EqualError(t, err, "simnet: Attach(1): already attached")
}

func TestProcessPowerFail(t *testing.T) {
	k := NewKernel(1)
	n, err := NewNetwork(k, LinkConfig{})
	require.NoError(t, err)
	d, err := NewDisk(k, 0, DiskConfig{})
	require.NoError(t, err)
	p, err := NewProcess(k, n, 0, ProcessConfig{TickInterval: Millisecond, ClockRate: 1, Disk: d}, func() Host { return &testHost{k: k} })
	require.NoError(t, err)
	require.NoError(t, p.Start())
	require.NoError(t, d.Append("a", []byte("x")))
	require.NoError(t, p.PowerFail(LoseUnsynced, rand.New(rand.NewPCG(1, 1))))
	require.Equal(t, Down, p.State())
	names, _ := d.List()
	require.Empty(t, names)
}
