package simnet

import (
	"encoding/binary"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

// refWords folds words the way trace-hash version 2 is documented to: from the FNV-1a 64
// offset basis, each word w is h = (h xor w) * 0x9e3779b97f4a7c15, then h xor= h >> 32.
func refWords(h uint64, words ...uint64) uint64 {
	for _, w := range words {
		h = (h ^ w) * 0x9e3779b97f4a7c15
		h ^= h >> 32
	}
	return h
}

func TestTraceHashVersion2Layout(t *testing.T) {
	require.Equal(t, 2, TraceHashVersion)
	const basis = 14695981039346656037
	k := NewKernel(1)
	k.After(1500, func() { k.Trace().Event(TraceSend, 1, 2, 3) })
	require.NoError(t, k.Run(testLimits))
	require.Equal(t, refWords(basis, uint64(TraceSend), 1500, 1, 2, 3), k.Trace().Hash())
	require.Equal(t, uint64(1), k.Trace().Count())

	// A note folds its detail's length, then its bytes as little-endian words, the last one
	// padded with zeros.
	k2 := NewKernel(1)
	detail := "complete c1 [5,7]"
	k2.Trace().Note(TraceUser+4, 5, 6, 7, detail)
	padded := append([]byte(detail), make([]byte, 8-len(detail)%8)...)
	words := []uint64{uint64(TraceUser + 4), 0, 5, 6, 7, uint64(len(detail))}
	for i := 0; i < len(padded); i += 8 {
		words = append(words, binary.LittleEndian.Uint64(padded[i:]))
	}
	require.Equal(t, refWords(basis, words...), k2.Trace().Hash())
	k3 := NewKernel(1)
	k3.Trace().NoteBytes(TraceUser+4, 5, 6, 7, []byte(detail))
	require.Equal(t, k2.Trace().Hash(), k3.Trace().Hash(), "NoteBytes folds as Note")
}

func TestTraceHashSeesEveryField(t *testing.T) {
	// hashOf emits one event at simulated time at on a fresh kernel, and returns the hash.
	hashOf := func(at Time, kind TraceKind, a, b, c uint64, detail string) uint64 {
		k := NewKernel(1)
		k.After(at, func() {
			if detail == "" {
				k.Trace().Event(kind, a, b, c)
			} else {
				k.Trace().Note(kind, a, b, c, detail)
			}
		})
		require.NoError(t, k.Run(testLimits))
		return k.Trace().Hash()
	}
	base := hashOf(0, TraceSend, 1, 2, 3, "")
	for name, h := range map[string]uint64{
		"kind":   hashOf(0, TraceDeliver, 1, 2, 3, ""),
		"time":   hashOf(1, TraceSend, 1, 2, 3, ""),
		"a":      hashOf(0, TraceSend, 9, 2, 3, ""),
		"b":      hashOf(0, TraceSend, 1, 9, 3, ""),
		"c":      hashOf(0, TraceSend, 1, 2, 9, ""),
		"detail": hashOf(0, TraceSend, 1, 2, 3, "x"),
	} {
		require.NotEqual(t, base, h, name)
	}
}

func TestTraceRecording(t *testing.T) {
	k := NewKernel(1)
	tr := k.Trace()
	tr.Event(TraceSend, 1, 2, 3) // not recorded
	tr.Record(true)
	require.NoError(t, tr.NameKind(TraceUser+1, "elected"))
	k.After(1_500_000_001, func() {
		tr.Event(TraceDeliver, 1, 2, 3)
		tr.Note(TraceUser+1, 4, 0, 0, "term 7")
		tr.Event(TraceUser+2, 0, 0, 0)
	})
	require.NoError(t, k.Run(testLimits))
	require.Equal(t, []string{
		"1.500000001 deliver 1 2 3",
		"1.500000001 elected 4 0 0 term 7",
		"1.500000001 user+2 0 0 0",
	}, tr.Lines())
	err := tr.NameKind(TraceSend, "x")
	require.EqualError(t, err, `simnet: NameKind(1, "x"): kind must be >= TraceUser (100)`)
	require.False(t, errors.Is(err, ErrInvalid))
}

func TestTraceLinesAreBounded(t *testing.T) {
	tr := NewKernel(1).Trace()
	tr.Record(true)
	for range TraceLinesMax + 10 {
		tr.Event(TraceTick, 0, 0, 0)
	}
	require.Len(t, tr.Lines(), TraceLinesMax+1)
	require.Equal(t, "trace truncated", tr.Lines()[TraceLinesMax])
	require.Equal(t, uint64(TraceLinesMax+10), tr.Count(), "the hash goes on")
}

func TestTraceKindNames(t *testing.T) {
	require.Equal(t, "send", TraceSend.String())
	require.Equal(t, "linkconfig", TraceLinkConfig.String())
	require.Equal(t, "user+3", (TraceUser + 3).String())
	require.Equal(t, "kind50", TraceKind(50).String())
}

func TestLatencySamples(t *testing.T) {
	r := NewKernel(1).Stream("latency")
	tests := []struct {
		name     string
		l        Latency
		min, max Time
		varies   bool
	}{
		{"fixed", FixedLatency(5), 5, 5, false},
		{"zero", Latency{}, 0, 0, false},
		{"uniform", UniformLatency(10, 20), 10, 20, true},
		{"exponential", ExponentialLatency(100, 50, 1000), 100, 1000, true},
		{"exponential no tail", ExponentialLatency(100, 0, 1000), 100, 100, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NoError(t, tt.l.Validate())
			require.Equal(t, tt.varies, tt.l.Varies())
			lo, hi := Time(1<<62), Time(-1)
			for range 10_000 {
				s := tt.l.Sample(r)
				lo, hi = min(lo, s), max(hi, s)
			}
			require.Equal(t, tt.min, lo)
			if tt.name == "exponential" {
				require.Greater(t, hi, Time(400), "the tail reaches far")
				require.LessOrEqual(t, hi, tt.max)
				return
			}
			require.Equal(t, tt.max, hi)
		})
	}
	sum := Time(0)
	l := ExponentialLatency(0, 1000, 1<<40)
	for range 100_000 {
		sum += l.Sample(r)
	}
	require.InDelta(t, 1000, float64(sum)/100_000, 20, "mean of the exponential tail")
}

