package etcdraft

import (
	"errors"
	"fmt"
	"slices"

	"google.golang.org/protobuf/proto"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/engine"
	"github.com/raftcheck/raftcheck/raft"
	"github.com/raftcheck/raftcheck/raft/wal"
	etcd "go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"
)

// node is one etcd RawNode with its WAL on the node's disk, behind engine.Engine.
type node struct {
	id      int
	rn      gatedNode
	store   *storage
	log     *wal.WAL
	forward bool
	mut     planted
	restore *engine.SnapshotData // the recovered snapshot, handed to the host in the first Batch

	rd      etcd.Ready // the Ready handed out, until Advance
	inReady bool

	// What the node reported so far.
	state  etcd.StateType
	leader bool
	term   uint64
	commit uint64 // the commit index of the last HardState observed
	// confsSince are the configurations that were in force since then and are no longer:
	// a leader's commit index may have moved under any of them (a peer's acknowledgement
	// stepped before the host applied a change that a Ready had handed it).
	confsSince []engine.Conf
	// pendingConf mirrors etcd's pendingConfIndex on a leader: the last index that may hold
	// a configuration change (at first, the log's end when it was elected). etcd turns a
	// change proposed while it is above the applied index into an empty entry, silently;
	// ChangeMembership refuses such a change instead. confProposed: a change was proposed
	// since the last Ready, which will say where it went.
	pendingConf  uint64
	confProposed bool

	// Buffers reused from batch to batch: the host is done with a batch before the next.
	out      []byte
	ends     []int
	outbound []engine.Outbound
	saved    []checker.EntryObs
	apply    []engine.Committed
	matches  []checker.Match
	walEnts  []raft.Entry

	// Mutant etcd-send-before-sync: a write owed a sync, done at the next tick.
	owedSync bool
	synced   bool  // a timer sync happened, to report in the next Batch
	syncErr  error // a failed timer sync, reported by the next Ready
	// Mutant etcd-apply-before-persist: the write of the last Ready, done with the next one.
	owedWrite write

	// Asynchronous storage writes (async.go): the appends etcd handed out and not written
	// yet, oldest first; the responses to step in the next Advance; the term and vote last
	// written (etcd's MustSync compares with them); a refusal of a local response.
	async    bool
	appends  []owedAppend
	local    []*pb.Message
	durable  [2]uint64
	localErr error
	peerMsgs []*pb.Message
}

// Tick advances etcd's clock by one tick (after the sync owed by mutant etcd-send-before-sync).
func (e *node) Tick() {
	if e.owedSync && e.syncErr == nil {
		e.syncErr = e.log.Save(raft.HardState{}, nil, true)
		e.owedSync, e.synced = false, e.syncErr == nil
	}
	e.rn.Tick()
}

// Step decodes a peer's message from a copy of msg (which belongs to the network) and steps
// it. A response from a node not in the configuration is dropped.
func (e *node) Step(msg []byte) error {
	m := new(pb.Message)
	if err := proto.Unmarshal(msg, m); err != nil { // it copies bytes fields: nothing aliases msg
		return fmt.Errorf("etcdraft: node %d: undecodable message: %w", e.id, err)
	}
	if m.GetTo() != raftID(e.id) || m.GetFrom() == etcd.None {
		return fmt.Errorf("etcdraft: node %d: message %v from %d to %d misaddressed", e.id, m.GetType(), m.GetFrom(), m.GetTo())
	}
	return dropped(e.rn.Step(m))
}

// dropped wraps etcd's expected refusals in engine.ErrDropped.
func dropped(err error) error {
	if errors.Is(err, etcd.ErrProposalDropped) || errors.Is(err, etcd.ErrStepPeerNotFound) {
		return fmt.Errorf("%w: %w", engine.ErrDropped, err)
	}
	return err
}

// Propose appends a copy of cmd (etcd keeps the slice in its log). A follower refuses with a
// hint unless it forwards proposals.
func (e *node) Propose(cmd []byte) error {
	if !e.forward {
		if st := e.rn.BasicStatus(); st.RaftState != etcd.StateLeader {
			return &engine.NotLeader{Hint: hintOf(st.Lead)}
		}
	}
	return dropped(e.rn.Propose(slices.Clone(cmd)))
}

