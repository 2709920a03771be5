package shrink

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/simnet"
)

// DefaultRuns is the run budget of a shrink when Budget.MaxRuns is 0.
const DefaultRuns = 400

// maxShrinkRounds bounds the passes over all reductions; a pass that changes nothing ends early.
const maxShrinkRounds = 3

// ErrNotFailing means the run to shrink does not show the violation kind asked for.
var ErrNotFailing = errors.New("shrink: run does not fail")

// Budget bounds a shrink.
type Budget struct {
	MaxRuns int // candidate runs, the first (confirming) run included; 0 means DefaultRuns
}

// Size measures a run for the before/after account of a shrink.
type Size struct {
	Faults   int             `json:"faults"`
	Duration simnet.Duration `json:"duration"`
	HealTime simnet.Duration `json:"heal_bound"`
	Clients  int             `json:"clients"`
	Rate     float64         `json:"rate"`
	Ops      int             `json:"ops"` // history length
	Nodes    int             `json:"nodes"`
}

// String renders s on one line.
func (s Size) String() string {
	return fmt.Sprintf("%d faults, duration %s, heal bound %s, %d clients at %g ops/s, %d ops, %d nodes",
		s.Faults, s.Duration, s.HealTime, s.Clients, s.Rate, s.Ops, s.Nodes)
}

// Result is a shrunk run: a seed, a config and an explicit schedule that still show a
// violation of nemesis.Kind. Seed differs from FromSeed when the shrink had to reseed.
type Result struct {
	Seed      uint64
	FromSeed  uint64
	Kind      string
	Config    cluster.Config
	Schedule  nemesis.Schedule
	Before    Size
	After     Size
	Runs      int             // candidate runs used
	Exhausted bool            // the budget ran out before every reduction was tried
	Result    *cluster.Result // the run of the shrunk candidate
}

// Repro returns the repro file of the shrunk run: explicit schedule and expectation.
func (s Result) Repro() cluster.Repro {
	rp := cluster.NewRepro(s.Result, true)
	rp.Note = fmt.Sprintf("shrunk for %s from %s to %s in %d runs", s.Kind, s.Before, s.After, s.Runs)
	return rp
}

// Run minimises a failing run while a violation of kind still occurs. opts are the run's own
// options (its engine, and opts.Schedule the schedule to start from: nil means the one
// generated from the seed); every candidate runs with them. kind "" means
// the kind of the run's first violation. It tries, in rounds, within budget: dropping faults by
// delta debugging (halves, then smaller chunks, then single faults); simplifying each fault
// (shorter For, one node, crash mode "lose"); a shorter duration and heal bound; fewer clients
// and a lower rate; fewer client operations (delta debugging again); fewer nodes (faults
// naming nodes that no longer exist lose them). Every candidate runs with an explicit schedule,
// the same seed and explicit client operations (cluster.ClientOps, those of the run to shrink
// at first), so that dropping a fault never changes what a client asks; only when the schedule is still
// above five faults does it look for another seed with a smaller run of the same failure
// (see reseed). Run is deterministic: the same inputs give the
// same result. It returns ErrNotFailing if the starting run does not show kind, and a setup
// error from cluster.Run as is.
func Run(seed uint64, cfg cluster.Config, opts cluster.Options, kind string, budget Budget, progress func(string)) (Result, error) {
	s := &shrinker{seed: seed, kind: kind, maxRuns: budget.MaxRuns, progress: progress, opts: opts}
	if s.maxRuns <= 0 {
		s.maxRuns = DefaultRuns
	}
	first, err := cluster.Run(seed, cfg, opts)
	s.runs++
	if err != nil {
		return Result{}, err
	}
	if s.kind == "" && len(first.Violations) > 0 {
		s.kind = first.Violations[0].Kind
	}
	if !hasKind(first, s.kind) {
		return Result{}, fmt.Errorf("%w: seed %d shows %v, not %q", ErrNotFailing, seed, first.Kinds(), s.kind)
	}
	// Candidates start from the config the run reports it used, so that what a run derives
	// from its seed (its schedule, and any setting the config leaves to the seed) stays fixed.
	s.cfg, s.sched, s.best = first.Config, append(nemesis.Schedule(nil), first.Schedule...), first
	s.ops = first.IssuedOps() // from here on each client asks the same, whatever faults go
	before := sizeOf(first)
	s.say("start: %s", before)
	s.cutAtViolation()
	s.dropFaults()
	if len(s.sched) > reseedAbove && s.reseed() { // early, while most of the budget is left
		s.say("reseeded: %s (%d runs)", sizeOf(s.best), s.runs)
	}
	s.rounds()
	if len(s.sched) > reseedAbove && s.reseed() {
		s.rounds()
	}
	after := sizeOf(s.best)
	s.say("done in %d runs: %s", s.runs, after)
	return Result{Seed: s.seed, FromSeed: seed, Kind: s.kind, Config: s.cfg, Schedule: s.sched, Before: before,
		After: after, Runs: s.runs, Exhausted: s.exhausted(), Result: s.best}, nil
}

