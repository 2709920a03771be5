package reports

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/raftcheck/raftcheck/cluster"
)

// RunJSON is the stable, documented JSON form of one run: what `raftcheck run --json` prints,
// and one line per seed of `raftcheck sweep --json`. Field names and meanings do not change;
// new fields may be added.
type RunJSON struct {
	Seed         uint64           `json:"seed"`
	Config       cluster.Config   `json:"config"`
	TraceHash    string           `json:"trace_hash"`   // 16 lowercase hex digits
	Violations   []ViolationJSON  `json:"violations"`   // [] when none, never null
	Linearizable string           `json:"linearizable"` // "ok" | "illegal" | "unknown"
	Stats        StatsJSON        `json:"stats"`
	Schedule     cluster.Schedule `json:"schedule"` // fault text lines, [] when none
	Replay       string           `json:"replay"`   // the command that replays the run
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
		sched = cluster.Schedule{}
	}
	s := res.Stats
	return RunJSON{
		Seed:         res.Seed,
		Config:       res.Config,
		TraceHash:    traceHash(res),
		Violations:   vs,
		Linearizable: res.Linearizable.String(),
		Stats: StatsJSON{
			Events: s.Events, SimSeconds: s.SimSeconds, WallSeconds: s.WallSeconds,
			OpsOK: s.OpsOK, OpsFailed: s.OpsFailed, OpsIndeterminate: s.OpsIndeterminate,
			Messages: s.Messages, Faults: s.FaultsApplied, FaultsSkipped: s.FaultsSkipped,
			Elections: s.Elections,
		},
		Schedule: sched,
		Replay:   ReplayCommand(res, ""),
	}
}

// replayPrefix is how a user runs the CLI from the module root.
const replayPrefix = "go run ./cmd/raftcheck replay"

// ReplayCommand is the command a user types to replay res exactly. With a repro file it is
// `go run ./cmd/raftcheck replay FILE`; otherwise it is `go run ./cmd/raftcheck replay --seed N`
// followed by every flag of `raftcheck run` whose value differs from cluster.DefaultConfig(),
// in the order --nodes --duration --workload --nemesis --mutant (once per mutant) --clients
// --rate --fault-interval. Config fields that have no flag cannot be expressed on the command
// line: a run that changes them (see ReplayNeedsFile) replays exactly only from a repro file.
func ReplayCommand(res *cluster.Result, reproFile string) string {
	if reproFile != "" {
		return replayPrefix + " " + shellQuote(reproFile)
	}
	args := []string{replayPrefix, "--seed", strconv.FormatUint(res.Seed, 10)}
	for _, f := range replayFlags(requested(res)) {
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

// NeedsReproFile reports whether res replays only from a repro file: its requested config
// changes a field `raftcheck replay` has no flag for, or its schedule was given explicitly.
func NeedsReproFile(res *cluster.Result) bool {
	return res.ExplicitSchedule || ReplayNeedsFile(requested(res))
}

// ReplayNeedsFile reports whether cfg differs from cluster.DefaultConfig() in a field that
// `raftcheck replay` has no flag for, so that ReplayCommand without a repro file would not
// reproduce the run. The CLI should then write a repro file and print its command.
func ReplayNeedsFile(cfg cluster.Config) bool {
	covered := cluster.DefaultConfig()
	covered.Nodes, covered.Duration, covered.Workload = cfg.Nodes, cfg.Duration, cfg.Workload
	covered.Nemesis, covered.Mutants, covered.Clients = cfg.Nemesis, cfg.Mutants, cfg.Clients
	covered.Rate, covered.FaultInterval = cfg.Rate, cfg.FaultInterval
	return covered.String() != cfg.String()
}

type flagValue struct{ name, value string }

// replayFlags lists the flags of `raftcheck run` whose values differ from the default config.
func replayFlags(cfg cluster.Config) []flagValue {
	def := cluster.DefaultConfig()
	var out []flagValue
	add := func(differs bool, name, value string) {
		if differs {
			out = append(out, flagValue{name, value})
		}
	}
	add(cfg.Nodes != def.Nodes, "--nodes", strconv.Itoa(cfg.Nodes))
	add(cfg.Duration != def.Duration, "--duration", cfg.Duration.String())
	add(cfg.Workload != def.Workload, "--workload", cfg.Workload)
	add(cfg.Nemesis != def.Nemesis, "--nemesis", cfg.Nemesis)
	if !slices.Equal(cfg.Mutants, def.Mutants) {
		for _, m := range cfg.Mutants {
			out = append(out, flagValue{"--mutant", m})
		}
	}
	add(cfg.Clients != def.Clients, "--clients", strconv.Itoa(cfg.Clients))
	add(cfg.Rate != def.Rate, "--rate", strconv.FormatFloat(cfg.Rate, 'g', -1, 64))
	add(cfg.FaultInterval != def.FaultInterval, "--fault-interval", cfg.FaultInterval.String())
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
