package wal

import (
	"bytes"
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/raftcheck/raftcheck/raft"
)

// state is the reference model of what a WAL holds: what Open must return.
type state struct {
	HardState raft.HardState
	Snapshot  *raft.Snapshot
	Entries   []raft.Entry
}

func (s state) clone() state {
	c := state{HardState: s.HardState, Entries: slices.Clone(s.Entries)}
	if s.Snapshot != nil {
		snap := *s.Snapshot
		c.Snapshot = &snap
	}
	return c
}

func (s state) snapIndex() uint64 {
	if s.Snapshot == nil {
		return 0
	}
	return s.Snapshot.Meta.Index
}

func (s state) lastIndex() uint64 { return s.snapIndex() + uint64(len(s.Entries)) }

func fromRecovered(r raft.Recovered) state {
	return state{HardState: r.HardState, Snapshot: r.Snapshot, Entries: r.Entries}
}

// history is the sequence of states a workload passes through, one per record written (so
// that a crash keeping part of a batch matches too), and the bounds a recovery must respect.
type history struct {
	states  []state
	durable int // index of the newest state known durable (a sync returned after it)
}

func newHistory(start state) *history { return &history{states: []state{start}} }

func (h *history) cur() state { return h.states[len(h.states)-1] }

// save records the states Save(hs, ents) passes through.
func (h *history) save(hs raft.HardState, ents []raft.Entry) {
	for _, e := range ents {
		s := h.cur().clone()
		k := e.Index - s.snapIndex() - 1
		s.Entries = append(s.Entries[:k], e)
		h.states = append(h.states, s)
	}
	if !hs.IsEmpty() && hs != h.cur().HardState {
		s := h.cur().clone()
		s.HardState = hs
		h.states = append(h.states, s)
	}
}

// snapshot records the state SaveSnapshot(snap) leads to.
func (h *history) snapshot(snap raft.Snapshot) {
	s := h.cur().clone()
	keep := false
	if i := snap.Meta.Index; i > s.snapIndex() && i <= s.lastIndex() {
		keep = s.Entries[i-s.snapIndex()-1].Term == snap.Meta.Term
	}
	if keep {
		s.Entries = s.Entries[snap.Meta.Index-s.snapIndex():]
	} else {
		s.Entries = nil
	}
	s.Snapshot = &snap
	h.states = append(h.states, s)
}

// synced marks everything recorded so far durable.
func (h *history) synced() { h.durable = len(h.states) - 1 }

var stateOpts = []cmp.Option{cmpopts.EquateEmpty()}

// match returns the index of the state in [h.durable, upto] equal to got, or an error
// showing the difference from the durable state and from the newest allowed one.
func (h *history) match(got state, upto int) (int, error) {
	for j := upto; j >= h.durable; j-- {
		if stateEqual(h.states[j], got) {
			return j, nil
		}
	}
	return -1, fmt.Errorf("recovered state is none of states %d..%d\n-durable +got:\n%s\n-newest +got:\n%s",
		h.durable, upto, cmp.Diff(h.states[h.durable], got, stateOpts...), cmp.Diff(h.states[upto], got, stateOpts...))
}

// stateEqual is cmp.Equal(a, b, stateOpts...) without reflection (the crash tests call it
// thousands of times).
func stateEqual(a, b state) bool {
	if a.HardState != b.HardState || (a.Snapshot == nil) != (b.Snapshot == nil) || len(a.Entries) != len(b.Entries) {
		return false
	}
	if a.Snapshot != nil {
		sa, sb := a.Snapshot, b.Snapshot
		if sa.Meta.Index != sb.Meta.Index || sa.Meta.Term != sb.Meta.Term || !bytes.Equal(sa.Data, sb.Data) ||
			!slices.Equal(sa.Meta.Conf.Voters, sb.Meta.Conf.Voters) || !slices.Equal(sa.Meta.Conf.Learners, sb.Meta.Conf.Learners) {
			return false
		}
	}
	for i := range a.Entries {
		x, y := &a.Entries[i], &b.Entries[i]
		if x.Term != y.Term || x.Index != y.Index || x.Type != y.Type || !bytes.Equal(x.Data, y.Data) {
			return false
		}
	}
	return true
}

// entries returns entries from..to (inclusive) of term, with data derived from both.
func entries(from, to, term uint64) []raft.Entry {
	var out []raft.Entry
	for i := from; i <= to; i++ {
		out = append(out, raft.Entry{Term: term, Index: i, Data: []byte(fmt.Sprintf("entry %d term %d", i, term))})
	}
	return out
}

// requireState fails t unless got equals want.
func requireState(t *testing.T, want state, got raft.Recovered) {
	t.Helper()
	if diff := cmp.Diff(want, fromRecovered(got), stateOpts...); diff != "" {
		t.Fatalf("recovered state (-want +got):\n%s", diff)
	}
}
