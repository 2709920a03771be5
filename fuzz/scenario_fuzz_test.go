package fuzz

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/engine/raftengine"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/simnet"
)

// FuzzScenario decodes (seed, b) into a small valid cluster config and an explicit fault
// schedule (scenarioFromBytes) and runs it with cluster.Run on the correct build: the run must
// find no violation and its history must be linearizable (checker.Illegal never). A failure
// prints the repro JSON, which `raftcheck replay` runs again exactly.
func FuzzScenario(f *testing.F) {
	f.Fuzz(func(t *testing.T, seed uint64, b []byte) {
		cfg, sched := scenarioFromBytes(b)
		res, err := cluster.Run(seed, cfg, cluster.Options{Engine: raftengine.Descriptor(), Schedule: &sched})
		if err != nil {
			t.Fatalf("cluster.Run refused a decoded config: %v\nconfig: %s\nschedule:\n%s", err, cfg, sched)
		}
		if res.Failed() || res.Linearizable == checker.Illegal {
			t.Fatalf("%s\n%sschedule:\n%srepro:\n%s", res.Summary(), violationText(res), sched, reproJSON(t, res))
		}
	})
}

// Bounds of the decoded scenarios: small enough that one run takes well under 100 ms.
const (
	scenarioFaultsMax = 8
	faultBytes        = 6
)

// scenarioFromBytes decodes b deterministically; every input gives a valid config (missing
// bytes read as zero) and a schedule of up to scenarioFaultsMax valid faults. Byte 0: nodes
// 3..5; 1: duration 2..8 s; 2: flags (bit 0 append workload, 1 ReadIndex reads, 2
// forwarding, 3 zipfian keys, 4 fixed tuning: the timing, protocol and compaction settings as
// given instead of drawn from the seed); 3: clients 1..8; 4: rate 20..275 ops/s; 5: read
// fraction (at most 0.9 for kv, whose generator adds 10% cas); 6: compaction interval. Then
// one fault per 6 bytes (faultFromBytes).
func scenarioFromBytes(b []byte) (cluster.Config, nemesis.Schedule) {
	at := func(i int) byte {
		if i < len(b) {
			return b[i]
		}
		return 0
	}
	cfg := cluster.DefaultConfig()
	cfg.Nodes = 3 + int(at(0))%3
	cfg.Duration = simnet.Duration(time.Duration(2+int(at(1))%7) * time.Second)
	cfg.Workload = "kv"
	if at(2)&1 != 0 {
		cfg.Workload = "append"
	}
	cfg.ReadIndex, cfg.Forwarding = at(2)&2 != 0, at(2)&4 != 0
	cfg.KeyDist = "uniform"
	if at(2)&8 != 0 {
		cfg.KeyDist = "zipfian"
	}
	cfg.Clients = 1 + int(at(3))%8
	cfg.Rate = float64(20 + int(at(4)))
	cfg.ReadFraction = float64(at(5)%101) / 100
	if cfg.Workload == "kv" {
		cfg.ReadFraction = float64(at(5)%91) / 100
	}
	if at(2)&16 != 0 {
		cfg.Tuning = "fixed"
	}
	cfg.CompactEvery = 10 + 10*int(at(6)%50)
	cfg.Nemesis = "none"
	var sched nemesis.Schedule
	for i := 7; i+faultBytes <= len(b) && len(sched) < scenarioFaultsMax; i += faultBytes {
		if f, ok := faultFromBytes(b[i:i+faultBytes], cfg); ok {
			sched = append(sched, f)
		}
	}
	sched.Sort()
	return cfg, sched
}

// faultFromBytes decodes one fault: kind, start (a 256th of the duration), length (100 ms
// steps up to 3.2 s), nodes (a bit mask over the initial nodes), a parameter byte (mode,
// shape or value, as the kind needs) and flags (bit 0: target the leader). ok is false when
// the fault does not validate.
func faultFromBytes(b []byte, cfg cluster.Config) (nemesis.Fault, bool) {
	kinds := scenarioKinds()
	f := nemesis.Fault{Kind: kinds[int(b[0])%len(kinds)]}
	f.At = simnet.Duration(time.Duration(cfg.Duration) * time.Duration(b[1]) / 256)
	f.For = simnet.Duration(time.Duration(1+int(b[2])%32) * 100 * time.Millisecond)
	for n := range cfg.Nodes {
		if b[3]&(1<<n) != 0 {
			f.Nodes = append(f.Nodes, n)
		}
	}
	f.Leader = b[5]&1 != 0
	p := b[4]
	switch f.Kind {
	case nemesis.Crash:
		f.Mode = nemesis.CrashModes[int(p)%len(nemesis.CrashModes)]
	case nemesis.Partition:
		f.Shape = nemesis.Shapes[int(p)%len(nemesis.Shapes)]
	case nemesis.Loss, nemesis.Duplicate:
		f.Value = float64(1+int(p)%50) / 100
	case nemesis.Delay, nemesis.Reorder:
		f.Value = float64(1 + int(p)%100)
	case nemesis.Churn:
		f.Value = float64(50 + 10*(int(p)%46))
	case nemesis.SlowDisk:
		f.Value = float64(1 + int(p)%50)
	case nemesis.Drift:
		f.Value = 0.5 + 1.5*float64(p)/255
	}
	if f.Kind == nemesis.Partition && len(f.Nodes) == 0 {
		for n := range cfg.Nodes {
			f.Nodes = append(f.Nodes, n)
		}
	}
	return f, f.Validate() == nil
}

