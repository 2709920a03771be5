package etcdraft

import (
	crand "crypto/rand"
	"io"
	"math/rand/v2"
	"runtime"
	"sync/atomic"

	etcd "go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"
	"go.etcd.io/raft/v3/tracker"
)

// gate serialises every call into etcd raft in the process, so that etcd's one random choice
// can be made a pure function of the run's seed without patching etcd.
//
// etcd raft draws its election jitter from a package-global source (raft.go's globalRand),
// which reads the standard library variable crypto/rand.Reader at the moment of the draw.
// Every call into a RawNode therefore goes through gate: it locks, points crypto/rand.Reader at
// a reader of the calling node's own stream (Config.Rand, derived from the run's seed), makes
// the call, restores the previous reader and unlocks. A draw thus always consumes the stream of
// the node that made it, whatever other simulations run in parallel goroutines of the same
// process: a run is a pure function of its seed under parallel sweeps and under -race.
//
// drawsFrom: etcd draws only in raft.reset, which runs when a node becomes follower, (pre-)
// candidate or leader: at construction and bootstrap, and in Step (a message of another term,
// a vote won or lost, MsgHup, MsgTimeoutNow, MsgCheckQuorum), Tick (which steps MsgHup and
// MsgCheckQuorum) and ApplyConfChange (a leader removed from the configuration may step
// down), and Advance, which steps the messages etcd addresses to the node itself once its
// append is persisted: its own (pre-)vote, which wins the election when the others' answers
// came first (a slow disk delays the Advance: etcd seed 17191 drew from the real
// crypto/rand.Reader there). Those calls run within the gate. Propose, ProposeConfChange and
// ReadIndex step local messages (term 0) that no role handles by changing role or term;
// Ready, HasReady, status and progress, and ReportUnreachable/ReportSnapshot (local messages
// too) never reach reset: they run outside the gate, so a sweep's simulations contend only on
// the calls that may draw.
// TestDeterministicInParallel and cluster's TestEngineDeterminism would see a draw outside the
// gate as runs that differ between serial and parallel execution.
//
// Only those calls into etcd are serialised; the rest of a simulation (the host, the network,
// the disks, the checkers, and this adapter's own persistence) runs in parallel. What the
// gate asks of the process: nothing else may read crypto/rand.Reader while simulations run
// (such a read would race with the swap and could take bytes from a node's stream), and code
// etcd calls back under the gate (Config.Image, through Storage.Snapshot) must not call into
// etcd again (gate is not reentrant).
var gate spinLock

// spinLock is the gate's lock. The calls it guards are short (a few microseconds) and
// frequent, so a waiter spins, yielding its processor now and then, instead of sleeping as a
// contended sync.Mutex does: with two workers the sleeps and wake-ups cost more than the calls
// themselves. Its atomics order the writes of crypto/rand.Reader for the race detector too.
type spinLock struct{ held atomic.Bool }

func (l *spinLock) Lock() {
	for i := 0; !l.held.CompareAndSwap(false, true); i++ {
		if i%spinsPerYield == spinsPerYield-1 {
			runtime.Gosched()
		}
	}
}

func (l *spinLock) Unlock() { l.held.Store(false) }

// spinsPerYield is how often a waiter yields its processor while the gate is held.
const spinsPerYield = 32

// seeded is an io.Reader drawing its bytes from a node's own random stream.
type seeded struct{ r *rand.Rand }

// Read fills p from the stream, eight bytes per draw, little-endian.
func (s seeded) Read(p []byte) (int, error) {
	for i := 0; i < len(p); i += 8 {
		v := s.r.Uint64()
		for j := i; j < len(p) && j < i+8; j++ {
			p[j] = byte(v)
			v >>= 8
		}
	}
	return len(p), nil
}

// within runs f holding gate, with crypto/rand.Reader drawing from src.
func within(src io.Reader, f func()) {
	gate.Lock()
	prev := crand.Reader
	crand.Reader = src
	defer func() {
		crand.Reader = prev
		gate.Unlock()
	}()
	f()
}

// gatedNode is a RawNode whose every method runs within the gate with the node's own stream.
// The rest of the package reaches etcd only through it.
type gatedNode struct {
	rn  *etcd.RawNode
	src seeded
}

// newGatedNode builds a RawNode from c and, when peers is not empty, bootstraps it with them.
func newGatedNode(c *etcd.Config, peers []etcd.Peer, r *rand.Rand) (gatedNode, error) {
	g := gatedNode{src: seeded{r: r}}
	var err error
	within(g.src, func() {
		g.rn, err = etcd.NewRawNode(c)
		if err == nil && len(peers) > 0 {
			err = g.rn.Bootstrap(peers)
		}
	})
	return g, err
}

func (g gatedNode) Tick() { within(g.src, g.rn.Tick) }

func (g gatedNode) Step(m *pb.Message) (err error) {
	within(g.src, func() { err = g.rn.Step(m) })
	return err
}

// The calls below cannot change a node's role or term (see drawsFrom), so they never draw
// and run outside the gate.

func (g gatedNode) Propose(data []byte) error { return g.rn.Propose(data) }

func (g gatedNode) ProposeConfChange(cc pb.ConfChangeI) error { return g.rn.ProposeConfChange(cc) }

func (g gatedNode) ApplyConfChange(cc pb.ConfChangeI) (cs *pb.ConfState) {
	within(g.src, func() { cs = g.rn.ApplyConfChange(cc) })
	return cs
}

func (g gatedNode) ReadIndex(ctx []byte) { g.rn.ReadIndex(ctx) }

func (g gatedNode) HasReady() bool { return g.rn.HasReady() }

func (g gatedNode) Ready() etcd.Ready { return g.rn.Ready() }

// Advance steps what etcd addressed to the node itself until its append was persisted (its
// own vote among them): a vote that completes a quorum makes it (pre-)candidate or leader,
// which draws. It runs within the gate.
func (g gatedNode) Advance(rd etcd.Ready) { within(g.src, func() { g.rn.Advance(rd) }) }

func (g gatedNode) BasicStatus() etcd.BasicStatus { return g.rn.BasicStatus() }

// WithProgress calls visit with every member's match index, in increasing id order (a
// leader's view). visit runs under the gate: it must not call into etcd.
func (g gatedNode) WithProgress(visit func(id, match uint64)) {
	g.rn.WithProgress(func(id uint64, _ etcd.ProgressType, pr tracker.Progress) { visit(id, pr.Match) })
}

func (g gatedNode) ReportUnreachable(id uint64) { g.rn.ReportUnreachable(id) }

// TransferLeader steps MsgTransferLeader, which may make the leader send MsgTimeoutNow but
// never changes its own role or term: no draw.
func (g gatedNode) TransferLeader(to uint64) { g.rn.TransferLeader(to) }

func (g gatedNode) ReportSnapshot(id uint64, st etcd.SnapshotStatus) { g.rn.ReportSnapshot(id, st) }
