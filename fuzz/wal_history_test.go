package fuzz

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/raftcheck/raftcheck/raft"
	"github.com/raftcheck/raftcheck/raft/wal"
	"github.com/raftcheck/raftcheck/simnet"
)

// walOptions are the options every FuzzWALRecover WAL is written and read with: small
// segments, so that a short history spans several files.
var walOptions = wal.Options{SegmentBytes: 512, MaxRecordBytes: 4096}

// walState is what a WAL holds at one point of its history, in the form Open returns it.
type walState struct {
	hs   raft.HardState
	snap *raft.Snapshot
	ents []raft.Entry
}

func (s walState) clone() walState {
	c := walState{hs: s.hs, ents: slices.Clone(s.ents)}
	if s.snap != nil {
		sn := *s.snap
		c.snap = &sn
	}
	return c
}

func (s walState) snapIndex() uint64 {
	if s.snap == nil {
		return 0
	}
	return s.snap.Meta.Index
}

func (s walState) lastIndex() uint64 { return s.snapIndex() + uint64(len(s.ents)) }

// term returns the term of entry i, and whether the log holds it.
func (s walState) term(i uint64) (uint64, bool) {
	if i <= s.snapIndex() || i > s.lastIndex() {
		return 0, false
	}
	return s.ents[i-s.snapIndex()-1].Term, true
}

// equal compares states as Open returns them (nil and empty slices alike), without the
// reflection of go-cmp: the fuzzer calls it for every state of a history.
func (s walState) equal(o walState) bool {
	return s.hs == o.hs && snapEqual(s.snap, o.snap) && slices.EqualFunc(s.ents, o.ents, entryEqual)
}

func entryEqual(a, b raft.Entry) bool {
	return a.Term == b.Term && a.Index == b.Index && a.Type == b.Type && bytes.Equal(a.Data, b.Data)
}

func snapEqual(a, b *raft.Snapshot) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Meta.Index == b.Meta.Index && a.Meta.Term == b.Meta.Term && bytes.Equal(a.Data, b.Data) &&
		slices.Equal(a.Meta.Conf.Voters, b.Meta.Conf.Voters) && slices.Equal(a.Meta.Conf.Learners, b.Meta.Conf.Learners)
}

// String renders the state compactly for failure messages.
func (s walState) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "hs=%+v snap=", s.hs)
	if s.snap == nil {
		b.WriteString("none")
	} else {
		fmt.Fprintf(&b, "%d/%d", s.snap.Meta.Term, s.snap.Meta.Index)
	}
	fmt.Fprintf(&b, " ents=%d..%d", s.snapIndex()+1, s.lastIndex())
	return b.String()
}

// walHistory is a WAL written on a simulated disk, with every state it passed through: one
// state per record appended (the WAL replays records in order, so a crash or a torn tail can
// only leave one of these). synced is the first state recovery may return: every later
// state is allowed, no earlier one.
type walHistory struct {
	disk   *simnet.Disk
	states []walState
	synced int
	// written holds every entry, HardState and snapshot ever saved, for the weak property
	// (recovery after damage that is outside the fault model).
	entries []raft.Entry
	hss     []raft.HardState
	snaps   []raft.Snapshot
}

func (h *walHistory) cur() walState { return h.states[len(h.states)-1] }

func (h *walHistory) push(s walState) { h.states = append(h.states, s) }

// buildWAL writes a WAL whose shape is drawn from build: a few dozen saves with overwritten
// suffixes, term changes, snapshots and segment rotations. With tail, the last saves are not
// synced (what a crash may tear).
func buildWAL(build uint8, tail bool) (*walHistory, error) {
	r := rand.New(rand.NewPCG(uint64(build), 0x57a1))
	disk, err := simnet.NewDisk(simnet.NewKernel(uint64(build)), 0, simnet.DiskConfig{})
	if err != nil {
		return nil, err
	}
	w, _, err := wal.Open(disk, walOptions)
	if err != nil {
		return nil, err
	}
	h := &walHistory{disk: disk, states: []walState{{}}}
	ops := 4 + r.IntN(28)
	term := uint64(1)
	for i := range ops {
		sync := !(tail && i >= ops-3) && r.IntN(5) > 0
		if r.IntN(6) == 0 && h.cur().lastIndex() > 0 {
			err = h.saveSnapshot(w, r, term)
		} else {
			if r.IntN(4) == 0 {
				term++
			}
			err = h.save(w, r, term, sync)
		}
		if err != nil {
			return nil, fmt.Errorf("op %d: %w", i, err)
		}
		if sync {
			h.synced = len(h.states) - 1
		}
	}
	return h, nil
}

