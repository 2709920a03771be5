package simnet

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

var testLimits = Limits{MaxEvents: 1 << 20, MaxTime: Minute}

// recorder is a Handler that records (time, arg) of each event.
type recorder struct{ got [][2]int64 }

func (r *recorder) OnEvent(now Time, arg uint64) {
	r.got = append(r.got, [2]int64{int64(now), int64(arg)})
}

func TestKernelOrdersByTimeThenSequence(t *testing.T) {
	k := NewKernel(1)
	r := &recorder{}
	k.Schedule(30, r, 1)
	k.Schedule(10, r, 2)
	k.Schedule(30, r, 3)
	k.Schedule(10, r, 4)
	k.Schedule(20, r, 5)
	require.NoError(t, k.Run(testLimits))
	require.Equal(t, [][2]int64{{10, 2}, {10, 4}, {20, 5}, {30, 1}, {30, 3}}, r.got)
	require.Equal(t, Time(30), k.Now())
	require.Equal(t, uint64(5), k.Events())
}

func TestKernelHeapOrderUnderLoad(t *testing.T) {
	k := NewKernel(1)
	rng := k.Stream("test")
	r := &recorder{}
	for i := range 5000 {
		k.Schedule(Time(rng.IntN(100)), r, uint64(i))
	}
	require.NoError(t, k.Run(testLimits))
	require.Len(t, r.got, 5000)
	for i := 1; i < len(r.got); i++ {
		a, b := r.got[i-1], r.got[i]
		require.True(t, a[0] < b[0] || (a[0] == b[0] && a[1] < b[1]), "event %d: %v after %v", i, b, a)
	}
}

// runaway reschedules itself forever.
type runaway struct{ k *Kernel }

func (r runaway) OnEvent(now Time, arg uint64) { r.k.Schedule(now+Millisecond, r, arg+1) }

func TestKernelBoundsStopARunaway(t *testing.T) {
	tests := []struct {
		name string
		lim  Limits
		want BoundError
	}{
		{"MaxEvents", Limits{MaxEvents: 1000, MaxTime: Minute}, BoundError{Bound: "MaxEvents", Limit: 1000, Now: 999 * Millisecond, Events: 1000}},
		{"MaxTime", Limits{MaxEvents: 1 << 30, MaxTime: Second}, BoundError{Bound: "MaxTime", Limit: int64(Second), Now: Second, Events: 1001}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := NewKernel(1)
			k.Schedule(0, runaway{k}, 0)
			err := k.Run(tt.lim)
			var be *BoundError
			require.True(t, errors.As(err, &be), "got %v; want a *BoundError", err)
			require.Equal(t, tt.want, *be)
			require.Equal(t, 1, k.Pending(), "the crossing event stays queued")
		})
	}
	k := NewKernel(1)
	k.Schedule(0, runaway{k}, 0)
	err := k.Run(Limits{MaxEvents: 1000, MaxTime: Minute})
	require.EqualError(t, err, "simnet: bound Limits.MaxEvents = 1000 reached at time 999ms after 1000 events")
}

func TestKernelLimitsMustBeSet(t *testing.T) {
	k := NewKernel(1)
	require.EqualError(t, k.Run(Limits{MaxTime: Second}), "simnet: Limits.MaxEvents = 0: must be > 0")
	require.EqualError(t, k.Run(Limits{MaxEvents: 1}), "simnet: Limits.MaxTime = 0: must be > 0")
}

func TestKernelRunUntil(t *testing.T) {
	k := NewKernel(1)
	r := &recorder{}
	k.Schedule(10, r, 1)
	k.Schedule(20, r, 2)
	k.Schedule(30, r, 3)
	require.NoError(t, k.RunUntil(20, testLimits))
	require.Equal(t, [][2]int64{{10, 1}, {20, 2}}, r.got)
	require.Equal(t, Time(20), k.Now())
	require.NoError(t, k.RunUntil(25, testLimits))
	require.Equal(t, Time(25), k.Now())
	require.Error(t, k.RunUntil(24, testLimits))
	err := k.RunUntil(100, Limits{MaxEvents: 100, MaxTime: 50})
	var be *BoundError
	require.ErrorAs(t, err, &be)
	require.Equal(t, BoundError{Bound: "MaxTime", Limit: 50, Now: 50, Events: 3}, *be)
}

func TestKernelStopAndAfter(t *testing.T) {
	k := NewKernel(1)
	var order []int
	k.After(5, func() { order = append(order, 1) })
	k.After(6, func() { order = append(order, 2); k.Stop() })
	k.After(7, func() { order = append(order, 3) })
	require.NoError(t, k.Run(testLimits))
	require.Equal(t, []int{1, 2}, order)
	require.NoError(t, k.Run(testLimits))
	require.Equal(t, []int{1, 2, 3}, order)
}

func TestKernelSchedulingInThePastPanics(t *testing.T) {
	k := NewKernel(1)
	k.After(10, func() {})
	require.NoError(t, k.Run(testLimits))
	require.PanicsWithValue(t, "simnet: Schedule at 5 (5ns) < now 10 (10ns)", func() { k.Schedule(5, &recorder{}, 0) })
}

func TestStreamsAreIndependentOfCreationOrder(t *testing.T) {
	a := NewKernel(42)
	b := NewKernel(42)
	b.Stream("other") // creating another stream first changes nothing
	b.Stream("zzz").Uint64()
	for range 10 {
		require.Equal(t, a.Stream("net").Uint64(), b.Stream("net").Uint64())
	}
	require.NotEqual(t, NewKernel(42).Stream("net").Uint64(), NewKernel(42).Stream("disk").Uint64())
	require.NotEqual(t, NewKernel(42).Stream("net").Uint64(), NewKernel(43).Stream("net").Uint64())
	require.Same(t, a.Stream("net"), a.Stream("net"))
}
