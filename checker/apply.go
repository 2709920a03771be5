package checker

// Applied observes that node applied entry e to its state machine (Ready.CommittedEntries,
// after the HardStateSaved that committed it).
//
// Checks: the applied index advances by exactly one within a life (apply-regress,
// apply-gap; a snapshot restore is reported through SnapshotInstalled or Restarted
// instead); it does not pass the node's commit index (apply-uncommitted); the entry is the
// one committed at that index (state-machine-safety).
func (c *Invariants) Applied(t int64, node int, e EntryObs) {
	n := c.live(node, "Applied")
	switch {
	case e.Index <= n.applied:
		c.report(KindApplyRegress, t, []int{node},
			"node %d applied %s after having applied index %d in this life", node,
			fmtEntry(e.Index, e.Term, e.Digest), n.applied)
	case e.Index > n.applied+1:
		c.report(KindApplyGap, t, []int{node},
			"node %d applied %s right after index %d: indexes %d..%d were never applied", node,
			fmtEntry(e.Index, e.Term, e.Digest), n.applied, n.applied+1, e.Index-1)
	}
	if e.Index > n.commit {
		c.report(KindApplyUncommitted, t, []int{node},
			"node %d applied %s above its commit index %d", node, fmtEntry(e.Index, e.Term, e.Digest), n.commit)
	}
	n.applied = e.Index
	if e.Index == 0 || !c.inBound(t, node, e.Index) {
		return
	}
	c.tab.grow(e.Index)
	o := c.tab.oc(e.Index)
	if !o.known {
		// Committed before this checker saw it (e.g. below a snapshot): learn it now.
		le := logEntry{term: e.Term, digest: e.Digest}
		own, ok := n.log.entry(e.Index)
		hasChain := ok && own.term == e.Term && own.digest == e.Digest && n.log.anchored
		if hasChain {
			le.chain = own.chain
		}
		c.recordCommitted(t, node, e.Index, le, n.hs.Term, hasChain)
		return
	}
	if (o.term != e.Term || o.digest != e.Digest) &&
		c.rec.once(seenKey{kind: KindStateMachineSafety, node: -1, index: e.Index}) {
		c.report(KindStateMachineSafety, t, []int{node, int(o.node)},
			"node %d applied %s but node %d committed %s at %s",
			node, fmtEntry(e.Index, e.Term, e.Digest), o.node, fmtEntry(e.Index, o.term, o.digest), fmtTime(o.at))
	}
}

// Acked observes that a client write was acknowledged as successful, with the log position
// of the entry that carried it. Report it after the HardStateSaved and Applied that made
// the acknowledgement possible.
//
// Checks: the entry is committed, and is the committed entry at its index (durability).
// From then on the write must be in the log of every leader of a term above the one it was
// committed in (checked in BecameLeader) and applied by every live voter after the heal
// phase (CheckHealed).
func (c *Invariants) Acked(t int64, w EntryObs) {
	if w.Index == 0 || !c.inBound(t, -1, w.Index) {
		return
	}
	o := c.tab.oc(w.Index)
	switch {
	case o == nil || !o.known:
		c.report(KindDurability, t, nil,
			"write %s was acknowledged before any node was seen committing index %d", fmtEntry(w.Index, w.Term, w.Digest), w.Index)
	case o.term != w.Term || o.digest != w.Digest:
		c.report(KindDurability, t, []int{int(o.node)},
			"write %s was acknowledged but node %d committed %s at %s",
			fmtEntry(w.Index, w.Term, w.Digest), o.node, fmtEntry(w.Index, o.term, o.digest), fmtTime(o.at))
	case !o.acked:
		o.acked, o.ackAt = true, t
		c.ackMax = max(c.ackMax, w.Index)
	}
}

// CheckHealed checks, at time t after the heal phase has settled, that every acknowledged
// write is applied on every node of voters that is up (durability). Down nodes are skipped.
func (c *Invariants) CheckHealed(t int64, voters []int) {
	for _, id := range voters {
		n := c.node(id, "CheckHealed")
		if !n.up || n.applied >= c.ackMax {
			continue
		}
		var first uint64
		count := 0
		for i := n.applied + 1; i <= c.ackMax; i++ {
			if c.tab.oc(i).acked {
				if count == 0 {
					first = i
				}
				count++
			}
		}
		if count == 0 {
			continue
		}
		o := c.tab.oc(first)
		c.report(KindDurability, t, []int{id},
			"after heal node %d has applied through index %d only: %d acknowledged writes are not applied, the first %s (acked at %s)",
			id, n.applied, count, fmtEntry(first, o.term, o.digest), fmtTime(o.ackAt))
	}
}
