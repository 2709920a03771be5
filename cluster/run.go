package cluster

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/engine"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/simnet"
	"github.com/raftcheck/raftcheck/workloads"
)

// Options adjusts how a run is carried out without changing what it is.
type Options struct {
	// Schedule replaces the schedule generated from the seed (a shrunk or hand-written one).
	Schedule *nemesis.Schedule
	// Ops, when not nil, are the operations each client issues (one list per client of the
	// config, see ClientOps) instead of those the workload generator draws from the seed.
	Ops ClientOps
	// RecordTrace keeps the human-readable trace in Result.Trace.
	RecordTrace bool
	// Engine is the Raft implementation under test (engine/builtin names the built-in ones).
	// Config.Engine, when set, must name it.
	Engine *engine.Descriptor
	// LinTimeout bounds the linearizability search; 0 means 30 s.
	LinTimeout time.Duration
	// Wall, if set, reads the wall clock for Stats.WallSeconds. It never affects the run.
	Wall func() time.Time
	// Progress, if set, is told every simnet.ObserveEvery events how far the run has got:
	// the simulated time, the time by which it ends at the latest (the load phase plus the
	// heal bound) and the events so far. It never affects the run.
	Progress func(now, end simnet.Duration, events uint64)
	// Observer, if set, watches the run as it happens (see Observer). It never affects the run.
	Observer Observer

	poison bool // tests: the network scribbles over every delivered buffer after delivery
}

// run is the state of one simulated test.
type run struct {
	seed     uint64
	cfg      Config
	mut      mutants
	opts     Options
	k        *simnet.Kernel
	net      *simnet.Network
	eng      *engine.Descriptor
	spec     *nodeSpec // what every node is built from, once the founders are known
	founders []int
	nodes    []*node
	clients  []*client
	gen      *workloads.Generator
	gencfg   workloads.GeneratorConfig
	history  []workloads.HistoryOp
	inv      *checker.Invariants
	extra    []checker.Violation // violations the cluster itself detects
	schedule nemesis.Schedule
	faultIDs []string // each fault's identity, naming its random streams (faultStream)
	faults   faultState
	members  membership
	retire   retirement
	healed   bool // the heal phase has begun
	aborted  bool // an engine panicked: the run stopped early
	res      Result
}

// Run executes one simulated test. It is a pure function of (seed, cfg, opts.Schedule): the
// same inputs give the same Result and trace hash on any machine. An error means the run could
// not be set up (bad config); everything that goes wrong inside a run is a violation.
func Run(seed uint64, cfg Config, opts Options) (*Result, error) {
	r, err := newRun(seed, cfg, opts)
	if err != nil {
		return nil, err
	}
	var wallStart time.Time
	if opts.Wall != nil {
		wallStart = opts.Wall()
	}
	r.execute()
	r.finish()
	if opts.Wall != nil {
		r.res.Stats.WallSeconds = opts.Wall().Sub(wallStart).Seconds()
	}
	return &r.res, nil
}

func newRun(seed uint64, cfg Config, opts Options) (*run, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	d := opts.Engine
	switch {
	case d == nil || d.New == nil:
		return nil, errors.New("cluster: no engine to run (Options.Engine)")
	case cfg.Engine != "" && cfg.Engine != d.Name:
		return nil, fmt.Errorf("cluster: config names engine %q but the run was given %q", cfg.Engine, d.Name)
	}
	cfg.Engine = d.Name
	mut, err := parseMutants(cfg.Mutants, d)
	if err != nil {
		return nil, err
	}
	r := &run{seed: seed, mut: mut, opts: opts, k: simnet.NewKernel(seed), eng: d}
	r.cfg = cfg.Tune(r.k.Stream("tuning"))
	if r.cfg.Host == "swarm" { // drawn from a stream of its own: no other draw moves
		r.cfg.Roll = drawRoll(r.k.Stream("tuning/roll"), r.cfg, d.Semantics)
	}
	r.cfg = r.cfg.drawHost(r.k.Stream("tuning/host"), d.Semantics)
	if err := r.cfg.checkHost(d); err != nil {
		return nil, err
	}
	if r.cfg.Workload == "swarm" { // drawn from a stream of its own: no other draw moves
		r.cfg.Workload = []string{workloads.WorkloadKV, workloads.WorkloadAppend}[r.k.Stream("tuning/workload").IntN(2)]
	}
	if r.opts.LinTimeout == 0 {
		r.opts.LinTimeout = 30 * time.Second
	}
	r.k.Trace().Record(opts.RecordTrace)
	nameTraceKinds(r.k.Trace())
	if err := r.setupSchedule(); err != nil {
		return nil, err
	}
	r.faultIDs = faultIdentities(r.schedule)
	if err := r.setupOps(); err != nil {
		return nil, err
	}
	r.res = Result{Seed: seed, Config: r.cfg, Requested: cfg, Schedule: r.schedule, ExplicitSchedule: opts.Schedule != nil,
		ExplicitOps: opts.Ops != nil, EngineVersion: d.Version, Notes: append(semanticsNotes(d), hostNotes(r.cfg, d)...)}
	if err := r.setupWorld(); err != nil {
		return nil, err
	}
	return r, nil
}