// save appends a few entries (sometimes overwriting a suffix) and maybe a HardState.
func (h *walHistory) save(w *wal.WAL, r *rand.Rand, term uint64, sync bool) error {
	s := h.cur()
	first := s.lastIndex() + 1
	if r.IntN(5) == 0 && s.lastIndex() > s.snapIndex() {
		first = s.snapIndex() + 1 + r.Uint64N(s.lastIndex()-s.snapIndex())
	}
	var ents []raft.Entry
	for i := range r.IntN(5) {
		e := raft.Entry{Term: term, Index: first + uint64(i), Data: randBytes(r, r.IntN(60))}
		if r.IntN(10) == 0 {
			e.Type = raft.EntryConfChange
		}
		ents = append(ents, e)
	}
	var hs raft.HardState
	if r.IntN(2) == 0 {
		last := first - 1 + uint64(len(ents))
		hs = raft.HardState{Term: term, Vote: r.Uint64N(4), Commit: r.Uint64N(last + 1)}
	}
	if err := w.Save(hs, ents, sync); err != nil {
		return err
	}
	for _, e := range ents {
		s = s.clone()
		s.ents = append(s.ents[:e.Index-s.snapIndex()-1], e)
		h.push(s)
		h.entries = append(h.entries, e)
	}
	if !hs.IsEmpty() && hs != s.hs {
		s = s.clone()
		s.hs = hs
		h.push(s)
		h.hss = append(h.hss, hs)
	}
	return nil
}

// saveSnapshot saves a snapshot at or past the log's end, keeping the log after it when the
// log holds its entry with its term.
func (h *walHistory) saveSnapshot(w *wal.WAL, r *rand.Rand, term uint64) error {
	s := h.cur()
	index := s.snapIndex() + 1 + r.Uint64N(s.lastIndex()-s.snapIndex()+1)
	snapTerm, ok := s.term(index)
	if !ok || r.IntN(4) == 0 {
		snapTerm = term
	}
	snap := raft.Snapshot{Meta: raft.SnapshotMeta{Index: index, Term: snapTerm,
		Conf: raft.ConfState{Voters: []uint64{1, 2, 3}}}, Data: randBytes(r, r.IntN(100))}
	if err := w.SaveSnapshot(snap); err != nil {
		return err
	}
	next := s.clone()
	if t, held := s.term(index); held && t == snapTerm {
		next.ents = next.ents[index-s.snapIndex():]
	} else {
		next.ents = nil
	}
	next.snap = &snap
	h.push(next)
	h.synced = len(h.states) - 1
	h.snaps = append(h.snaps, snap)
	return nil
}

func randBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// The record format of raft/wal's doc.go, written out independently here so that the check
// "this entry has a checksum-valid record in the files" does not trust the WAL's own code.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

const (
	recordKindEntry     = 2
	recordKindHardState = 3
	commitRecordBytes   = 9 + 16 // header + seq, offset
)

func walRecord(kind byte, payload []byte) []byte {
	b := binary.LittleEndian.AppendUint32(nil, 0)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(payload)))
	b = append(b, kind)
	b = append(b, payload...)
	binary.LittleEndian.PutUint32(b, crc32.Checksum(b[4:], castagnoli))
	return b
}

func entryRecord(e raft.Entry) []byte {
	p := binary.LittleEndian.AppendUint64(nil, e.Term)
	p = binary.LittleEndian.AppendUint64(p, e.Index)
	p = append(p, byte(e.Type))
	return walRecord(recordKindEntry, append(p, e.Data...))
}

func hardStateRecord(hs raft.HardState) []byte {
	p := binary.LittleEndian.AppendUint64(nil, hs.Term)
	p = binary.LittleEndian.AppendUint64(p, hs.Vote)
	return walRecord(recordKindHardState, binary.LittleEndian.AppendUint64(p, hs.Commit))
}

// inFiles reports whether rec occurs verbatim in one of the files.
func inFiles(files map[string][]byte, rec []byte) bool {
	for _, b := range files {
		if bytes.Contains(b, rec) {
			return true
		}
	}
	return false
}
