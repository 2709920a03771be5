package checker

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// baseAppends: 1 and 2 are concurrent and acknowledged, 3 is indeterminate, 4 failed.
func baseAppends() []AppendOp {
	return []AppendOp{
		{Value: 1, Call: 0, Return: 10, Status: StatusOK},
		{Value: 2, Call: 5, Return: 15, Status: StatusOK},
		{Value: 3, Call: 20, Return: 30, Status: StatusUnknown},
		{Value: 4, Call: 20, Return: 25, Status: StatusFailed},
	}
}

func TestCheckAppends(t *testing.T) {
	tests := []struct {
		name  string
		key   AppendKey
		wants []want
	}{
		{
			name: "good",
			key: AppendKey{Key: "a", Appends: baseAppends(), Reads: []ReadOp{
				{Values: nil, Call: 0, Return: 1},
				{Values: []int{2, 1}, Call: 16, Return: 18}, // concurrent appends: any order
				{Values: []int{2, 1, 3}, Call: 40, Return: 50},
				{Values: []int{2}, Call: 6, Return: 12}, // 2 not yet acknowledged when invoked
			}},
		},
		{
			name: "lost",
			key: AppendKey{Key: "a", Appends: baseAppends(), Reads: []ReadOp{
				{Values: []int{1}, Call: 20, Return: 22},
				{Values: []int{1, 2}, Call: 40, Return: 50},
			}},
			wants: []want{{KindAppendAnomaly, 22, nil, []string{
				`key "a": lost: 1: append of 2 acknowledged at 15ns is missing from read 0 [20ns, 22ns] (1 values)`}}},
		},
		{
			name: "duplicated",
			key: AppendKey{Key: "b", Appends: baseAppends(), Reads: []ReadOp{
				{Values: []int{1, 2, 2}, Call: 40, Return: 50},
			}},
			wants: []want{{KindAppendAnomaly, 50, nil, []string{
				`key "b": duplicate: 1: read 0 [40ns, 50ns] returned value 2 twice (positions 1 and 2)`}}},
		},
		{
			name: "reordered",
			key: AppendKey{Key: "c", Appends: []AppendOp{
				{Value: 1, Call: 0, Return: 10, Status: StatusOK},
				{Value: 2, Call: 20, Return: 30, Status: StatusOK},
			}, Reads: []ReadOp{
				{Values: []int{2}, Call: 31, Return: 35},
				{Values: []int{2, 1}, Call: 40, Return: 50},
			}},
			wants: []want{
				{KindAppendAnomaly, 35, nil, []string{`key "c": lost: 1: append of 1 acknowledged at 10ns is missing from read 0 [31ns, 35ns]`}},
				{KindAppendAnomaly, 50, nil, []string{
					`key "c": reordered: 1: 1 (appended [0s, 10ns]) is ordered at position 1, after 2 at position 0, whose append was invoked later, at 20ns`}},
			},
		},
		{
			name: "phantom",
			key: AppendKey{Key: "d", Appends: baseAppends(), Reads: []ReadOp{
				{Values: []int{1, 2, 9}, Call: 40, Return: 50},
				{Values: []int{1, 2, 9, 4}, Call: 60, Return: 70},
				{Values: []int{3}, Call: 1, Return: 2},
			}},
			wants: []want{{KindAppendAnomaly, 2, nil, []string{
				`key "d": phantom: 3: `,
				`read 0 [40ns, 50ns] returned value 9, which was never appended`,
				`read 1 [60ns, 70ns] returned value 4, whose append [20ns, 25ns] failed`,
				`read 2 [1ns, 2ns] returned value 3, whose append was only invoked at 20ns`,
			}}, {KindAppendAnomaly, 2, nil, []string{`key "d": divergent: 1: read 2 [1ns, 2ns] has 3 at position 0 where read 1 [60ns, 70ns] has 1`}}},
		},
		{
			// Found by rapid (TestAppendsDecideLinearizability) while CheckAppends was being
			// written: a read sees the indeterminate append, a later read does not.
			name: "indeterminate-then-lost",
			key: AppendKey{Key: "k", Appends: []AppendOp{
				{Value: 1, Call: 0, Return: 1, Status: StatusUnknown},
				{Value: 2, Call: 2, Return: 11, Status: StatusOK},
				{Value: 3, Call: 5, Return: 10, Status: StatusOK},
			}, Reads: []ReadOp{
				{Values: nil, Call: 6, Return: 7},
				{Values: []int{1}, Call: 4, Return: 8},
				{Values: nil, Call: 9, Return: 12},
				{Values: nil, Call: 3, Return: 13},
			}},
			wants: []want{{KindAppendAnomaly, 12, nil, []string{
				`key "k": stale: 1: read 2 [9ns, 12ns] returned 0 values after read 1 [4ns, 8ns] had returned 1`}}},
		},
		{
			name: "divergent",
			key: AppendKey{Key: "e", Appends: baseAppends(), Reads: []ReadOp{
				{Values: []int{1, 2}, Call: 16, Return: 18},
				{Values: []int{2, 1}, Call: 40, Return: 50},
			}},
			wants: []want{{KindAppendAnomaly, 50, nil, []string{
				`key "e": divergent: 1: read 1 [40ns, 50ns] has 2 at position 0 where read 0 [16ns, 18ns] has 1`}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CheckAppends([]AppendKey{tt.key})
			require.NoError(t, err)
			wantExactly(t, got, tt.wants...)
		})
	}
}

func TestCheckAppendsSortsByTimeAcrossKeys(t *testing.T) {
	late := AppendKey{Key: "late", Appends: baseAppends(), Reads: []ReadOp{{Values: []int{1, 1}, Call: 80, Return: 90}}}
	early := AppendKey{Key: "early", Appends: baseAppends(), Reads: []ReadOp{{Values: []int{7}, Call: 30, Return: 31}}}
	got, err := CheckAppends([]AppendKey{late, early})
	require.NoError(t, err)
	wantExactly(t, got,
		want{KindAppendAnomaly, 31, nil, []string{`key "early": phantom`}},
		want{KindAppendAnomaly, 31, nil, []string{`key "early": lost: 2`}},
		want{KindAppendAnomaly, 90, nil, []string{`key "late": duplicate`}},
		want{KindAppendAnomaly, 90, nil, []string{`key "late": lost: 1: append of 2`}})
}

func TestCheckAppendsRejectsMalformedHistory(t *testing.T) {
	_, err := CheckAppends([]AppendKey{{Key: "k", Appends: []AppendOp{{Value: 1, Return: 1}, {Value: 1, Return: 2}}}})
	require.EqualError(t, err, `checker: AppendKey[0] (key "k").Appends[1].Value = 1: appended twice`)
	_, err = CheckAppends([]AppendKey{{Key: "k", Reads: []ReadOp{{Call: 5, Return: 4}}}})
	require.EqualError(t, err, `checker: AppendKey[0] (key "k").Reads[0].Return = 4: before Call 5`)
}
