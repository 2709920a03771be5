package workloads

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
)

// Key distributions for GeneratorConfig.KeyDist.
const (
	KeyDistUniform = "uniform"
	KeyDistZipfian = "zipfian"
)

// Generator bounds.
const (
	// MaxGeneratorKeys is the largest GeneratorConfig.Keys.
	MaxGeneratorKeys = 1 << 12
	// MaxWritesPerKeyLimit is the largest GeneratorConfig.MaxWritesPerKey.
	MaxWritesPerKeyLimit = 1 << 20
	// MaxClients is the largest GeneratorConfig.Clients; it is below DefaultMaxSessions, so
	// a run's first client ids never cause a session eviction.
	MaxClients = 512
	// MaxRatePerSec is the largest GeneratorConfig.RatePerSec.
	MaxRatePerSec = 1e6
)

// GeneratorConfig describes a workload's operation mix. Clients and RatePerSec are not used
// by the Generator itself: they are carried for the cluster's client scheduler, which runs
// Clients client processes, each with at most one op outstanding, and after each op
// completes (or is given up) waits a random think time of mean ThinkMeanNanos (drawn from
// the cluster's own client stream, e.g. with ThinkNanos) before taking the next op from the
// run's single Generator. The offered load is then about RatePerSec ops per simulated
// second in total, less when ops are slow.
type GeneratorConfig struct {
	Workload     string  // WorkloadKV or WorkloadAppend
	Keys         int     // keyspace size: keys "k0" … "k<Keys-1>", 1..MaxGeneratorKeys
	KeyDist      string  // KeyDistUniform or KeyDistZipfian
	ZipfS        float64 // zipfian exponent s > 1 (P(k_i) ∝ (1+i)^-s); must be 0 for uniform
	ReadFraction float64 // fraction of gets, in [0,1]
	CASFraction  float64 // fraction of cas (kv only; 0 for append); Read+CAS <= 1
	Clients      int     // concurrent client processes, 1..MaxClients
	RatePerSec   float64 // offered ops per simulated second over all clients, (0, MaxRatePerSec]
	// MaxWritesPerKey retires a key after that many writes (put, cas, append) and puts a fresh
	// key ("k<n>", n counting on from Keys) in its slot, as Jepsen's list-append does: lists
	// stay short and each key's history stays small enough for a linearizability search.
	// 0 means keys are never retired.
	MaxWritesPerKey int
}

// DefaultGeneratorConfig returns a valid configuration for workload (WorkloadKV or
// WorkloadAppend): 8 uniform keys, half reads, 10% cas for kv, 5 clients, 500 ops/s.
func DefaultGeneratorConfig(workload string) GeneratorConfig {
	cfg := GeneratorConfig{Workload: workload, Keys: 8, KeyDist: KeyDistUniform,
		ReadFraction: 0.5, Clients: 5, RatePerSec: 500}
	if workload == WorkloadKV {
		cfg.CASFraction = 0.1
	}
	return cfg
}

// Validate returns an error naming the first bad field and its value.
func (c GeneratorConfig) Validate() error {
	bad := func(field string, v any, want string) error {
		return fmt.Errorf("workloads: GeneratorConfig.%s = %v: %s", field, v, want)
	}
	switch {
	case c.Workload != WorkloadKV && c.Workload != WorkloadAppend:
		return bad("Workload", strconv.Quote(c.Workload), fmt.Sprintf("want %q or %q", WorkloadKV, WorkloadAppend))
	case c.MaxWritesPerKey < 0 || c.MaxWritesPerKey > MaxWritesPerKeyLimit:
		return bad("MaxWritesPerKey", c.MaxWritesPerKey, fmt.Sprintf("must be in [0,%d]", MaxWritesPerKeyLimit))
	case c.Keys < 1 || c.Keys > MaxGeneratorKeys:
		return bad("Keys", c.Keys, fmt.Sprintf("must be in [1,%d]", MaxGeneratorKeys))
	case c.KeyDist != KeyDistUniform && c.KeyDist != KeyDistZipfian:
		return bad("KeyDist", strconv.Quote(c.KeyDist), fmt.Sprintf("want %q or %q", KeyDistUniform, KeyDistZipfian))
	case c.KeyDist == KeyDistZipfian && !(c.ZipfS > 1 && c.ZipfS <= 100):
		return bad("ZipfS", c.ZipfS, "must be in (1,100] for zipfian keys")
	case c.KeyDist == KeyDistUniform && c.ZipfS != 0:
		return bad("ZipfS", c.ZipfS, "must be 0 for uniform keys")
	case !(c.ReadFraction >= 0 && c.ReadFraction <= 1):
		return bad("ReadFraction", c.ReadFraction, "must be in [0,1]")
	case !(c.CASFraction >= 0 && c.CASFraction <= 1):
		return bad("CASFraction", c.CASFraction, "must be in [0,1]")
	case c.Workload == WorkloadAppend && c.CASFraction != 0:
		return bad("CASFraction", c.CASFraction, "must be 0 for the append workload")
	case c.ReadFraction+c.CASFraction > 1:
		return bad("CASFraction", c.CASFraction, fmt.Sprintf("ReadFraction %v + CASFraction must be <= 1", c.ReadFraction))
	case c.Clients < 1 || c.Clients > MaxClients:
		return bad("Clients", c.Clients, fmt.Sprintf("must be in [1,%d]", MaxClients))
	case !(c.RatePerSec > 0 && c.RatePerSec <= MaxRatePerSec):
		return bad("RatePerSec", c.RatePerSec, fmt.Sprintf("must be in (0,%g]", float64(MaxRatePerSec)))
	}
	return nil
}

