package etcdraft

import (
	crand "crypto/rand"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/raftcheck/raftcheck/engine"
	"github.com/raftcheck/raftcheck/simnet"
)

// TestGateSwapsReader: within the gate, crypto/rand.Reader yields the node's stream; after it,
// the previous reader is back.
func TestGateSwapsReader(t *testing.T) {
	before := crand.Reader
	got := make([]byte, 20)
	within(seeded{r: rand.New(rand.NewPCG(1, 2))}, func() {
		if _, err := io.ReadFull(crand.Reader, got); err != nil {
			t.Fatal(err)
		}
	})
	want := make([]byte, 20)
	if _, err := (seeded{r: rand.New(rand.NewPCG(1, 2))}).Read(want); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("crypto/rand.Reader within the gate gave %x; want the stream's %x", got, want)
	}
	if crand.Reader != before {
		t.Errorf("crypto/rand.Reader was not restored after the gate")
	}
}

// scenario runs three nodes through an election, proposals, a partition of the leader (a
// new election), its return, and a crash and restart, and returns the hash of every message,
// role and leadership the run produced.
func scenario(t testing.TB, seed uint64) uint64 { return scenarioWith(t, seed, nil) }

// scenarioWith is scenario with each node's config changed by set.
func scenarioWith(t testing.TB, seed uint64, set func(*engine.Config)) uint64 {
	h := newHarnessWith(t, seed, 3, 3, set)
	l := h.elect()
	h.propose(three, "a", "b")
	h.cut[l] = true
	h.runUntil(300, func() bool { nl := h.leader(); return nl >= 0 && nl != l })
	h.cut[l] = false
	h.runUntil(50, func() bool { return false })
	l = h.elect()
	h.propose(three, "c")
	h.crash(l, simnet.LoseUnsynced)
	h.runUntil(300, func() bool { nl := h.leader(); return nl >= 0 && nl != l })
	h.start(l)
	h.elect()
	h.propose(three, "d")
	h.runUntil(100, func() bool { return false })
	return h.hash()
}

// TestDeterministicInParallel runs the same seed in parallel goroutines: etcd's global
// jitter source must give every run the same draws (run it with -race too). Another seed
// gives another run, so the draws do come from the seed.
func TestDeterministicInParallel(t *testing.T) {
	const seed, runs = 42, 8
	hashes := make([]uint64, runs)
	t.Run("runs", func(t *testing.T) {
		for i := range runs {
			t.Run(fmt.Sprint(i), func(t *testing.T) {
				t.Parallel()
				hashes[i] = scenario(t, seed)
			})
		}
	})
	for i, h := range hashes {
		if h != hashes[0] {
			t.Errorf("run %d hashed %#x; run 0 hashed %#x", i, h, hashes[0])
		}
	}
	if again := scenario(t, seed); again != hashes[0] {
		t.Errorf("a sequential run hashed %#x; the parallel runs %#x", again, hashes[0])
	}
	if other := scenario(t, seed+1); other == hashes[0] {
		t.Errorf("seeds %d and %d both hashed %#x: the seed does not reach the runs", seed, seed+1, other)
	}
}
