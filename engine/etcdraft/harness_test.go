package etcdraft

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"slices"
	"testing"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/engine"
	"github.com/raftcheck/raftcheck/simnet"
)

// harness is a small cluster of etcd engines on simulated disks, delivering their messages
// to each other directly, in a fixed order: a run is a function of its seed.
type harness struct {
	t     testing.TB
	k     *simnet.Kernel
	cfgs  []engine.Config
	disks []*simnet.Disk
	engs  []engine.Engine // nil while down
	sms   []*machine
	inbox [][][]byte // per destination, in send order
	cut   []bool     // messages to and from the node are dropped (a partition)
	// dropSnap drops the next snapshot message (the host still reports it sent).
	dropSnap bool
	trace    []byte // what happened, for the determinism test
	batches  []batchRec
}

// batchRec is one batch as a node saw it.
type batchRec struct {
	node int
	b    engine.Batch
}

// machine is a node's state machine: the commands applied, in order.
type machine struct {
	applied uint64
	cmds    [][]byte
	members []engine.MemberChange
	restore []uint64 // indexes of the snapshots restored
	gaps    int      // batches applied out of order
}

// image encodes the machine for a snapshot.
func (m *machine) image() (uint64, []byte) {
	var b []byte
	for _, c := range m.cmds {
		b = binary.AppendUvarint(b, uint64(len(c)))
		b = append(b, c...)
	}
	return m.applied, b
}

func (m *machine) load(s *engine.SnapshotData) {
	m.cmds, m.applied = nil, s.Index
	for d := s.Data; len(d) > 0; {
		n, k := binary.Uvarint(d)
		m.cmds = append(m.cmds, slices.Clone(d[k:k+int(n)]))
		d = d[k+int(n):]
	}
	m.restore = append(m.restore, s.Index)
}

func (m *machine) apply(c engine.Committed) {
	if c.Index != m.applied+1 {
		m.gaps++
	}
	m.applied = c.Index
	if c.Command != nil {
		m.cmds = append(m.cmds, slices.Clone(c.Command))
	}
	if c.Member != nil {
		m.members = append(m.members, *c.Member)
	}
}

// newHarness builds n nodes: the first founders bootstrap the cluster, the others join later.
func newHarness(t testing.TB, seed uint64, n, founders int, mutants ...string) *harness {
	return newHarnessWith(t, seed, n, founders, nil, mutants...)
}

// newHarnessWith is newHarness with each node's config changed by set (nil: none).
func newHarnessWith(t testing.TB, seed uint64, n, founders int, set func(*engine.Config), mutants ...string) *harness {
	h := &harness{t: t, k: simnet.NewKernel(seed), inbox: make([][][]byte, n), cut: make([]bool, n)}
	voters := make([]int, founders)
	for i := range voters {
		voters[i] = i
	}
	for i := range n {
		d, err := simnet.NewDisk(h.k, simnet.NodeID(i), simnet.DiskConfig{})
		if err != nil {
			t.Fatal(err)
		}
		cfg := engine.Config{ID: i, Disk: d, Rand: h.k.Stream(fmt.Sprintf("node-%d", i)),
			ElectionTicks: 10, HeartbeatTicks: 1, Mutants: mutants,
			Protocol: engine.Protocol{PreVote: true, CheckQuorum: true, MaxAppend: 4}}
		if i < founders {
			cfg.Voters = voters
		}
		if set != nil {
			set(&cfg)
		}
		h.cfgs, h.disks = append(h.cfgs, cfg), append(h.disks, d)
		h.sms, h.engs = append(h.sms, nil), append(h.engs, nil)
		h.start(i)
	}
	return h
}

// start builds node i's engine from its disk, with a fresh state machine.
func (h *harness) start(i int) engine.Recovery {
	h.t.Helper()
	m := &machine{}
	h.sms[i], h.cfgs[i].Image = m, m.image
	e, rec, err := New(h.cfgs[i])
	if err != nil {
		h.t.Fatalf("node %d: New: %v", i, err)
	}
	h.engs[i] = e
	return rec
}

// crash stops node i; its disk loses (or keeps) what was not synced.
func (h *harness) crash(i int, mode simnet.CrashMode) {
	h.t.Helper()
	h.engs[i], h.inbox[i] = nil, nil
	if err := h.disks[i].Crash(mode, h.k.Stream("crash")); err != nil {
		h.t.Fatal(err)
	}
}

// round ticks every node, delivers every queued message and handles every batch.
func (h *harness) round() {
	for i, e := range h.engs {
		if e != nil {
			e.Tick()
			h.drain(i)
		}
	}
	for i := range h.engs {
		msgs := h.inbox[i]
		h.inbox[i] = nil
		for _, m := range msgs {
			if h.engs[i] == nil {
				break
			}
			if err := h.engs[i].Step(m); err != nil && !isDropped(err) {
				h.t.Fatalf("node %d: Step: %v", i, err)
			}
			h.drain(i)
		}
	}
}

// drain handles node i's batches until it has none.
func (h *harness) drain(i int) {
	for range 100 {
		e := h.engs[i]
		b, ok, err := e.Ready()
		if err != nil {
			h.t.Fatalf("node %d: Ready: %v", i, err)
		}
		if !ok {
			return
		}
		h.record(i, b)
		h.send(i, b.Messages)
		if b.Snapshot != nil {
			h.sms[i].load(b.Snapshot)
		}
		for _, c := range b.Apply {
			h.sms[i].apply(c)
		}
		e.Advance()
	}
	h.t.Fatalf("node %d: no end of batches", i)
}

