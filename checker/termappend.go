package checker

// written is a range of log indexes a batch saved, first..last (last == 0: none), and the
// node's term when it saved them, before the batch's hard state.
type written struct{ first, last, term uint64 }

// dropped is the suffix of a node's log, from index from, that a snapshot installed in the
// current batch discarded.
type dropped struct {
	from uint64
	ents []logEntry
}

// note records the entries of l after index i, which a snapshot at i is about to discard.
func (d *dropped) note(l shadowLog, i uint64) {
	d.from, d.ents = i+1, d.ents[:0]
	for j := i + 1; j <= l.lastIndex(); j++ {
		e, ok := l.entry(j)
		if !ok {
			break
		}
		d.ents = append(d.ents, e)
	}
}

// heldThrough is the last index up to which ents (consecutive, from ents[0].Index) restate
// the dropped suffix as it was, or ents[0].Index-1 if they do not begin by restating it.
func (d *dropped) heldThrough(ents []EntryObs) uint64 {
	held := ents[0].Index - 1
	if len(d.ents) == 0 || ents[0].Index != d.from {
		return held
	}
	for k, e := range ents {
		if k == len(d.ents) || d.ents[k].term != e.Term || d.ents[k].digest != e.Digest {
			break
		}
		held = e.Index
	}
	return held
}

// BatchSaved observes that every fact of node's latest batch up to its hard state has been
// reported (call it after the batch's HardStateSaved, or after its EntriesSaved when it has
// no hard state): the batch's term is now known.
//
// Checks: the entries the batch saved, if the node is not the leader of its term, are those
// the leader of that term holds at their indexes (term-append). In term T a node takes
// entries only from the leader of T (Figure 2, AppendEntries rule 1: a message of an earlier
// term is rejected), whose log holds everything it sent, unchanged for as long as it stays in
// T (Leader Append-Only). A node that took a deposed leader's late append for its current
// leader's is caught when it saves what it was sent, whether or not the entries it replaced
// had been acknowledged or committed. A batch in which the term changed may have saved what
// the earlier term's leader sent before the later term arrived: it is not checked. The
// leader's entries are compared only while it is in
// T (a later term's leader may have rewritten its log since) and only where its log still
// holds them (not compacted).
func (c *Invariants) BatchSaved(t int64, node int) {
	n := c.live(node, "BatchSaved")
	c.reportCut(node, n)
	w := n.written
	n.written, n.dropped.ents = written{}, n.dropped.ents[:0]
	term := n.hs.Term
	lr, ok := c.leaders[term]
	if w.last == 0 || w.term != term || !ok || lr.node == node {
		return // nothing saved, the term changed within the batch, or the node leads it
	}
	l := &c.nodes[lr.node]
	if l.hs.Term != term {
		return
	}
	for i := w.first; i <= w.last; i++ {
		mine, ok := n.log.entry(i)
		theirs, held := l.log.entry(i)
		if !ok || !held || (mine.term == theirs.term && mine.digest == theirs.digest) {
			continue
		}
		if c.rec.once(seenKey{kind: KindTermAppend, node: node, index: term}) {
			c.report(KindTermAppend, t, []int{node, lr.node},
				"node %d, in term %d, saved %s, but leader %d of term %d holds %s at that index: in term %d a node takes entries only from its leader (Figure 2, AppendEntries rule 1)",
				node, term, fmtEntry(i, mine.term, mine.digest), lr.node, term, fmtEntry(i, theirs.term, theirs.digest), term)
		}
		return
	}
}
