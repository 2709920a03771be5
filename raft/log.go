package raft

import (
	"fmt"
	"sort"
)

// raftLog is a node's log after its snapshot, held in memory, with the indexes that say
// how far it is committed, persisted and applied. The host persists it through Ready;
// there is no storage interface.
type raftLog struct {
	// snapIndex and snapTerm name the last entry covered by the snapshot (0, 0 if none).
	snapIndex uint64
	snapTerm  uint64
	// ents holds the entries after the snapshot.
	// Invariant: ents[i].Index == snapIndex+1+i, and terms never decrease along ents
	// (starting at >= snapTerm).
	ents []Entry

	// committed is the highest index known committed.
	// Invariant: applied <= committed <= lastIndex().
	committed uint64
	// applied is the highest index the application has applied (or restored from a
	// snapshot). Invariant: snapIndex <= applied (for a snapshot taken locally or
	// installed; applied is raised to the snapshot index on install).
	applied uint64
	// applying is the highest index handed out in CommittedEntries of the outstanding
	// Ready. Invariant: applied <= applying <= committed.
	applying uint64
	// stable is the highest index known durable in the host's storage.
	// Invariant: snapIndex <= stable <= lastIndex().
	stable uint64
}

func (l *raftLog) lastIndex() uint64 { return l.snapIndex + uint64(len(l.ents)) }

func (l *raftLog) lastTerm() uint64 {
	if len(l.ents) == 0 {
		return l.snapTerm
	}
	return l.ents[len(l.ents)-1].Term
}

// term returns the term of entry i; ok is false if i is compacted away or beyond the log.
func (l *raftLog) term(i uint64) (t uint64, ok bool) {
	switch {
	case i == l.snapIndex:
		return l.snapTerm, true
	case i < l.snapIndex || i > l.lastIndex():
		return 0, false
	}
	return l.ents[i-l.snapIndex-1].Term, true
}

// mustTerm returns the term of entry i, which the caller knows is present.
func (l *raftLog) mustTerm(i uint64) uint64 {
	t, ok := l.term(i)
	if !ok {
		panic(fmt.Sprintf("raft: term of index %d outside the log [%d, %d]", i, l.snapIndex, l.lastIndex()))
	}
	return t
}

func (l *raftLog) matchTerm(i, t uint64) bool {
	lt, ok := l.term(i)
	return ok && lt == t
}

// entry returns a pointer to entry i, which must be in ents.
func (l *raftLog) entry(i uint64) *Entry { return &l.ents[i-l.snapIndex-1] }

// isUpToDate reports whether a log ending at (lastIndex, lastTerm) is at least as
// up-to-date as this one (§5.4.1).
func (l *raftLog) isUpToDate(lastIndex, lastTerm uint64) bool {
	lt := l.lastTerm()
	return lastTerm > lt || (lastTerm == lt && lastIndex >= l.lastIndex())
}

// slice returns the entries in [lo, hi) — at most maxCount of them and at most maxBytes of
// payload, but always at least one if lo < hi. lo must be > snapIndex. The result aliases
// the log with its capacity clipped.
func (l *raftLog) slice(lo, hi uint64, maxCount int, maxBytes uint64) []Entry {
	if lo <= l.snapIndex || hi > l.lastIndex()+1 || lo > hi {
		panic(fmt.Sprintf("raft: slice [%d, %d) outside the log (%d, %d]", lo, hi, l.snapIndex, l.lastIndex()))
	}
	if hi-lo > uint64(maxCount) {
		hi = lo + uint64(maxCount)
	}
	start := lo - l.snapIndex - 1
	end := hi - l.snapIndex - 1
	var size uint64
	for i := start; i < end; i++ {
		size += uint64(len(l.ents[i].Data))
		if size > maxBytes && i > start {
			end = i
			break
		}
	}
	return l.ents[start:end:end]
}

// appendOwn appends entries the leader created, which must follow lastIndex.
func (l *raftLog) appendOwn(ents ...Entry) {
	if len(ents) > 0 && ents[0].Index != l.lastIndex()+1 {
		panic(fmt.Sprintf("raft: appending index %d after last index %d", ents[0].Index, l.lastIndex()))
	}
	l.ents = append(l.ents, ents...)
}

// appendLeader appends ents as new entries of term after the last index and returns
// them as stored (aliasing the log).
func (l *raftLog) appendLeader(term uint64, ents []Entry) []Entry {
	first := l.lastIndex() + 1
	start := len(l.ents)
	l.ents = append(l.ents, ents...)
	added := l.ents[start:]
	for i := range added {
		added[i].Term = term
		added[i].Index = first + uint64(i)
	}
	return added
}