// stableKinds fixes the byte that encodes each fault kind, so that the seed corpus keeps its
// meaning when nemesis.Kinds grows or is reordered.
var stableKinds = []nemesis.Kind{nemesis.Crash, nemesis.Pause, nemesis.Partition, nemesis.Loss,
	nemesis.Duplicate, nemesis.Delay, nemesis.Reorder, nemesis.Drift, nemesis.Corrupt, nemesis.SlowDisk,
	nemesis.DiskFull, nemesis.Add, nemesis.Remove, nemesis.Replace, nemesis.Churn}

// scenarioKinds is stableKinds followed by any kind of nemesis.Kinds it does not list yet (in
// menu order), so that a new kind is fuzzed before this list learns its name.
func scenarioKinds() []nemesis.Kind {
	out := slices.Clone(stableKinds)
	for _, k := range nemesis.Kinds {
		if !slices.Contains(out, k.Kind) {
			out = append(out, k.Kind)
		}
	}
	return out
}

func violationText(res *cluster.Result) string {
	var s string
	for i, v := range res.Violations {
		if i == 10 {
			s += "  …\n"
			break
		}
		s += "  " + v.String() + "\n"
	}
	return s
}

func reproJSON(t *testing.T, res *cluster.Result) string {
	b, err := cluster.NewRepro(res, true).Marshal()
	if err != nil {
		t.Fatalf("repro of a failed run: %v", err)
	}
	return string(b)
}

// TestScenarioSeedsRun: the seed corpus of FuzzScenario decodes to the configs and schedules
// it was written for, and the runs actually serve operations and apply faults.
func TestScenarioSeedsRun(t *testing.T) {
	for _, s := range scenarioSeeds() {
		t.Run(s.name, func(t *testing.T) {
			seed, b := s.args[0].(uint64), s.args[1].([]byte)
			cfg, sched := scenarioFromBytes(b)
			if err := cfg.Validate(); err != nil {
				t.Fatalf("decoded config invalid: %v", err)
			}
			if want := (len(b) - 7) / faultBytes; len(sched) != want {
				t.Fatalf("got %d faults; want %d (every seed fault valid):\n%s", len(sched), want, sched)
			}
			res, err := cluster.Run(seed, cfg, cluster.Options{Engine: raftengine.Descriptor(), Schedule: &sched})
			if err != nil {
				t.Fatal(err)
			}
			if res.Stats.OpsOK == 0 {
				t.Errorf("no operation completed: %s", res.Summary())
			}
			if len(sched) > 0 && res.Stats.FaultsApplied == 0 {
				t.Errorf("no fault applied: %s", res.Summary())
			}
			if res.Failed() || res.Linearizable != checker.OK {
				t.Errorf("%s\n%s", res.Summary(), violationText(res))
			}
		})
	}
}

// TestConfigValidateMatchesRun: a config that passes cluster.Config.Validate must be one
// cluster.Run accepts. FuzzScenario found one it refused (testdata/found/FuzzScenario-446bc8d9fcc4cb1c):
// read_fraction above 0.9 with the kv workload, whose generator added a fixed 10% cas share;
// the cas share now gives way to reads.
func TestConfigValidateMatchesRun(t *testing.T) {
	cfg := cluster.DefaultConfig()
	cfg.Duration, cfg.Nemesis, cfg.ReadFraction = simnet.Duration(time.Second), "none", 0.97
	if err := cfg.Validate(); err != nil {
		return // fixed by rejecting the config up front
	}
	if _, err := cluster.Run(1, cfg, cluster.Options{Engine: raftengine.Descriptor()}); err != nil {
		t.Fatalf("cluster.Config.Validate accepts workload kv with read_fraction 0.97, but cluster.Run refuses it: %v", err)
	}
}

// TestScenarioFromBytesAlwaysValid: every input, even empty or random, decodes to a config
// cluster.Run accepts and a schedule of valid faults.
func TestScenarioFromBytesAlwaysValid(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		b := randBytes(r, r.IntN(7+faultBytes*(scenarioFaultsMax+2)))
		cfg, sched := scenarioFromBytes(b)
		if err := cfg.Validate(); err != nil {
			t.Fatalf("input %d %x: %v", i, b, err)
		}
		if len(sched) > scenarioFaultsMax {
			t.Fatalf("input %d: got %d faults; want at most %d", i, len(sched), scenarioFaultsMax)
		}
		for _, f := range sched {
			if err := f.Validate(); err != nil {
				t.Fatalf("input %d: %v", i, err)
			}
		}
	}
}
