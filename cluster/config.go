package cluster

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/raftcheck/raftcheck/engine"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/simnet"
)

// Config is everything about a run except its seed. The zero value is not valid; start from
// DefaultConfig and change fields. A run is a pure function of (seed, Config, nemesis.Schedule).
type Config struct {
	Engine   string          `json:"engine,omitempty"` // the engine's name (engine.Descriptor.Name); "" takes Options.Engine's
	Nodes    int             `json:"nodes"`            // voters at the start, 3 to 9
	Duration simnet.Duration `json:"duration"`         // the load-and-fault phase; heal begins after it
	HealTime simnet.Duration `json:"heal_bound"`       // bound for leader election and pending operations after heal

	Workload     string  `json:"workload"`       // "kv" or "append"
	Clients      int     `json:"clients"`        // concurrent clients, each with one outstanding operation
	Rate         float64 `json:"rate"`           // client operations per simulated second, all clients together
	Keys         int     `json:"keys"`           // size of the keyspace
	KeyDist      string  `json:"key_dist"`       // "uniform" or "zipfian"
	ReadFraction float64 `json:"read_fraction"`  // share of operations that are reads
	WritesPerKey int     `json:"writes_per_key"` // a key is retired for a fresh one after this many writes (0: never)
	ReadIndex    bool    `json:"read_index"`     // reads through Raft's ReadIndex (else through the log)
	Forwarding   bool    `json:"forwarding"`     // followers forward proposals (else reject with a leader hint)

	Nemesis       string          `json:"nemesis"`        // "swarm", "none", or a comma-separated list of fault kinds
	FaultInterval simnet.Duration `json:"fault_interval"` // mean time between starts of faults of one kind
	Mutants       []string        `json:"mutants,omitempty"`

	// Tuning "swarm" makes each seed draw the settings below (protocol, timing, latencies,
	// compaction) from its own stream, so that a sweep covers the configuration space as well
	// as the fault space; the Result records the drawn values with Tuning "fixed", which
	// replays them exactly. "fixed" uses the values as given.
	Tuning   string          `json:"tuning"`
	Protocol engine.Protocol `json:"protocol"`

	Tick           simnet.Duration `json:"tick"`           // simulated time between Raft ticks at clock rate 1
	ElectionTicks  int             `json:"election_ticks"` // Raft election timeout in ticks
	HeartbeatTicks int             `json:"heartbeat_ticks"`
	ClientTimeout  simnet.Duration `json:"client_timeout"` // a client retries after this long without an answer
	LatencyMin     simnet.Duration `json:"latency_min"`    // network latency floor
	LatencyTail    simnet.Duration `json:"latency_tail"`   // mean of the exponential tail on top of the floor
	SyncLatency    simnet.Duration `json:"sync_latency"`   // what an fsync costs on every disk
	CompactEvery   int             `json:"compact_every"`  // a node snapshots after this many applied entries
	// WALSegmentBytes is the size at which a node's WAL starts a new segment; 0: the engine's
	// default.
	WALSegmentBytes int64 `json:"wal_segment_bytes"`

	// Host "swarm" makes each seed draw the host behaviours below from a stream of their own,
	// each only where the engine declares that its contract permits it (engine.Semantics);
	// the Result records the drawn values with Host "fixed", which replays them exactly.
	// "fixed" uses the values as given; so does "", the form of files written before host
	// behaviours were drawn. All zero is the strictest host: persist, send, apply and serve
	// reads in one step per batch, each read asked once.
	Host string `json:"host,omitempty"`
	// ApplyDelay makes the state machine slow: the host hands a batch's snapshot and
	// committed entries to it and calls Advance at once, and it applies one entry per
	// ApplyDelay, in order, behind commit (engine.Semantics.LazyApply). 0: applied in the
	// batch's own step, before Advance.
	ApplyDelay simnet.Duration `json:"apply_delay,omitempty"`
	// ReadRetry: a read still waiting for its index is asked of the engine again, with its
	// original context, this often (engine.Semantics.RepeatReads; etcd's server retries
	// every 500ms). 0: each read is asked once per arrival.
	ReadRetry simnet.Duration `json:"read_retry,omitempty"`
	// AsyncWrites runs the engine with asynchronous storage writes (engine.Config.AsyncWrites,
	// where engine.Semantics.AsyncWrites permits it; etcd's AsyncStorageWrites): a node's
	// messages to peers may leave before its own append is durable. false: every batch is
	// persisted before its messages leave.
	AsyncWrites bool `json:"async_writes,omitempty"`
	// Roll is a rolling change of PreVote or CheckQuorum during the run, a node at a time
	// (engine.Semantics.MixedProtocol); the zero Roll is none.
	Roll Roll `json:"roll,omitzero"`

	MaxEvents uint64 `json:"max_events"` // hard bound on simulator events for the run
}