// rounds repeats the reductions until a round changes nothing or the budget ends.
func (s *shrinker) rounds() {
	for round := 0; round < maxShrinkRounds && !s.exhausted(); round++ {
		if !s.round() {
			break
		}
	}
}

// reseedAbove is the schedule size above which a shrink that stalled tries other seeds.
const reseedAbove = 3

// reseedTries bounds the seeds a reseed tries.
const reseedTries = 60

// reseed looks for a smaller run of the same failure when fault removal has stalled: a
// simulation is chaotic (dropping one early fault changes every later random draw), so a
// schedule can be minimal for its seed and still large. It tries seeds derived from the
// current one with the shrunk config, a nemesis of only the kinds left in the schedule (or,
// every other pair of tries, a subset of them) at half and at their full rate, and adopts the first whose generated schedule is smaller and still shows
// the kind; the shrink then goes on from there. The result names the seed it ends with.
func (s *shrinker) reseed() bool {
	cfg := s.cfg
	var kinds []string
	for _, f := range s.sched {
		if !slices.Contains(kinds, string(f.Kind)) {
			kinds = append(kinds, string(f.Kind))
		}
	}
	base := cfg.FaultInterval
	for i := range uint64(reseedTries) {
		if s.exhausted() {
			return false
		}
		cfg.FaultInterval = base * simnet.Duration(2-i%2)         // alternately half and the same fault rate
		seed := (s.seed*0x9e3779b97f4a7c15 + i + 1) & (1<<53 - 1) // below 2^53: exact in JSON readers that use doubles
		cfg.Nemesis = strings.Join(kinds, ",")
		if i%4 >= 2 { // every other pair of tries, only some of the kinds
			cfg.Nemesis = strings.Join(kindSubset(kinds, seed>>11), ",")
		}
		s.runs++
		res, err := cluster.Run(seed, cfg, s.with(nil))
		if err != nil || !hasKind(res, s.kind) || len(res.Schedule) >= len(s.sched) {
			continue
		}
		s.say("reseed: seed %d fails with %s and %d faults", seed, s.kind, len(res.Schedule))
		s.seed, s.cfg, s.sched, s.best = seed, res.Config, append(nemesis.Schedule(nil), res.Schedule...), res
		s.ops = res.IssuedOps()
		return true
	}
	return false
}

// kindSubset keeps the kinds whose bit in bits is set, and at least one of them.
func kindSubset(kinds []string, bits uint64) []string {
	var out []string
	for k, kind := range kinds {
		if bits>>(k%64)&1 == 1 {
			out = append(out, kind)
		}
	}
	if len(out) == 0 {
		out = []string{kinds[bits%uint64(len(kinds))]}
	}
	return out
}

// shrinker is the state of one shrink: the smallest failing candidate so far.
type shrinker struct {
	seed     uint64
	kind     string
	maxRuns  int
	runs     int
	cfg      cluster.Config
	sched    nemesis.Schedule
	ops      cluster.ClientOps // the operations each client issues in every candidate
	best     *cluster.Result
	progress func(string)
	opts     cluster.Options // the run's options: every candidate keeps its engine
}

// with returns the run's options with schedule (nil: generated from the seed) and the client
// operations drawn from the seed.
func (s *shrinker) with(schedule *nemesis.Schedule) cluster.Options {
	o := s.opts
	o.Schedule, o.Ops = schedule, nil
	return o
}

func (s *shrinker) say(format string, args ...any) {
	if s.progress != nil {
		s.progress(fmt.Sprintf(format, args...))
	}
}

func (s *shrinker) exhausted() bool { return s.runs >= s.maxRuns }

