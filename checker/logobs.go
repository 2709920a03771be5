package checker

import "fmt"

// SnapshotObs describes a snapshot a node installed.
type SnapshotObs struct {
	Index, Term uint64
	// KeepSuffix says the node kept its entries after Index (because its entry at Index had
	// term Term); otherwise its log is now the snapshot alone.
	KeepSuffix bool
}

// EntriesSaved observes that node handed ents to storage (Ready.Entries): the entries are
// contiguous from ents[0].Index and replace everything the node's log held from that index
// on (a conflicting suffix is truncated; a shorter write shortens the log). Report it before
// the HardStateSaved of the same Ready. Entries at or below the node's snapshot index are
// ignored.
//
// Checks: no hole in the log (log-gap); no entry at or below the node's commit index is
// replaced or removed (committed-truncated); log matching: every (index, term) must come
// with the same chain hash (the same log up to that index) as in every other node's log.
func (c *Invariants) EntriesSaved(t int64, node int, ents []EntryObs) {
	n := c.live(node, "EntriesSaved")
	ents = c.contiguous(t, node, ents)
	if len(ents) == 0 || !c.inBound(t, node, ents[len(ents)-1].Index) {
		return
	}
	c.restated(n, ents)
	first := ents[0].Index
	if last := n.log.lastIndex(); first > last+1 {
		c.report(KindLogGap, t, []int{node},
			"node %d saved entries from index %d but its log ends at index %d: indexes %d..%d were never saved",
			node, first, last, last+1, first-1)
		// The hole makes this log's chain hashes meaningless until it is replaced.
		n.log.reset(first-1, 0, syntheticChain(first-1, uint64(node)))
		n.log.anchored = false
	}
	if snap := n.log.snapIndex; first <= snap {
		skip := snap + 1 - first
		if skip >= uint64(len(ents)) {
			return
		}
		ents, first = ents[skip:], snap+1
	}
	c.checkCommittedKept(t, node, n, ents)
	c.checkAckedKept(t, node, n, ents)
	same := n.log.samePrefix(ents)
	if same < n.required.index {
		// A crash may now leave either the synced log or this write: only their common
		// prefix is certain (entries rewritten as they were stay where they were).
		e, _ := n.log.at(same)
		n.required = mark{index: same, chain: e.chain}
	}
	if n.divergedAt >= first {
		n.divergedAt = 0
	}
	n.log.truncateFrom(first)
	n.dropConfsFrom(first)
	c.tab.grow(ents[len(ents)-1].Index)
	for _, e := range ents {
		ch := n.log.appendEntry(e.Term, e.Digest)
		c.matchEntry(t, node, n, e, ch)
	}
	// What the log held already, rewritten as it was, was not taken from anyone: an engine may
	// restate a suffix it kept, whether the checker saw it kept or, through a snapshot, cut and
	// written again (seed 40218: a deposed leader's own entries, kept after a snapshot that
	// matched them, written again as a follower of the next term).
	held := max(same, n.dropped.heldThrough(ents))
	if last := ents[len(ents)-1].Index; held < last {
		n.written = written{first: max(first, held+1), last: last, term: n.hs.Term}
	} else {
		n.written = written{}
	}
}

// contiguous returns the longest prefix of ents with consecutive indexes from a non-zero
// first index, reporting a log gap if that is not all of ents.
func (c *Invariants) contiguous(t int64, node int, ents []EntryObs) []EntryObs {
	if len(ents) > 0 && ents[0].Index == 0 {
		c.report(KindLogGap, t, []int{node}, "node %d saved an entry at index 0 %s",
			node, fmtEntry(0, ents[0].Term, ents[0].Digest))
		return nil
	}
	for k := 1; k < len(ents); k++ {
		if ents[k].Index != ents[k-1].Index+1 {
			c.report(KindLogGap, t, []int{node},
				"node %d saved entries out of order: index %d follows index %d in one write",
				node, ents[k].Index, ents[k-1].Index)
			return ents[:k]
		}
	}
	return ents
}