// DefaultConfig is the standard scenario: 5 nodes, 30 simulated seconds, 100 operations per
// simulated second, swarm nemesis.
func DefaultConfig() Config {
	return Config{
		Nodes: 5, Duration: simnet.Duration(30 * time.Second), HealTime: simnet.Duration(20 * time.Second),
		Workload: "swarm", Clients: 8, Rate: 100, Keys: 8, KeyDist: "zipfian", ReadFraction: 0.3, WritesPerKey: 32,
		ReadIndex: true, Forwarding: true,
		Nemesis: "swarm", FaultInterval: simnet.Duration(8 * time.Second),
		Tuning: "swarm", Protocol: engine.Protocol{PreVote: true, CheckQuorum: true}, Host: "swarm",
		Tick: simnet.Duration(50 * time.Millisecond), ElectionTicks: 10, HeartbeatTicks: 1,
		ClientTimeout: simnet.Duration(time.Second),
		LatencyMin:    simnet.Duration(time.Millisecond), LatencyTail: simnet.Duration(2 * time.Millisecond),
		CompactEvery: 500, MaxEvents: 50_000_000,
	}
}

// Validate reports the first field that is out of range, naming it and its value.
func (c Config) Validate() error {
	checks := []struct {
		bad   bool
		field string
		value any
		want  string
	}{
		{c.Nodes < 3 || c.Nodes > 9, "nodes", c.Nodes, "must be in [3, 9]"},
		{c.Duration <= 0 || c.Duration > simnet.Duration(24*time.Hour), "duration", c.Duration, "must be in (0, 24h]"},
		{c.HealTime <= 0, "heal_bound", c.HealTime, "must be > 0"},
		{c.Workload != "kv" && c.Workload != "append" && c.Workload != "swarm", "workload", c.Workload, `must be "kv", "append" or "swarm"`},
		{c.Clients < 1 || c.Clients > 1000, "clients", c.Clients, "must be in [1, 1000]"},
		{!(c.Rate > 0) || c.Rate > 1e6, "rate", c.Rate, "must be in (0, 1e6]"},
		{c.Keys < 1 || c.Keys > 1_000_000, "keys", c.Keys, "must be in [1, 1000000]"},
		{c.KeyDist != "uniform" && c.KeyDist != "zipfian", "key_dist", c.KeyDist, `must be "uniform" or "zipfian"`},
		{!(c.ReadFraction >= 0 && c.ReadFraction <= 1), "read_fraction", c.ReadFraction, "must be in [0, 1]"},
		{c.WritesPerKey < 0 || c.WritesPerKey > 1<<20, "writes_per_key", c.WritesPerKey, "must be in [0, 1048576]"},
		{c.FaultInterval <= 0, "fault_interval", c.FaultInterval, "must be > 0"},
		{c.Tick <= 0, "tick", c.Tick, "must be > 0"},
		{c.HeartbeatTicks < 1, "heartbeat_ticks", c.HeartbeatTicks, "must be >= 1"},
		{c.ElectionTicks <= c.HeartbeatTicks, "election_ticks", c.ElectionTicks, "must be > heartbeat_ticks"},
		{c.ClientTimeout <= 0, "client_timeout", c.ClientTimeout, "must be > 0"},
		{c.LatencyMin < 0, "latency_min", c.LatencyMin, "must be >= 0"},
		{c.LatencyTail < 0, "latency_tail", c.LatencyTail, "must be >= 0"},
		{c.CompactEvery < 0, "compact_every", c.CompactEvery, "must be >= 0 (0 turns compaction off)"},
		{c.WALSegmentBytes != 0 && (c.WALSegmentBytes < 1024 || c.WALSegmentBytes > 1<<30), "wal_segment_bytes", c.WALSegmentBytes, "must be 0 (the default) or in [1024, 1073741824]"},
		{c.MaxEvents == 0, "max_events", c.MaxEvents, "must be > 0"},
		{c.Tuning != "swarm" && c.Tuning != "fixed", "tuning", c.Tuning, `must be "swarm" or "fixed"`},
		{c.Host != "" && c.Host != "swarm" && c.Host != "fixed", "host", c.Host, `must be "swarm" or "fixed"`},
		{c.ApplyDelay < 0 || c.ApplyDelay > simnet.Duration(time.Second), "apply_delay", c.ApplyDelay, "must be in [0, 1s]"},
		{c.ReadRetry != 0 && (c.ReadRetry < simnet.Duration(time.Millisecond) || c.ReadRetry > simnet.Duration(time.Minute)), "read_retry", c.ReadRetry, "must be 0 (never) or in [1ms, 1m]"},
		{c.SyncLatency < 0 || c.SyncLatency > simnet.Duration(time.Second), "sync_latency", c.SyncLatency, "must be in [0, 1s]"},
		{c.Protocol.MaxAppend < 0, "protocol.max_append_entries", c.Protocol.MaxAppend, "must be >= 0 (0: default)"},
		{c.Protocol.MaxInflight < 0, "protocol.max_inflight", c.Protocol.MaxInflight, "must be >= 0 (0: default)"},
		{c.Protocol.SnapshotChunk < 0, "protocol.snapshot_chunk", c.Protocol.SnapshotChunk, "must be >= 0 (0: default)"},
	}
	for _, k := range checks {
		if k.bad {
			return fmt.Errorf("cluster: config %s = %v: %s", k.field, k.value, k.want)
		}
	}
	if err := c.Roll.check(c.Nodes, c.Duration); err != nil {
		return fmt.Errorf("cluster: config roll = %v: %w", c.Roll, err)
	}
	if _, err := nemesis.ParseNemesis(c.Nemesis); err != nil {
		return err
	}
	return nil
}

