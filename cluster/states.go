package cluster

import (
	"fmt"

	"github.com/raftcheck/raftcheck/engine"
)

// stateEvery is the least simulated time between two samples of a node's state that only
// its log or commit index moved between.
const stateEvery = 250_000_000 // ns

// statesMax bounds the samples a run keeps.
const statesMax = 1 << 16

// nodeView is what the host knows of its node's persistent Raft state, from observations.
type nodeView struct {
	cur     NodeState
	sampled NodeState // the last sample taken
	taken   bool
}

// observeState folds a batch's observations into the node's view and samples it when due.
func (n *node) observeState(o *engine.Observations) {
	v := &n.view
	if s := o.Snapshot; s != nil && !s.KeepSuffix {
		v.cur.LastIndex, v.cur.LastTerm = s.Index, s.Term
	}
	if k := len(o.Saved); k > 0 {
		v.cur.LastIndex, v.cur.LastTerm = o.Saved[k-1].Index, o.Saved[k-1].Term
	}
	if hs := o.HardState; hs != nil {
		v.cur.Term, v.cur.Vote, v.cur.Commit = hs.Term, hs.Vote, hs.Commit
	}
	for _, vote := range o.Votes {
		n.w.mark(Mark{Kind: MarkVote, Node: n.id, Term: vote.Term, Detail: fmt.Sprintf("voted for %d (as the engine names it)", vote.Candidate)})
	}
	n.sampleState(false)
}

// sampleState records the node's state if its term or vote changed, if forced, or if it
// moved and the last sample is older than stateEvery.
func (n *node) sampleState(force bool) {
	v := &n.view
	v.cur.Node = n.id
	cur, last := v.cur, v.sampled
	cur.Time, last.Time = 0, 0
	if v.taken && cur == last {
		return
	}
	changed := !v.taken || force || cur.Term != last.Term || cur.Vote != last.Vote
	if !changed && n.now()-v.sampled.Time < stateEvery {
		return
	}
	v.cur.Time = n.now()
	v.sampled, v.taken = v.cur, true
	n.w.sample(v.cur)
}

// restartState starts a new life's view from what the engine recovered.
func (n *node) restartState(rec engine.Recovery) {
	v := &n.view
	v.cur.Term, v.cur.Vote, v.cur.Commit = rec.HardState.Term, rec.HardState.Vote, rec.HardState.Commit
	v.cur.LastIndex, v.cur.LastTerm = rec.SnapIndex, rec.SnapTerm
	if k := len(rec.Entries); k > 0 {
		v.cur.LastIndex, v.cur.LastTerm = rec.Entries[k-1].Index, rec.Entries[k-1].Term
	}
	n.sampleState(true)
}

// sample records a node state sample.
func (r *run) sample(s NodeState) {
	if len(r.res.States) < statesMax {
		r.res.States = append(r.res.States, s)
	}
}