// try runs a candidate with the current operations (those of the clients cfg keeps) and
// adopts it if it still shows the kind.
func (s *shrinker) try(cfg cluster.Config, sched nemesis.Schedule) bool {
	return s.tryOps(cfg, sched, s.ops[:min(cfg.Clients, len(s.ops))])
}

// tryOps runs a candidate with the given client operations and adopts it if it still shows
// the kind; the operations kept are those its clients issued.
func (s *shrinker) tryOps(cfg cluster.Config, sched nemesis.Schedule, ops cluster.ClientOps) bool {
	if s.exhausted() {
		return false
	}
	cfg.Roll = cfg.Roll.Fit(cfg.Nodes, cfg.Duration) // fewer nodes or less time: the roll's part that fits
	cand := append(nemesis.Schedule(nil), sched...)
	opts := s.with(&cand)
	opts.Ops = ops
	s.runs++
	res, err := cluster.Run(s.seed, cfg, opts)
	if err != nil || !hasKind(res, s.kind) {
		return false
	}
	s.cfg, s.sched, s.best, s.ops = cfg, cand, res, res.IssuedOps()
	return true
}

// round tries every reduction once and reports whether any was adopted.
func (s *shrinker) round() bool {
	start := s.runs
	before := sizeOf(s.best)
	steps := []struct {
		name string
		fn   func()
	}{
		{"cut at the violation", s.cutAtViolation},
		{"host behaviours", s.strictHost},
		{"faults", s.dropFaults},
		{"fault pairs", s.dropPairs},
		{"fault parameters", s.simplifyFaults},
		{"duration", s.shortenDuration},
		{"heal bound", s.shortenHeal},
		{"clients", s.reduceClients},
		{"rate", s.reduceRate},
		{"operations", s.dropOps},
		{"nodes", s.reduceNodes},
	}
	for _, st := range steps {
		st.fn()
		s.say("%s: %s (%d runs)", st.name, sizeOf(s.best), s.runs)
	}
	return s.runs > start && sizeOf(s.best) != before
}

// endOfRun are the violation kinds decided only when the run ends; the others are seen
// online, at the moment they happen.
var endOfRun = []string{checker.KindLiveness, checker.KindStaleLeader, checker.KindLinearizability, checker.KindAppendAnomaly, cluster.KindBound}

// cutAtViolation drops, for a violation seen online, every fault that starts after it and
// ends the load phase just after it: nothing later can have caused it. The run is
// deterministic, so the cut run is the same run up to the violation.
func (s *shrinker) cutAtViolation() {
	if slices.Contains(endOfRun, s.kind) {
		return
	}
	var at int64 = -1
	for _, v := range s.best.Violations {
		if v.Kind == s.kind {
			at = v.Time
			break
		}
	}
	if at < 0 {
		return
	}
	end := simnet.Duration(at) + simnet.Duration(100*time.Millisecond)
	var kept nemesis.Schedule
	for _, f := range s.sched {
		if f.At < end {
			kept = append(kept, f)
		}
	}
	if len(kept) == len(s.sched) && end >= s.cfg.Duration {
		return
	}
	cfg := s.cfg
	cfg.Duration = min(cfg.Duration, end)
	s.try(cfg, kept)
}

// dropFaults removes faults by delta debugging: first the whole schedule, then, for chunks of
// halving size down to single faults, each chunk alone and then the schedule without each chunk.
func (s *shrinker) dropFaults() {
	if len(s.sched) == 0 || s.try(s.cfg, nil) {
		return
	}
	half := func() int { return (len(s.sched) + 1) / 2 }
	for chunk := half(); chunk >= 1 && !s.exhausted(); chunk = min(chunk/2, half()) {
		if chunk > 1 && s.keepOneChunk(chunk) {
			continue
		}
		for i := 0; i < len(s.sched) && !s.exhausted(); {
			end := min(i+chunk, len(s.sched))
			cand := slices.Concat(s.sched[:i], s.sched[end:])
			if !s.try(s.cfg, cand) {
				i = end // keep this chunk; removing it loses the failure
			}
		}
	}
}

// maxPairFaults bounds the schedules dropPairs works on: n faults cost up to n(n-1)/2 runs.
const maxPairFaults = 12

