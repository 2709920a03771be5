package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/engine"
	"github.com/raftcheck/raftcheck/engine/builtin"
	"github.com/raftcheck/raftcheck/nemesis"
)

// cli is one subcommand's flag set with its help text. Flags may come before or after the
// positional arguments; "--" ends the flags.
type cli struct {
	fs       *flag.FlagSet
	synopsis string       // e.g. "raftcheck run [flags]"
	about    string       // a paragraph after the synopsis
	config   *configFlags // the config flags, listed apart in the help; nil if none
	// For shell completion: the words a positional argument may be, or whether positional
	// arguments are files.
	words []string
	files bool
}

func newCLI(name, synopsis, about string) *cli {
	fs := flag.NewFlagSet("raftcheck "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return &cli{fs: fs, synopsis: synopsis, about: about}
}

// helpShown ends a command that printed its help: exit 0.
var helpShown = &exitError{code: exitOK}

// inspected ends a command that handed its cli to env.inspect instead of parsing.
var inspected = &exitError{code: exitOK}

// parse parses args, returning the positional arguments. --help prints the help to stdout.
// When e.inspect is set, parse hands it the cli and ends the command (see commandSpecs).
func (c *cli) parse(e *env, args []string) ([]string, error) {
	if e.inspect != nil {
		e.inspect(c)
		return nil, inspected
	}
	var pos []string
	for {
		err := c.fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			c.printHelp(e.stdout)
			return nil, helpShown
		}
		if err != nil {
			return nil, usageErr("%s (see %s --help)", flagError(err), c.fs.Name())
		}
		rest := c.fs.Args()
		if len(rest) == 0 {
			return e.parsed(pos)
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return e.parsed(append(pos, rest...))
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}

// parsedOnly ends a command whose arguments parsed, when env.parseOnly is set: exit 0.
var parsedOnly = &exitError{code: exitOK}

// parsed returns the positional arguments, or ends the command when e.parseOnly is set.
func (e *env) parsed(pos []string) ([]string, error) {
	if e.parseOnly {
		return nil, parsedOnly
	}
	return pos, nil
}

// configFlags adds a flag for every config field to c and lists them apart in the help.
func (c *cli) configFlags() *configFlags {
	c.config = addConfigFlags(c.fs)
	return c.config
}

func (c *cli) printHelp(w io.Writer) {
	fmt.Fprintf(w, "Usage: %s\n\n%s\n", c.synopsis, strings.TrimSpace(c.about))
	var own, config []*flag.Flag
	c.fs.VisitAll(func(f *flag.Flag) {
		if c.config != nil && slices.Contains(c.config.names, f.Name) {
			config = append(config, f)
		} else {
			own = append(own, f)
		}
	})
	printFlags(w, "Flags", own)
	printFlags(w, "Config flags (defaults: the standard scenario, cluster.DefaultConfig)", config)
}

func printFlags(w io.Writer, title string, flags []*flag.Flag) {
	if len(flags) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s:\n", title)
	for _, f := range flags {
		typ, usage := flag.UnquoteUsage(f)
		if typ == "value" {
			typ = valueType(f)
		}
		fmt.Fprintf(w, "  --%s", f.Name)
		if typ != "" {
			fmt.Fprintf(w, " %s", typ)
		}
		fmt.Fprintf(w, "\n      %s", usage)
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			fmt.Fprintf(w, " (default %s)", f.DefValue)
		}
		fmt.Fprintln(w)
	}
}

// valueType names the type of a flag the flag package calls "value".
func valueType(f *flag.Flag) string {
	switch f.Name {
	case "mutant":
		return "name[,name...]"
	case "from":
		return "N|random"
	case "seed":
		return "N"
	}
	if _, err := time.ParseDuration(f.DefValue); err == nil {
		return "duration"
	}
	return "value"
}

var (
	reUndefined = regexp.MustCompile(`^flag provided but not defined: -+(.*)$`)
	reInvalid   = regexp.MustCompile(`^invalid (?:boolean )?value "(.*)" for (?:flag )?-+([^:]+): (?:parse error|(.*))$`)
	reNeedsArg  = regexp.MustCompile(`^flag needs an argument: -+(.*)$`)
)

// flagError rewrites the flag package's messages to name flags as users type them (--name).
func flagError(err error) string {
	msg := err.Error()
	if m := reUndefined.FindStringSubmatch(msg); m != nil {
		return "unknown flag --" + m[1]
	}
	if m := reInvalid.FindStringSubmatch(msg); m != nil {
		why := m[3]
		if why == "" {
			why = "not a valid value"
		}
		return fmt.Sprintf("--%s %s: %s", m[2], m[1], why)
	}
	if m := reNeedsArg.FindStringSubmatch(msg); m != nil {
		return "--" + m[1] + " needs a value"
	}
	return msg
}

// configFlags binds a flag to every field of cluster.Config, with DefaultConfig's defaults.
type configFlags struct {
	cfg     cluster.Config
	mutants mutantList
	names   []string // the flags configFlags defined
	fs      *flag.FlagSet
}

func addConfigFlags(fs *flag.FlagSet) *configFlags {
	c := &configFlags{cfg: cluster.DefaultConfig(), fs: fs}
	d, p := cluster.DefaultConfig(), &c.cfg
	before := flagNames(fs)
	p.Engine = builtin.Default
	fs.StringVar(&p.Engine, "engine", builtin.Default, "the Raft implementation under test: "+strings.Join(builtin.Names(), " or ")+" (see raftcheck list engines)")
	fs.IntVar(&p.Nodes, "nodes", d.Nodes, "voters at the start, 3 to 9")
	fs.TextVar(&p.Duration, "duration", d.Duration, "simulated load-and-fault phase; the heal phase follows")
	fs.TextVar(&p.HealTime, "heal-bound", d.HealTime, "simulated time the cluster has after heal to elect a leader and finish pending operations")
	fs.StringVar(&p.Workload, "workload", d.Workload, "kv, append, or swarm: each seed draws one (see raftcheck list workloads)")
	fs.IntVar(&p.Clients, "clients", d.Clients, "concurrent clients, each with one outstanding operation")
	fs.Float64Var(&p.Rate, "rate", d.Rate, "client operations per simulated second, all clients together")
	fs.IntVar(&p.Keys, "keys", d.Keys, "size of the keyspace")
	fs.StringVar(&p.KeyDist, "key-dist", d.KeyDist, "uniform or zipfian")
	fs.Float64Var(&p.ReadFraction, "read-fraction", d.ReadFraction, "share of operations that are reads, 0 to 1")
	fs.IntVar(&p.WritesPerKey, "writes-per-key", d.WritesPerKey, "retire a key for a fresh one after this many writes (0: never)")
	fs.BoolVar(&p.ReadIndex, "read-index", d.ReadIndex, "reads through Raft's ReadIndex (--read-index=false: through the log)")
	fs.BoolVar(&p.Forwarding, "forwarding", d.Forwarding, "followers forward proposals (--forwarding=false: reject with a leader hint)")
	fs.StringVar(&p.Nemesis, "nemesis", d.Nemesis, "swarm, none, or a comma list of fault kinds (see raftcheck list nemeses)")
	fs.TextVar(&p.FaultInterval, "fault-interval", d.FaultInterval, "mean simulated time between starts of faults of one kind")
	fs.Var(&c.mutants, "mutant", "plant a bug of the engine by name; repeat or give a comma list, or all (see raftcheck list mutants)")
	fs.StringVar(&p.Tuning, "tuning", d.Tuning, "swarm: each seed draws the settings marked (tuned) below; fixed: the flags' values are used")
	fs.BoolVar(&p.Protocol.PreVote, "prevote", d.Protocol.PreVote, "Raft PreVote (tuned)")
	fs.BoolVar(&p.Protocol.CheckQuorum, "check-quorum", d.Protocol.CheckQuorum, "Raft CheckQuorum: a leader steps down without a live quorum (tuned)")
	fs.IntVar(&p.Protocol.MaxAppend, "max-append-entries", d.Protocol.MaxAppend, "entries in one AppendEntries, 0 for the implementation's default (tuned)")
	fs.IntVar(&p.Protocol.MaxInflight, "max-inflight", d.Protocol.MaxInflight, "unacknowledged AppendEntries to one follower, 0 for the default (tuned)")
	fs.IntVar(&p.Protocol.SnapshotChunk, "snapshot-chunk", d.Protocol.SnapshotChunk, "bytes in one InstallSnapshot chunk, 0 for the default (tuned)")
	fs.TextVar(&p.SyncLatency, "sync-latency", d.SyncLatency, "what an fsync costs on every disk (tuned)")
	fs.TextVar(&p.Tick, "tick", d.Tick, "simulated time between Raft ticks")
	fs.IntVar(&p.ElectionTicks, "election-ticks", d.ElectionTicks, "Raft election timeout in ticks (tuned)")
	fs.IntVar(&p.HeartbeatTicks, "heartbeat-ticks", d.HeartbeatTicks, "Raft heartbeat interval in ticks")
	fs.TextVar(&p.ClientTimeout, "client-timeout", d.ClientTimeout, "a client retries after this long without an answer")
	fs.TextVar(&p.LatencyMin, "latency-min", d.LatencyMin, "network latency floor (tuned)")
	fs.TextVar(&p.LatencyTail, "latency-tail", d.LatencyTail, "mean of the exponential latency tail on top of the floor (tuned)")
	fs.IntVar(&p.CompactEvery, "compact-every", d.CompactEvery, "a node snapshots after this many applied entries, 0 for never (tuned)")
	fs.Int64Var(&p.WALSegmentBytes, "wal-segment-bytes", d.WALSegmentBytes, "size at which a node's WAL starts a new segment file, 0 for the engine's default (tuned)")
	fs.StringVar(&p.Host, "host", d.Host, "swarm: each seed draws the host behaviours marked (host) below, where the engine permits them; fixed: the flags' values are used (all 0: the strictest host)")
	fs.TextVar(&p.ApplyDelay, "apply-delay", d.ApplyDelay, "a slow state machine: time to apply one entry, after Advance, behind commit; 0 applies each batch before Advance (host)")
	fs.TextVar(&p.ReadRetry, "read-retry", d.ReadRetry, "ask the engine again, with the read's original context, for the index of a read waiting this long; 0 never (host)")
	fs.BoolVar(&p.AsyncWrites, "async-writes", d.AsyncWrites, "asynchronous storage writes: messages to peers may leave before the node's own append is durable, acknowledgements wait for it (host)")
	fs.TextVar(&p.Roll, "roll", d.Roll, "a rolling change: SETTINGS=on|off,at=D,every=D,nodes=N turns prevote, check_quorum or prevote+check_quorum on or off on nodes 0..N-1, one restart every D from at; \"\" none (host)")
	fs.Uint64Var(&p.MaxEvents, "max-events", d.MaxEvents, "hard bound on simulator events per run")
	for _, n := range flagNames(fs) {
		if !slices.Contains(before, n) {
			c.names = append(c.names, n)
		}
	}
	return c
}

func flagNames(fs *flag.FlagSet) []string {
	var out []string
	fs.VisitAll(func(f *flag.Flag) { out = append(out, f.Name) })
	return out
}

// setNames lists the config flags given on the command line.
func (c *configFlags) setNames() []string {
	var out []string
	c.fs.Visit(func(f *flag.Flag) {
		if slices.Contains(c.names, f.Name) {
			out = append(out, "--"+f.Name)
		}
	})
	return out
}

// tunedFlags are the flags of the settings that --tuning swarm draws per seed. Setting one
// of them without --tuning means --tuning fixed: the value given is the value used.
var tunedFlags = []string{"prevote", "check-quorum", "max-append-entries", "max-inflight", "snapshot-chunk",
	"sync-latency", "election-ticks", "latency-min", "latency-tail", "compact-every", "wal-segment-bytes"}

// hostFlags are the flags of the host behaviours that --host swarm draws per seed. Setting
// one of them without --host means --host fixed: the others are then 0, the strictest host.
var hostFlags = []string{"apply-delay", "read-retry", "async-writes", "roll"}

// config returns the validated config, naming the flag of the first bad value.
func (c *configFlags) config() (cluster.Config, error) {
	cfg := c.cfg
	d, err := builtin.Lookup(cfg.Engine)
	if err != nil {
		return cluster.Config{}, usageErr("--engine %s", err)
	}
	if cfg.Mutants, err = c.mutants.resolve(d); err != nil {
		return cluster.Config{}, err
	}
	set := map[string]bool{}
	c.fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if !set["tuning"] && slices.ContainsFunc(tunedFlags, func(n string) bool { return set[n] }) {
		cfg.Tuning = "fixed"
	}
	if !set["host"] && slices.ContainsFunc(hostFlags, func(n string) bool { return set[n] }) {
		cfg.Host = "fixed"
	}
	if err := checkNemesis(cfg.Nemesis); err != nil {
		return cluster.Config{}, err
	}
	if err := cfg.Validate(); err != nil {
		return cluster.Config{}, usageErr("%s", configError(err))
	}
	return cfg, nil
}

var reConfigErr = regexp.MustCompile(`^cluster: config ([\w.]+) = (.*?): (.*)$`)

// configError maps cluster.Config.Validate's JSON field names to flag names.
func configError(err error) string {
	m := reConfigErr.FindStringSubmatch(err.Error())
	if m == nil {
		return err.Error()
	}
	name := strings.TrimPrefix(m[1], "protocol.")
	return fmt.Sprintf("--%s %s: %s", strings.ReplaceAll(name, "_", "-"), m[2], m[3])
}

func checkNemesis(spec string) error {
	if _, err := nemesis.ParseNemesis(spec); err == nil {
		return nil
	}
	known := []string{"swarm", "none"}
	for _, k := range nemesis.Kinds {
		known = append(known, string(k.Kind))
	}
	for _, name := range strings.Split(spec, ",") {
		if name = strings.TrimSpace(name); !slices.Contains(known[2:], name) {
			return usageErr("--nemesis %s: unknown fault kind %q (known: %s)", spec, name, strings.Join(known, ", "))
		}
	}
	return usageErr("--nemesis %s: not a nemesis spec", spec)
}

// mutantList is the repeatable --mutant flag; each value may be a comma list.
type mutantList []string

func (m *mutantList) String() string { return strings.Join(*m, ",") }

// Set collects names; they are checked against the engine's catalogue once every flag is
// read (--engine may come after --mutant).
func (m *mutantList) Set(s string) error {
	for _, name := range strings.Split(s, ",") {
		if name = strings.TrimSpace(name); name != "" && !slices.Contains(*m, name) {
			*m = append(*m, name)
		}
	}
	return nil
}

// resolve expands "all" (every bug of engine d; hunt plants them one at a time) and checks
// every name against d's catalogue.
func (m mutantList) resolve(d *engine.Descriptor) ([]string, error) {
	var known, out []string
	for _, mu := range cluster.Mutants(d) {
		known = append(known, mu.Name)
	}
	for _, name := range m {
		names := []string{name}
		if name == "all" {
			names = known
		} else if !slices.Contains(known, name) {
			return nil, usageErr("--mutant %s: unknown mutant of engine %s (known: %s)", name, d.Name, strings.Join(known, ", "))
		}
		for _, n := range names {
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out, nil
}

// seedFlag is a uint64 flag that knows whether it was given and may accept "random".
type seedFlag struct {
	v           uint64
	set         bool
	allowRandom bool
	random      bool // the value was "random"
}

func (s *seedFlag) String() string {
	if s == nil || !s.set {
		return ""
	}
	return strconv.FormatUint(s.v, 10)
}

func (s *seedFlag) Set(v string) error {
	if s.allowRandom && v == "random" {
		s.v, s.set, s.random = randomSeed(), true, true
		return nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return errors.New("want an unsigned integer")
	}
	s.v, s.set = n, true
	return nil
}

// randomSeed draws a fresh seed below 2^53, so that it survives JSON readers that use doubles.
func randomSeed() uint64 { return rand.Uint64() >> 11 }

// outputFlags are --out and --json, and for run and replay --history.
type outputFlags struct {
	out     string
	json    bool
	history string  // "" for none
	ci      ciFlags // --junit and --summary-md, for sweep and merge
}

// addHistoryFlag adds --history, the file a run's client history goes to.
func addHistoryFlag(fs *flag.FlagSet, o *outputFlags) {
	fs.StringVar(&o.history, "history", "", "write the run's client history to `FILE`: JSON lines (.jsonl, .json) or Jepsen EDN (.edn)")
}

func addOutputFlags(fs *flag.FlagSet, o *outputFlags, jsonHelp string) {
	fs.StringVar(&o.out, "out", "raftcheck-out", "directory for repro files and HTML reports")
	if jsonHelp != "" {
		fs.BoolVar(&o.json, "json", false, jsonHelp)
	}
}
