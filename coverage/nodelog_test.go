package coverage

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/engine"
)

// entries returns entries from index from with the given terms.
func entries(from uint64, terms ...uint64) []engine.EntryObs {
	out := make([]engine.EntryObs, len(terms))
	for i, t := range terms {
		out[i] = engine.EntryObs{Index: from + uint64(i), Term: t}
	}
	return out
}

func logOf(terms ...uint64) *nodeLog {
	l := &nodeLog{}
	l.save(entries(1, terms...))
	return l
}

func TestNodeLogTermsAndTruncation(t *testing.T) {
	l := logOf(1, 1, 2, 2, 3)
	require.Equal(t, []uint64{0, 1, 1, 2, 2, 3, 0}, []uint64{l.termAt(0), l.termAt(1), l.termAt(2), l.termAt(3), l.termAt(4), l.termAt(5), l.termAt(6)})
	require.Len(t, l.runs, 3)
	require.Equal(t, uint64(3), l.save(entries(3, 4)), "entries 3, 4 and 5 overwritten")
	require.Equal(t, uint64(3), l.last)
	require.Equal(t, uint64(4), l.lastTerm())
	require.Equal(t, uint64(1), l.termAt(2))
	require.Equal(t, uint64(0), l.save(entries(4, 4, 5)), "an append overwrites nothing")
	l.reset(10, 5)
	require.Equal(t, uint64(5), l.termAt(10))
	require.Equal(t, uint64(0), l.termAt(11))
}

func TestNodeLogRelate(t *testing.T) {
	leader := logOf(1, 1, 2, 3)
	cases := []struct {
		name string
		l    *nodeLog
		want uint8
	}{
		{"equal", logOf(1, 1, 2, 3), logEqual},
		{"behind", logOf(1, 1), logBehind},
		{"empty is behind", &nodeLog{}, logBehind},
		{"ahead", logOf(1, 1, 2, 3, 3), logAhead},
		{"divergent shorter", logOf(1, 1, 1), logDivergent},
		{"divergent longer", logOf(1, 1, 2, 2, 2), logDivergent},
	}
	for _, c := range cases {
		require.Equal(t, c.want, c.l.relate(leader), c.name)
	}
	// The up-to-date rule: last term first, then length.
	voter := logOf(1, 2, 2)
	require.Equal(t, -1, voter.upToDate(logOf(1, 1, 1, 1)), "lower last term is older however long")
	require.Equal(t, -1, voter.upToDate(logOf(1, 2)), "same last term, shorter")
	require.Equal(t, 0, voter.upToDate(logOf(1, 2, 2)))
	require.Equal(t, 1, voter.upToDate(logOf(3)), "higher last term is newer however short")
}
