package checker

import (
	"fmt"
	"strings"
)

// Recovery is what a restarting node recovered from its storage.
type Recovery struct {
	HardState HardState
	// SnapIndex and SnapTerm name the recovered snapshot (0, 0: none).
	SnapIndex, SnapTerm uint64
	// Entries is the recovered log after the snapshot, from index SnapIndex+1 in order.
	Entries []EntryObs
	// Applied is the index the state machine was restored to (usually SnapIndex).
	Applied uint64
	// Wiped says the node's storage was deliberately erased (it rejoins as a new member):
	// nothing it synced before is expected back.
	Wiped bool
}

// Crashed observes that node crashed: its memory is gone, and it stays down until
// Restarted. What it had synced is what a restart must recover.
func (c *Invariants) Crashed(t int64, node int) {
	n := c.live(node, "Crashed")
	n.up = false
}

// RefusedStart observes that node, while down, refused to start because it detected
// corruption in its storage (reason says what). That is the correct reaction to damaged
// durable data: no violation. The node stays down.
func (c *Invariants) RefusedStart(t int64, node int, reason string) {
	n := c.node(node, "RefusedStart")
	if n.up {
		panic(fmt.Sprintf("checker: RefusedStart: node %d is running (%s)", node, reason))
	}
}

// Restarted observes that node, while down, started again from what it recovered: a new
// life begins with commit index rec.HardState.Commit, applied index rec.Applied and the
// recovered log.
//
// Checks (unless rec.Wiped): the recovered hard state is at least the synced one (term,
// the vote of that term, commit) and keeps every vote the node granted (VoteGranted: a vote
// is promised to a candidate only once persisted) and the recovered log still holds every entry the node
// had synced — compared by chain hash at the last synced index — else silent-loss (data
// missing) or corruption-undetected (data different); every recovered entry is one some
// node saved with the same history (corruption-undetected); the recovered snapshot agrees
// with the committed oracle.
func (c *Invariants) Restarted(t int64, node int, rec Recovery) {
	n := c.node(node, "Restarted")
	if n.up {
		panic(fmt.Sprintf("checker: Restarted: node %d is running", node))
	}
	fresh := c.buildRecovered(t, node, rec)
	lost := false
	if !rec.Wiped {
		lost = c.checkRecoveredState(t, node, n, rec.HardState, &fresh)
		lost = c.checkRecoveredLog(t, node, n, &fresh) || lost
	}
	upto := fresh.lastIndex()
	carried := uint64(0)
	if d := n.divergedAt; d != 0 && !rec.Wiped && sameAt(&n.log, &fresh, d) {
		// The log-matching divergence already reported is still there: not news.
		upto, carried = d-1, d
	}
	if n.log.anchored && !lost {
		lost = c.checkRecoveredEntries(t, node, &fresh, upto)
	}
	c.checkSnapshotCommitted(t, node, rec.SnapIndex, rec.SnapTerm)
	c.startLife(t, node, n, rec, fresh, carried, lost)
}

// startLife installs the recovered state as node's new life.
func (c *Invariants) startLife(t int64, node int, n *nodeState, rec Recovery, fresh shadowLog, carried uint64, lost bool) {
	hs := rec.HardState
	if !lost {
		// Recovered committed entries this checker has not seen committed are learned now;
		// ones that differ from the oracle are state-machine-safety violations.
		top := min(hs.Commit, fresh.lastIndex())
		if c.inBound(t, node, top) {
			c.tab.grow(top)
			for i := fresh.snapIndex + 1; i <= top; i++ {
				e, _ := fresh.entry(i)
				c.recordCommitted(t, node, i, e, hs.Term, fresh.anchored)
			}
		}
	}
	last, _ := fresh.at(fresh.lastIndex())
	n.up, n.log, n.hs, n.commit, n.applied = true, fresh, hs, hs.Commit, rec.Applied
	n.leaderTerm, n.confs, n.matches = 0, nil, nil
	n.required = mark{index: fresh.lastIndex(), chain: last.chain}
	n.undo = syncUndo{}
	n.divergedAt = carried
	recovered := ballot{term: hs.Term, vote: hs.Vote, at: t}
	switch {
	case rec.Wiped:
		n.synced, n.syncedBallot = hs, ballot{}
	case hs.Term > n.synced.Term || (hs.Term == n.synced.Term && n.synced.Vote == 0):
		n.synced = HardState{Term: hs.Term, Vote: hs.Vote, Commit: max(hs.Commit, n.synced.Commit)}
	default:
		n.synced.Commit = max(hs.Commit, n.synced.Commit) // keep the promise the disk lost
	}
	if hs.Vote != 0 && (rec.Wiped || hs.Term > n.syncedBallot.term) {
		n.syncedBallot = recovered
	}
	n.ballot = n.syncedBallot
}

