package etcdraft

import (
	"errors"
	"fmt"
	"slices"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/engine"
	"github.com/raftcheck/raftcheck/raft"
	"github.com/raftcheck/raftcheck/raft/wal"
	etcd "go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"
)

const (
	// defaultMaxInflight is etcd's MaxInflightMsgs when Protocol.MaxInflight is 0.
	defaultMaxInflight = 256
	// bytesPerEntry converts Protocol.MaxAppend (entries) into etcd's MaxSizePerMsg (bytes).
	bytesPerEntry = 128
	// defaultMaxMsgBytes is MaxSizePerMsg when Protocol.MaxAppend is 0, and the bound on the
	// committed entries of one Ready.
	defaultMaxMsgBytes = 1 << 20
)

// New is the engine.Factory of etcd raft. It recovers the node's state from cfg.Disk (a
// damaged disk gives an error wrapping engine.ErrCorrupt); on an empty disk a founder
// (cfg.Voters not nil) bootstraps the founding configuration and a joining node starts empty,
// to learn its configuration from the leader.
func New(cfg engine.Config) (engine.Engine, engine.Recovery, error) {
	mut, err := parseMutants(cfg.Mutants)
	if err != nil {
		return nil, engine.Recovery{}, err
	}
	if err := validate(cfg); err != nil {
		return nil, engine.Recovery{}, err
	}
	w, rec, err := wal.Open(cfg.Disk, wal.Options{SegmentBytes: cfg.SegmentBytes})
	if errors.Is(err, wal.ErrCorrupt) {
		return nil, engine.Recovery{}, fmt.Errorf("etcdraft: node %d: %w: %w", cfg.ID, engine.ErrCorrupt, err)
	}
	if err != nil {
		return nil, engine.Recovery{}, fmt.Errorf("etcdraft: node %d: opening the WAL: %w", cfg.ID, err)
	}
	e := &node{id: cfg.ID, log: w, forward: cfg.Forward, mut: mut, state: etcd.StateFollower, term: rec.HardState.Term,
		async: cfg.AsyncWrites, durable: [2]uint64{rec.HardState.Term, rec.HardState.Vote}}
	e.store = &storage{MemoryStorage: etcd.NewMemoryStorage(), image: cfg.Image, stale: mut.staleSnapshotConf, atHanded: mut.imageAtHanded}
	e.store.confs.reset(0, new(pb.ConfState))
	applied, ents, err := e.load(rec)
	if err != nil {
		return nil, engine.Recovery{}, fmt.Errorf("etcdraft: node %d: %w", cfg.ID, err)
	}
	var peers []etcd.Peer
	if cfg.Voters != nil && rec.HardState.IsEmpty() && len(rec.Entries) == 0 && rec.Snapshot.IsEmpty() {
		peers = bootstrapPeers(cfg.Voters)
		e.store.confs.reset(0, &pb.ConfState{Voters: voterIDs(peers)})
	}
	if e.rn, err = newGatedNode(e.etcdConfig(cfg, applied), peers, cfg.Rand); err != nil {
		return nil, engine.Recovery{}, fmt.Errorf("etcdraft: node %d: starting etcd raft: %w", cfg.ID, err)
	}
	return e, e.recovery(rec, ents), nil
}

func validate(cfg engine.Config) error {
	switch {
	case cfg.ID < 0:
		return fmt.Errorf("etcdraft: node id %d is negative", cfg.ID)
	case cfg.Disk == nil:
		return fmt.Errorf("etcdraft: node %d has no disk", cfg.ID)
	case cfg.Rand == nil:
		return fmt.Errorf("etcdraft: node %d has no random stream", cfg.ID)
	case cfg.HeartbeatTicks <= 0 || cfg.ElectionTicks <= cfg.HeartbeatTicks:
		return fmt.Errorf("etcdraft: node %d: need 0 < heartbeat ticks (%d) < election ticks (%d)",
			cfg.ID, cfg.HeartbeatTicks, cfg.ElectionTicks)
	case cfg.Protocol.MaxAppend < 0 || cfg.Protocol.MaxInflight < 0:
		return fmt.Errorf("etcdraft: node %d: negative protocol limit in %+v", cfg.ID, cfg.Protocol)
	}
	return nil
}

