package fuzz

import (
	"errors"
	"fmt"

	"github.com/raftcheck/raftcheck/raft"
)

// raftCluster is the world of the Raft state-machine property test: the nodes, the messages
// in flight, the network cuts, and what the invariant checks have observed so far.
type raftCluster struct {
	p       raftParams
	nodes   []*rnode
	pending []envelope
	cut     [][]bool // cut[from-1][to-1]: messages on that link are dropped

	leaders   map[uint64]uint64 // term → the node that led it
	committed []commitRecord    // committed[i-1] is what index i was committed as
	commitMax uint64            // the highest commit index any node reported
	reads     map[string]uint64 // ReadIndex ctx → commitMax when it was requested
	nextData  int
	failures  []string // broken invariants, in the order found
	stats     raftStats
}

// commitRecord is a committed index: the entry, and the lowest term of a node seen holding it
// as committed (the entry was committed in that term or earlier, so every leader of a later
// term must hold it).
type commitRecord struct {
	known    bool
	entry    applied
	termSeen uint64
}

// raftStats counts what a run did, to show the generated runs reach interesting states.
type raftStats struct {
	leaders, commits, reads, compactions, snapshotsInstalled, crashes, restarts, delivered int
}

func (s *raftStats) add(o raftStats) {
	s.leaders += o.leaders
	s.commits += o.commits
	s.reads += o.reads
	s.compactions += o.compactions
	s.snapshotsInstalled += o.snapshotsInstalled
	s.crashes += o.crashes
	s.restarts += o.restarts
	s.delivered += o.delivered
}

func newRaftCluster(p raftParams) *raftCluster {
	c := &raftCluster{p: p, leaders: map[uint64]uint64{}, reads: map[string]uint64{}}
	for i := range p.nodes {
		c.nodes = append(c.nodes, &rnode{id: uint64(i + 1)})
		c.cut = append(c.cut, make([]bool, p.nodes))
	}
	for _, nd := range c.nodes {
		c.start(nd)
	}
	return c
}

func (c *raftCluster) failf(format string, args ...any) {
	c.failures = append(c.failures, fmt.Sprintf(format, args...))
}

// start boots a node from its storage: a new life, the state machine restored from the
// persisted snapshot.
func (c *raftCluster) start(nd *rnode) {
	nd.life++
	n, err := raft.New(c.p.config(nd.id, nd.life, nd.store.recovered()))
	if err != nil {
		c.failf("node %d cannot start from what it persisted: %v", nd.id, err)
		return
	}
	nd.n, nd.sm, nd.commit, nd.rapplied, nd.noted = n, nil, 0, 0, nd.store.snapIndex()
	if nd.store.snap != nil {
		c.restoreSM(nd, nd.store.snap)
	}
	c.observe(nd)
}

// ready runs the host loop until the node has no work: persist, send, apply, Advance.
func (c *raftCluster) ready(nd *rnode) {
	for range readyRoundsMax {
		if nd.n == nil || !nd.n.HasReady() {
			return
		}
		rd := nd.n.Ready()
		c.checkMustSync(nd, rd)
		if err := nd.store.save(rd); err != nil {
			c.failf("node %d: %v", nd.id, err)
		}
		for _, m := range rd.Messages {
			c.send(m)
		}
		if rd.Snapshot != nil {
			c.restoreSM(nd, rd.Snapshot)
			c.stats.snapshotsInstalled++
		}
		for _, e := range rd.CommittedEntries {
			c.apply(nd, e)
		}
		for _, rs := range rd.ReadStates {
			c.readDone(nd, rs)
		}
		nd.n.Advance()
		c.observe(nd)
		c.noteStoreCommits(nd)
	}
	c.failf("node %d still has a Ready after %d rounds", nd.id, readyRoundsMax)
}

func (c *raftCluster) send(m raft.Message) {
	c.pending = append(c.pending, envelope{from: m.From, to: m.To, data: raft.AppendMessage(nil, m)})
	if len(c.pending) > pendingMax {
		c.pending = c.pending[1:]
	}
}

// deliver hands pending message k to its receiver (dropping it if the link is cut or the
// receiver is down); keep leaves a copy pending (a duplicate).
func (c *raftCluster) deliver(k int, keep bool) *rnode {
	env := c.pending[k]
	if !keep {
		c.pending = append(c.pending[:k], c.pending[k+1:]...)
	}
	if env.to < 1 || env.to > uint64(len(c.nodes)) {
		c.failf("message to unknown node %d", env.to)
		return nil
	}
	nd := c.nodes[env.to-1]
	if nd.n == nil || c.cut[env.from-1][env.to-1] {
		return nil
	}
	m, err := raft.DecodeMessage(env.data)
	if err != nil {
		c.failf("message %d->%d does not decode: %v", env.from, env.to, err)
		return nil
	}
	if err := nd.n.Step(m); err != nil && !errors.Is(err, raft.ErrProposalDropped) {
		c.failf("node %d refused %v: %v", nd.id, m, err)
	}
	c.stats.delivered++
	c.observe(nd)
	return nd
}

