package wal

import (
	"fmt"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/raftcheck/raftcheck/raft"
	"github.com/raftcheck/raftcheck/simnet"
	"github.com/stretchr/testify/require"
)

// crashCase is one way of resolving a crash: a simnet mode and the seed of its choices.
type crashCase struct {
	mode simnet.CrashMode
	seed uint64
}

func (c crashCase) String() string { return fmt.Sprintf("%v/%d", c.mode, c.seed) }

// crashCases returns every crash mode, the random ones with seeds seeds.
func crashCases(seeds int) []crashCase {
	var out []crashCase
	for _, m := range simnet.CrashModes() {
		if m == simnet.LoseUnsynced || m == simnet.KeepUnsynced {
			out = append(out, crashCase{m, 0})
			continue
		}
		for s := range seeds {
			out = append(out, crashCase{m, uint64(s + 1)})
		}
	}
	return out
}

// crash crashes d; salt (the crash point) varies the mode's random choices between points.
func (c crashCase) crash(t testing.TB, d *simnet.Disk, salt int) {
	t.Helper()
	require.NoError(t, d.Crash(c.mode, rand.New(rand.NewPCG(c.seed, uint64(c.mode)<<32|uint64(salt)))))
}

// simnet's disk is one of the FS implementations the WAL is written for.
var _ FS = (*simnet.Disk)(nil)

func newDisk(t testing.TB) *simnet.Disk {
	t.Helper()
	d, err := simnet.NewDisk(simnet.NewKernel(1), 0, simnet.DiskConfig{})
	require.NoError(t, err)
	return d
}

func longRun() bool { return os.Getenv("RAFTCHECK_LONG") == "1" }

var crashOpts = Options{SegmentBytes: 1024}

// runUntilCrash opens a WAL on d whose mutating FS calls fail after limit, runs ops until
// one fails, and returns the history and whether every op completed.
func runUntilCrash(t testing.TB, d *simnet.Disk, ops []op, limit int) (*history, bool) {
	t.Helper()
	h := newHistory(state{})
	h.synced()
	w, _, err := Open(&failFS{FS: d, n: limit}, crashOpts)
	if err != nil {
		require.ErrorIs(t, err, errInjected)
		return h, false
	}
	for _, o := range ops {
		if err := o.apply(w, h); err != nil {
			require.ErrorIs(t, err, errInjected, "op %v", o)
			return h, false
		}
	}
	return h, true
}

// checkRecovery opens d after a crash and checks it holds a state between the durable one
// and the newest one written; then crashes again with nothing written in between and checks
// the same state comes back (Open made what it returned durable).
func checkRecovery(t testing.TB, d *simnet.Disk, h *history) int {
	t.Helper()
	_, rec, err := Open(d, crashOpts)
	require.NoError(t, err)
	j, err := h.match(fromRecovered(rec), len(h.states)-1)
	require.NoError(t, err)
	require.NoError(t, d.Crash(simnet.RandomSectors, rand.New(rand.NewPCG(uint64(j), 7))))
	_, again, err := Open(d, crashOpts)
	require.NoError(t, err)
	_, err = (&history{states: h.states[j : j+1]}).match(fromRecovered(again), 0)
	require.NoError(t, err, "a second recovery changed the state")
	checkWritable(t, d, h.states[j])
	return j
}

// checkWritable checks that a recovered WAL on d (holding s) accepts a synced save that a
// crash then keeps: recovery left the files in a state that can be appended to.
func checkWritable(t testing.TB, d *simnet.Disk, s state) {
	t.Helper()
	w, _, err := Open(d, crashOpts)
	require.NoError(t, err)
	h := newHistory(s)
	next := op{hs: raft.HardState{Term: 1000, Commit: s.lastIndex()}, ents: entries(s.lastIndex()+1, s.lastIndex()+3, 1000), sync: true}
	require.NoError(t, next.apply(w, h))
	require.NoError(t, d.Crash(simnet.LoseUnsynced, nil))
	_, rec, err := Open(d, crashOpts)
	require.NoError(t, err)
	require.True(t, stateEqual(h.cur(), fromRecovered(rec)), "a save after recovery was lost")
}

// TestCrashAtEveryWriteBoundary runs a workload of saves and snapshots, crashes after each
// of its file-system calls under every crash mode, and checks that recovery returns exactly
// a state between the last durable one and the last one written: every synced entry and
// HardState, nothing never written.
func TestCrashAtEveryWriteBoundary(t *testing.T) {
	seeds, workloads := 6, 4
	if longRun() {
		seeds, workloads = 16, 24
	}
	for wl := range workloads {
		ops := genWorkload(rand.New(rand.NewPCG(uint64(wl), 42)), 60, 8)
		t.Run(fmt.Sprintf("workload%d", wl), func(t *testing.T) {
			var newest, points, torn, validAfter int
			for limit := 0; ; limit++ {
				done := false
				for _, c := range crashCases(seeds) {
					d := newDisk(t)
					h, completed := runUntilCrash(t, d, ops, limit)
					done = completed
					c.crash(t, d, limit)
					damaged, after := tailDamage(t, d)
					torn += damaged
					validAfter += after
					j := checkRecovery(t, d, h)
					newest = max(newest, j-h.durable)
					points++
				}
				if done {
					break
				}
			}
			t.Logf("%d crash points, %d torn tails, %d with valid records after the damage; "+
				"recovered up to %d states past the durable one", points, torn, validAfter, newest)
			require.Positive(t, torn, "no crash tore a tail")
			require.Positive(t, validAfter, "no crash left valid records after a torn one")
			require.Positive(t, newest, "no crash kept unsynced records")
		})
	}
}

// TestCrashDuringRecovery crashes a recovery itself after each of its file-system calls, and
// checks the next recovery still returns a state in bounds.
func TestCrashDuringRecovery(t *testing.T) {
	ops := genWorkload(rand.New(rand.NewPCG(7, 42)), 40, 8)
	points, reopens := 0, 0
	defer func() { t.Logf("%d crash points, %d interrupted recoveries", points, reopens) }()
	for limit := 0; ; limit++ {
		for _, c := range crashCases(1) {
			d := newDisk(t)
			h, completed := runUntilCrash(t, d, ops, limit)
			c.crash(t, d, limit)
			points++
			for k := 0; ; k++ {
				_, _, err := Open(&failFS{FS: d, n: k}, crashOpts)
				if err == nil {
					break
				}
				reopens++
				require.ErrorIs(t, err, errInjected)
				c.crash(t, d, limit<<8|k)
				if k > 100 {
					t.Fatalf("recovery still failing after %d calls", k)
				}
			}
			checkRecovery(t, d, h)
			if completed {
				require.Positive(t, reopens, "no recovery was interrupted")
				return
			}
		}
	}
}

// tailDamage reports whether the last segment on d is damaged (1 or 0) and whether a valid
// record frame follows the damage (1 or 0): the cases a torn-tail rule must get right.
func tailDamage(t testing.TB, d *simnet.Disk) (damaged, validAfter int) {
	t.Helper()
	segs := segmentFiles(t, d)
	if len(segs) == 0 {
		return 0, 0
	}
	name := segs[len(segs)-1]
	seq, first, _ := parseSegmentName(name)
	b, err := d.ReadFile(name)
	require.NoError(t, err)
	s := scanSegment(b, seq, first, DefaultMaxRecordBytes)
	if s.bad < 0 {
		return 0, 0
	}
	for p := s.bad + 1; p < int64(len(b)); p++ {
		if _, _, f := readFrame(b[p:], DefaultMaxRecordBytes); f == frameOK {
			return 1, 1
		}
	}
	return 1, 0
}
