package raft

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// env is an in-memory cluster driven by scripts and tests: a host loop per node that
// honours the Ready contract (persist, send, apply, advance), durable storage kept per
// Ready, and a network that carries encoded messages between nodes. There is no
// simulator: the script decides what is delivered, dropped or delayed.
type env struct {
	nodes    []*hnode // indexed by ID-1
	queue    []envMsg // messages in flight, in send order
	stash    []envMsg // messages held back by stash-msgs
	groups   map[uint64]int
	out      strings.Builder
	quiet    bool   // suppress output (violations are always printed)
	silent   bool   // suppress all output (random scripts)
	nodeOpts string // add-nodes options of the random scripts, reused for joining nodes
	// jointChanges lets the random scripts draw joint membership changes.
	jointChanges bool
	mutants      bool // some node runs with a mutation
	reported     map[string]bool
	// history for the safety checks
	leaders    map[uint64]uint64  // term -> leader
	maxCommit  uint64             // highest commit index any node ever reported
	readFloor  map[string]uint64  // read ctx -> maxCommit when the read was requested
	appliedAt  map[uint64]applied // index -> the entry applied there by some node
	violations []string
}

// hnode is one node with its host: storage, state machine, and config for restarts.
type hnode struct {
	id       uint64
	cfg      Config
	n        *Node
	down     bool
	restarts uint64
	// durable storage, as written by the host loop
	hs   HardState
	snap *Snapshot
	ents []Entry
	// state machine: the data of applied normal entries, by index
	sm        []smEntry
	smApplied uint64
}

type smEntry struct {
	index uint64
	data  string
}

// applied records an entry applied at some index: its rendering, and the lowest term of
// a node applying it (an upper bound on the term in which it was committed).
type applied struct {
	key  string
	term uint64
}

type envMsg struct {
	m   Message // decoded copy, for filtering and printing
	enc []byte  // what travels
}

func newEnv() *env {
	return &env{groups: map[uint64]int{}, leaders: map[uint64]uint64{}, appliedAt: map[uint64]applied{},
		reported: map[string]bool{}, readFloor: map[string]uint64{}}
}

func (e *env) printf(format string, args ...any) {
	if !e.quiet && !e.silent {
		fmt.Fprintf(&e.out, format, args...)
	}
}

func (e *env) node(id uint64) *hnode {
	if id == 0 || id > uint64(len(e.nodes)) {
		panic(fmt.Sprintf("no node %d", id))
	}
	return e.nodes[id-1]
}

// addNodes adds count nodes built from base; voters lists the founding voters (empty for
// nodes joining later).
func (e *env) addNodes(count int, base Config, voters []uint64) error {
	for range count {
		id := uint64(len(e.nodes) + 1)
		cfg := base
		cfg.ID = id
		cfg.Voters = voters
		h := &hnode{id: id, cfg: cfg}
		if err := h.start(); err != nil {
			return err
		}
		e.nodes = append(e.nodes, h)
		if len(cfg.Mutations.Enabled()) > 0 {
			e.mutants = true
		}
	}
	return nil
}

// start (re)creates the node from its durable storage.
func (h *hnode) start() error {
	cfg := h.cfg
	cfg.Rand = rand.New(rand.NewPCG(h.id, 0x7261667400+h.restarts))
	if h.hs != (HardState{}) || h.snap != nil || len(h.ents) > 0 {
		cfg.Restore = &Recovered{HardState: h.hs, Snapshot: cloneSnap(h.snap), Entries: slices.Clone(h.ents)}
	}
	n, err := New(cfg)
	if err != nil {
		return err
	}
	h.n = n
	h.down = false
	h.sm, h.smApplied = nil, 0
	if h.snap != nil {
		h.restoreSM(h.snap)
	}
	return nil
}

func cloneSnap(s *Snapshot) *Snapshot {
	if s == nil {
		return nil
	}
	c := *s
	c.Meta.Conf = cloneConf(s.Meta.Conf)
	c.Data = slices.Clone(s.Data)
	return &c
}

// smData encodes the state machine through index as snapshot data.
func (h *hnode) smData(index uint64) []byte {
	var parts []string
	for _, en := range h.sm {
		if en.index <= index {
			parts = append(parts, fmt.Sprintf("%d:%s", en.index, en.data))
		}
	}
	return []byte(strings.Join(parts, ","))
}

func (h *hnode) restoreSM(s *Snapshot) {
	h.sm = nil
	if len(s.Data) > 0 {
		for _, p := range strings.Split(string(s.Data), ",") {
			var idx uint64
			var data string
			k, d, _ := strings.Cut(p, ":")
			fmt.Sscan(k, &idx)
			data = d
			h.sm = append(h.sm, smEntry{index: idx, data: data})
		}
	}
	h.smApplied = s.Meta.Index
}