// ReadIndex starts a read with a copy of ctx (etcd keeps it until the read is ready). A
// follower forwards it to the leader when it forwards proposals and knows one.
func (e *node) ReadIndex(ctx []byte) error {
	if st := e.rn.BasicStatus(); st.RaftState != etcd.StateLeader && (!e.forward || st.Lead == etcd.None) {
		return &engine.NotLeader{Hint: hintOf(st.Lead)}
	}
	e.rn.ReadIndex(slices.Clone(ctx))
	return nil
}

// ChangeMembership proposes the changes on the leader: one as a ConfChange, several as a
// ConfChangeV2 that enters the joint configuration and leaves it automatically (etcd's
// leader proposes the leave once the joint entry is applied). A change while another may
// not be applied yet, while the configuration is joint, or one that would remove the last
// voter, is refused with engine.ErrDropped (etcd would silently turn it into an empty entry).
func (e *node) ChangeMembership(changes ...engine.MemberChange) error {
	st := e.rn.BasicStatus()
	if st.RaftState != etcd.StateLeader {
		return &engine.NotLeader{Hint: hintOf(st.Lead)}
	}
	if e.confProposed || e.pendingConf > st.Applied {
		return fmt.Errorf("%w: a configuration change up to index %d is not applied (applied %d)", engine.ErrDropped, e.pendingConf, st.Applied)
	}
	if len(e.store.confs.current().GetVotersOutgoing()) > 0 {
		return fmt.Errorf("%w: the configuration is joint", engine.ErrDropped)
	}
	if len(changes) > 1 {
		return e.proposeJoint(changes)
	}
	c := changes[0]
	cc := &pb.ConfChange{NodeId: new(raftID(c.Node))}
	switch c.Op {
	case engine.AddLearner:
		cc.Type = pb.ConfChangeAddLearnerNode.Enum()
	case engine.PromoteVoter:
		cc.Type = pb.ConfChangeAddNode.Enum()
	case engine.RemoveMember:
		if v := e.store.confs.current().GetVoters(); len(v) == 1 && v[0] == raftID(c.Node) {
			return fmt.Errorf("%w: node %d is the last voter", engine.ErrDropped, c.Node)
		}
		cc.Type = pb.ConfChangeRemoveNode.Enum()
	default:
		return fmt.Errorf("etcdraft: node %d: unknown membership change %v", e.id, c.Op)
	}
	if err := dropped(e.rn.ProposeConfChange(cc)); err != nil {
		return err
	}
	e.confProposed = true
	return nil
}

// TransferLeader asks etcd to hand leadership to node to (only a leader acts on it; etcd
// itself ignores a request it cannot honour, so refusals are checked here).
func (e *node) TransferLeader(to int) error {
	st := e.rn.BasicStatus()
	if st.RaftState != etcd.StateLeader {
		return &engine.NotLeader{Hint: hintOf(st.Lead)}
	}
	if !slices.Contains(e.store.confs.current().GetVoters(), raftID(to)) || to == e.id {
		return fmt.Errorf("%w: node %d is not another voter", engine.ErrDropped, to)
	}
	e.rn.TransferLeader(raftID(to))
	return nil
}

