package checker

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReadServed(t *testing.T) {
	c, err := NewInvariants(3, Options{})
	require.NoError(t, err)
	c.ReadServed(10, 1, 7, 7)
	c.ReadServed(11, 2, 7, 9)
	require.Empty(t, c.Violations())
	c.ReadServed(12, 0, 7, 6)
	wantExactly(t, c.Violations(), want{KindStaleRead, 12, []int{0}, []string{
		"node 0 served a read at applied index 6, but index 7 was already committed when the read arrived"}})
}

func TestStateDigest(t *testing.T) {
	c, err := NewInvariants(3, Options{})
	require.NoError(t, err)
	c.StateDigest(10, 0, 64, 0xabc)
	c.StateDigest(11, 1, 64, 0xabc)
	c.StateDigest(12, 2, 128, 0xdef)
	c.StateDigest(13, 1, 0, 0x1) // nothing applied: nothing to compare
	require.Empty(t, c.Violations())
	c.StateDigest(14, 2, 64, 0xabd)
	wantExactly(t, c.Violations(), want{KindReplicaDivergence, 14, []int{2, 0}, []string{
		"node 2's state machine at applied index 64 has digest 0000000000000abd, but node 0's had 0000000000000abc at the same index"}})
}
