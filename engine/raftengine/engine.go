package raftengine

import (
	"errors"
	"fmt"
	"slices"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/engine"
	"github.com/raftcheck/raftcheck/raft"
	"github.com/raftcheck/raftcheck/raft/wal"
)

// raftEngine plugs our raft package, with its WAL, into the cluster.
type raftEngine struct {
	node     *raft.Node
	log      *wal.WAL
	id       int
	restore  *engine.SnapshotData // the recovered snapshot, handed to the host in the first engine.Batch
	out      []byte               // encoding buffer reused across messages
	ends     []int                // where each message ends in out
	outbound []engine.Outbound    // the batch's messages, reused
	saved    []checker.EntryObs
	leader   bool
	term     uint64      // the term last reported in engine.Observations
	commit   uint64      // the commit index last reported
	voters   engine.Conf // the configuration as of the last batch

	progress []raft.PeerStatus // scratch for the leader's progress
	matches  []checker.Match
	ids      []uint64
	outIDs   []uint64
	apply    []engine.Committed

	// syncLate is mutant send-before-sync: writes are not synced before the messages that
	// depend on them leave; they are synced at the next tick, like a log that fsyncs on a
	// timer. A crash in between loses what was already acknowledged.
	syncLate bool
	owedSync bool
	synced   bool  // a timer sync happened, to report in the next engine.Batch
	syncErr  error // a failed timer sync, reported by the next Ready
	inReady  bool  // a raft Ready is out: Advance must be passed on
}

// New is the engine.Factory of our raft package.
func New(cfg engine.Config) (engine.Engine, checker.Recovery, error) {
	m, err := parseMutants(cfg.Mutants)
	if err != nil {
		return nil, checker.Recovery{}, err
	}
	w, rec, err := wal.Open(cfg.Disk, wal.Options{TruncateOnCorruption: m.walTruncate, TornTailAsCorruption: m.walTornCorrupt,
		SkipSegmentDirSync: m.walNoDirSync, SegmentBytes: cfg.SegmentBytes})
	if errors.Is(err, wal.ErrCorrupt) {
		return nil, checker.Recovery{}, fmt.Errorf("%w: %w", engine.ErrCorrupt, err)
	}
	if err != nil {
		return nil, checker.Recovery{}, err
	}
	rc := raft.Config{
		ID: raftID(cfg.ID), ElectionTick: cfg.ElectionTicks, HeartbeatTick: cfg.HeartbeatTicks, Rand: cfg.Rand,
		PreVote: cfg.Protocol.PreVote, CheckQuorum: cfg.Protocol.CheckQuorum, ForwardProposals: cfg.Forward,
		MaxEntriesPerMsg: cfg.Protocol.MaxAppend, MaxInflightMsgs: cfg.Protocol.MaxInflight,
		SnapshotChunkBytes: cfg.Protocol.SnapshotChunk, Mutations: m.raft,
	}
	for _, v := range cfg.Voters {
		rc.Voters = append(rc.Voters, raftID(v))
	}
	if !rec.HardState.IsEmpty() || len(rec.Entries) > 0 || !rec.Snapshot.IsEmpty() {
		rc.Restore = &rec
	}
	n, err := raft.New(rc)
	if err != nil {
		return nil, checker.Recovery{}, err
	}
	e := &raftEngine{node: n, log: w, id: cfg.ID, syncLate: m.sendBeforeSync}
	return e, e.recovery(rec), nil
}

func (e *raftEngine) recovery(rec raft.Recovered) checker.Recovery {
	out := checker.Recovery{HardState: obsHardState(rec.HardState), Entries: obsEntries(rec.Entries)}
	if !rec.Snapshot.IsEmpty() {
		s := rec.Snapshot
		out.SnapIndex, out.SnapTerm, out.Applied = s.Meta.Index, s.Meta.Term, s.Meta.Index
		e.restore = &engine.SnapshotData{Index: s.Meta.Index, Term: s.Meta.Term, Data: s.Data}
	}
	return out
}

func raftID(node int) uint64 { return uint64(node) + 1 }

func nodeOf(id uint64) int { return int(id) - 1 }

func (e *raftEngine) Tick() {
	if e.owedSync && e.syncErr == nil {
		e.syncErr = e.log.Save(raft.HardState{}, nil, true)
		e.owedSync = false
		e.synced = e.syncErr == nil
	}
	e.node.Tick()
}

// Step decodes a peer's message. The decoded byte slices alias msg, which belongs to the
// network, while raft keeps entries, read contexts and snapshot data: those are copied.
func (e *raftEngine) Step(msg []byte) error {
	var m raft.Message
	if err := raft.DecodeMessageInto(msg, &m); err != nil {
		return err
	}
	own(&m)
	return e.translate(e.node.Step(m))
}

// own copies the byte strings a decoded message aliases (the network reuses its buffer once
// Step returns; raft keeps entries in its log) into one new array.
func own(m *raft.Message) {
	n := len(m.Context) + len(m.SnapData)
	for _, ent := range m.Entries {
		n += len(ent.Data)
	}
	if n == 0 {
		return
	}
	buf := make([]byte, 0, n)
	keep := func(b []byte) []byte {
		if len(b) == 0 {
			return b
		}
		start := len(buf)
		buf = append(buf, b...)
		return buf[start:len(buf):len(buf)]
	}
	for i := range m.Entries {
		m.Entries[i].Data = keep(m.Entries[i].Data)
	}
	m.Context, m.SnapData = keep(m.Context), keep(m.SnapData)
}

