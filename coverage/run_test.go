package coverage

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/engine"
	"github.com/raftcheck/raftcheck/engine/builtin"
)

// covered runs seed with a tracker and returns the result and its coverage.
func covered(t testing.TB, engineName string, seed uint64) (*cluster.Result, Set) {
	d, err := builtin.Lookup(engineName)
	require.NoError(t, err)
	tr := NewTracker()
	res, err := cluster.Run(seed, cluster.DefaultConfig(), cluster.Options{Engine: d, Observer: tr})
	require.NoError(t, err)
	return res, tr.Set()
}

func TestTrackingLeavesRunUnchangedAndIsDeterministic(t *testing.T) {
	for _, name := range builtin.Names() {
		d, err := builtin.Lookup(name)
		require.NoError(t, err)
		for seed := uint64(1); seed <= 2; seed++ {
			plain, err := cluster.Run(seed, cluster.DefaultConfig(), cluster.Options{Engine: d})
			require.NoError(t, err)
			res, s1 := covered(t, name, seed)
			_, s2 := covered(t, name, seed)
			require.Equal(t, plain.TraceHash, res.TraceHash, "%s seed %d: the tracker changed the run", name, seed)
			require.Equal(t, s1.Names(), s2.Names(), "%s seed %d", name, seed)
			require.Greater(t, s1.Len(), 40, "%s seed %d reached only %v", name, seed, s1.Names())
			// Every run elects a leader and has faults; every name is one of All's.
			require.True(t, s1.Has("state/role=leader/term=equal/log=equal/lag=0/phase=steady"), "%s seed %d", name, seed)
			require.NotEmpty(t, inFamily(s1, "fault"), "%s seed %d", name, seed)
			all := NewSet(All()...)
			for _, n := range s1.Names() {
				require.True(t, all.Has(n), "%s is not in All", n)
			}
		}
	}
}

// BenchmarkCoverageOverhead runs the same seeds without and with a tracker: the difference
// is what coverage costs a run (the budget is 10%).
func BenchmarkCoverageOverhead(b *testing.B) {
	d, err := builtin.Lookup("")
	require.NoError(b, err)
	for _, mode := range []string{"plain", "coverage"} {
		b.Run(mode, func(b *testing.B) {
			features := 0
			for i := range b.N {
				opts := cluster.Options{Engine: d}
				var tr *Tracker
				if mode == "coverage" {
					tr = NewTracker()
					opts.Observer = tr
				}
				if _, err := cluster.Run(uint64(i%8+1), cluster.DefaultConfig(), opts); err != nil {
					b.Fatal(err)
				}
				if tr != nil {
					features += tr.Set().Len()
				}
			}
			b.ReportMetric(float64(features)/float64(b.N), "features/run")
		})
	}
}

// recorder keeps every call a run makes to its observer, to replay them into a tracker.
type recorder struct{ calls []func(*Tracker) }

func (r *recorder) Recovered(t int64, node int, rec engine.Recovery) {
	r.calls = append(r.calls, func(tr *Tracker) { tr.Recovered(t, node, rec) })
}

func (r *recorder) Observed(t int64, node int, o engine.Observations) {
	r.calls = append(r.calls, func(tr *Tracker) { tr.Observed(t, node, o) })
}

func (r *recorder) Marked(m cluster.Mark) {
	r.calls = append(r.calls, func(tr *Tracker) { tr.Marked(m) })
}

// BenchmarkTrackerAlone replays the observer calls of eight recorded runs into fresh
// trackers: the tracker's own cost per run, free of the run's noise (compare it with
// BenchmarkCoverageOverhead/plain, the run itself). Observations of a batch are only read
// while the engine's next Ready has not come, so replaying them later is a measurement aid,
// not something a Tracker may rely on.
func BenchmarkTrackerAlone(b *testing.B) {
	d, err := builtin.Lookup("")
	require.NoError(b, err)
	var runs []*recorder
	calls := 0
	for seed := uint64(1); seed <= 8; seed++ {
		rec := &recorder{}
		_, err := cluster.Run(seed, cluster.DefaultConfig(), cluster.Options{Engine: d, Observer: rec})
		require.NoError(b, err)
		runs, calls = append(runs, rec), calls+len(rec.calls)
	}
	b.ResetTimer()
	for i := range b.N {
		tr := NewTracker()
		for _, c := range runs[i%len(runs)].calls {
			c(tr)
		}
		_ = tr.Set()
	}
	b.ReportMetric(float64(calls)/float64(len(runs)), "calls/run")
}
