package checker

import (
	"fmt"
	"math"
)

// variant is one (index, term) seen in some node's log: its digest and chain hash, and the
// node that first held it.
type variant struct {
	term, digest, chain uint64
	node                int32
	next                int32 // 1 + position in table.extra of the next variant at the same index; 0: none
}

// committed is what the checker knows about the committed entry at one index.
type committed struct {
	term, digest, chain uint64
	commitTerm          uint64 // lowest current term of a node when it was seen committing the entry
	at                  int64  // time commitment was first observed
	ackAt               int64  // time the write was first acknowledged to a client
	node                int32  // node first seen committing it
	known               bool
	hasChain            bool // chain came from an anchored log
	acked               bool
}

// record is everything the checker keeps about one log index. It holds no pointers, so
// the table is cheap to grow and invisible to the garbage collector's scan.
type record struct {
	first variant // the first term seen at the index (valid when set)
	set   bool
	c     committed
}

// table is the global, per-index record of every (index, term) saved by any node (log
// matching) and of committed entries (state-machine safety, leader completeness,
// durability). Memory is proportional to the highest index plus the number of
// overwritten terms.
type table struct {
	recs  []record  // by index; index 0 is unused
	extra []variant // further terms seen at an index, chained from record.first.next
}

// tableGrowMin is the smallest capacity the table grows to.
const tableGrowMin = 1024

// grow makes index i addressable, doubling the capacity when needed. Callers have checked i
// against Options.IndexMax.
func (t *table) grow(i uint64) {
	if i < uint64(len(t.recs)) {
		return
	}
	if i >= uint64(cap(t.recs)) {
		bigger := make([]record, len(t.recs), max(2*uint64(cap(t.recs)), i+1, tableGrowMin))
		copy(bigger, t.recs)
		t.recs = bigger
	}
	t.recs = t.recs[:i+1]
}

// oc returns the committed record at index i, or nil beyond the table.
func (t *table) oc(i uint64) *committed {
	if i >= uint64(len(t.recs)) {
		return nil
	}
	return &t.recs[i].c
}

// find returns the variant with the given term at index i.
func (t *table) find(i, term uint64) (variant, bool) {
	if i >= uint64(len(t.recs)) || !t.recs[i].set {
		return variant{}, false
	}
	for v := t.recs[i].first; ; v = t.extra[v.next-1] {
		if v.term == term {
			return v, true
		}
		if v.next == 0 {
			return variant{}, false
		}
	}
}

// predecessor returns the variant at index i whose chain hash, extended by the entry
// (i+1, term, digest), gives chain: the entry before it in the log that produced chain.
func (t *table) predecessor(i, term, digest, chain uint64) (variant, bool) {
	if i >= uint64(len(t.recs)) || !t.recs[i].set {
		return variant{}, false
	}
	for v := t.recs[i].first; ; v = t.extra[v.next-1] {
		if chainNext(v.chain, i+1, term, digest) == chain {
			return v, true
		}
		if v.next == 0 {
			return variant{}, false
		}
	}
}

// add records v at index i. Precondition: no variant with v.term is recorded at i.
func (t *table) add(i uint64, v variant) {
	t.grow(i)
	r := &t.recs[i]
	v.next = 0
	if !r.set {
		r.first, r.set = v, true
		return
	}
	// Insert after first: the chain is short and its order does not matter.
	if len(t.extra) >= math.MaxInt32 {
		panic(fmt.Sprintf("checker: more than %d overwritten (index, term) pairs", math.MaxInt32))
	}
	v.next = r.first.next
	t.extra = append(t.extra, v)
	r.first.next = int32(len(t.extra))
}

// top is the highest addressable index.
func (t *table) top() uint64 {
	if len(t.recs) == 0 {
		return 0
	}
	return uint64(len(t.recs) - 1)
}