// persist writes a Ready's durable parts to storage, as a WAL would.
func (h *hnode) persist(rd *Ready) {
	if rd.Snapshot != nil {
		h.snap = cloneSnap(rd.Snapshot)
		h.ents = nil // the snapshot replaces the log; the kept suffix is in rd.Entries
	}
	if len(rd.Entries) > 0 {
		first := rd.Entries[0].Index
		base := uint64(0)
		if h.snap != nil {
			base = h.snap.Meta.Index
		}
		if first <= base || first > base+uint64(len(h.ents))+1 {
			panic(fmt.Sprintf("node %d: Ready.Entries start at %d; storage holds (%d, %d]", h.id, first, base, base+uint64(len(h.ents))))
		}
		h.ents = append(h.ents[:first-base-1:first-base-1], cloneEntries(rd.Entries)...)
	}
	if !rd.HardState.IsEmpty() {
		h.hs = rd.HardState
	}
}

func cloneEntries(ents []Entry) []Entry {
	c := slices.Clone(ents)
	for i := range c {
		c[i].Data = slices.Clone(c[i].Data)
	}
	return c
}

// durableLast is the last index in storage.
func (h *hnode) durableLast() uint64 {
	base := uint64(0)
	if h.snap != nil {
		base = h.snap.Meta.Index
	}
	return base + uint64(len(h.ents))
}

// compact takes a state-machine snapshot through index, as the application would.
func (h *hnode) compact(index uint64) error {
	data := h.smData(index)
	if err := h.n.Compact(index, data); err != nil {
		return err
	}
	// The host persists its own snapshot: entries after it stay.
	base := uint64(0)
	if h.snap != nil {
		base = h.snap.Meta.Index
	}
	h.ents = slices.Clone(h.ents[index-base:])
	h.snap = cloneSnap(&h.n.snap)
	return nil
}

// send puts a node's outgoing messages on the network, encoded.
func (e *env) send(from uint64, msgs []Message) {
	for _, m := range msgs {
		to := m.To
		switch {
		case to == 0 || to > uint64(len(e.nodes)):
			e.printf("  %s (dropped: no such node)\n", m)
		case e.cut(from, to):
			e.printf("  %s (dropped: partition)\n", m)
		default:
			enc := AppendMessage(nil, m)
			dec, err := DecodeMessage(enc)
			if err != nil {
				panic(fmt.Sprintf("codec failed on %s: %v", m, err))
			}
			e.queue = append(e.queue, envMsg{m: dec, enc: enc})
		}
	}
}

func (e *env) cut(a, b uint64) bool {
	ga, oka := e.groups[a]
	gb, okb := e.groups[b]
	return oka && okb && ga != gb
}

// handleReady processes one Ready of node h in the contract's order, printing it.
func (e *env) handleReady(h *hnode) {
	rd := h.n.Ready()
	e.printReady(h.id, &rd)
	prev := h.hs
	if !rd.HardState.IsEmpty() && rd.HardState.Commit < prev.Commit {
		e.violate("node %d persists commit %d below its persisted commit %d", h.id, rd.HardState.Commit, prev.Commit)
	}
	h.persist(&rd)
	e.checkReadyContract(h, &rd, prev)
	e.send(h.id, rd.Messages)
	if rd.Snapshot != nil {
		if rd.Snapshot.Meta.Index < h.smApplied {
			e.violate("node %d restores snapshot %d behind its applied index %d", h.id,
				rd.Snapshot.Meta.Index, h.smApplied)
		}
		h.restoreSM(rd.Snapshot)
	}
	for _, en := range rd.CommittedEntries {
		e.apply(h, en)
	}
	e.maxCommit = max(e.maxCommit, h.n.log.committed)
	for _, rs := range rd.ReadStates {
		// Linearizable reads: the read point covers every write committed before the
		// read was requested.
		if floor, ok := e.readFloor[string(rs.Ctx)]; ok && rs.Index < floor {
			e.violate("stale read %q on node %d: read index %d, but %d was committed before the read",
				rs.Ctx, h.id, rs.Index, floor)
		}
	}
	h.n.Advance()
}

func (e *env) apply(h *hnode, en Entry) {
	if en.Index != h.smApplied+1 {
		e.violate("node %d applied index %d after %d", h.id, en.Index, h.smApplied)
	}
	h.smApplied = en.Index
	key := en.String()
	prev, ok := e.appliedAt[en.Index]
	if ok && prev.key != key {
		e.violate("state machine safety: node %d applied %s at index %d; another node applied %s",
			h.id, key, en.Index, prev.key)
	}
	if !ok || h.n.term < prev.term {
		e.appliedAt[en.Index] = applied{key: key, term: h.n.term}
	}
	if en.Type == EntryNormal && len(en.Data) > 0 {
		h.sm = append(h.sm, smEntry{index: en.Index, data: string(en.Data)})
	}
}

