package workloads

import (
	"testing"

	"github.com/anishathalye/porcupine"
	"github.com/stretchr/testify/require"
)

func TestUnobserved(t *testing.T) {
	ok := func(v string) Reply { return Reply{Status: StatusOK, Found: v != "", Value: v} }
	unk := Reply{Status: StatusUnknown}
	h := []HistoryOp{
		{Client: 0, Op: Op{Kind: Append, Key: "a", Value: "1"}, Reply: ok(""), Call: 0, Return: 10, Outcome: OutcomeOK},
		{Client: 1, Op: Op{Kind: Append, Key: "a", Value: "2"}, Reply: unk, Call: 5, Return: 50, Outcome: OutcomeUnknown}, // seen in a read: kept
		{Client: 2, Op: Op{Kind: Append, Key: "a", Value: "3"}, Reply: unk, Call: 6, Return: 50, Outcome: OutcomeUnknown}, // never seen: dropped
		{Client: 3, Op: Op{Kind: Get, Key: "a"}, Reply: ok("1 2"), Call: 20, Return: 30, Outcome: OutcomeOK},
		{Client: 0, Op: Op{Kind: Put, Key: "b", Value: "4"}, Reply: unk, Call: 0, Return: 50, Outcome: OutcomeUnknown},               // a cas expects it: kept
		{Client: 1, Op: Op{Kind: CAS, Key: "b", Expect: "4", Value: "5"}, Reply: unk, Call: 60, Return: 90, Outcome: OutcomeUnknown}, // 5 never seen: dropped
		{Client: 2, Op: Op{Kind: Put, Key: "b", Value: "6"}, Reply: unk, Call: 0, Return: 50, Outcome: OutcomeUnknown},               // never seen: dropped
		{Client: 3, Op: Op{Kind: Put, Key: "c", Value: "7"}, Reply: unk, Call: 0, Return: 50, Outcome: OutcomeUnknown},               // a get saw it: kept
		{Client: 4, Op: Op{Kind: Get, Key: "c"}, Reply: ok("7"), Call: 60, Return: 70, Outcome: OutcomeOK},
	}
	require.Equal(t, []int{2, 5, 6}, Unobserved(h))

	got := ForLinearizability(h)
	require.Len(t, got, len(h)-3)
	require.Equal(t, OutcomeOK, got[1].Outcome, "an unknown append seen by a read completed before it")
	require.Equal(t, int64(30), got[1].Return, "at the read's return")
	require.Equal(t, OutcomeUnknown, got[3].Outcome, "a put only a cas expected stays unknown")
	require.Equal(t, int64(70), got[4].Return, "the put of c completed by the get that saw it")
}

// TestUnobservedKeepsVerdicts checks, on hand-made histories, that dropping the unobserved
// writes does not change Porcupine's verdict.
func TestUnobservedKeepsVerdicts(t *testing.T) {
	ok := func(v string) Reply { return Reply{Status: StatusOK, Found: v != "", Value: v} }
	unk := Reply{Status: StatusUnknown}
	histories := map[string][]HistoryOp{
		"legal": {
			{Client: 0, Op: Op{Kind: Append, Key: "a", Value: "1"}, Reply: ok(""), Call: 0, Return: 10, Outcome: OutcomeOK},
			{Client: 1, Op: Op{Kind: Append, Key: "a", Value: "2"}, Reply: unk, Call: 5, Return: 50, Outcome: OutcomeUnknown},
			{Client: 2, Op: Op{Kind: Get, Key: "a"}, Reply: ok("1"), Call: 20, Return: 30, Outcome: OutcomeOK},
		},
		"seen late": {
			{Client: 0, Op: Op{Kind: Append, Key: "a", Value: "1"}, Reply: unk, Call: 0, Return: 10, Outcome: OutcomeUnknown},
			{Client: 1, Op: Op{Kind: Get, Key: "a"}, Reply: ok(""), Call: 20, Return: 30, Outcome: OutcomeOK},
			{Client: 2, Op: Op{Kind: Get, Key: "a"}, Reply: ok("1"), Call: 40, Return: 50, Outcome: OutcomeOK},
		},
		"seen then unseen": {
			{Client: 0, Op: Op{Kind: Append, Key: "a", Value: "1"}, Reply: unk, Call: 0, Return: 10, Outcome: OutcomeUnknown},
			{Client: 1, Op: Op{Kind: Get, Key: "a"}, Reply: ok("1"), Call: 20, Return: 30, Outcome: OutcomeOK},
			{Client: 2, Op: Op{Kind: Get, Key: "a"}, Reply: ok(""), Call: 40, Return: 50, Outcome: OutcomeOK},
		},
		"illegal": {
			{Client: 0, Op: Op{Kind: Append, Key: "a", Value: "1"}, Reply: ok(""), Call: 0, Return: 10, Outcome: OutcomeOK},
			{Client: 1, Op: Op{Kind: Append, Key: "a", Value: "2"}, Reply: unk, Call: 5, Return: 50, Outcome: OutcomeUnknown},
			{Client: 2, Op: Op{Kind: Get, Key: "a"}, Reply: ok(""), Call: 20, Return: 30, Outcome: OutcomeOK},
		},
	}
	model, err := Model(WorkloadAppend)
	require.NoError(t, err)
	for name, h := range histories {
		full, err := Operations(h)
		require.NoError(t, err)
		pruned, err := Operations(ForLinearizability(h))
		require.NoError(t, err)
		require.Equal(t, porcupine.CheckOperations(model, full), porcupine.CheckOperations(model, pruned), name)
		require.Equal(t, name != "illegal" && name != "seen then unseen", porcupine.CheckOperations(model, pruned), name)
	}
}
