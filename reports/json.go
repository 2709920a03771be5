package reports

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/engine/builtin"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/simnet"
)

// RunJSON is the stable, documented JSON form of one run: what `raftcheck run --json` prints,
// and one line per seed of `raftcheck sweep --json`. Field names and meanings do not change;
// new fields may be added.
type RunJSON struct {
	Seed   uint64         `json:"seed"`
	Config cluster.Config `json:"config"`
	// EngineVersion is the version of the engine Config.Engine names.
	EngineVersion string `json:"engine_version"`
	TraceHash     string `json:"trace_hash"` // 16 lowercase hex digits
	// TraceHashVersion is the simnet.TraceHashVersion of TraceHash (0 in files from before
	// the field: version 1).
	TraceHashVersion int              `json:"trace_hash_version,omitempty"`
	Violations       []ViolationJSON  `json:"violations"`   // [] when none, never null
	Linearizable     string           `json:"linearizable"` // "ok" | "illegal" | "unknown"
	Stats            StatsJSON        `json:"stats"`
	Schedule         nemesis.Schedule `json:"schedule"` // fault text lines, [] when none
	Replay           string           `json:"replay"`   // the command that replays the run
}

// ViolationJSON is one violation of RunJSON.
type ViolationJSON struct {
	Kind   string  `json:"kind"`
	Time   float64 `json:"time"`  // simulated seconds since the run started
	Nodes  []int   `json:"nodes"` // [] when the violation concerns no node, never null
	Detail string  `json:"detail"`
}

// StatsJSON is the counters of RunJSON.
type StatsJSON struct {
	Events           uint64  `json:"events"`
	SimSeconds       float64 `json:"sim_seconds"`
	WallSeconds      float64 `json:"wall_seconds"` // 0 when the run did not read the wall clock
	OpsOK            int     `json:"ops_ok"`
	OpsFailed        int     `json:"ops_failed"`
	OpsIndeterminate int     `json:"ops_indeterminate"`
	Messages         uint64  `json:"messages"`
	Faults           int     `json:"faults"` // faults applied
	FaultsSkipped    int     `json:"faults_skipped"`
	Elections        int     `json:"elections"`
	JointChanges     int     `json:"joint_changes,omitempty"` // joint configurations entered
	// LatencyMS is the latency of the operations that completed ok, in simulated ms (zeros
	// when none did), as Jepsen's latency-quantiles plot reads it.
	LatencyMS LatencyJSON `json:"latency_ms"`
}

// LatencyJSON is a run's latency quantiles.
type LatencyJSON struct {
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
	P99 float64 `json:"p99"`
}

// NewRunJSON converts a finished run to its JSON form.
func NewRunJSON(res *cluster.Result) RunJSON {
	vs := make([]ViolationJSON, len(res.Violations))
	for i, v := range res.Violations {
		nodes := slices.Clone(v.Nodes)
		if nodes == nil {
			nodes = []int{}
		}
		vs[i] = ViolationJSON{Kind: v.Kind, Time: seconds(v.Time), Nodes: nodes, Detail: v.Detail}
	}
	sched := slices.Clone(res.Schedule)
	if sched == nil {
		sched = nemesis.Schedule{}
	}
	s := res.Stats
	var lat LatencyJSON
	lat.P50, lat.P95, lat.P99 = LatencyQuantiles(res)
	return RunJSON{
		Seed:             res.Seed,
		Config:           res.Config,
		EngineVersion:    res.EngineVersion,
		TraceHash:        traceHash(res),
		TraceHashVersion: simnet.TraceHashVersion,
		Violations:       vs,
		Linearizable:     res.Linearizable.String(),
		Stats: StatsJSON{
			Events: s.Events, SimSeconds: s.SimSeconds, WallSeconds: s.WallSeconds,
			OpsOK: s.OpsOK, OpsFailed: s.OpsFailed, OpsIndeterminate: s.OpsIndeterminate,
			Messages: s.Messages, Faults: s.FaultsApplied, FaultsSkipped: s.FaultsSkipped,
			Elections: s.Elections, JointChanges: s.JointChanges, LatencyMS: lat,
		},
		Schedule: sched,
		Replay:   ReplayCommand(res, ""),
	}
}

// DefaultReplayPrefix is how replay commands run raftcheck unless SetReplayPrefix says
// otherwise: with the go tool, from the module root.
const DefaultReplayPrefix = "go run ./cmd/raftcheck"