func (c *raftCluster) tick(nd *rnode, ticks int) {
	for range ticks {
		nd.n.Tick()
		c.observe(nd)
	}
}

func (c *raftCluster) propose(nd *rnode) {
	c.nextData++
	err := nd.n.Propose(fmt.Appendf(nil, "v%d", c.nextData))
	if err != nil && !errors.Is(err, raft.ErrProposalDropped) && !errors.Is(err, raft.ErrNotLeader) {
		c.failf("node %d: Propose: %v", nd.id, err)
	}
	c.observe(nd)
}

// readIndex asks for a read point; the answer must be at least every commit index reached
// before the request.
func (c *raftCluster) readIndex(nd *rnode) {
	c.nextData++
	ctx := fmt.Sprintf("r%d", c.nextData)
	c.reads[ctx] = c.commitMax
	if err := nd.n.ReadIndex([]byte(ctx)); err != nil {
		delete(c.reads, ctx)
		if !errors.Is(err, raft.ErrReadIndexDropped) {
			c.failf("node %d: ReadIndex: %v", nd.id, err)
		}
	}
	c.observe(nd)
}

// compact snapshots the node's state machine through index and persists the snapshot. The
// node may refuse if it has installed a newer snapshot from its leader that the host has not
// yet taken from a Ready.
func (c *raftCluster) compact(nd *rnode, index uint64) {
	data := encodeApplied(nd.sm[:index])
	if err := nd.n.Compact(index, data); err != nil {
		if errors.Is(err, raft.ErrCompactIndex) && nd.n.SnapshotMeta().Index >= index {
			return
		}
		c.failf("node %d: Compact(%d) with %d applied, snapshot at %d: %v", nd.id, index, len(nd.sm), nd.store.snapIndex(), err)
		return
	}
	meta := nd.n.SnapshotMeta()
	if meta.Index != index {
		c.failf("node %d: after Compact(%d) SnapshotMeta is at %d", nd.id, index, meta.Index)
	}
	nd.store.compact(meta, data)
	c.stats.compactions++
}

// crashMode is when a crash strikes a node's host loop.
type crashMode int

const (
	crashIdle          crashMode = iota // between Readies: everything handed out was persisted
	crashBeforePersist                  // a Ready was taken and nothing of it persisted
	crashAfterPersist                   // a Ready was persisted, nothing sent or applied
)

// crash kills the node's life; keepUnsynced says whether a HardState saved without sync
// survives.
func (c *raftCluster) crash(nd *rnode, mode crashMode, keepUnsynced bool) {
	if mode != crashIdle && nd.n.HasReady() {
		rd := nd.n.Ready()
		if mode == crashAfterPersist {
			if err := nd.store.save(rd); err != nil {
				c.failf("node %d: %v", nd.id, err)
			}
		}
	}
	nd.n, nd.sm = nil, nil
	nd.store.crash(keepUnsynced)
	c.stats.crashes++
}

func (c *raftCluster) restart(nd *rnode) {
	c.start(nd)
	c.stats.restarts++
}

// partition cuts every link between the nodes in mask and the others, both ways.
func (c *raftCluster) partition(mask uint) {
	for i := range c.nodes {
		for j := range c.nodes {
			if (mask>>i)&1 != (mask>>j)&1 {
				c.cut[i][j] = true
			}
		}
	}
}

func (c *raftCluster) heal() {
	for i := range c.cut {
		clear(c.cut[i])
	}
}

func (c *raftCluster) transfer(nd *rnode, to uint64) {
	err := nd.n.TransferLeadership(to)
	if err != nil && !errors.Is(err, raft.ErrProposalDropped) && !errors.Is(err, raft.ErrTransferTarget) {
		c.failf("node %d: TransferLeadership(%d): %v", nd.id, to, err)
	}
	c.observe(nd)
}

// flush is one round of progress: every live node runs its host loop, then every message
// pending at the start is delivered in order, each followed by its receiver's host loop.
func (c *raftCluster) flush() {
	for _, nd := range c.nodes {
		c.ready(nd)
	}
	batch := len(c.pending)
	for range batch {
		if len(c.pending) == 0 {
			return
		}
		if nd := c.deliver(0, false); nd != nil {
			c.ready(nd)
		}
	}
}

func (c *raftCluster) up() []*rnode {
	var out []*rnode
	for _, nd := range c.nodes {
		if nd.n != nil {
			out = append(out, nd)
		}
	}
	return out
}

func (c *raftCluster) down() []*rnode {
	var out []*rnode
	for _, nd := range c.nodes {
		if nd.n == nil {
			out = append(out, nd)
		}
	}
	return out
}
