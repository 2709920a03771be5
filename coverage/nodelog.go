package coverage

import (
	"sort"

	"github.com/raftcheck/raftcheck/engine"
)

// termRun says that a node's log holds entries of term from index first on, up to the next
// run's first index or the end of the log.
type termRun struct {
	term, first uint64
}

// nodeLog is the shape of a node's log as its observations show it: the term of every
// index, kept as runs (terms never decrease along a log), so that two logs compare in
// O(log terms). Entries below the snapshot keep the snapshot's term.
//
// Invariant: runs are sorted by first and by term; runs[0].first <= last+1 when non-empty.
type nodeLog struct {
	runs []termRun
	last uint64 // the last index, 0 for an empty log
}

// lastTerm is the term of the last entry, 0 for an empty log.
func (l *nodeLog) lastTerm() uint64 { return l.termAt(l.last) }

// termAt is the term of the entry at index i, 0 if the log has none there.
func (l *nodeLog) termAt(i uint64) uint64 {
	if i == 0 || i > l.last {
		return 0
	}
	k := sort.Search(len(l.runs), func(k int) bool { return l.runs[k].first > i })
	if k == 0 {
		return 0
	}
	return l.runs[k-1].term
}

// reset makes the log a snapshot at (index, term) alone.
func (l *nodeLog) reset(index, term uint64) {
	l.runs = l.runs[:0]
	if index > 0 {
		l.runs = append(l.runs, termRun{term: term, first: index})
	}
	l.last = index
}

// save writes contiguous entries from ents[0].Index on, replacing what the log held there,
// and returns how many entries it overwrote. Entries that leave a gap after the log (an
// engine's bug, which the checkers report) start the log afresh at their index.
func (l *nodeLog) save(ents []engine.EntryObs) uint64 {
	if len(ents) == 0 || ents[0].Index == 0 {
		return 0
	}
	from, overwritten := ents[0].Index, uint64(0)
	if from <= l.last {
		overwritten = l.last - (from - 1)
	}
	k := sort.Search(len(l.runs), func(k int) bool { return l.runs[k].first >= from })
	l.runs = l.runs[:k]
	for _, e := range ents {
		if n := len(l.runs); n == 0 || l.runs[n-1].term != e.Term {
			l.runs = append(l.runs, termRun{term: e.Term, first: e.Index})
		}
	}
	l.last = ents[len(ents)-1].Index
	return overwritten
}

// Log relations, the values of logDim: how a node's log stands to the leader's.
const (
	logBehind = iota
	logEqual
	logAhead
	logDivergent
	logNoLeader
)

// relate says how l stands to the leader's log ld: equal, a strict prefix of it (behind),
// extending it (ahead), or neither (divergent: the entries at the shorter log's last index
// differ in term, which by Log Matching means the logs differ from some index on).
func (l *nodeLog) relate(ld *nodeLog) uint8 {
	m := min(l.last, ld.last)
	if l.termAt(m) != ld.termAt(m) {
		return logDivergent
	}
	switch {
	case l.last < ld.last:
		return logBehind
	case l.last > ld.last:
		return logAhead
	}
	return logEqual
}

// upToDate compares l with c as a voter compares a candidate's log (Raft §5.4.1): by last
// term, then by length. It returns -1 when c is older than l, 0 when as up to date, 1 when
// newer.
func (l *nodeLog) upToDate(c *nodeLog) int {
	lt, ct := l.lastTerm(), c.lastTerm()
	switch {
	case ct != lt && ct < lt, ct == lt && c.last < l.last:
		return -1
	case ct == lt && c.last == l.last:
		return 0
	}
	return 1
}
