package fuzz

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/raftcheck/raftcheck/raft"
)

// This file is the in-memory world of the Raft state-machine property test: nodes of package
// raft, each with a host loop that honours raft.Ready exactly, storage that keeps what was
// persisted, a trivial state machine, and a network of pending encoded messages the test
// delivers, drops, duplicates and reorders one by one. No simulator is involved.

// memStore is what one node persisted. Entries and snapshots are always synced (Ready sets
// MustSync for them); a HardState saved without MustSync (a commit-only change) is volatile
// until the next sync, and a crash may lose it.
type memStore struct {
	hs       raft.HardState // as last written
	syncedHS raft.HardState // as last synced
	snap     *raft.Snapshot
	ents     []raft.Entry // the entries after snap, contiguous
}

func (s *memStore) snapIndex() uint64 {
	if s.snap == nil {
		return 0
	}
	return s.snap.Meta.Index
}

func (s *memStore) lastIndex() uint64 { return s.snapIndex() + uint64(len(s.ents)) }

// entry returns entry i, and whether the store holds it (not compacted, not past the end).
func (s *memStore) entry(i uint64) (raft.Entry, bool) {
	if i <= s.snapIndex() || i > s.lastIndex() {
		return raft.Entry{}, false
	}
	return s.ents[i-s.snapIndex()-1], true
}

// save persists one Ready's durable part, deep-copying (the Ready aliases the node's memory).
func (s *memStore) save(rd raft.Ready) error {
	if rd.Snapshot != nil {
		snap := cloneSnapshot(*rd.Snapshot)
		s.snap, s.ents = &snap, nil
	}
	if len(rd.Entries) > 0 {
		first := rd.Entries[0].Index
		if first <= s.snapIndex() || first > s.lastIndex()+1 {
			return fmt.Errorf("Ready.Entries start at %d; the store holds %d..%d", first, s.snapIndex()+1, s.lastIndex())
		}
		s.ents = s.ents[:first-s.snapIndex()-1]
		for _, e := range rd.Entries {
			s.ents = append(s.ents, cloneEntry(e))
		}
	}
	if !rd.HardState.IsEmpty() {
		s.hs = rd.HardState
	}
	if rd.MustSync {
		s.syncedHS = s.hs
	}
	return nil
}

// compact persists a snapshot the host took itself (after raft.Node.Compact).
func (s *memStore) compact(meta raft.SnapshotMeta, data []byte) {
	if meta.Index <= s.snapIndex() {
		return
	}
	keep := s.ents[min(meta.Index-s.snapIndex(), uint64(len(s.ents))):]
	snap := raft.Snapshot{Meta: cloneMeta(meta), Data: slices.Clone(data)}
	s.snap, s.ents = &snap, slices.Clone(keep)
	s.syncedHS = s.hs
}

// crash resolves the volatile HardState: lost, or kept (the page cache survived).
func (s *memStore) crash(keepUnsynced bool) {
	if !keepUnsynced {
		s.hs = s.syncedHS
	}
	s.syncedHS = s.hs
}

// recovered is what a restarted node reads back, sharing nothing with the store.
func (s *memStore) recovered() *raft.Recovered {
	rec := &raft.Recovered{HardState: s.hs}
	if s.snap != nil {
		snap := cloneSnapshot(*s.snap)
		rec.Snapshot = &snap
	}
	for _, e := range s.ents {
		rec.Entries = append(rec.Entries, cloneEntry(e))
	}
	return rec
}

func cloneEntry(e raft.Entry) raft.Entry { e.Data = slices.Clone(e.Data); return e }

func cloneMeta(m raft.SnapshotMeta) raft.SnapshotMeta {
	m.Conf.Voters, m.Conf.Learners = slices.Clone(m.Conf.Voters), slices.Clone(m.Conf.Learners)
	return m
}

func cloneSnapshot(s raft.Snapshot) raft.Snapshot {
	return raft.Snapshot{Meta: cloneMeta(s.Meta), Data: slices.Clone(s.Data)}
}

// applied is one entry of the trivial state machine: the list of applied entries' terms and
// data. Its snapshot is that list, encoded.
type applied struct {
	term uint64
	data string
}

func encodeApplied(list []applied) []byte {
	var b []byte
	for _, a := range list {
		b = binary.AppendUvarint(b, a.term)
		b = binary.AppendUvarint(b, uint64(len(a.data)))
		b = append(b, a.data...)
	}
	return b
}

var errBadSnapshotData = errors.New("malformed state-machine snapshot")

func decodeApplied(b []byte) ([]applied, error) {
	var out []applied
	for len(b) > 0 {
		term, n := binary.Uvarint(b)
		if n <= 0 {
			return nil, errBadSnapshotData
		}
		b = b[n:]
		size, n := binary.Uvarint(b)
		if n <= 0 || size > uint64(len(b)-n) {
			return nil, errBadSnapshotData
		}
		out = append(out, applied{term: term, data: string(b[n : n+int(size)])})
		b = b[n+int(size):]
	}
	return out, nil
}

// rnode is one server: its current life (n nil while down), its storage, which outlives
// lives, and its state machine, rebuilt from storage at every start.
type rnode struct {
	id    uint64
	n     *raft.Node
	store memStore
	sm    []applied // sm[i-1] is the entry applied at index i
	life  int
	// Per life: the highest commit index and raft's applied index seen, which must never
	// go down, and how far committed entries of the store were recorded.
	commit, rapplied, noted uint64
}

// raftParams is the shape of one generated cluster.
type raftParams struct {
	nodes        int
	electionTick int
	preVote      bool
	checkQuorum  bool
	forward      bool
	seed         uint64
	mutations    raft.Mutations
}

func (p raftParams) config(id uint64, life int, restore *raft.Recovered) raft.Config {
	voters := make([]uint64, p.nodes)
	for i := range voters {
		voters[i] = uint64(i + 1)
	}
	return raft.Config{ID: id, Voters: voters, ElectionTick: p.electionTick, HeartbeatTick: 1,
		Rand: rand.New(rand.NewPCG(p.seed, id<<32|uint64(life))), PreVote: p.preVote,
		CheckQuorum: p.checkQuorum, ForwardProposals: p.forward, MaxEntriesPerMsg: 4,
		Restore: restore, Mutations: p.mutations}
}

// envelope is a message in flight: encoded, as it would cross a real network.
type envelope struct {
	from, to uint64
	data     []byte
}

// pendingMax bounds the messages in flight; the oldest is dropped beyond it (a full queue).
const pendingMax = 256

// readyRoundsMax bounds the Ready rounds of one host-loop pass.
const readyRoundsMax = 64
