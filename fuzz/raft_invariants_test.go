package fuzz

import (
	"errors"
	"fmt"
	"strings"

	"github.com/raftcheck/raftcheck/raft"
)

// observe records what a node's status shows after any call into it: a leader (election
// safety: one per term, ever) and the commit and applied indexes (never lower within a life).
func (c *raftCluster) observe(nd *rnode) {
	if nd.n == nil {
		return
	}
	st := nd.n.Status()
	term := st.HardState.Term
	if st.Role == raft.Leader {
		if l, ok := c.leaders[term]; !ok {
			c.leaders[term] = nd.id
			c.stats.leaders++
		} else if l != nd.id {
			c.failf("election safety: nodes %d and %d both led term %d", l, nd.id, term)
		}
	}
	if st.HardState.Commit < nd.commit {
		c.failf("commit regressed on node %d (life %d): %d after %d", nd.id, nd.life, st.HardState.Commit, nd.commit)
	}
	if st.Applied < nd.rapplied {
		c.failf("applied regressed on node %d (life %d): %d after %d", nd.id, nd.life, st.Applied, nd.rapplied)
	}
	nd.commit, nd.rapplied = max(nd.commit, st.HardState.Commit), max(nd.rapplied, st.Applied)
	c.commitMax = max(c.commitMax, st.HardState.Commit)
}

// checkMustSync: a Ready must ask for a sync when it carries entries, a snapshot, or a new
// term or vote (the Ready contract), or the host would send messages promising unsynced state.
func (c *raftCluster) checkMustSync(nd *rnode, rd raft.Ready) {
	hs, prev := rd.HardState, nd.store.hs
	newVote := !hs.IsEmpty() && (hs.Term != prev.Term || hs.Vote != prev.Vote)
	if !rd.MustSync && (len(rd.Entries) > 0 || rd.Snapshot != nil || newVote) {
		c.failf("node %d: Ready with %d entries, snapshot %t, HardState %+v after %+v has MustSync false",
			nd.id, len(rd.Entries), rd.Snapshot != nil, hs, prev)
	}
}

// noteCommitted records that index holds a as a committed entry, seen by node who in term:
// two different entries committed at one index break state-machine safety.
func (c *raftCluster) noteCommitted(index uint64, a applied, who, term uint64) {
	for uint64(len(c.committed)) < index {
		c.committed = append(c.committed, commitRecord{})
	}
	rec := &c.committed[index-1]
	switch {
	case !rec.known:
		*rec = commitRecord{known: true, entry: a, termSeen: term}
		c.stats.commits++
	case rec.entry != a:
		c.failf("state-machine safety: index %d committed as %d/%q, and on node %d as %d/%q",
			index, rec.entry.term, rec.entry.data, who, a.term, a.data)
	default:
		rec.termSeen = min(rec.termSeen, term)
	}
}

// noteStoreCommits records the node's persisted entries up to its commit index as committed.
func (c *raftCluster) noteStoreCommits(nd *rnode) {
	if nd.n == nil {
		return
	}
	term := nd.n.Status().HardState.Term
	last := min(nd.commit, nd.store.lastIndex())
	for i := max(nd.noted, nd.store.snapIndex()) + 1; i <= last; i++ {
		e, _ := nd.store.entry(i)
		c.noteCommitted(i, applied{term: e.Term, data: string(e.Data)}, nd.id, term)
	}
	nd.noted = max(nd.noted, last)
}

// apply runs one committed entry through the node's state machine: entries must come in
// index order, each exactly once, and agree with every other node.
func (c *raftCluster) apply(nd *rnode, e raft.Entry) {
	if want := uint64(len(nd.sm)) + 1; e.Index != want {
		c.failf("node %d applied index %d; want %d", nd.id, e.Index, want)
		return
	}
	a := applied{term: e.Term, data: string(e.Data)}
	c.noteCommitted(e.Index, a, nd.id, nd.n.Status().HardState.Term)
	nd.sm = append(nd.sm, a)
}