// dropPairs removes two faults at once, for the schedules single removals leave stuck: a
// fault that is needed only because another one is there.
func (s *shrinker) dropPairs() {
	if len(s.sched) > maxPairFaults {
		return
	}
	for i := 0; i < len(s.sched) && !s.exhausted(); i++ {
		for j := i + 1; j < len(s.sched) && !s.exhausted(); j++ {
			cand := slices.Concat(s.sched[:i], s.sched[i+1:j], s.sched[j+1:])
			if s.try(s.cfg, cand) {
				j = i // fault i is gone: pair the new fault i with every later one
			}
		}
	}
}

// keepOneChunk tries each chunk of the schedule alone and reports whether one was adopted.
func (s *shrinker) keepOneChunk(chunk int) bool {
	for i := 0; i < len(s.sched) && !s.exhausted(); i += chunk {
		if s.try(s.cfg, slices.Clone(s.sched[i:min(i+chunk, len(s.sched))])) {
			return true
		}
	}
	return false
}

// simplifyFaults tries, fault by fault: crash mode "lose", one target node, a halved For.
func (s *shrinker) simplifyFaults() {
	for i := 0; i < len(s.sched) && !s.exhausted(); i++ {
		if f := s.sched[i]; f.Kind == nemesis.Crash && f.Mode != "lose" {
			s.tryFault(i, func(f *nemesis.Fault) { f.Mode = "lose" })
		}
		if f := s.sched[i]; len(f.Nodes) > 1 && f.Kind != nemesis.Partition {
			s.fewerNodes(i)
		}
		for halvings := 0; halvings < 6 && s.sched[i].For > simnet.Duration(100*time.Millisecond); halvings++ {
			if !s.tryFault(i, func(f *nemesis.Fault) { f.For /= 2 }) {
				break
			}
		}
	}
}

// fewerNodes tries fault i against each one of its nodes alone, then without each one.
func (s *shrinker) fewerNodes(i int) {
	nodes := slices.Clone(s.sched[i].Nodes)
	for _, n := range nodes {
		if s.tryFault(i, func(f *nemesis.Fault) { f.Nodes = []int{n} }) {
			return
		}
	}
	for _, n := range nodes {
		if len(s.sched[i].Nodes) > 1 {
			s.tryFault(i, func(f *nemesis.Fault) { f.Nodes = slices.DeleteFunc(f.Nodes, func(x int) bool { return x == n }) })
		}
	}
}

// tryFault tries the schedule with fault i edited by edit.
func (s *shrinker) tryFault(i int, edit func(*nemesis.Fault)) bool {
	cand := slices.Clone(s.sched)
	f := cand[i]
	f.Nodes = slices.Clone(f.Nodes)
	edit(&f)
	if f.Validate() != nil {
		return false
	}
	cand[i] = f
	cand.Sort()
	return s.try(s.cfg, cand)
}

// shortenDuration binary-searches the shortest simnet.Duration, not below the last fault's start,
// that still fails.
func (s *shrinker) shortenDuration() {
	step := simnet.Duration(100 * time.Millisecond)
	lo := step
	for _, f := range s.sched {
		lo = max(lo, f.At+step)
	}
	s.searchDown(lo, step, func(c *cluster.Config) *simnet.Duration { return &c.Duration })
}

// shortenHeal binary-searches a shorter heal bound. A liveness failure is left alone: a heal
// bound too short to elect a leader would fail liveness without any bug.
func (s *shrinker) shortenHeal() {
	if s.kind == "liveness" {
		return
	}
	floor := max(simnet.Duration(2*time.Second), 4*simnet.Duration(s.cfg.ElectionTicks)*s.cfg.Tick)
	s.searchDown(floor, simnet.Duration(100*time.Millisecond), func(c *cluster.Config) *simnet.Duration { return &c.HealTime })
}

// searchDown finds the smallest value of field in [lo, current] (in steps) that still fails,
// by binary search; every adopted candidate fails, so the result fails even where failing is
// not monotonic in the value.
func (s *shrinker) searchDown(lo, step simnet.Duration, field func(*cluster.Config) *simnet.Duration) {
	hi := *field(&s.cfg)
	for hi-lo >= step && !s.exhausted() {
		mid := lo + (hi-lo)/2/step*step
		cfg := s.cfg
		*field(&cfg) = mid
		if s.try(cfg, s.sched) {
			hi = mid
		} else {
			lo = mid + step
		}
	}
}