// checkCommittedKept reports a write that replaces or removes an entry at or below the
// node's commit index.
func (c *Invariants) checkCommittedKept(t int64, node int, n *nodeState, ents []EntryObs) {
	first, newLast := ents[0].Index, ents[len(ents)-1].Index
	hi := min(n.commit, n.log.lastIndex())
	for i := first; i <= hi; i++ {
		old, _ := n.log.entry(i)
		if i > newLast {
			c.report(KindCommittedTruncated, t, []int{node},
				"node %d saved entries %d..%d, truncating its log after index %d and removing committed entries %d..%d (commit index %d; first removed %s)",
				node, first, newLast, newLast, i, hi, n.commit, fmtEntry(i, old.term, old.digest))
			return
		}
		if e := ents[i-first]; e.Term != old.term || e.Digest != old.digest {
			c.report(KindCommittedTruncated, t, []int{node},
				"node %d replaced committed entry %s with %s (commit index %d)",
				node, fmtEntry(i, old.term, old.digest), fmtEntry(i, e.Term, e.Digest), n.commit)
			return
		}
	}
}

// matchEntry checks the entry e, with chain hash ch in node's log, against every other
// log that held (e.Index, e.Term).
func (c *Invariants) matchEntry(t int64, node int, n *nodeState, e EntryObs, ch uint64) {
	if !n.log.anchored || n.divergedAt != 0 {
		return
	}
	v, ok := c.tab.find(e.Index, e.Term)
	if !ok {
		c.tab.add(e.Index, variant{term: e.Term, digest: e.Digest, chain: ch, node: int32(node)})
		return
	}
	if v.chain == ch {
		return
	}
	low, detail := c.divergence(node, n, e, v)
	n.divergedAt = low
	if c.rec.once(seenKey{kind: KindLogMatching, node: node, index: low}) {
		c.report(KindLogMatching, t, []int{node, int(v.node)}, "%s", detail)
	}
}

// divergence locates the lowest index at which node's log and the log that first held
// variant v (at e.Index) differ, walking down both chains, and describes it.
func (c *Invariants) divergence(node int, n *nodeState, e EntryObs, v variant) (uint64, string) {
	if e.Digest != v.digest {
		return e.Index, fmt.Sprintf("node %d saved %s but node %d saved %s: same index and term, different data",
			node, fmtEntry(e.Index, e.Term, e.Digest), v.node, fmtEntry(e.Index, v.term, v.digest))
	}
	low, other, exact := e.Index, v, false
	for steps := 0; steps < walkMax && low > 1; steps++ {
		mine, ok := n.log.at(low - 1)
		if !ok {
			break
		}
		prev, ok := c.tab.predecessor(low-1, other.term, other.digest, other.chain)
		if !ok {
			break
		}
		if prev.chain == mine.chain {
			exact = true
			break
		}
		low, other = low-1, prev
	}
	where := "first difference at index"
	if !exact {
		where = "they differ at or below index"
	}
	mine, _ := n.log.at(low)
	return low, fmt.Sprintf("node %d saved %s, which node %d also holds, but their logs differ below it: %s %d: node %d has %s, node %d has %s",
		node, fmtEntry(e.Index, e.Term, e.Digest), v.node, where, low,
		node, describeAt(n.log, low, mine), v.node, fmtEntry(low, other.term, other.digest))
}

// describeAt renders the entry e at index i of log l, naming a snapshot as such.
func describeAt(l shadowLog, i uint64, e logEntry) string {
	if i == l.snapIndex {
		return fmt.Sprintf("a snapshot at (index %d, term %d)", i, l.snapTerm)
	}
	return fmtEntry(i, e.term, e.digest)
}