// ThinkMeanNanos is the mean simulated time a client waits between ops so that Clients
// clients together offer RatePerSec ops per second: Clients / RatePerSec seconds.
func (c GeneratorConfig) ThinkMeanNanos() int64 {
	return int64(math.Round(float64(c.Clients) / c.RatePerSec * 1e9))
}

// ThinkNanos draws one think time from r: exponential with mean ThinkMeanNanos, capped at
// 20 times the mean.
func (c GeneratorConfig) ThinkNanos(r *rand.Rand) int64 {
	mean := float64(c.ThinkMeanNanos())
	return int64(math.Min(r.ExpFloat64(), 20) * mean)
}

// Generator produces a workload's ops deterministically from its random stream. Use one
// Generator per run, shared by all clients, so that written values are unique in the run:
// Put, CAS and Append values come from one counter (1, 2, 3, …), which makes every
// appended element unique and lets a history show which write a read saw.
type Generator struct {
	cfg     GeneratorConfig
	r       *rand.Rand
	zipf    *rand.Zipf // nil for uniform keys
	keys    []string   // "k0" … — key names, built once
	written []string   // per key, the last value this generator wrote (a CAS expects it)
	writes  []int      // per key slot, writes handed out to its current key
	nextKey int        // number of the next fresh key
	counter uint64     // last value handed out
	retired []string   // keys retired since the last TakeRetired
}

// NewGenerator validates cfg and returns a generator drawing from r.
func NewGenerator(cfg GeneratorConfig, r *rand.Rand) (*Generator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if r == nil {
		return nil, fmt.Errorf("workloads: NewGenerator: nil *rand.Rand")
	}
	g := &Generator{cfg: cfg, r: r, keys: make([]string, cfg.Keys), written: make([]string, cfg.Keys),
		writes: make([]int, cfg.Keys), nextKey: cfg.Keys}
	for i := range g.keys {
		g.keys[i] = "k" + strconv.Itoa(i)
	}
	if cfg.KeyDist == KeyDistZipfian {
		g.zipf = rand.NewZipf(r, cfg.ZipfS, 1, uint64(cfg.Keys-1))
	}
	return g, nil
}

// Config returns the generator's configuration.
func (g *Generator) Config() GeneratorConfig { return g.cfg }

// Next returns the next op: a Get with probability ReadFraction, a CAS with probability
// CASFraction, otherwise a Put (kv) or an Append (append), on a key drawn from KeyDist. A
// CAS expects the value this generator last wrote to the key ("" if none) and sets a fresh
// value.
func (g *Generator) Next() Op {
	k := g.key()
	u := g.r.Float64()
	if u < g.cfg.ReadFraction {
		return Op{Kind: Get, Key: g.keys[k]}
	}
	g.countWrite(k)
	switch {
	case u < g.cfg.ReadFraction+g.cfg.CASFraction:
		o := Op{Kind: CAS, Key: g.keys[k], Expect: g.written[k], Value: g.fresh()}
		g.written[k] = o.Value
		return o
	case g.cfg.Workload == WorkloadAppend:
		return Op{Kind: Append, Key: g.keys[k], Value: g.fresh()}
	}
	o := Op{Kind: Put, Key: g.keys[k], Value: g.fresh()}
	g.written[k] = o.Value
	return o
}

func (g *Generator) key() int {
	if g.zipf != nil {
		return int(g.zipf.Uint64())
	}
	return g.r.IntN(g.cfg.Keys)
}

// countWrite counts a write to slot k, first retiring its key if it has had MaxWritesPerKey.
func (g *Generator) countWrite(k int) {
	if g.cfg.MaxWritesPerKey > 0 && g.writes[k] >= g.cfg.MaxWritesPerKey {
		if len(g.retired) < maxRetiredHeld {
			g.retired = append(g.retired, g.keys[k])
		}
		g.keys[k] = "k" + strconv.Itoa(g.nextKey)
		g.nextKey++
		g.written[k], g.writes[k] = "", 0
	}
	g.writes[k]++
}

// fresh returns the next value of the run's counter, in decimal.
func (g *Generator) fresh() string {
	g.counter++
	return strconv.FormatUint(g.counter, 10)
}

// maxRetiredHeld bounds the retired keys a Generator holds for TakeRetired; a caller that
// never takes them loses only the later names.
const maxRetiredHeld = 1 << 12

// TakeRetired returns the keys retired since the last call, in the order they were retired,
// and forgets them. The generator never hands out an op on a retired key again.
func (g *Generator) TakeRetired() []string {
	out := g.retired
	g.retired = nil
	return out
}
