package checker

import "fmt"

// BecameLeader observes that node became leader of term (its role changed to leader).
// Until its term changes, every advance of its commit index must land on an entry of term
// (HardStateSaved checks it: §5.4.2, the commitment rule of Figure 8).
//
// Checks: election safety — no other node was ever leader of term; leader completeness —
// the node's log holds every entry committed in a term < term (the entry with the highest
// such index is compared by chain hash, which covers every entry below it); durability —
// no acknowledged write is among the entries it lacks.
func (c *Invariants) BecameLeader(t int64, node int, term uint64) {
	n := c.live(node, "BecameLeader")
	if prev, ok := c.leaders[term]; !ok {
		c.leaders[term] = leaderRec{node: node, at: t}
	} else if prev.node != node && c.rec.once(seenKey{kind: KindElectionSafety, node: node, index: term}) {
		c.report(KindElectionSafety, t, []int{node, prev.node},
			"node %d became leader of term %d, but node %d already became leader of term %d at %s",
			node, term, prev.node, term, fmtTime(prev.at))
	}
	c.checkCompleteness(t, node, n, term)
	n.leaderTerm, n.matches = term, make([]uint64, len(c.nodes))
}

// checkCompleteness checks that the log of node, new leader of term, holds every entry
// committed in a term < term.
func (c *Invariants) checkCompleteness(t int64, node int, n *nodeState, term uint64) {
	m := c.completenessTarget(term)
	if m == 0 {
		return
	}
	l := &n.log
	if m <= l.snapIndex {
		// The leader's snapshot covers index m; it must be the committed entry at its index.
		o := c.tab.oc(l.snapIndex)
		if o != nil && o.known && o.term != l.snapTerm {
			c.report(KindLeaderCompleteness, t, []int{node, int(o.node)},
				"leader %d of term %d has a snapshot at (index %d, term %d) but node %d committed %s",
				node, term, l.snapIndex, l.snapTerm, o.node, fmtEntry(l.snapIndex, o.term, o.digest))
		}
		return
	}
	if c.logHolds(l, m) {
		return
	}
	low := c.firstMissing(l, m)
	o := c.tab.oc(low)
	has := describeOwn(*l, low)
	if low > l.lastIndex() {
		has = fmt.Sprintf("nothing (its log ends at index %d)", l.lastIndex())
	}
	c.report(KindLeaderCompleteness, t, []int{node, int(o.node)},
		"leader %d of term %d lacks committed entry %s (committed in term %d, first seen committed on node %d at %s): at index %d it has %s; entries committed in terms < %d reach index %d",
		node, term, fmtEntry(low, o.term, o.digest), o.commitTerm, o.node, fmtTime(o.at),
		low, has, term, m)
	c.reportAckedMissing(t, node, term, l, low, m)
}

// completenessTarget is the highest index committed in a term < term, or 0. Commit terms
// grow with the index in any sane run, so the scan from the top stops almost at once.
func (c *Invariants) completenessTarget(term uint64) uint64 {
	for i := c.tab.top(); i > 0; i-- {
		if o := c.tab.oc(i); o.known && o.commitTerm < term {
			return i
		}
	}
	return 0
}

// logHolds reports whether log l holds the committed entry at index i and, when chain
// hashes are usable, the same history below it.
func (c *Invariants) logHolds(l *shadowLog, i uint64) bool {
	e, ok := l.entry(i)
	if !ok {
		return false
	}
	o := c.tab.oc(i)
	if o.hasChain && l.anchored {
		return e.chain == o.chain
	}
	return e.term == o.term && e.digest == o.digest
}

// firstMissing is the lowest index <= m at which log l lacks or differs from the
// committed entry, found by walking down until the chain hashes agree.
func (c *Invariants) firstMissing(l *shadowLog, m uint64) uint64 {
	low := m
	top := min(m, l.lastIndex())
	if top < m {
		low = top + 1
	}
	for i, steps := top, 0; i > l.snapIndex && steps < walkMax; i, steps = i-1, steps+1 {
		o := c.tab.oc(i)
		if !o.known {
			continue
		}
		e, _ := l.entry(i)
		if o.hasChain && l.anchored && e.chain == o.chain {
			break
		}
		if e.term != o.term || e.digest != o.digest {
			low = i
		}
	}
	return low
}

// reportAckedMissing reports acknowledged writes in [low, m] that the new leader lacks.
func (c *Invariants) reportAckedMissing(t int64, node int, term uint64, l *shadowLog, low, m uint64) {
	var first uint64
	count := 0
	for i := low; i <= m; i++ {
		o := c.tab.oc(i)
		if !o.acked {
			continue
		}
		if e, ok := l.entry(i); ok && e.term == o.term && e.digest == o.digest {
			continue
		}
		if count == 0 {
			first = i
		}
		count++
	}
	if count == 0 {
		return
	}
	o := c.tab.oc(first)
	c.report(KindDurability, t, []int{node},
		"acknowledged write %s (acked at %s) is missing from leader %d of term %d; %d acknowledged writes in indexes %d..%d are missing",
		fmtEntry(first, o.term, o.digest), fmtTime(o.ackAt), node, term, count, low, m)
}