// findConflict returns the index of the first entry of ents whose term differs from the
// log's entry at that index (or that is beyond the log), or 0 if every entry is present.
func (l *raftLog) findConflict(ents []Entry) uint64 {
	for i := range ents {
		if !l.matchTerm(ents[i].Index, ents[i].Term) {
			return ents[i].Index
		}
	}
	return 0
}

// truncateAndAppend replaces the log from ents[0].Index on with ents. Entries at or below
// the commit index must never be replaced. A fresh backing array is used so that slices
// handed out earlier (in messages or Ready) are never overwritten.
func (l *raftLog) truncateAndAppend(ents []Entry) {
	from := ents[0].Index
	if from <= l.committed {
		panic(fmt.Sprintf("raft: replacing entry %d at or below commit %d", from, l.committed))
	}
	if from <= l.snapIndex || from > l.lastIndex()+1 {
		panic(fmt.Sprintf("raft: appending index %d to the log (%d, %d]", from, l.snapIndex, l.lastIndex()))
	}
	keep := from - l.snapIndex - 1
	if from <= l.lastIndex() {
		l.ents = append(l.ents[:keep:keep], ents...)
	} else {
		l.ents = append(l.ents, ents...)
	}
	l.stable = min(l.stable, from-1)
}

// findConflictByTerm returns the largest index <= index whose term is <= term, with that
// term: the last position where a log with an entry (index, term) may agree with this one.
// Terms never decrease along the log, so it is a binary search. If no retained entry
// qualifies it returns the snapshot position (with term 0 when even that term is larger).
func (l *raftLog) findConflictByTerm(index, term uint64) (uint64, uint64) {
	index = min(index, l.lastIndex())
	if index <= l.snapIndex {
		return l.snapIndex, l.termAtSnapIfLE(term)
	}
	n := int(index - l.snapIndex) // candidates ents[0:n]
	k := sort.Search(n, func(i int) bool { return l.ents[i].Term > term })
	if k == 0 {
		return l.snapIndex, l.termAtSnapIfLE(term)
	}
	e := l.ents[k-1]
	return e.Index, e.Term
}

func (l *raftLog) termAtSnapIfLE(term uint64) uint64 {
	if l.snapTerm <= term {
		return l.snapTerm
	}
	return 0
}

// commitTo raises the commit index to i (never lowers it).
func (l *raftLog) commitTo(i uint64) bool {
	if i <= l.committed {
		return false
	}
	if i > l.lastIndex() {
		panic(fmt.Sprintf("raft: commit %d beyond last index %d", i, l.lastIndex()))
	}
	l.committed = i
	return true
}

// compact drops the entries up to and including index, which becomes the snapshot point.
func (l *raftLog) compact(index uint64) {
	if index <= l.snapIndex || index > l.applied || index > l.stable {
		panic(fmt.Sprintf("raft: compact to %d with snapshot %d, applied %d, stable %d",
			index, l.snapIndex, l.applied, l.stable))
	}
	t := l.mustTerm(index)
	rest := l.ents[index-l.snapIndex:]
	l.ents = append(make([]Entry, 0, len(rest)+16), rest...)
	l.snapIndex, l.snapTerm = index, t
}

// unstable returns the entries the host has not yet persisted.
func (l *raftLog) unstable() []Entry {
	if l.stable == l.lastIndex() {
		return nil
	}
	i := l.stable - l.snapIndex
	return l.ents[i:len(l.ents):len(l.ents)]
}

// stableTo records that the host persisted the log through entry (i, t). If the log has
// since been rewritten at i, the record is stale and ignored: the new entries will be
// handed out again.
func (l *raftLog) stableTo(i, t uint64) {
	if i > l.stable && l.matchTerm(i, t) {
		l.stable = i
	}
}

// nextApply returns committed entries not yet handed out, at most maxCount.
func (l *raftLog) nextApply(maxCount int) []Entry {
	lo := max(l.applying, l.snapIndex) + 1
	if lo > l.committed {
		return nil
	}
	hi := min(l.committed+1, lo+uint64(maxCount))
	return l.slice(lo, hi, maxCount, ^uint64(0))
}

func (l *raftLog) checkInvariants() {
	if !(l.applied <= l.applying && l.applying <= l.committed && l.committed <= l.lastIndex()) {
		panic(fmt.Sprintf("raft: log invariant applied %d <= applying %d <= committed %d <= last %d broken",
			l.applied, l.applying, l.committed, l.lastIndex()))
	}
	if !(l.snapIndex <= l.stable && l.stable <= l.lastIndex()) {
		panic(fmt.Sprintf("raft: log invariant snapshot %d <= stable %d <= last %d broken",
			l.snapIndex, l.stable, l.lastIndex()))
	}
	if l.snapIndex > l.applied {
		panic(fmt.Sprintf("raft: log invariant snapshot %d <= applied %d broken", l.snapIndex, l.applied))
	}
}