// Propose appends a copy of cmd: raft keeps the slice in its log.
func (e *raftEngine) Propose(cmd []byte) error { return e.translate(e.node.Propose(slices.Clone(cmd))) }

func (e *raftEngine) ReadIndex(ctx []byte) error { return e.translate(e.node.ReadIndex(ctx)) }

// ChangeMembership proposes one single-server change (a promotion is raft's own business),
// or several at once as a raft.JointChange.
func (e *raftEngine) ChangeMembership(changes ...engine.MemberChange) error {
	if len(changes) == 1 {
		cc := raft.ConfChange{Type: raft.AddLearner, Node: raftID(changes[0].Node)}
		if changes[0].Op == engine.RemoveMember {
			cc.Type = raft.RemoveNode
		}
		return e.translate(e.node.ProposeConfChange(cc))
	}
	var jc raft.JointChange
	for _, c := range changes {
		jc.Changes = append(jc.Changes, raft.ConfChange{Type: confType(c.Op), Node: raftID(c.Node)})
	}
	return e.translate(e.node.ProposeJointChange(jc))
}

// confType is the raft change that makes op within a joint change.
func confType(op engine.MemberOp) raft.ConfChangeType {
	switch op {
	case engine.PromoteVoter:
		return raft.AddVoter
	case engine.RemoveMember:
		return raft.RemoveNode
	}
	return raft.AddLearner // AddLearner, and DemoteVoter: a voter made a learner
}

// TransferLeader asks raft to hand leadership to node to.
func (e *raftEngine) TransferLeader(to int) error {
	err := e.node.TransferLeadership(raftID(to))
	if errors.Is(err, raft.ErrTransferTarget) {
		return fmt.Errorf("%w: %w", engine.ErrDropped, err)
	}
	return e.translate(err)
}

func (e *raftEngine) translate(err error) error {
	if err == nil { // before nl, which escapes: most calls pay no allocation
		return nil
	}
	var nl *raft.NotLeaderError
	switch {
	case errors.As(err, &nl):
		hint := engine.NoHint
		if nl.Leader != raft.None {
			hint = nodeOf(nl.Leader)
		}
		return &engine.NotLeader{Hint: hint}
	case errors.Is(err, raft.ErrProposalDropped), errors.Is(err, raft.ErrReadIndexDropped),
		errors.Is(err, raft.ErrConfChangePending), errors.Is(err, raft.ErrNoTermCommit):
		return fmt.Errorf("%w: %w", engine.ErrDropped, err)
	}
	return err
}

// Compact hands the snapshot to raft and makes it durable. A snapshot received from the
// leader while the host was applying may already cover index: that compaction is dropped.
func (e *raftEngine) Compact(index uint64, snapshot []byte) error {
	if err := e.node.Compact(index, snapshot); errors.Is(err, raft.ErrCompactIndex) && index <= e.node.SnapshotMeta().Index {
		return fmt.Errorf("%w: %w", engine.ErrDropped, err)
	} else if err != nil {
		return err
	}
	return e.log.SaveSnapshot(raft.Snapshot{Meta: e.node.SnapshotMeta(), Data: snapshot})
}

func (e *raftEngine) Status() engine.Status {
	st := e.node.Status()
	s := engine.Status{Leader: engine.NoHint, IsLeader: st.Role == raft.Leader, Term: st.HardState.Term, Commit: st.HardState.Commit}
	if st.Lead != raft.None {
		s.Leader = nodeOf(st.Lead)
	}
	for _, v := range st.Conf.Voters {
		s.Voters = append(s.Voters, nodeOf(v))
	}
	for _, l := range st.Conf.Learners {
		if !slices.Contains(st.Conf.VotersOutgoing, l) { // a demoted voter votes until the leave
			s.Learners = append(s.Learners, nodeOf(l))
		}
	}
	for _, v := range st.Conf.VotersOutgoing {
		s.VotersOutgoing = append(s.VotersOutgoing, nodeOf(v))
	}
	return s
}

func (e *raftEngine) Advance() {
	if e.inReady {
		e.inReady = false
		e.node.Advance()
	}
}

func obsHardState(hs raft.HardState) checker.HardState {
	return checker.HardState{Term: hs.Term, Vote: hs.Vote, Commit: hs.Commit}
}

func obsEntries(ents []raft.Entry) []checker.EntryObs { return appendObs(nil, ents) }

func appendObs(dst []checker.EntryObs, ents []raft.Entry) []checker.EntryObs {
	for _, e := range ents {
		dst = append(dst, checker.EntryObs{Index: e.Index, Term: e.Term, Digest: digest(e)})
	}
	return dst
}

// digest identifies an entry's content for the checkers: FNV-1a 64 over its type and data.
func digest(e raft.Entry) uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037)
	h = (h ^ uint64(e.Type)) * prime
	for _, c := range e.Data {
		h = (h ^ uint64(c)) * prime
	}
	return h
}

// Report is a no-op: our raft learns of lost messages, snapshot chunks included (its
// Outbound marks those), from their missing replies alone, resending a stalled transfer.
func (e *raftEngine) Report(int, engine.Delivery) {}
