package checker

// variant is one (index, term) seen in some node's log: its digest and chain hash, and the
// node that first held it.
type variant struct {
	term, digest, chain uint64
	node                int
}

// slot holds every term seen at one index. Most indexes only ever see one term, so the
// first lives inline.
type slot struct {
	first variant
	set   bool
	more  []variant
}

// committed is what the checker knows about the committed entry at one index.
type committed struct {
	term, digest, chain uint64
	commitTerm          uint64 // lowest current term of a node when it was seen committing the entry
	at                  int64  // time commitment was first observed
	ackAt               int64  // time the write was first acknowledged to a client
	node                int    // node first seen committing it
	known               bool
	hasChain            bool // chain came from an anchored log
	acked               bool
}

// table is the global, per-index record of every (index, term) persisted by any node
// (log matching) and of committed entries (state-machine safety, leader completeness,
// durability). Memory is proportional to the highest index plus the number of
// overwritten terms.
//
// Invariant: len(slots) == len(oracle); index 0 is unused.
type table struct {
	slots  []slot
	oracle []committed
}

// grow makes index i addressable. Callers have checked i against Options.IndexMax.
func (t *table) grow(i uint64) {
	for uint64(len(t.slots)) <= i {
		t.slots = append(t.slots, slot{})
		t.oracle = append(t.oracle, committed{})
	}
}

// find returns the variant with the given term at index i.
func (t *table) find(i, term uint64) (variant, bool) {
	if i >= uint64(len(t.slots)) {
		return variant{}, false
	}
	s := &t.slots[i]
	if !s.set {
		return variant{}, false
	}
	if s.first.term == term {
		return s.first, true
	}
	for _, v := range s.more {
		if v.term == term {
			return v, true
		}
	}
	return variant{}, false
}

// predecessor returns the variant at index i whose chain hash, extended by the entry
// (i+1, term, digest), gives chain: the entry before it in the log that produced chain.
func (t *table) predecessor(i, term, digest, chain uint64) (variant, bool) {
	if i >= uint64(len(t.slots)) || !t.slots[i].set {
		return variant{}, false
	}
	s := &t.slots[i]
	if chainNext(s.first.chain, i+1, term, digest) == chain {
		return s.first, true
	}
	for _, v := range s.more {
		if chainNext(v.chain, i+1, term, digest) == chain {
			return v, true
		}
	}
	return variant{}, false
}

// add records v at index i. Precondition: no variant with v.term is recorded at i.
func (t *table) add(i uint64, v variant) {
	t.grow(i)
	s := &t.slots[i]
	if !s.set {
		s.first, s.set = v, true
		return
	}
	s.more = append(s.more, v)
}

// committedAt returns the oracle record at index i, or nil beyond the table.
func (t *table) committedAt(i uint64) *committed {
	if i >= uint64(len(t.oracle)) {
		return nil
	}
	return &t.oracle[i]
}

// top is the highest addressable index.
func (t *table) top() uint64 {
	if len(t.oracle) == 0 {
		return 0
	}
	return uint64(len(t.oracle) - 1)
}