// replayPrefix is the shell text of the command that runs raftcheck; nil means the default.
var replayPrefix atomic.Pointer[string]

// SetReplayPrefix sets how the replay commands this package prints (ReplayCommand, and with
// it RunJSON's replay field, WriteText and WriteHTML) run raftcheck: the words a user types
// before the subcommand, e.g. "raftcheck", "/opt/bin/raftcheck" or "go", "run",
// "./cmd/raftcheck". Each word is quoted for a POSIX shell where it needs it. No words
// restore DefaultReplayPrefix. The CLI calls it once, before anything else, from how it was
// started; this package never looks at os.Args or the executable itself, so that its output
// depends only on what it is given.
func SetReplayPrefix(words ...string) {
	if len(words) == 0 {
		replayPrefix.Store(nil)
		return
	}
	quoted := make([]string, len(words))
	for i, w := range words {
		quoted[i] = shellQuote(w)
	}
	s := strings.Join(quoted, " ")
	replayPrefix.Store(&s)
}

// ReplayPrefix returns the shell text replay commands start with (see SetReplayPrefix).
func ReplayPrefix() string {
	if p := replayPrefix.Load(); p != nil {
		return *p
	}
	return DefaultReplayPrefix
}

// ReplayCommand is the command a user types to replay res exactly: ReplayPrefix (by default
// `go run ./cmd/raftcheck`), then, with a repro file, `replay FILE`; otherwise
// `replay --seed N` followed by every flag of `raftcheck run` whose value differs from
// cluster.DefaultConfig() (configFlags, then --mutant once per mutant). An explicit schedule
// cannot be expressed on the command line: such a run (Result.ExplicitSchedule) replays
// exactly only from a repro file.
func ReplayCommand(res *cluster.Result, reproFile string) string {
	prefix := ReplayPrefix() + " replay"
	if reproFile != "" {
		return prefix + " " + shellQuote(reproFile)
	}
	args := []string{prefix, "--seed", strconv.FormatUint(res.Seed, 10)}
	for _, f := range replayFlags(requested(res)) {
		if f.value == "true" || f.value == "false" { // a boolean flag takes its value after "="
			args = append(args, f.name+"="+f.value)
			continue
		}
		args = append(args, f.name, shellQuote(f.value))
	}
	return strings.Join(args, " ")
}

// requested is the configuration a run was asked for (what flags reproduce): a swarm-tuned
// run replays from its seed and the requested config.
func requested(res *cluster.Result) cluster.Config {
	if res.Requested.Nodes == 0 { // a Result written before Requested existed
		return res.Config
	}
	return res.Requested
}

type flagValue struct{ name, value string }

// configFlag is one flag of `raftcheck run`: its name and its value in a config.
type configFlag struct {
	name  string
	value func(c *cluster.Config) string
}

func intFlag(name string, f func(c *cluster.Config) *int) configFlag {
	return configFlag{name, func(c *cluster.Config) string { return strconv.Itoa(*f(c)) }}
}

func durFlag(name string, f func(c *cluster.Config) *simnet.Duration) configFlag {
	return configFlag{name, func(c *cluster.Config) string { return f(c).String() }}
}

func strFlag(name string, f func(c *cluster.Config) *string) configFlag {
	return configFlag{name, func(c *cluster.Config) string { return *f(c) }}
}

func boolFlag(name string, f func(c *cluster.Config) *bool) configFlag {
	return configFlag{name, func(c *cluster.Config) string { return strconv.FormatBool(*f(c)) }}
}

func floatFlag(name string, f func(c *cluster.Config) *float64) configFlag {
	return configFlag{name, func(c *cluster.Config) string { return strconv.FormatFloat(*f(c), 'g', -1, 64) }}
}

