package cluster

import (
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/raftcheck/raftcheck/engine"
	"github.com/raftcheck/raftcheck/engine/builtin"
	"github.com/raftcheck/raftcheck/simnet"
)

// TestEngineDeterminism runs every built-in engine on the same seeds serially and then from
// four goroutines at once (as a parallel sweep does): each seed must give the same trace hash
// and result both times. make test repeats it under the race detector.
func TestEngineDeterminism(t *testing.T) {
	n := 16
	if testing.Short() {
		n = 8
	}
	for _, d := range builtin.List() {
		t.Run(d.Name, func(t *testing.T) {
			serial := make([]string, n)
			for i := range n {
				serial[i] = engineRun(t, d.Name, uint64(i+1))
			}
			parallel := make([]string, n)
			var wg sync.WaitGroup
			for w := range 4 {
				wg.Go(func() {
					for i := w; i < n; i += 4 {
						parallel[i] = engineRun(t, d.Name, uint64(i+1))
					}
				})
			}
			wg.Wait()
			for i := range n {
				if serial[i] != parallel[i] {
					t.Errorf("engine %s seed %d differs when runs share the process:\n  serial:   %s\n  parallel: %s", d.Name, i+1, serial[i], parallel[i])
				}
			}
		})
	}
}

// engineRun runs seed on the named engine (10 simulated seconds, swarm) and returns its summary.
func engineRun(t *testing.T, name string, seed uint64) string {
	d, err := builtin.Lookup(name)
	if err != nil {
		t.Error(err)
		return ""
	}
	cfg := DefaultConfig()
	cfg.Duration = simnet.Duration(10 * time.Second)
	if seed%2 == 0 {
		cfg.Workload = "append"
	}
	res, err := Run(seed, cfg, Options{Engine: d})
	if err != nil {
		t.Error(err)
		return ""
	}
	return res.Summary()
}

// engineGoldenHashes pins three runs of each engine other than ours (ours: goldenHashes).
// They change only when the engine's version or the simulation changes on purpose.
var engineGoldenHashes = map[string][3]string{
	"etcd": {"fd7a5c441f4eb2e3", "dafdbf9fa3194844", "ef5a688aa74799e6"},
}

func TestEngineGoldenHashes(t *testing.T) {
	for name, want := range engineGoldenHashes {
		for _, procs := range []int{1, 2} {
			prev := runtime.GOMAXPROCS(procs)
			for seed := uint64(1); seed <= 3; seed++ {
				d, err := builtin.Lookup(name)
				if err != nil {
					t.Fatal(err)
				}
				cfg := DefaultConfig()
				cfg.Duration = simnet.Duration(10 * time.Second)
				res, err := Run(seed, cfg, Options{Engine: d})
				if err != nil {
					t.Fatal(err)
				}
				if got := fmt.Sprintf("%016x", res.TraceHash); got != want[seed-1] {
					t.Errorf("%s GOMAXPROCS=%d seed %d: trace hash %s; want %s", name, procs, seed, got, want[seed-1])
				}
			}
			runtime.GOMAXPROCS(prev)
		}
	}
}

// BenchmarkEngines runs the standard scenario on each built-in engine over the same seeds
// (seed i+1 in iteration i), so that benchstat compares the engines' seeds per second.
func BenchmarkEngines(b *testing.B) {
	for _, d := range builtin.List() {
		b.Run(d.Name, func(b *testing.B) {
			cfg := DefaultConfig()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				if _, err := Run(uint64(i+1), cfg, Options{Engine: d}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "seeds/s")
		})
	}
}

// BenchmarkEtcdVsOurs runs each seed on our engine and then on etcd, back to back, and reports
// etcd's seeds per second as a fraction of ours (etcd/ours): pairing the runs keeps a shared,
// noisy machine from biasing the ratio.
func BenchmarkEtcdVsOurs(b *testing.B) {
	ours, err := builtin.Lookup("raftcheck")
	if err != nil {
		b.Fatal(err)
	}
	etcd, err := builtin.Lookup("etcd")
	if err != nil {
		b.Fatal(err)
	}
	cfg := DefaultConfig()
	var oursTime, etcdTime time.Duration
	for i := 0; i < b.N; i++ {
		for _, d := range []*engine.Descriptor{ours, etcd} {
			start := time.Now()
			if _, err := Run(uint64(i+1), cfg, Options{Engine: d}); err != nil {
				b.Fatal(err)
			}
			if d == ours {
				oursTime += time.Since(start)
			} else {
				etcdTime += time.Since(start)
			}
		}
	}
	b.ReportMetric(oursTime.Seconds()/etcdTime.Seconds(), "etcd/ours")
}
