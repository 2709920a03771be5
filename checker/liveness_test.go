package checker

import (
	"testing"

	"github.com/stretchr/testify/require"
)

const second = int64(1_000_000_000)

func TestCheckLiveness(t *testing.T) {
	heal := 10 * second
	tests := []struct {
		name  string
		in    LivenessInput
		wants []want
	}{
		{
			name: "healthy",
			in:   LivenessInput{HealTime: heal, Bound: 5 * second, LeaderElected: true, LeaderAt: heal + second},
		},
		{
			name: "no leader",
			in:   LivenessInput{HealTime: heal, Bound: 5 * second},
			wants: []want{{KindLiveness, 15 * second, nil,
				[]string{"no leader was elected after the heal at 10s (bound 5s)"}}},
		},
		{
			name: "late leader",
			in:   LivenessInput{HealTime: heal, Bound: 5 * second, LeaderElected: true, LeaderAt: heal + 7*second},
			wants: []want{{KindLiveness, 17 * second, nil,
				[]string{"the first leader after the heal at 10s was elected at 17s, 7s after it (bound 5s)"}}},
		},
		{
			name: "pending operations and lagging nodes",
			in: LivenessInput{HealTime: heal, Bound: 5 * second, LeaderElected: true, LeaderAt: heal,
				Pending: []PendingOp{
					{Client: 1002, Call: 12 * second, Desc: "get(k1)"},
					{Client: 1001, Call: 9 * second, Desc: "put(k3, 17)"},
				},
				Lagging: []LaggingNode{{Node: 4, Applied: 10, Want: 90}, {Node: 1, Applied: 80, Want: 90}}},
			wants: []want{
				{KindLiveness, 15 * second, nil, []string{
					"2 client operations still pending 5s after the heal at 10s: client 1001 put(k3, 17) invoked at 9s; client 1002 get(k1) invoked at 12s"}},
				{KindLiveness, 15 * second, []int{1, 4}, []string{
					"2 nodes never caught up within 5s after the heal at 10s: node 1 applied 80 of 90; node 4 applied 10 of 90"}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CheckLiveness(tt.in)
			require.NoError(t, err)
			wantExactly(t, got, tt.wants...)
		})
	}
}

func TestCheckLivenessRejectsBadInput(t *testing.T) {
	_, err := CheckLiveness(LivenessInput{HealTime: 5})
	require.EqualError(t, err, "checker: LivenessInput.Bound = 0: must be > 0")
	_, err = CheckLiveness(LivenessInput{HealTime: 5, Bound: 1, LeaderElected: true, LeaderAt: 4})
	require.EqualError(t, err, "checker: LivenessInput.LeaderAt = 4: before HealTime 5")
}

func TestStaleLeaderViolation(t *testing.T) {
	in := LivenessInput{HealTime: 10e9, Bound: 20e9, LeaderElected: true, LeaderAt: 10e9,
		StaleLeaders: []StaleLeader{{Node: 1, Term: 2, Other: 0, OtherTerm: 3, Since: 10e9, At: 30e9}}}
	vs, err := CheckLiveness(in)
	require.NoError(t, err)
	require.Equal(t, []Violation{{Kind: KindStaleLeader, Time: 30e9, Nodes: []int{1, 0},
		Detail: "node 1 still led term 2 at 30s, although node 0 had been in term 3 and reachable since 10s, 20s before: a leader that hears of a higher term steps down (Figure 2)"}}, vs)
}