// configFlags lists every config flag of `raftcheck run` but --mutant, in the order
// ReplayCommand writes them.
var configFlags = []configFlag{
	strFlag("--engine", func(c *cluster.Config) *string { return &c.Engine }),
	intFlag("--nodes", func(c *cluster.Config) *int { return &c.Nodes }),
	durFlag("--duration", func(c *cluster.Config) *simnet.Duration { return &c.Duration }),
	strFlag("--workload", func(c *cluster.Config) *string { return &c.Workload }),
	strFlag("--nemesis", func(c *cluster.Config) *string { return &c.Nemesis }),
	intFlag("--clients", func(c *cluster.Config) *int { return &c.Clients }),
	floatFlag("--rate", func(c *cluster.Config) *float64 { return &c.Rate }),
	durFlag("--fault-interval", func(c *cluster.Config) *simnet.Duration { return &c.FaultInterval }),
	durFlag("--heal-bound", func(c *cluster.Config) *simnet.Duration { return &c.HealTime }),
	intFlag("--keys", func(c *cluster.Config) *int { return &c.Keys }),
	strFlag("--key-dist", func(c *cluster.Config) *string { return &c.KeyDist }),
	floatFlag("--read-fraction", func(c *cluster.Config) *float64 { return &c.ReadFraction }),
	intFlag("--writes-per-key", func(c *cluster.Config) *int { return &c.WritesPerKey }),
	boolFlag("--read-index", func(c *cluster.Config) *bool { return &c.ReadIndex }),
	boolFlag("--forwarding", func(c *cluster.Config) *bool { return &c.Forwarding }),
	strFlag("--tuning", func(c *cluster.Config) *string { return &c.Tuning }),
	boolFlag("--prevote", func(c *cluster.Config) *bool { return &c.Protocol.PreVote }),
	boolFlag("--check-quorum", func(c *cluster.Config) *bool { return &c.Protocol.CheckQuorum }),
	intFlag("--max-append-entries", func(c *cluster.Config) *int { return &c.Protocol.MaxAppend }),
	intFlag("--max-inflight", func(c *cluster.Config) *int { return &c.Protocol.MaxInflight }),
	intFlag("--snapshot-chunk", func(c *cluster.Config) *int { return &c.Protocol.SnapshotChunk }),
	durFlag("--tick", func(c *cluster.Config) *simnet.Duration { return &c.Tick }),
	intFlag("--election-ticks", func(c *cluster.Config) *int { return &c.ElectionTicks }),
	intFlag("--heartbeat-ticks", func(c *cluster.Config) *int { return &c.HeartbeatTicks }),
	durFlag("--client-timeout", func(c *cluster.Config) *simnet.Duration { return &c.ClientTimeout }),
	durFlag("--latency-min", func(c *cluster.Config) *simnet.Duration { return &c.LatencyMin }),
	durFlag("--latency-tail", func(c *cluster.Config) *simnet.Duration { return &c.LatencyTail }),
	durFlag("--sync-latency", func(c *cluster.Config) *simnet.Duration { return &c.SyncLatency }),
	intFlag("--compact-every", func(c *cluster.Config) *int { return &c.CompactEvery }),
	{"--wal-segment-bytes", func(c *cluster.Config) string { return strconv.FormatInt(c.WALSegmentBytes, 10) }},
	{"--host", hostMode},
	durFlag("--apply-delay", func(c *cluster.Config) *simnet.Duration { return &c.ApplyDelay }),
	durFlag("--read-retry", func(c *cluster.Config) *simnet.Duration { return &c.ReadRetry }),
	boolFlag("--async-writes", func(c *cluster.Config) *bool { return &c.AsyncWrites }),
	{"--roll", func(c *cluster.Config) string { return c.Roll.String() }},
	{"--max-events", func(c *cluster.Config) string { return strconv.FormatUint(c.MaxEvents, 10) }},
}

// hostMode is a config's Host as a flag value: "" (a file written before host behaviours
// were drawn) ran the host as given, which is "fixed".
func hostMode(c *cluster.Config) string {
	if c.Host == "" {
		return "fixed"
	}
	return c.Host
}

// replayFlags lists the flags of `raftcheck run` whose values differ from the default config.
func replayFlags(cfg cluster.Config) []flagValue {
	def := cluster.DefaultConfig()
	if cfg.Engine == "" {
		cfg.Engine = builtin.Default
	}
	def.Engine = builtin.Default // the CLI's default: the flag is needed for any other engine
	var out []flagValue
	for _, f := range configFlags {
		if v := f.value(&cfg); v != f.value(&def) {
			out = append(out, flagValue{f.name, v})
		}
	}
	if !slices.Equal(cfg.Mutants, def.Mutants) {
		for _, m := range cfg.Mutants {
			out = append(out, flagValue{"--mutant", m})
		}
	}
	return out
}

// shellQuote returns s unchanged when a POSIX shell reads it as one word as it is, and
// single-quoted otherwise.
func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./,:=+@%", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func traceHash(res *cluster.Result) string { return fmt.Sprintf("%016x", res.TraceHash) }

func seconds(ns int64) float64 { return float64(ns) / 1e9 }
