package cluster

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/engine/builtin"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/simnet"
)

// TestHoldReleasedAtElection: a hold of shape "election" on the leader lasts until a new
// leader is elected (its followers hear nothing and elect one), then lets go within
// maxReleaseTicks; a plain hold lasts its whole For. Both engines.
func TestHoldReleasedAtElection(t *testing.T) {
	for _, d := range builtin.List() {
		for _, shape := range []string{"election", ""} {
			t.Run(d.Name+"/"+shape, func(t *testing.T) {
				cfg := DefaultConfig()
				cfg.Duration, cfg.Nemesis, cfg.Workload = simnet.Duration(12*time.Second), "none", "kv"
				hold := nemesis.Fault{Kind: nemesis.Hold, At: simnet.Duration(2 * time.Second),
					For: simnet.Duration(8 * time.Second), Leader: true, Value: 1, Shape: shape}
				sched := nemesis.Schedule{hold}
				res, err := Run(5, cfg, Options{Engine: d, Schedule: &sched})
				require.NoError(t, err)
				require.False(t, res.Failed(), "%v", res.Violations)
				end, elected := faultEnd(t, res, 1), firstLeaderAfter(res, int64(hold.At))
				require.Positive(t, elected, "a new leader is elected while the old one's messages are held")
				if shape == "" {
					require.Equal(t, int64(hold.At+hold.For), end)
					return
				}
				require.GreaterOrEqual(t, end, elected)
				require.Less(t, end, elected+maxReleaseTicks*int64(res.Config.Tick), "released within a few ticks of the election")
			})
		}
	}
}

func faultEnd(t *testing.T, res *Result, fault int) int64 {
	for _, m := range res.Timeline {
		if m.Kind == MarkFaultEnd && m.Fault == fault {
			return m.Time
		}
	}
	t.Fatalf("fault %d never ended", fault)
	return 0
}

func firstLeaderAfter(res *Result, t int64) int64 {
	for _, m := range res.Timeline {
		if m.Kind == MarkLeader && m.Time > t {
			return m.Time
		}
	}
	return 0
}
