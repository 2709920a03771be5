package checker

import "fmt"

// logEntry is one entry of a shadow log: its term, its data digest and the chain hash of
// the whole log up to and including it.
type logEntry struct {
	term, digest, chain uint64
}

// chainNext extends the chain hash prev (the log up to index-1) by the entry at index.
// Two logs with equal chain hashes at an index hold the same entries up to that index
// (up to 64-bit hash collisions).
func chainNext(prev, index, term, digest uint64) uint64 {
	h := mix64(prev ^ index*0x9e3779b97f4a7c15)
	h = mix64(h ^ term*0xc2b2ae3d27d4eb4f)
	return mix64(h ^ digest)
}

// syntheticChain is the chain hash given to a snapshot (index, term) that no node was seen
// persisting; every node that later holds the same snapshot gets the same value.
func syntheticChain(index, term uint64) uint64 {
	return mix64(mix64(index^0x5eed5eed5eed5eed) ^ term*0x94d049bb133111eb)
}

// mix64 is the finalizer of MurmurHash3: a bijective 64-bit mix.
func mix64(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb3fe1a85ec53
	x ^= x >> 33
	return x
}

// shadowKeepMax is the capacity (in entries) up to which compaction keeps a shadow log's
// array however much of it is free.
const shadowKeepMax = 1 << 16

// shadowLog mirrors one node's Raft log as the checker observed it.
//
// Invariant: ents[k] holds index snapIndex+1+k.
type shadowLog struct {
	snapIndex, snapTerm, snapChain uint64
	ents                           []logEntry
	// anchored is false after a log gap: the chain hashes then start from an invented base
	// and must not be compared with other nodes'.
	anchored bool
}

func newShadowLog() shadowLog {
	return shadowLog{anchored: true}
}

// lastIndex is the index of the last entry, or the snapshot index when no entry follows it.
func (l *shadowLog) lastIndex() uint64 {
	return l.snapIndex + uint64(len(l.ents))
}

// entry returns the entry at index i when it is in the log after the snapshot.
func (l *shadowLog) entry(i uint64) (logEntry, bool) {
	if i <= l.snapIndex || i > l.lastIndex() {
		return logEntry{}, false
	}
	return l.ents[i-l.snapIndex-1], true
}

// at returns the entry at index i, counting the snapshot as an entry with digest 0.
func (l *shadowLog) at(i uint64) (logEntry, bool) {
	if i == l.snapIndex {
		return logEntry{term: l.snapTerm, chain: l.snapChain}, true
	}
	return l.entry(i)
}

// samePrefix returns the last index up to which the log and the log after writing ents
// (contiguous, from ents[0].Index > snapIndex) agree: ents[0].Index-1 plus the entries ents
// rewrites unchanged.
func (l *shadowLog) samePrefix(ents []EntryObs) uint64 {
	same := ents[0].Index - 1
	for _, e := range ents {
		old, ok := l.entry(e.Index)
		if !ok || old.term != e.Term || old.digest != e.Digest {
			break
		}
		same = e.Index
	}
	return same
}

// truncateFrom drops every entry at index >= i. Precondition: i > snapIndex.
func (l *shadowLog) truncateFrom(i uint64) {
	if i <= l.snapIndex {
		panic(fmt.Sprintf("checker: truncateFrom(%d) at or below snapshot index %d", i, l.snapIndex))
	}
	if i <= l.lastIndex() {
		l.ents = l.ents[:i-l.snapIndex-1]
	}
}

// appendEntry adds the entry at lastIndex()+1 and returns its chain hash.
func (l *shadowLog) appendEntry(term, digest uint64) uint64 {
	prev := l.snapChain
	if n := len(l.ents); n > 0 {
		prev = l.ents[n-1].chain
	}
	ch := chainNext(prev, l.lastIndex()+1, term, digest)
	l.ents = append(l.ents, logEntry{term: term, digest: digest, chain: ch})
	return ch
}

// compact drops the entries up to and including index i, which becomes the snapshot.
// Precondition: snapIndex < i <= lastIndex().
func (l *shadowLog) compact(i uint64) {
	e, ok := l.entry(i)
	if !ok {
		panic(fmt.Sprintf("checker: compact(%d) outside log (%d, %d]", i, l.snapIndex, l.lastIndex()))
	}
	rest := l.ents[i-l.snapIndex:]
	if c := cap(l.ents); c > shadowKeepMax && c > 4*len(rest) {
		// Reallocate so that a once-long log's array is freed: memory stays proportional
		// to the log.
		l.ents = append(make([]logEntry, 0, 2*len(rest)+8), rest...)
	} else {
		// Reuse the array: a log that is compacted regularly allocates nothing.
		l.ents = l.ents[:copy(l.ents, rest)]
	}
	l.snapIndex, l.snapTerm, l.snapChain = i, e.term, e.chain
}

// reset replaces the whole log by a snapshot at (index, term) with chain hash chain.
func (l *shadowLog) reset(index, term, chain uint64) {
	l.snapIndex, l.snapTerm, l.snapChain = index, term, chain
	l.ents = l.ents[:0]
}