// SnapshotInstalled observes that node installed snapshot s (from a leader, Ready.Snapshot)
// and restored its state machine from it: its log becomes [snapshot] (+ the kept suffix),
// its applied index becomes s.Index and its commit index at least s.Index. The snapshot is
// durable once installed.
//
// Checks: the snapshot does not roll the state machine back (apply-regress); its (index,
// term) agrees with the committed oracle (state-machine-safety); a kept suffix really
// follows an entry (s.Index, s.Term) (log-matching); a discarded suffix holds no entry the
// node acknowledged in its current term (acked-overwritten).
func (c *Invariants) SnapshotInstalled(t int64, node int, s SnapshotObs) {
	n := c.live(node, "SnapshotInstalled")
	if !c.inBound(t, node, s.Index) {
		return
	}
	if s.Index < n.applied {
		c.report(KindApplyRegress, t, []int{node},
			"node %d installed a snapshot at (index %d, term %d), rolling its state machine back from applied index %d",
			node, s.Index, s.Term, n.applied)
	}
	c.checkSnapshotCommitted(t, node, s.Index, s.Term)
	keep := s.KeepSuffix
	if base, ok := n.log.at(s.Index); keep && (!ok || base.term != s.Term) {
		c.report(KindLogMatching, t, []int{node},
			"node %d kept its log after snapshot (index %d, term %d) but its own entry there is %s",
			node, s.Index, s.Term, describeOwn(n.log, s.Index))
		keep = false
	}
	if keep {
		if s.Index > n.log.snapIndex {
			n.log.compact(s.Index)
		}
	} else {
		c.noteCut(t, node, n, s)
		n.dropped.note(n.log, s.Index)
		n.log.reset(s.Index, s.Term, c.snapshotChain(node, s.Index, s.Term))
		n.log.anchored = true
		n.divergedAt = 0
	}
	if n.divergedAt != 0 && n.divergedAt <= s.Index {
		n.divergedAt = 0
	}
	n.applied = s.Index
	n.commit = max(n.commit, s.Index)
	if !keep || n.required.index < s.Index {
		n.required = mark{index: s.Index, chain: n.log.snapChain}
	}
}

// describeOwn renders what log l holds at index i.
func describeOwn(l shadowLog, i uint64) string {
	e, ok := l.at(i)
	if !ok {
		return fmt.Sprintf("absent (log covers %d..%d)", l.snapIndex, l.lastIndex())
	}
	return describeAt(l, i, e)
}

// checkSnapshotCommitted reports a snapshot at (index, term) that contradicts the oracle.
func (c *Invariants) checkSnapshotCommitted(t int64, node int, index, term uint64) {
	o := c.tab.oc(index)
	if index == 0 || o == nil || !o.known || o.term == term {
		return
	}
	if c.rec.once(seenKey{kind: KindStateMachineSafety, node: -1, index: index}) {
		c.report(KindStateMachineSafety, t, []int{node, int(o.node)},
			"node %d holds a snapshot at (index %d, term %d) but node %d committed %s at %s",
			node, index, term, o.node, fmtEntry(index, o.term, o.digest), fmtTime(o.at))
	}
}

// snapshotChain is the chain hash of a log whose last entry is (index, term): that of the
// node that first held it, or a synthetic value, registered for the next node, when no
// node was seen saving it.
func (c *Invariants) snapshotChain(node int, index, term uint64) uint64 {
	if index == 0 {
		return 0
	}
	if v, ok := c.tab.find(index, term); ok {
		return v.chain
	}
	ch := syntheticChain(index, term)
	c.tab.add(index, variant{term: term, chain: ch, node: int32(node)})
	return ch
}

// Compacted observes that node compacted its log through index (its durable snapshot now
// covers it). Indexes at or below the current snapshot are ignored; an index beyond the end
// of the log compacts the whole log.
func (c *Invariants) Compacted(t int64, node int, index uint64) {
	n := c.live(node, "Compacted")
	index = min(index, n.log.lastIndex())
	if index <= n.log.snapIndex {
		return
	}
	n.log.compact(index)
	if n.required.index < index {
		n.required = mark{index: index, chain: n.log.snapChain}
	}
}
