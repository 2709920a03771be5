package wal

import (
	"fmt"
	"math/rand/v2"

	"github.com/raftcheck/raftcheck/raft"
)

// op is one call of a workload: SaveSnapshot(*snap) if snap is set, else
// Save(hs, ents, sync).
type op struct {
	hs   raft.HardState
	ents []raft.Entry
	sync bool
	snap *raft.Snapshot
}

func (o op) String() string {
	if o.snap != nil {
		return fmt.Sprintf("SaveSnapshot(%d/%d, %d bytes)", o.snap.Meta.Index, o.snap.Meta.Term, len(o.snap.Data))
	}
	first, last := uint64(0), uint64(0)
	if len(o.ents) > 0 {
		first, last = o.ents[0].Index, o.ents[len(o.ents)-1].Index
	}
	return fmt.Sprintf("Save(%+v, [%d..%d], sync=%v)", o.hs, first, last, o.sync)
}

// apply runs o on w, recording in h the states it may produce; h is marked synced only if
// the call returns successfully and promised durability.
func (o op) apply(w *WAL, h *history) error {
	if o.snap != nil {
		h.snapshot(*o.snap)
		if err := w.SaveSnapshot(*o.snap); err != nil {
			return err
		}
		h.synced()
		return nil
	}
	h.save(o.hs, o.ents)
	if err := w.Save(o.hs, o.ents, o.sync); err != nil {
		return err
	}
	if o.sync {
		h.synced()
	}
	return nil
}

// genWorkload returns n legal operations drawn from r: appends of 0-3 entries (some
// overwriting a suffix under a new term, some large enough to span sectors), HardState
// changes, synced and unsynced saves, and (one op in snapEvery, if > 0) snapshots that keep
// or drop the log.
func genWorkload(r *rand.Rand, n, snapEvery int) []op {
	h := newHistory(state{})
	term := uint64(1)
	var ops []op
	for len(ops) < n {
		s := h.cur()
		var o op
		if snapEvery > 0 && r.IntN(snapEvery) == 0 && s.lastIndex() > s.snapIndex() {
			o.snap = genSnapshot(r, s)
			h.snapshot(*o.snap)
		} else {
			first := s.lastIndex() + 1
			if r.IntN(4) == 0 {
				term++
				first = s.snapIndex() + 1 + r.Uint64N(s.lastIndex()-s.snapIndex()+1)
			}
			o.ents = genEntries(r, first, r.IntN(4), term)
			if r.IntN(2) == 0 {
				o.hs = raft.HardState{Term: term, Vote: r.Uint64N(3), Commit: r.Uint64N(first)}
			}
			o.sync = r.IntN(2) == 0
			h.save(o.hs, o.ents)
		}
		ops = append(ops, o)
	}
	return ops
}

func genEntries(r *rand.Rand, first uint64, n int, term uint64) []raft.Entry {
	var out []raft.Entry
	for i := range n {
		size := r.IntN(200)
		if r.IntN(10) == 0 {
			size = 600 + r.IntN(1200)
		}
		data := make([]byte, size)
		for j := range data {
			data[j] = byte(r.Uint32())
		}
		out = append(out, raft.Entry{Term: term, Index: first + uint64(i), Type: raft.EntryType(r.IntN(2)), Data: data})
	}
	return out
}

// genSnapshot returns a snapshot above s's: at an entry of the log with its term (a
// compaction) or another term, or just past the log.
func genSnapshot(r *rand.Rand, s state) *raft.Snapshot {
	index := s.snapIndex() + 1 + r.Uint64N(s.lastIndex()-s.snapIndex()+1)
	term := uint64(99)
	if index <= s.lastIndex() && r.IntN(3) != 0 {
		term = s.Entries[index-s.snapIndex()-1].Term
	}
	data := make([]byte, r.IntN(700))
	for j := range data {
		data[j] = byte(r.Uint32())
	}
	conf := raft.ConfState{Voters: []uint64{1, 2, 3}}
	if r.IntN(2) == 0 {
		conf.Learners = []uint64{4}
	}
	return &raft.Snapshot{Meta: raft.SnapshotMeta{Index: index, Term: term, Conf: conf}, Data: data}
}