func (h *harness) send(from int, msgs []engine.Outbound) {
	for _, m := range msgs {
		h.trace = fmt.Appendf(h.trace, "msg %d>%d %x\n", from, m.To, m.Data)
		up := m.To < len(h.engs) && h.engs[m.To] != nil && !h.cut[m.To] && !h.cut[from]
		switch {
		case m.Snapshot && up:
			h.engs[from].Report(m.To, engine.SnapshotSent)
		case m.Snapshot:
			h.engs[from].Report(m.To, engine.SnapshotFailed)
		case !up:
			h.engs[from].Report(m.To, engine.Unreachable)
		}
		if m.Snapshot && h.dropSnap {
			h.dropSnap = false
			continue
		}
		if up {
			h.inbox[m.To] = append(h.inbox[m.To], slices.Clone(m.Data))
		}
	}
}

// record keeps a copy of the batch (Messages, Apply and Observed.Saved are copied) and traces its roles and leaders.
func (h *harness) record(i int, b engine.Batch) {
	o := b.Observed
	if o.Role != engine.NoRole {
		h.trace = fmt.Appendf(h.trace, "node %d %s term %d\n", i, o.Role, o.Term)
	}
	if o.Leader != 0 {
		h.trace = fmt.Appendf(h.trace, "node %d leads term %d\n", i, o.Leader)
	}
	c := b
	c.Messages = slices.Clone(b.Messages)
	for k := range c.Messages { // Data is valid only until the next Ready
		c.Messages[k].Data = slices.Clone(c.Messages[k].Data)
	}
	c.Apply = slices.Clone(b.Apply)
	c.Observed.Saved = slices.Clone(o.Saved)
	c.Observed.Matches = slices.Clone(o.Matches)
	h.batches = append(h.batches, batchRec{node: i, b: c})
}

// runUntil runs rounds until done holds, at most max of them.
func (h *harness) runUntil(max int, done func() bool) bool {
	for range max {
		if done() {
			return true
		}
		h.round()
	}
	return done()
}

// leader is the running leader of the highest term, or -1.
func (h *harness) leader() int {
	best, term := -1, uint64(0)
	for i, e := range h.engs {
		if e == nil {
			continue
		}
		if st := e.Status(); st.IsLeader && st.Term >= term {
			best, term = i, st.Term
		}
	}
	return best
}

// elect runs until a leader is elected and has applied an entry of its term.
func (h *harness) elect() int {
	h.t.Helper()
	if !h.runUntil(500, func() bool { return h.leader() >= 0 && h.appliedOwnTerm(h.leader()) }) {
		h.t.Fatalf("no leader after 500 rounds")
	}
	return h.leader()
}

// appliedOwnTerm says whether leader l applied an entry of its current term.
func (h *harness) appliedOwnTerm(l int) bool {
	term := h.engs[l].Status().Term
	for _, r := range h.batches {
		if r.node == l && slices.ContainsFunc(r.b.Apply, func(c engine.Committed) bool { return c.Term == term }) {
			return true
		}
	}
	return false
}

// propose proposes cmds on the leader, then runs until every running node in nodes applied
// them last.
func (h *harness) propose(nodes []int, cmds ...string) {
	h.t.Helper()
	l := h.leader()
	for _, c := range cmds {
		if err := h.engs[l].Propose([]byte(c)); err != nil {
			h.t.Fatalf("leader %d: Propose(%q): %v", l, c, err)
		}
	}
	want := cmdsOf(cmds...)
	if !h.runUntil(500, func() bool { return h.allApplied(nodes, want) }) {
		h.t.Fatalf("nodes %v did not apply %q: applied %v", nodes, cmds, h.appliedAll())
	}
}

// allApplied says whether every running node of nodes applied cmds last.
func (h *harness) allApplied(nodes []int, cmds [][]byte) bool {
	for _, i := range nodes {
		got := h.sms[i].cmds
		if h.engs[i] != nil && (len(got) < len(cmds) || !equalCmds(got[len(got)-len(cmds):], cmds)) {
			return false
		}
	}
	return true
}

func (h *harness) appliedAll() []uint64 {
	out := make([]uint64, len(h.sms))
	for i, m := range h.sms {
		out[i] = m.applied
	}
	return out
}

// hash is the FNV-1a 64 hash of the trace.
func (h *harness) hash() uint64 {
	f := fnv.New64a()
	f.Write(h.trace)
	return f.Sum64()
}

// savedLog is node i's log as its batches saved it (snapshots reset it), through its last
// batch.
func (h *harness) savedLog(i int) (snap uint64, log []checker.EntryObs) {
	for _, r := range h.batches {
		if r.node != i {
			continue
		}
		if s := r.b.Observed.Snapshot; s != nil {
			snap, log = s.Index, nil
		}
		for _, e := range r.b.Observed.Saved {
			log = append(log[:e.Index-snap-1], e)
		}
	}
	return snap, log
}

// lastHardState is the last hard state node i's batches saved.
func (h *harness) lastHardState(i int) checker.HardState {
	var hs checker.HardState
	for _, r := range h.batches {
		if r.node == i && r.b.Observed.HardState != nil {
			hs = *r.b.Observed.HardState
		}
	}
	return hs
}

func cmdsOf(ss ...string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

func equalCmds(a, b [][]byte) bool { return slices.EqualFunc(a, b, bytes.Equal) }
