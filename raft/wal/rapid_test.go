package wal

import (
	"flag"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/raftcheck/raftcheck/raft"
	"github.com/raftcheck/raftcheck/simnet"
	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"
)

// rapidModel drives one WAL on a simulated disk against the reference history.
type rapidModel struct {
	t    *rapid.T
	d    *simnet.Disk
	ff   *failFS
	w    *WAL
	h    *history
	opts Options
	term uint64
}

func (m *rapidModel) open() {
	m.ff = &failFS{FS: m.d, n: math.MaxInt}
	w, rec, err := Open(m.ff, m.opts)
	require.NoError(m.t, err)
	j, err := m.h.match(fromRecovered(rec), len(m.h.states)-1)
	require.NoError(m.t, err)
	m.w = w
	m.h = newHistory(m.h.states[j])
	m.h.synced()
}

func (m *rapidModel) drawSave() op {
	t, s := m.t, m.h.cur()
	first := s.lastIndex() + 1
	if rapid.IntRange(0, 3).Draw(t, "overwrite") == 0 {
		m.term++
		first = rapid.Uint64Range(s.snapIndex()+1, s.lastIndex()+1).Draw(t, "first")
	}
	o := op{sync: rapid.Bool().Draw(t, "sync")}
	for i := range rapid.IntRange(0, 4).Draw(t, "count") {
		size := rapid.SampledFrom([]int{0, 10, 100, 300, 700, 1500}).Draw(t, "size")
		data := make([]byte, size)
		for j := range data {
			data[j] = byte(int(first) + i + j)
		}
		o.ents = append(o.ents, raft.Entry{Term: m.term, Index: first + uint64(i), Data: data})
	}
	if rapid.Bool().Draw(t, "hs") {
		o.hs = raft.HardState{Term: m.term, Vote: rapid.Uint64Range(0, 3).Draw(t, "vote"), Commit: first - 1}
	}
	return o
}

func (m *rapidModel) drawSnapshot() op {
	t, s := m.t, m.h.cur()
	index := rapid.Uint64Range(s.snapIndex()+1, s.lastIndex()+2).Draw(t, "snapIndex")
	term := m.term + 1
	if index <= s.lastIndex() && rapid.Bool().Draw(t, "keep") {
		term = s.Entries[index-s.snapIndex()-1].Term
	}
	data := make([]byte, rapid.IntRange(0, 900).Draw(t, "snapBytes"))
	return op{snap: &raft.Snapshot{Meta: raft.SnapshotMeta{Index: index, Term: term,
		Conf: raft.ConfState{Voters: []uint64{1, 2, 3}}}, Data: data}}
}

// crash optionally interrupts one more operation after a drawn number of FS calls, then
// crashes the disk in a drawn mode and recovers.
func (m *rapidModel) crash() {
	t := m.t
	if rapid.Bool().Draw(t, "interrupt") {
		o := m.drawSave()
		if rapid.IntRange(0, 4).Draw(t, "interruptSnapshot") == 0 {
			o = m.drawSnapshot()
		}
		m.ff.n = rapid.IntRange(0, 8).Draw(t, "callsBeforeCrash")
		if err := o.apply(m.w, m.h); err != nil {
			require.ErrorIs(t, err, errInjected)
		}
	}
	mode := rapid.SampledFrom(simnet.CrashModes()).Draw(t, "mode")
	seed := rapid.Uint64().Draw(t, "crashSeed")
	require.NoError(t, m.d.Crash(mode, rand.New(rand.NewPCG(seed, 1))))
	m.open()
}

// TestRapidWALAgainstModel: under random saves, snapshots and crashes (modes drawn by
// rapid, some in the middle of an operation), every recovery returns a state between the
// model's durable state and its newest one, and without a crash exactly the newest one.
func TestRapidWALAgainstModel(t *testing.T) {
	if longRun() && flag.Lookup("rapid.checks").Value.String() == "100" {
		require.NoError(t, flag.Set("rapid.checks", "3000"))
	}
	rapid.Check(t, func(t *rapid.T) {
		d, err := simnet.NewDisk(simnet.NewKernel(1), 0, simnet.DiskConfig{})
		require.NoError(t, err)
		m := &rapidModel{t: t, d: d, h: newHistory(state{}), term: 1,
			opts: Options{SegmentBytes: rapid.SampledFrom([]int64{256, 700, 2048, 1 << 16}).Draw(t, "segmentBytes")}}
		m.open()
		for range rapid.IntRange(1, 50).Draw(t, "steps") {
			var o op
			switch k := rapid.IntRange(0, 9).Draw(t, "kind"); {
			case k < 6:
				o = m.drawSave()
			case k < 8:
				o = m.drawSnapshot()
			default:
				m.crash()
				continue
			}
			require.NoError(t, o.apply(m.w, m.h), "%v", o)
		}
		newest := m.h.cur()
		m.open()
		require.True(t, stateEqual(newest, m.h.cur()), "reopen without a crash lost writes")
	})
}