// reduceClients tries one client, then binary-searches between.
func (s *shrinker) reduceClients() {
	lo := 1
	for lo < s.cfg.Clients && !s.exhausted() {
		mid := lo + (s.cfg.Clients-lo)/2
		cfg := s.cfg
		cfg.Clients = mid
		if !s.try(cfg, s.sched) {
			lo = mid + 1
		}
	}
}

// reduceRate halves the client rate while the failure remains, down to one operation a second.
func (s *shrinker) reduceRate() {
	for s.cfg.Rate >= 2 && !s.exhausted() {
		cfg := s.cfg
		cfg.Rate /= 2
		if !s.try(cfg, s.sched) {
			return
		}
	}
}

// strictHost turns each host behaviour the run used (a slow state machine, read retries, a
// rolling change of protocol settings) back to the strictest host while the failure remains,
// so that the repro keeps only the behaviours the bug needs.
func (s *shrinker) strictHost() {
	for _, field := range []func(*cluster.Config) *simnet.Duration{
		func(c *cluster.Config) *simnet.Duration { return &c.ApplyDelay },
		func(c *cluster.Config) *simnet.Duration { return &c.ReadRetry },
	} {
		if *field(&s.cfg) == 0 || s.exhausted() {
			continue
		}
		cfg := s.cfg
		*field(&cfg) = 0
		s.try(cfg, s.sched)
	}
	if s.cfg.AsyncWrites && !s.exhausted() {
		cfg := s.cfg
		cfg.AsyncWrites = false
		s.try(cfg, s.sched)
	}
	if !s.cfg.Roll.IsZero() && !s.exhausted() {
		cfg := s.cfg
		cfg.Roll = cluster.Roll{}
		s.try(cfg, s.sched)
	}
}

// maxOpChunks bounds how finely dropOps cuts: chunks of one operation only when at most this
// many are left, so that a long history costs a bounded number of runs per round.
const maxOpChunks = 64

// dropOps removes client operations by delta debugging, as dropFaults removes faults: chunks
// of halving size (client by client, each client's operations in order), each removed in turn
// while the failure remains.
func (s *shrinker) dropOps() {
	floor := max(1, s.ops.Len()/maxOpChunks)
	for chunk := (s.ops.Len() + 1) / 2; chunk >= floor && !s.exhausted(); chunk /= 2 {
		for i := 0; i < s.ops.Len() && !s.exhausted(); {
			if !s.tryOps(s.cfg, s.sched, withoutOps(s.ops, i, i+chunk)) {
				i += chunk // keep this chunk; removing it loses the failure
			}
		}
	}
}

// withoutOps is ops without the operations numbered [from, to) when counted client by
// client; a client may be left with none.
func withoutOps(ops cluster.ClientOps, from, to int) cluster.ClientOps {
	out := make(cluster.ClientOps, len(ops))
	n := 0
	for c, list := range ops {
		lo, hi := min(max(from-n, 0), len(list)), min(max(to-n, 0), len(list))
		out[c] = slices.Concat(list[:lo], list[hi:])
		n += len(list)
	}
	return out
}

// reduceNodes tries the smallest cluster first: 3 nodes, then 4, up to one fewer than now.
func (s *shrinker) reduceNodes() {
	for n := 3; n < s.cfg.Nodes && !s.exhausted(); n++ {
		cfg := s.cfg
		cfg.Nodes = n
		if s.try(cfg, dropNodes(s.sched, n)) {
			return
		}
	}
}

// dropNodes removes node ids >= nodes from every fault, and faults left without a target.
func dropNodes(sched nemesis.Schedule, nodes int) nemesis.Schedule {
	var out nemesis.Schedule
	for _, f := range sched {
		if len(f.Nodes) > 0 {
			f.Nodes = slices.DeleteFunc(slices.Clone(f.Nodes), func(n int) bool { return n >= nodes })
			if len(f.Nodes) == 0 {
				f.Nodes = nil
			}
		}
		if f.Validate() == nil {
			out = append(out, f)
		}
	}
	return out
}

func hasKind(res *cluster.Result, kind string) bool {
	return slices.ContainsFunc(res.Violations, func(v checker.Violation) bool { return v.Kind == kind })
}

func sizeOf(res *cluster.Result) Size {
	c := res.Config
	return Size{Faults: len(res.Schedule), Duration: c.Duration, HealTime: c.HealTime,
		Clients: c.Clients, Rate: c.Rate, Ops: len(res.History), Nodes: c.Nodes}
}