func TestKernelQueueBound(t *testing.T) {
	k := NewKernel(1)
	k.queueMax = 10
	var fan HandlerFunc
	fan = func(now Time, arg uint64) {
		k.Schedule(now+1, fan, 0)
		k.Schedule(now+1, fan, 0)
	}
	k.Schedule(0, fan, 0)
	err := k.Run(testLimits)
	var be *BoundError
	require.ErrorAs(t, err, &be)
	require.Equal(t, "QueueMax", be.Bound)
	require.Equal(t, int64(10), be.Limit)
}

func TestSteadyStateDoesNotAllocate(t *testing.T) {
	k := NewKernel(1)
	h := &benchTimer{k: k}
	for i := range uint64(100) {
		k.Schedule(Time(i), h, i)
	}
	lim := Limits{MaxEvents: 1 << 62, MaxTime: 1 << 62}
	step := func() { // RunUntil returns nil: no *BoundError to allocate
		if err := k.RunUntil(k.Now()+100_000, lim); err != nil {
			t.Fatal(err)
		}
	}
	step()
	require.Equal(t, 0.0, testing.AllocsPerRun(10, step), "timer events")

	n, err := NewNetwork(k, LinkConfig{Latency: UniformLatency(1, 1000), Loss: 0.05, Duplicate: 0.1})
	require.NoError(t, err)
	msg := make([]byte, 64)
	a := &pinger{n: n, k: k, self: 0, msg: msg}
	b := &pinger{n: n, k: k, self: 1, msg: msg}
	require.NoError(t, n.Attach(0, a))
	require.NoError(t, n.Attach(1, b))
	for range 50 {
		require.NoError(t, n.Send(0, 1, msg))
	}
	a.stop, b.stop = 1<<62, 1<<62
	deliver := func() {
		if err := k.RunUntil(k.Now()+100_000, lim); err != nil {
			t.Fatal(err)
		}
	}
	deliver()
	before := n.Stats().Delivered
	require.Equal(t, 0.0, testing.AllocsPerRun(10, deliver), "network deliveries")
	require.Greater(t, n.Stats().Delivered-before, uint64(10_000), "the measured runs delivered")

	d, err := NewDisk(k, 0, DiskConfig{})
	require.NoError(t, err)
	write := func() {
		for range 10 {
			if err := d.Append("wal", msg); err != nil {
				t.Fatal(err)
			}
		}
		if err := d.Sync("wal"); err != nil {
			t.Fatal(err)
		}
		if err := d.Truncate("wal", 0); err != nil {
			t.Fatal(err)
		}
	}
	write()
	write()
	require.Equal(t, 0.0, testing.AllocsPerRun(10, write), "disk appends and syncs")
}
