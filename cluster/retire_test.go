package cluster

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/engine/raftengine"
	"github.com/raftcheck/raftcheck/simnet"
	"github.com/raftcheck/raftcheck/workloads"
)

// retireConfig retires a key every few writes, so that a short run retires thousands.
func retireConfig(workload string) Config {
	cfg := DefaultConfig()
	cfg.Workload, cfg.Duration, cfg.Rate, cfg.WritesPerKey = workload, simnet.Duration(40*time.Second), 300, 2
	return cfg
}

// TestRetirementBoundsTheState runs both workloads with fast key retirement under the swarm
// nemesis: the checks pass, every live node's state holds at most the live keys and the
// retired keys retirement keeps (plus those it waits for), and the run is deterministic.
func TestRetirementBoundsTheState(t *testing.T) {
	for _, w := range []string{workloads.WorkloadKV, workloads.WorkloadAppend} {
		t.Run(w, func(t *testing.T) {
			cfg := retireConfig(w)
			var hashes []uint64
			for range 2 {
				r, err := newRun(7, cfg, Options{Engine: raftengine.Descriptor()})
				require.NoError(t, err)
				r.execute()
				r.finish()
				assert.Empty(t, r.res.Violations)
				used := map[string]bool{}
				for _, h := range r.res.History {
					used[h.Op.Key] = true
				}
				t.Logf("%s; %d keys used", r.res.Summary(), len(used))
				for _, n := range r.nodes {
					if n.h != nil && !n.removed {
						assert.LessOrEqual(t, n.h.kv.Len(), r.cfg.Keys+len(r.retire.keys)+retireScan,
							"node %d holds %d keys", n.id, n.h.kv.Len())
					}
				}
				assert.Greater(t, len(used), r.cfg.Keys+2*retireKept+retireScan, "the run retires enough keys to drop some")
				hashes = append(hashes, r.res.TraceHash)
			}
			assert.Equal(t, hashes[0], hashes[1], "trace hashes of two runs")
		})
	}
}