// checkReadyContract asserts that nothing in rd's messages promises more than storage
// holds after persisting rd, and that MustSync is set when it must be.
func (e *env) checkReadyContract(h *hnode, rd *Ready, prev HardState) {
	if (len(rd.Entries) > 0 || rd.Snapshot != nil) && !rd.MustSync {
		e.violate("node %d: Ready with entries or snapshot but MustSync false", h.id)
	}
	if !rd.HardState.IsEmpty() && (rd.HardState.Term != prev.Term || rd.HardState.Vote != prev.Vote) && !rd.MustSync {
		e.violate("node %d: Ready changing term/vote but MustSync false", h.id)
	}
	for _, m := range rd.Messages {
		switch {
		case m.Type == MsgVoteResp && !m.Reject:
			// Safe if storage has the vote, or has moved past the vote's term (then no
			// other vote can ever be cast in that term).
			if h.hs.Term < m.Term || (h.hs.Term == m.Term && h.hs.Vote != m.To) {
				e.violate("node %d granted its vote to %d in term %d but persisted term %d vote %d",
					h.id, m.To, m.Term, h.hs.Term, h.hs.Vote)
			}
		case m.Type == MsgAppResp && !m.Reject && m.Index > 0:
			if h.durableLast() < m.Index {
				e.violate("node %d acknowledged index %d with only %d durable", h.id, m.Index, h.durableLast())
			}
		}
		if m.Term > h.hs.Term && m.Type != MsgPreVote && m.Type != MsgPreVoteResp {
			e.violate("node %d sent %s with term %d beyond persisted term %d", h.id, m.Type, m.Term, h.hs.Term)
		}
	}
}

func (e *env) violate(format string, args ...any) {
	v := fmt.Sprintf(format, args...)
	if e.reported[v] {
		return
	}
	e.reported[v] = true
	e.violations = append(e.violations, v)
	fmt.Fprintf(&e.out, "VIOLATION: %s\n", v)
}

// checkLogs flags two live logs that hold an entry with the same index and term but
// differ before it (Log Matching), and a leader whose log lacks an entry some node
// applied (Leader Completeness).
func (e *env) checkLogs() {
	var live []*hnode
	for _, h := range e.nodes {
		if !h.down {
			live = append(live, h)
		}
	}
	for i, a := range live {
		for _, b := range live[i+1:] {
			e.checkMatching(a, b)
		}
		if a.n.role == Leader {
			e.checkComplete(a)
		}
	}
}

// checkMatching checks the Log Matching property on a and b: entries with the same index
// and term are identical, and so are all the entries before them.
func (e *env) checkMatching(a, b *hnode) {
	la, lb := &a.n.log, &b.n.log
	lo := max(la.snapIndex, lb.snapIndex) + 1
	hi := min(la.lastIndex(), lb.lastIndex())
	agreed := false // walking down: an entry with equal terms was seen above
	for i := hi; i >= lo; i-- {
		ea, eb := la.entry(i), lb.entry(i)
		switch {
		case ea.Term == eb.Term && (ea.Type != eb.Type || string(ea.Data) != string(eb.Data)):
			e.violate("log matching: nodes %d and %d have different entries of one term at index %d: %s vs %s",
				a.id, b.id, i, ea, eb)
			return
		case ea.Term == eb.Term:
			agreed = true
		case agreed:
			e.violate("log matching: nodes %d and %d agree on a later entry but differ at index %d: %s vs %s",
				a.id, b.id, i, ea, eb)
			return
		}
	}
}

func (e *env) checkComplete(lead *hnode) {
	l := &lead.n.log
	idxs := make([]uint64, 0, len(e.appliedAt))
	for idx := range e.appliedAt {
		idxs = append(idxs, idx)
	}
	slices.Sort(idxs)
	for _, idx := range idxs {
		ap := e.appliedAt[idx]
		// An entry applied by a node in term t was committed in a term <= t, so every
		// leader of a later term must hold it.
		if idx <= l.snapIndex || ap.term >= lead.n.term {
			continue
		}
		key := ap.key
		if idx > l.lastIndex() {
			e.violate("leader completeness: leader %d (term %d) lacks applied index %d (%s)",
				lead.id, lead.n.term, idx, key)
			return
		}
		if got := l.entry(idx).String(); got != key {
			e.violate("leader completeness: leader %d (term %d) has %s at index %d, where %s was applied",
				lead.id, lead.n.term, got, idx, key)
			return
		}
	}
}

// checkLeaders records who leads each term and flags two leaders in one term.
func (e *env) checkLeaders() {
	for _, h := range e.nodes {
		if h.down || h.n.role != Leader {
			continue
		}
		if prev, ok := e.leaders[h.n.term]; ok && prev != h.id {
			e.violate("election safety: nodes %d and %d both leaders in term %d",
				min(prev, h.id), max(prev, h.id), h.n.term)
		}
		e.leaders[h.n.term] = h.id
	}
}