// setupOps checks the explicit client operations against the config: one list per client,
// every operation valid and of the run's workload.
func (r *run) setupOps() error {
	if r.opts.Ops == nil {
		return nil
	}
	if len(r.opts.Ops) != r.cfg.Clients {
		return fmt.Errorf("cluster: Options.Ops has operations for %d clients; the config has %d", len(r.opts.Ops), r.cfg.Clients)
	}
	for i, ops := range r.opts.Ops {
		for j, op := range ops {
			if err := op.Validate(); err != nil {
				return fmt.Errorf("cluster: operation %d of client %d: %w", j+1, i, err)
			}
			if (op.Kind == workloads.Append) != (r.cfg.Workload == workloads.WorkloadAppend) && op.Kind != workloads.Get {
				return fmt.Errorf("cluster: operation %d of client %d (%s) is not one of the %s workload", j+1, i, OpLine(op), r.cfg.Workload)
			}
		}
	}
	return nil
}

func (r *run) setupSchedule() error {
	if r.opts.Schedule != nil {
		r.schedule = append(nemesis.Schedule(nil), *r.opts.Schedule...)
		for _, f := range r.schedule {
			if err := f.Validate(); err != nil {
				return err
			}
		}
		r.schedule.Sort()
		return nil
	}
	s, err := nemesis.Generate(r.cfg.nemesisParams(), r.k.Stream)
	r.schedule = s
	return err
}

// setupWorld builds the network, the nodes, the clients and the checkers.
func (r *run) setupWorld() error {
	var err error
	r.net, err = simnet.NewNetwork(r.k, r.baseLink())
	if err != nil {
		return err
	}
	r.net.SetPoison(r.opts.poison)
	if r.inv, err = checker.NewInvariants(nemesis.MaxNodeIDs, checker.Options{ConfOnApply: r.eng.Semantics.ConfOnApply}); err != nil {
		return err
	}
	r.gencfg = workloads.DefaultGeneratorConfig(r.cfg.Workload)
	r.gencfg.Keys, r.gencfg.KeyDist, r.gencfg.ReadFraction = r.cfg.Keys, r.cfg.KeyDist, r.cfg.ReadFraction
	r.gencfg.Clients, r.gencfg.RatePerSec = r.cfg.Clients, r.cfg.Rate
	r.gencfg.MaxWritesPerKey = r.cfg.WritesPerKey
	r.gencfg.CASFraction = min(r.gencfg.CASFraction, 1-r.cfg.ReadFraction) // reads take precedence
	if r.cfg.KeyDist == workloads.KeyDistUniform {
		r.gencfg.ZipfS = 0
	} else if r.gencfg.ZipfS == 0 {
		r.gencfg.ZipfS = 1.1
	}
	if r.gen, err = workloads.NewGenerator(r.gencfg, r.k.Stream("workload")); err != nil {
		return fmt.Errorf("cluster: workload: %w", err)
	}
	for i := range r.cfg.Nodes {
		r.founders = append(r.founders, i)
	}
	r.members.init(r.founders)
	for range r.cfg.Nodes {
		if _, err := r.addNode(false); err != nil {
			return err
		}
	}
	for i := range r.cfg.Clients {
		c := newClient(r, i)
		if err := r.net.Attach(c.id, c); err != nil {
			return err
		}
		r.clients = append(r.clients, c)
	}
	return nil
}

func (r *run) baseLink() simnet.LinkConfig {
	lo, tail := simnet.Time(r.cfg.LatencyMin), simnet.Time(r.cfg.LatencyTail)
	return simnet.LinkConfig{Latency: simnet.ExponentialLatency(lo, tail, lo+20*tail+simnet.Millisecond)}
}

// addNode creates the next node slot with its disk and process and starts it.
func (r *run) addNode(joining bool) (*node, error) {
	id := len(r.nodes)
	if id >= nemesis.MaxNodeIDs {
		return nil, fmt.Errorf("cluster: no node ids left (max %d)", nemesis.MaxNodeIDs)
	}
	disk, err := simnet.NewDisk(r.k, simnet.NodeID(id), simnet.DiskConfig{SyncLatency: r.baseSync()})
	if err != nil {
		return nil, err
	}
	if r.spec == nil {
		r.spec = &nodeSpec{cfg: r.cfg, eng: r.eng, founders: r.founders, mutants: r.mut.engine, noDedup: r.mut.noDedup,
			restoreNoSessions: r.mut.restoreNoSessions, readAtHanded: r.mut.readAtHanded, readCtxSession: r.mut.readCtxSession}
	}
	n := &node{w: r, spec: r.spec, k: r.k, net: r.net, inv: r.inv, id: id, disk: disk, joining: joining}
	pc := simnet.ProcessConfig{TickInterval: simnet.Time(r.cfg.Tick), ClockRate: 1, Disk: disk}
	if n.proc, err = simnet.NewProcess(r.k, r.net, simnet.NodeID(id), pc, n.boot); err != nil {
		return nil, err
	}
	r.nodes = append(r.nodes, n)
	if joining {
		r.members.views.joined(id)
	}
	if err := n.proc.Start(); err != nil {
		return nil, err
	}
	r.mark(Mark{Kind: MarkStart, Node: id})
	return n, nil
}