// buildRecovered turns rec into a shadow log, reporting a recovered log that is not
// contiguous or starts from a snapshot no node ever held.
func (c *Invariants) buildRecovered(t int64, node int, rec Recovery) shadowLog {
	l := newShadowLog()
	if _, ok := c.tab.find(rec.SnapIndex, rec.SnapTerm); rec.SnapIndex > 0 && !ok && c.inBound(t, node, rec.SnapIndex) {
		c.report(KindCorruptionUndetected, t, []int{node},
			"node %d restarted from a snapshot at (index %d, term %d) that matches no entry any node saved",
			node, rec.SnapIndex, rec.SnapTerm)
	}
	if !c.inBound(t, node, rec.SnapIndex) {
		return l
	}
	l.reset(rec.SnapIndex, rec.SnapTerm, c.snapshotChain(node, rec.SnapIndex, rec.SnapTerm))
	for _, e := range rec.Entries {
		if next := l.lastIndex() + 1; e.Index != next {
			c.report(KindCorruptionUndetected, t, []int{node},
				"node %d restarted with a log that is not contiguous: %s where index %d was expected",
				node, fmtEntry(e.Index, e.Term, e.Digest), next)
			break
		}
		if !c.inBound(t, node, e.Index) {
			break
		}
		l.appendEntry(e.Term, e.Digest)
	}
	return l
}

// checkRecoveredState compares the recovered hard state with the synced one; it reports
// whether something synced was lost.
func (c *Invariants) checkRecoveredState(t int64, node int, n *nodeState, hs HardState, fresh *shadowLog) bool {
	s := n.synced
	var lost []string
	if hs.Term < s.Term {
		lost = append(lost, fmt.Sprintf("term %d is below the synced term %d", hs.Term, s.Term))
	} else if hs.Term == s.Term && s.Vote != 0 && hs.Vote != s.Vote {
		lost = append(lost, fmt.Sprintf("vote %d in term %d differs from the synced vote %d", hs.Vote, hs.Term, s.Vote))
	}
	if g := n.granted; hs.Term < g.term {
		lost = append(lost, fmt.Sprintf("term %d is below term %d, in which it had granted its vote (at %s)", hs.Term, g.term, fmtTime(g.at)))
	} else if hs.Term == g.term && hs.Vote != g.vote {
		lost = append(lost, fmt.Sprintf("vote %d in term %d, but it had granted its vote to %d in that term (at %s)", hs.Vote, hs.Term, g.vote, fmtTime(g.at)))
	}
	if hs.Commit < s.Commit {
		lost = append(lost, fmt.Sprintf("commit index %d is below the synced commit index %d", hs.Commit, s.Commit))
	}
	if hs.Commit > fresh.lastIndex() {
		lost = append(lost, fmt.Sprintf("commit index %d is beyond the recovered log, which ends at index %d", hs.Commit, fresh.lastIndex()))
	}
	if len(lost) == 0 {
		return false
	}
	c.report(KindSilentLoss, t, []int{node},
		"node %d restarted without refusing, but its recovered hard state (term %d, vote %d, commit %d) lost synced state: %s",
		node, hs.Term, hs.Vote, hs.Commit, strings.Join(lost, "; "))
	return true
}

// checkRecoveredLog checks that the recovered log holds the synced log up to the
// required mark; it reports whether something synced was lost or changed.
func (c *Invariants) checkRecoveredLog(t int64, node int, n *nodeState, fresh *shadowLog) bool {
	req, old := n.required, &n.log
	if req.index == 0 || fresh.snapIndex >= req.index {
		return false
	}
	top := min(req.index, fresh.lastIndex())
	low := top + 1 // lowest index where the recovered log differs from the old one
	for i, steps := top, 0; i >= fresh.snapIndex && steps < walkMax; i, steps = i-1, steps+1 {
		mine, ok1 := fresh.at(i)
		was, ok2 := old.at(i)
		if !ok1 || !ok2 || mine.chain == was.chain {
			break
		}
		low = i
		if i == 0 {
			break
		}
	}
	if low <= top {
		mine, _ := fresh.at(low)
		was, _ := old.at(low)
		c.report(KindCorruptionUndetected, t, []int{node},
			"node %d restarted without refusing, but its recovered log has %s where it had synced %s (synced through index %d)",
			node, describeAt(*fresh, low, mine), describeAt(*old, low, was), req.index)
		return true
	}
	if top < req.index {
		want, _ := old.at(req.index)
		c.report(KindSilentLoss, t, []int{node},
			"node %d restarted without refusing, but its recovered log ends at index %d (snapshot %d) while it had synced through %s: entries %d..%d lost",
			node, top, fresh.snapIndex, describeAt(*old, req.index, want), top+1, req.index)
		return true
	}
	return false
}

// checkRecoveredEntries checks that every recovered entry up to index upto is one some
// node saved, with the same history below it; it reports whether one was not.
func (c *Invariants) checkRecoveredEntries(t int64, node int, fresh *shadowLog, upto uint64) bool {
	for i := fresh.snapIndex + 1; i <= upto; i++ {
		e, _ := fresh.entry(i)
		v, ok := c.tab.find(i, e.term)
		switch {
		case !ok:
			c.report(KindCorruptionUndetected, t, []int{node},
				"node %d restarted without refusing, with entry %s that no node ever saved",
				node, fmtEntry(i, e.term, e.digest))
			return true
		case v.chain != e.chain:
			c.report(KindCorruptionUndetected, t, []int{node, int(v.node)},
				"node %d restarted without refusing, with entry %s but node %d saved %s with a different log below it",
				node, fmtEntry(i, e.term, e.digest), v.node, fmtEntry(i, v.term, v.digest))
			return true
		}
	}
	return false
}

// sameAt reports whether logs a and b hold the same history up to index i.
func sameAt(a, b *shadowLog, i uint64) bool {
	x, ok1 := a.at(i)
	y, ok2 := b.at(i)
	return ok1 && ok2 && x.chain == y.chain
}