// Compact records that snapshot holds the state machine through index: etcd's storage takes
// a snapshot there, with the configuration in force at index, and drops the log before it;
// the WAL keeps the snapshot. An index at or below the current snapshot is dropped.
func (e *node) Compact(index uint64, snapshot []byte) error {
	if snap := e.store.snapIndex(); index <= snap {
		return fmt.Errorf("%w: compaction at index %d: the snapshot is at %d", engine.ErrDropped, index, snap)
	}
	if applied := e.rn.BasicStatus().Applied; index > applied {
		return fmt.Errorf("etcdraft: node %d: compaction at index %d beyond the applied index %d", e.id, index, applied)
	}
	term, err := e.store.Term(index)
	if err != nil {
		return fmt.Errorf("etcdraft: node %d: compaction at index %d: %w", e.id, index, err)
	}
	cs := e.store.confs.at(index)
	data := slices.Clone(snapshot)
	if err := e.log.SaveSnapshot(walSnapshot(index, term, cs, data)); err != nil {
		return fmt.Errorf("etcdraft: node %d: saving snapshot %d: %w", e.id, index, err)
	}
	if _, err := e.store.CreateSnapshot(index, cs, data); err != nil {
		return fmt.Errorf("etcdraft: node %d: snapshot %d: %w", e.id, index, err)
	}
	if err := e.store.MemoryStorage.Compact(index); err != nil {
		return fmt.Errorf("etcdraft: node %d: compacting to %d: %w", e.id, index, err)
	}
	e.store.confs.compact(index)
	return nil
}

// Report passes on what the transport learned of a message to peer.
func (e *node) Report(peer int, d engine.Delivery) {
	id := raftID(peer)
	switch {
	case d == engine.Unreachable:
		e.rn.ReportUnreachable(id)
	case e.mut.noReportSnapshot:
	case d == engine.SnapshotSent:
		e.rn.ReportSnapshot(id, etcd.SnapshotFinish)
	case d == engine.SnapshotFailed:
		e.rn.ReportSnapshot(id, etcd.SnapshotFailure)
	}
}

// proposeJoint proposes several changes at once through the joint configuration, with
// etcd's automatic leave (ConfChangeTransitionJointImplicit; the etcd-joint-explicit planted
// bug asks for an explicit one and never proposes the leave).
func (e *node) proposeJoint(changes []engine.MemberChange) error {
	transition := pb.ConfChangeTransitionJointImplicit
	if e.mut.jointExplicit {
		transition = pb.ConfChangeTransitionJointExplicit
	}
	cc := &pb.ConfChangeV2{Transition: transition.Enum()}
	for _, c := range changes {
		typ := pb.ConfChangeAddLearnerNode // AddLearner, DemoteVoter
		switch c.Op {
		case engine.PromoteVoter:
			typ = pb.ConfChangeAddNode
		case engine.RemoveMember:
			typ = pb.ConfChangeRemoveNode
		}
		cc.Changes = append(cc.Changes, &pb.ConfChangeSingle{Type: typ.Enum(), NodeId: new(raftID(c.Node))})
	}
	if err := dropped(e.rn.ProposeConfChange(cc)); err != nil {
		return err
	}
	e.confProposed = true
	return nil
}

// Status is the node's view: leader, term, commit, the configuration it applied last, and a
// leader's match indexes.
func (e *node) Status() engine.Status {
	st := e.rn.BasicStatus()
	cs := e.store.confs.current()
	s := engine.Status{
		Leader: hintOf(st.Lead), IsLeader: st.RaftState == etcd.StateLeader,
		Term: st.HardState.GetTerm(), Commit: st.HardState.GetCommit(),
		Voters: nodes(cs.GetVoters()), Learners: nodes(cs.GetLearners()),
		VotersOutgoing: nodes(cs.GetVotersOutgoing()),
	}
	slices.Sort(s.Voters)
	slices.Sort(s.Learners)
	slices.Sort(s.VotersOutgoing)
	if s.IsLeader {
		s.Matches = e.progress(nil)
	}
	return s
}

// progress appends a leader's match index for every member to dst.
func (e *node) progress(dst []checker.Match) []checker.Match {
	e.rn.WithProgress(func(id, match uint64) {
		dst = append(dst, checker.Match{Node: nodeOf(id), Index: match})
	})
	return dst
}

// Advance tells etcd the host is done with the last Batch.
func (e *node) Advance() {
	if !e.inReady {
		return
	}
	e.inReady = false
	if e.async { // RawNode.Advance must not be called: the local responses take its place
		e.stepLocal()
	} else {
		e.rn.Advance(e.rd)
	}
	e.rd = etcd.Ready{}
}