// Tune returns the config a run actually uses: with Tuning "swarm", the protocol settings,
// timing, latencies and compaction interval drawn from r, and Tuning "fixed"; otherwise c.
func (c Config) Tune(r *rand.Rand) Config {
	if c.Tuning != "swarm" {
		return c
	}
	pick := func(xs ...int) int { return xs[r.IntN(len(xs))] }
	ms := func(xs ...float64) simnet.Duration {
		return simnet.Duration(xs[r.IntN(len(xs))] * float64(time.Millisecond))
	}
	c.Tuning = "fixed"
	c.Protocol = engine.Protocol{
		PreVote: r.IntN(4) > 0, CheckQuorum: r.IntN(4) > 0,
		MaxAppend: pick(1, 2, 4, 64, 256), MaxInflight: pick(1, 2, 8, 256), SnapshotChunk: pick(256, 4096, 65536),
	}
	if c.Protocol.MaxAppend*c.Protocol.MaxInflight < 8 {
		// One entry per round trip cannot catch a lagging node up within a heal bound.
		c.Protocol.MaxInflight = 8
	}
	c.ElectionTicks = 4 + r.IntN(9)
	c.CompactEvery = pick(16, 32, 64, 256, 1000)
	c.LatencyMin, c.LatencyTail = ms(0.2, 1, 5), ms(0.5, 2, 10)
	c.SyncLatency = ms(0, 0.5, 2, 10)
	c.ClientTimeout = ms(250, 500, 1000)
	// Small segments make the WAL roll, create, sync and remove segment files many times a
	// run, and keep restarts from replaying the whole log.
	c.WALSegmentBytes = int64(pick(4<<10, 16<<10, 64<<10, 1<<20))
	return c
}

// String renders c as one line of compact JSON, the form logged next to a seed.
func (c Config) String() string {
	b, err := json.Marshal(c)
	if err != nil {
		return fmt.Sprintf("cluster: config not encodable: %v", err)
	}
	return strings.TrimSpace(string(b))
}

// nemesisParams is what schedule generation needs of c.
func (c Config) nemesisParams() nemesis.Params {
	p := nemesis.Params{Nodes: c.Nodes, Duration: c.Duration, Interval: c.FaultInterval, Spec: c.Nemesis, Odd: c.Roll.odd(c.Nodes)}
	p.OddFrom, p.OddUntil = c.Roll.oddStretch(c.Nodes, c.Duration)
	return p
}