// etcdConfig maps the engine's configuration onto etcd's.
func (e *node) etcdConfig(cfg engine.Config, applied uint64) *etcd.Config {
	c := &etcd.Config{
		ID: raftID(cfg.ID), ElectionTick: cfg.ElectionTicks, HeartbeatTick: cfg.HeartbeatTicks,
		Storage: e.store, Applied: applied, PreVote: cfg.Protocol.PreVote, CheckQuorum: cfg.Protocol.CheckQuorum,
		MaxInflightMsgs: cfg.Protocol.MaxInflight, MaxSizePerMsg: uint64(cfg.Protocol.MaxAppend) * bytesPerEntry,
		MaxCommittedSizePerReady: defaultMaxMsgBytes, DisableProposalForwarding: !cfg.Forward,
		ReadOnlyOption: etcd.ReadOnlySafe, StepDownOnRemoval: true, Logger: quietLogger{node: cfg.ID, log: cfg.Log},
		AsyncStorageWrites: cfg.AsyncWrites,
	}
	if c.MaxInflightMsgs == 0 {
		c.MaxInflightMsgs = defaultMaxInflight
	}
	if c.MaxSizePerMsg == 0 {
		c.MaxSizePerMsg = defaultMaxMsgBytes
	}
	return c
}

// load rebuilds the MemoryStorage from what the WAL recovered and returns the index the
// state machine is at (the snapshot's) and the recovered entries. The first Batch hands the
// recovered snapshot to the host.
func (e *node) load(rec raft.Recovered) (applied uint64, ents []*pb.Entry, err error) {
	if !rec.Snapshot.IsEmpty() {
		s, err := etcdSnapshot(rec.Snapshot)
		if err != nil {
			return 0, nil, err
		}
		if err := e.store.ApplySnapshot(s); err != nil {
			return 0, nil, fmt.Errorf("restoring snapshot %d: %w", rec.Snapshot.Meta.Index, err)
		}
		e.store.confs.reset(rec.Snapshot.Meta.Index, s.GetMetadata().GetConfState())
		applied = rec.Snapshot.Meta.Index
		e.restore = &engine.SnapshotData{Index: applied, Term: rec.Snapshot.Meta.Term, Data: s.GetData()}
	}
	ents = make([]*pb.Entry, 0, len(rec.Entries))
	for _, r := range rec.Entries {
		ent, err := etcdEntry(r)
		if err != nil {
			return 0, nil, fmt.Errorf("recovering the log: %w", err)
		}
		ents = append(ents, ent)
	}
	if err := e.store.Append(ents); err != nil {
		return 0, nil, fmt.Errorf("recovering the log: %w", err)
	}
	if rec.HardState.IsEmpty() {
		return applied, ents, nil
	}
	// A snapshot is committed, and nothing beyond the log can be: a commit index outside
	// [snapshot, last index] (a torn write, a lost sync) is brought back inside, and the
	// checkers judge the recovery from the hard state as the WAL held it.
	hs := rec.HardState
	last, _ := e.store.LastIndex()
	hs.Commit = min(max(hs.Commit, applied), last)
	if err := e.store.SetHardState(etcdHardState(hs)); err != nil {
		return 0, nil, err
	}
	if e.mut.appliedFromCommit {
		applied = hs.Commit
	}
	return applied, ents, nil
}

// bootstrapPeers are the founders as RawNode.Bootstrap takes them, in increasing id order so
// that every founder writes the same entries, each marked as part of the bootstrap.
func bootstrapPeers(voters []int) []etcd.Peer {
	ids := slices.Clone(voters)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	peers := make([]etcd.Peer, len(ids))
	for i, v := range ids {
		peers[i] = etcd.Peer{ID: raftID(v), Context: bootstrapContext}
	}
	return peers
}

func voterIDs(peers []etcd.Peer) []uint64 {
	ids := make([]uint64, len(peers))
	for i, p := range peers {
		ids[i] = p.ID
	}
	return ids
}

// recovery is what the node recovered, for the checkers.
func (e *node) recovery(rec raft.Recovered, ents []*pb.Entry) engine.Recovery {
	hs := rec.HardState
	out := engine.Recovery{
		HardState: checker.HardState{Term: hs.Term, Vote: hs.Vote, Commit: hs.Commit},
		Entries:   appendObs(nil, ents),
	}
	if s := rec.Snapshot; !s.IsEmpty() {
		out.SnapIndex, out.SnapTerm, out.Applied = s.Meta.Index, s.Meta.Term, s.Meta.Index
	}
	return out
}