// restoreSM replaces the node's state machine with a snapshot's: it must hold exactly the
// entries through its index, agree with what was committed, and not go back within a life.
func (c *raftCluster) restoreSM(nd *rnode, snap *raft.Snapshot) {
	list, err := decodeApplied(snap.Data)
	switch {
	case err != nil:
		c.failf("node %d: snapshot %d: %v", nd.id, snap.Meta.Index, err)
		return
	case uint64(len(list)) != snap.Meta.Index:
		c.failf("node %d: snapshot at index %d holds %d entries", nd.id, snap.Meta.Index, len(list))
		return
	case len(list) > 0 && list[len(list)-1].term != snap.Meta.Term:
		c.failf("node %d: snapshot %d/%d ends with an entry of term %d", nd.id, snap.Meta.Term, snap.Meta.Index, list[len(list)-1].term)
	case len(list) < len(nd.sm):
		c.failf("applied regressed on node %d (life %d): snapshot at %d installed after applying %d", nd.id, nd.life, len(list), len(nd.sm))
	}
	term := nd.n.Status().HardState.Term
	for i, a := range list {
		c.noteCommitted(uint64(i+1), a, nd.id, term)
	}
	nd.sm = list
}

// readDone checks a ReadIndex answer: it must be for a request that was made, at an index at
// least as high as every commit index reached before the request (linearizable reads).
func (c *raftCluster) readDone(nd *rnode, rs raft.ReadState) {
	want, ok := c.reads[string(rs.Ctx)]
	switch {
	case !ok:
		c.failf("node %d: ReadState for a request never made: %q", nd.id, rs.Ctx)
	case rs.Index < want:
		c.failf("stale read on node %d: read %q got index %d, but index %d was committed before it was requested",
			nd.id, rs.Ctx, rs.Index, want)
	default:
		c.stats.reads++
	}
}

// check runs the invariants over the whole cluster: log matching between every pair of
// persisted logs and leader completeness for every current leader. It returns every broken
// invariant found so far.
func (c *raftCluster) check() error {
	for i, a := range c.nodes {
		for _, b := range c.nodes[i+1:] {
			c.checkLogMatching(a, b)
		}
	}
	for _, nd := range c.up() {
		c.checkLeaderCompleteness(nd)
	}
	if len(c.failures) == 0 {
		return nil
	}
	return errors.New(strings.Join(c.failures, "\n"))
}

// checkLogMatching: if two logs hold an entry with the same index and term, they are
// identical up to it (§5.3).
func (c *raftCluster) checkLogMatching(a, b *rnode) {
	lo := max(a.store.snapIndex(), b.store.snapIndex()) + 1
	hi := min(a.store.lastIndex(), b.store.lastIndex())
	match := uint64(0)
	for i := hi; i >= lo && i > 0; i-- {
		ea, _ := a.store.entry(i)
		eb, _ := b.store.entry(i)
		if ea.Term == eb.Term {
			match = i
			break
		}
	}
	for i := lo; i <= match; i++ {
		ea, _ := a.store.entry(i)
		eb, _ := b.store.entry(i)
		if ea.Term != eb.Term || string(ea.Data) != string(eb.Data) {
			c.failf("log matching: nodes %d and %d agree at %d/%d but differ at %d: %v vs %v",
				a.id, b.id, match, ea.Term, i, ea, eb)
			return
		}
	}
}

// checkLeaderCompleteness: a leader of term T holds every entry committed in a term before T
// (§5.4), in its log or under its snapshot.
func (c *raftCluster) checkLeaderCompleteness(nd *rnode) {
	st := nd.n.Status()
	if st.Role != raft.Leader {
		return
	}
	for i, rec := range c.committed {
		index := uint64(i + 1)
		if !rec.known || rec.termSeen >= st.HardState.Term || index <= nd.store.snapIndex() {
			continue
		}
		e, ok := nd.store.entry(index)
		if !ok || e.Term != rec.entry.term || string(e.Data) != rec.entry.data {
			c.failf("leader completeness: node %d leads term %d without entry %d/%d %q committed by term %d (it holds %v, ok=%v)",
				nd.id, st.HardState.Term, rec.entry.term, index, rec.entry.data, rec.termSeen, e, ok)
			return
		}
	}
}

// String summarises the cluster for failure messages.
func (c *raftCluster) String() string {
	var b strings.Builder
	for _, nd := range c.nodes {
		fmt.Fprintf(&b, "node %d life %d: ", nd.id, nd.life)
		if nd.n == nil {
			b.WriteString("down")
		} else {
			st := nd.n.Status()
			fmt.Fprintf(&b, "%v term %d commit %d applied %d", st.Role, st.HardState.Term, st.HardState.Commit, st.Applied)
		}
		fmt.Fprintf(&b, "; store hs %+v snap %d log %d..%d\n", nd.store.hs, nd.store.snapIndex(), nd.store.snapIndex()+1, nd.store.lastIndex())
	}
	fmt.Fprintf(&b, "%d messages pending, commit max %d", len(c.pending), c.commitMax)
	return b.String()
}