// baseSync is what an fsync costs when no slow-disk fault is in effect.
func (r *run) baseSync() simnet.Latency { return simnet.FixedLatency(simnet.Time(r.cfg.SyncLatency)) }

func (r *run) now() int64 { return int64(r.k.Now()) }

// execute runs the load-and-fault phase, then the heal phase, within the event bound.
func (r *run) execute() {
	for _, c := range r.clients {
		c.start()
	}
	r.scheduleFaults()
	r.scheduleRoll()
	r.startSupervisor()
	end := simnet.Time(r.cfg.Duration)
	r.k.Schedule(end, (*healEvent)(r), 0)
	limit := end + simnet.Time(r.cfg.HealTime)
	lim := simnet.Limits{MaxEvents: r.cfg.MaxEvents, MaxTime: limit + simnet.Second}
	if p := r.opts.Progress; p != nil {
		lim.Observe = func(now simnet.Time, events uint64) { p(simnet.Duration(now), simnet.Duration(limit), events) }
	}
	err := r.k.Run(lim)
	var bound *simnet.BoundError
	if errors.As(err, &bound) && bound.Bound != "MaxTime" {
		r.violate(checker.Violation{Kind: KindBound, Time: r.now(), Detail: fmt.Sprintf(
			"the run hit its %s bound (%d) at %s after %d events; raise max_events or look for a livelock",
			bound.Bound, bound.Limit, bound.Now, bound.Events)})
	} else if err != nil && bound == nil {
		panic(fmt.Sprintf("cluster: simulator failed: %v", err))
	}
}

// violate records a violation the cluster found itself.
func (r *run) violate(v checker.Violation) {
	if len(r.extra) < maxExtraViolations {
		r.extra = append(r.extra, v)
	}
	r.mark(Mark{Kind: MarkViolation, Node: firstNode(v.Nodes), Detail: v.Kind + ": " + v.Detail})
	r.k.Trace().Note(traceViolation, uint64(len(r.extra)), 0, 0, v.Kind)
}

const maxExtraViolations = 100

func firstNode(nodes []int) int {
	if len(nodes) == 0 {
		return -1
	}
	return nodes[0]
}

func (r *run) mark(m Mark) {
	m.Time = r.now()
	r.res.Timeline = append(r.res.Timeline, m)
	if r.opts.Observer != nil {
		r.opts.Observer.Marked(m)
	}
}

// contact picks the node a client tries: its guess if that is a member, else a random one.
func (r *run) contact(guess int, rnd *rand.Rand) int {
	if guess != engine.NoHint && r.members.has(guess) {
		return guess
	}
	ids := r.members.all()
	return ids[rnd.IntN(len(ids))]
}

func (r *run) healing() bool { return r.healed }

// nextOp is client's next operation: the next of its explicit list (false once it is used
// up), or else the generator's.
func (r *run) nextOp(client int) (workloads.Op, bool) {
	if r.opts.Ops == nil {
		return r.gen.Next(), true
	}
	ops := r.opts.Ops[client]
	n := r.clients[client].seq
	if n >= uint64(len(ops)) {
		return workloads.Op{}, false
	}
	return ops[n], true
}

func (r *run) invoke(op workloads.HistoryOp) int {
	r.retire.invoked(op.Op.Key, op.Client, r.clients[op.Client].seq, len(r.clients))
	r.history = append(r.history, op)
	return len(r.history) - 1
}

func (r *run) complete(i int, reply workloads.Reply, at int64, out workloads.Outcome) workloads.HistoryOp {
	h := &r.history[i]
	h.Reply, h.Return, h.Outcome = reply, at, out
	r.retire.finished(h.Op.Key)
	return *h
}

// semanticsNotes says how the run's checks follow what engine d declares of itself.
func semanticsNotes(d *engine.Descriptor) []string {
	var out []string
	if d.Semantics.ConfOnApply {
		out = append(out, "membership-rule: checked by the apply-time rule (a leader appends a change only after applying every earlier one in its log): "+
			d.Name+" declares that a configuration takes effect when applied, so the append-time rule of the thesis (§4.1) does not apply")
	}
	if !d.Semantics.PromotesLearners {
		out = append(out, "learners: promoted by the host once caught up with the leader's commit index ("+d.Name+" leaves promotion to the application)")
	}
	return out
}
