package checker

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// dg is the digest of the test entry at (index, term): readable in failure output.
func dg(index, term uint64) uint64 {
	return index*100 + term
}

// e is the test entry at (index, term) with the default digest.
func e(index, term uint64) EntryObs {
	return EntryObs{Index: index, Term: term, Digest: dg(index, term)}
}

// run builds entries from index first with the given terms.
func run(first uint64, terms ...uint64) []EntryObs {
	out := make([]EntryObs, len(terms))
	for i, t := range terms {
		out[i] = e(first+uint64(i), t)
	}
	return out
}

// ent renders an entry as the checker's details do.
func ent(index, term uint64) string {
	return fmtEntry(index, term, dg(index, term))
}

func newInv(t testing.TB, nodes int) *Invariants {
	t.Helper()
	inv, err := NewInvariants(nodes, Options{})
	require.NoError(t, err)
	return inv
}

// wantNone asserts that no violation was found.
func wantNone(t *testing.T, inv *Invariants) {
	t.Helper()
	require.Empty(t, inv.Violations(), "got violations; want none")
}

// want describes an expected violation: exact kind, time and nodes, and substrings of
// the detail.
type want struct {
	kind  string
	time  int64
	nodes []int
	parts []string
}

// wantExactly asserts the violations, in order.
func wantExactly(t *testing.T, got []Violation, ws ...want) {
	t.Helper()
	require.Len(t, got, len(ws), "got %d violations %s; want %d", len(got), dump(got), len(ws))
	for i, w := range ws {
		g := got[i]
		require.Equal(t, w.kind, g.Kind, "violation %d kind: got %s", i, g)
		require.Equal(t, w.time, g.Time, "violation %d time: got %s", i, g)
		require.Equal(t, w.nodes, g.Nodes, "violation %d nodes: got %s", i, g)
		for _, p := range w.parts {
			require.Contains(t, g.Detail, p, "violation %d detail", i)
		}
	}
}

func dump(vs []Violation) string {
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&b, "\n  %s", v)
	}
	return b.String()
}

// elect has voters vote for leader in term (hard state saved and synced), then makes
// leader the leader of term, at time t.
func elect(inv *Invariants, t int64, leader int, term uint64, voters ...int) {
	for _, v := range voters {
		inv.HardStateSaved(t, v, HardState{Term: term, Vote: uint64(leader) + 1, Commit: inv.nodes[v].commit})
		inv.Synced(t, v)
	}
	inv.BecameLeader(t, leader, term)
}

// replicate saves and syncs ents on every node in nodes at time t.
func replicate(inv *Invariants, t int64, ents []EntryObs, nodes ...int) {
	for _, n := range nodes {
		inv.EntriesSaved(t, n, ents)
		inv.Synced(t, n)
	}
}

// commitApply advances node's commit to c (in term) and applies up to it.
func commitApply(inv *Invariants, t int64, node int, term, c uint64) {
	n := inv.nodes[node]
	inv.HardStateSaved(t, node, HardState{Term: term, Vote: n.hs.Vote, Commit: c})
	for i := inv.nodes[node].applied + 1; i <= c; i++ {
		le, _ := inv.nodes[node].log.entry(i)
		inv.Applied(t, node, EntryObs{Index: i, Term: le.term, Digest: le.digest})
	}
}
