package shrink

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/simnet"
)

// DefaultRuns is the run budget of a shrink when Budget.MaxRuns is 0. A shrink that reaches
// three faults or fewer stops well before it (most use 100 to 400 runs); the rest is for the
// ones whose faults are minimal for their seed and still many, where the search of derived
// seeds needs hundreds of candidates (read-before-term-commit from seed 1001: 8 faults with
// 400 runs, 3 with 1000; from seed 4001: 7 with 1000, 1 with 2000).
const DefaultRuns = 2000

// maxShrinkRounds bounds the passes over all reductions; a pass that changes nothing ends early.
const maxShrinkRounds = 5

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
// generated from the seed); every candidate runs with them. kind "" means the kind of the
// run's first violation. It tries, in rounds, within budget: dropping faults by delta
// debugging (halves, then smaller chunks, then single faults) and in pairs; simplifying each
// fault (shorter For, one node, crash mode "lose"); a shorter duration and heal bound; fewer
// clients and a lower rate; fewer client operations (delta debugging again); fewer nodes
// (faults naming nodes that no longer exist lose them). Every candidate runs with an explicit
// schedule and explicit client operations (cluster.ClientOps: those of the run to shrink at
// first, each client's later ones kept in reserve), so that dropping a fault never changes
// what a client asks. While the schedule is above searchAbove faults it also looks for a
// smaller run of the same failure on other seeds (search), first early, while most of the
// budget is left, then after the rounds; dropping operations waits for it. Run is
// deterministic: the same inputs give the same result. It returns ErrNotFailing if the
// starting run does not show kind, and a setup error from cluster.Run as is.
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
	s.cfg, s.sched, s.best, s.first = first.Config, append(nemesis.Schedule(nil), first.Schedule...), first, first.Config
	s.ops = first.IssuedOps() // from here on each client asks the same, whatever faults go
	s.spare = make(cluster.ClientOps, len(s.ops))
	before := sizeOf(first)
	s.say("start: %s", before)
	s.cutAtViolation()
	s.dropFaults()
	if s.search(searchTries) { // early, while most of the budget is left
		s.say("searched: %s (%d runs)", sizeOf(s.best), s.runs)
	}
	s.deferOps = true // operations wait until the search has had its runs
	s.rounds()
	s.deferOps = false
	switch {
	case s.search(s.maxRuns - s.runs - searchReserve):
		s.rounds()
	case s.opsDeferred: // nothing else changed since the last round: its other steps would repeat
		s.dropOps()
		s.say("operations: %s (%d runs)", sizeOf(s.best), s.runs)
	}
	after := sizeOf(s.best)
	s.say("done in %d runs: %s", s.runs, after)
	return Result{Seed: s.seed, FromSeed: seed, Kind: s.kind, Config: s.cfg, Schedule: s.sched, Before: before,
		After: after, Runs: s.runs, Exhausted: s.exhausted(), Result: s.best}, nil
}

// rounds repeats the reductions until a round changes nothing or the budget ends. A round
// that leaves more than searchAbove faults, as many as before it, ends them too: its faults
// are minimal for their seed, another round would mostly repeat the same removals, and the
// budget left goes to the search for a smaller run of the same failure.
func (s *shrinker) rounds() {
	for round := 0; round < maxShrinkRounds && !s.exhausted(); round++ {
		faults := len(s.sched)
		if !s.round() || len(s.sched) > searchAbove && len(s.sched) == faults {
			break
		}
	}
}

// searchAbove is the schedule size above which the shrink looks for a smaller run of the
// same failure elsewhere (search).
const searchAbove = 3

// searchTries bounds the candidates the first search tries; the second, after the rounds,
// has the budget left but searchReserve runs, for the rounds after a find.
const (
	searchTries   = 80
	searchReserve = 40
)

// search looks for a smaller run of the same failure when fault removal has stalled: a
// simulation is chaotic (dropping one early fault changes every later random draw), so a
// schedule can be minimal for its seed and still large, while the same bug shows with few
// faults on other seeds. It tries up to tries candidates (searchOne), each adopted one then
// cut at its violation and its faults dropped, while the schedule is above searchAbove. It
// reports whether it adopted one.
func (s *shrinker) search(tries int) bool {
	found := false
	for n := 0; n < tries && len(s.sched) > searchAbove && !s.exhausted(); n++ {
		i := s.searched
		s.searched++
		if s.searchOne(i) {
			found = true
			s.say("search: seed %d fails with %s and %d faults (%d runs)", s.seed, s.kind, len(s.sched), s.runs)
			s.dropFaults()
		}
	}
	return found
}

// searchOne runs candidate i of a search and adopts it if it shows the kind with fewer faults
// than the current schedule before its violation (all of them for a kind decided at the end).
// Every candidate has a seed of its own derived from the current one, the current config and
// the clients' operations (with the spare ones), and, for a violation seen online, the first
// run's duration, so that a run whose violation comes later than the current one's still
// counts. In turn, a candidate draws its schedule from a nemesis of the kinds left (every
// other pair of such candidates, some of those kinds), draws it from the first run's
// nemesis (the kinds left may not be those the bug shows with most easily), each at a half
// and a quarter of the first run's fault rate, or takes one to three faults of the current
// schedule as they are: the last ones before the violation first, then ones picked by the
// seed.
func (s *shrinker) searchOne(i uint64) bool {
	seed := (s.seed*0x9e3779b97f4a7c15 + i + 1) & (1<<53 - 1) // below 2^53: exact in JSON readers that use doubles
	cfg := s.cfg
	online := !slices.Contains(endOfRun, s.kind)
	if online {
		cfg.Duration = max(cfg.Duration, s.first.Duration)
	}
	var sched *nemesis.Schedule
	switch i % 3 {
	case 0, 1:
		cfg.Nemesis = s.first.Nemesis
		if i%3 == 0 {
			kinds := scheduleKinds(s.sched)
			if i%12 >= 6 {
				kinds = kindSubset(kinds, seed>>11)
			}
			cfg.Nemesis = strings.Join(kinds, ",")
		}
		cfg.FaultInterval = s.first.FaultInterval * simnet.Duration(2<<(i/3%2)) // a half, a quarter of the rate
	default:
		sub := pickFaults(s.sched, s.violationAt(), int(i/3%3)+1, i/9, seed)
		sched = &sub
	}
	prev := s.state()
	if !s.runOps(seed, cfg, sched, s.ops, true) {
		return false
	}
	s.cutAtViolation()
	if len(s.sched) < len(prev.sched) {
		return true
	}
	s.restore(prev) // not fewer faults, even cut at the violation
	return false
}

// scheduleKinds are the kinds of sched's faults, in the order they first occur.
func scheduleKinds(sched nemesis.Schedule) []string {
	var kinds []string
	for _, f := range sched {
		if !slices.Contains(kinds, string(f.Kind)) {
			kinds = append(kinds, string(f.Kind))
		}
	}
	return kinds
}

// pickFaults returns k faults of sched (all if it has no more), in schedule order: for
// variant 0 the last k that start before at (at < 0: the last k), for another variant k
// faults picked by bits.
func pickFaults(sched nemesis.Schedule, at simnet.Duration, k int, variant, bits uint64) nemesis.Schedule {
	if k >= len(sched) {
		return slices.Clone(sched)
	}
	if variant == 0 {
		end := len(sched)
		if at >= 0 {
			end = max(k, sort.Search(len(sched), func(j int) bool { return sched[j].At >= at }))
		}
		return slices.Clone(sched[end-k : end])
	}
	idx := make([]int, len(sched))
	for j := range idx {
		idx[j] = j
	}
	for j := 0; j < k; j++ { // a partial Fisher-Yates shuffle driven by bits
		bits = bits*6364136223846793005 + 1442695040888963407
		r := j + int((bits>>33)%uint64(len(idx)-j))
		idx[j], idx[r] = idx[r], idx[j]
	}
	picked := slices.Clone(idx[:k])
	slices.Sort(picked)
	out := make(nemesis.Schedule, k)
	for j, p := range picked {
		out[j] = sched[p]
	}
	return out
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
	searched uint64 // candidates the searches tried
	// deferOps makes a round skip dropping operations while the schedule is above
	// searchAbove; opsDeferred records that one did.
	deferOps, opsDeferred bool
	opsDropped            bool           // dropOps adopted a candidate in this round
	first                 cluster.Config // the config of the run to shrink
	cfg                   cluster.Config
	sched                 nemesis.Schedule
	ops                   cluster.ClientOps // the operations each client issued in the best run
	// spare are, per client, the operations that follow ops in what the client asks: the
	// rest of the first run's. Candidates get them, so that a client whose work goes faster
	// without a fault does not run out of operations before the violation (it would then
	// stop, and the load the bug needs with it).
	spare    cluster.ClientOps
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

// candidate is what a shrink adopts with a candidate run.
type candidate struct {
	seed  uint64
	cfg   cluster.Config
	sched nemesis.Schedule
	best  *cluster.Result
	ops   cluster.ClientOps
	spare cluster.ClientOps
}

func (s *shrinker) state() candidate {
	return candidate{seed: s.seed, cfg: s.cfg, sched: s.sched, best: s.best, ops: s.ops, spare: s.spare}
}

func (s *shrinker) restore(c candidate) {
	s.seed, s.cfg, s.sched, s.best, s.ops, s.spare = c.seed, c.cfg, c.sched, c.best, c.ops, c.spare
}

// violationAt is when the best run first showed the kind, or -1 for a kind decided at the end.
func (s *shrinker) violationAt() simnet.Duration {
	if slices.Contains(endOfRun, s.kind) {
		return -1
	}
	for _, v := range s.best.Violations {
		if v.Kind == s.kind {
			return simnet.Duration(v.Time)
		}
	}
	return -1
}

// try runs a candidate with the current operations (those of the clients cfg keeps), each
// client's spare ones after them, and adopts it if it still shows the kind.
func (s *shrinker) try(cfg cluster.Config, sched nemesis.Schedule) bool {
	return s.tryOps(cfg, sched, s.ops, true)
}

// tryOps runs a candidate with the given client operations (followed by the spare ones when
// spare is set) and adopts it if it still shows the kind; the operations kept are those its
// clients issued, and what they did not issue of the list and the spare ones is spare.
func (s *shrinker) tryOps(cfg cluster.Config, sched nemesis.Schedule, ops cluster.ClientOps, spare bool) bool {
	cand := append(nemesis.Schedule(nil), sched...)
	return s.runOps(s.seed, cfg, &cand, ops, spare)
}

// runOps runs a candidate with seed, schedule sched (nil: generated from the seed) and the
// given client operations (followed by the spare ones when spare is set), and adopts it if it
// shows the kind, as tryOps.
func (s *shrinker) runOps(seed uint64, cfg cluster.Config, sched *nemesis.Schedule, ops cluster.ClientOps, spare bool) bool {
	if s.exhausted() {
		return false
	}
	cfg = fitRoll(cfg)
	full := make(cluster.ClientOps, cfg.Clients) // ops, then the spare ones: what each client would ask
	for c := range full {
		full[c] = slices.Concat(ops[c], s.spare[c])
	}
	opts := s.with(sched)
	opts.Ops = full
	if !spare {
		opts.Ops = ops[:cfg.Clients]
	}
	s.runs++
	res, err := cluster.Run(seed, cfg, opts)
	if err != nil || !hasKind(res, s.kind) {
		return false
	}
	s.seed, s.cfg, s.sched, s.best, s.ops = seed, cfg, append(nemesis.Schedule(nil), res.Schedule...), res, res.IssuedOps()
	s.spare = make(cluster.ClientOps, cfg.Clients)
	for c := range s.spare {
		s.spare[c] = full[c][len(s.ops[c]):] // the client issued a prefix of its list
	}
	return true
}

// round tries every reduction once and reports whether any was adopted.
func (s *shrinker) round() bool {
	start := s.runs
	s.opsDropped = false
	before := sizeOf(s.best)
	steps := []struct {
		name string
		fn   func()
	}{
		{"cut at the violation", func() { s.cutAtViolation() }},
		{"host behaviours", s.strictHost},
		{"faults", s.dropFaults},
		{"fault pairs", s.dropPairs},
		{"fault parameters", s.simplifyFaults},
		{"duration", s.shortenDuration},
		{"heal bound", s.shortenHeal},
		{"clients", s.reduceClients},
		{"rate", s.reduceRate},
		{"operations", s.dropOpsNow},
		{"nodes", s.reduceNodes},
	}
	for _, st := range steps {
		st.fn()
		s.say("%s: %s (%d runs)", st.name, sizeOf(s.best), s.runs)
	}
	return s.runs > start && (s.opsDropped || shrunk(before, sizeOf(s.best)))
}

// shrunk reports whether a round made progress from before to after other than in
// operations: fewer faults, a shorter run or heal bound, fewer clients or nodes, a lower rate.
// The operations a run issues also change, either way, with spare ones whenever another step
// is adopted, so only dropping them counts (opsDropped). A round after one without progress
// would mostly repeat its candidates, and a run is a pure function of them.
func shrunk(before, after Size) bool {
	after.Ops = before.Ops
	return after != before
}

// endOfRun are the violation kinds decided only when the run ends; the others are seen
// online, at the moment they happen.
var endOfRun = []string{checker.KindLiveness, checker.KindStaleLeader, checker.KindLinearizability, checker.KindAppendAnomaly, cluster.KindBound}

// cutAtViolation drops, for a violation seen online, every fault that starts after it and
// ends the load phase just after it: nothing later can have caused it. The run is
// deterministic, so the cut run is the same run up to the violation.
func (s *shrinker) cutAtViolation() bool {
	at := s.violationAt()
	if at < 0 {
		return false
	}
	end := at + simnet.Duration(100*time.Millisecond)
	var kept nemesis.Schedule
	for _, f := range s.sched {
		if f.At < end {
			kept = append(kept, f)
		}
	}
	if len(kept) == len(s.sched) && end >= s.cfg.Duration {
		return false
	}
	cfg := s.cfg
	cfg.Duration = min(cfg.Duration, end)
	return s.try(cfg, kept)
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
		s.try(withoutRoll(s.cfg), s.sched)
	}
}

// fitRoll cuts cfg's roll to its nodes and duration (the part of it that fits), and when
// nothing of it is left keeps what it set at boot (withoutRoll).
func fitRoll(cfg cluster.Config) cluster.Config {
	if fit := cfg.Roll.Fit(cfg.Nodes, cfg.Duration); !fit.IsZero() || cfg.Roll.IsZero() {
		cfg.Roll = fit
		return cfg
	}
	return withoutRoll(cfg)
}

// withoutRoll is cfg without its roll and with the protocol settings the roll started from:
// the run is the same until the roll's first restart. (Dropping the roll alone would
// switch the rolled settings from boot, a different run from its start.)
func withoutRoll(cfg cluster.Config) cluster.Config {
	r := cfg.Roll
	if r.PreVote {
		cfg.Protocol.PreVote = !r.To
	}
	if r.CheckQuorum {
		cfg.Protocol.CheckQuorum = !r.To
	}
	cfg.Roll = cluster.Roll{}
	return cfg
}

// dropOpsNow drops operations (dropOps) unless they wait (deferOps) while the schedule is
// above searchAbove: the search may still replace the run, and faults come first.
func (s *shrinker) dropOpsNow() {
	if s.deferOps && len(s.sched) > searchAbove {
		s.opsDeferred = true
		return
	}
	s.dropOps()
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
			if !s.tryOps(s.cfg, s.sched, withoutOps(s.ops, i, i+chunk), false) {
				i += chunk // keep this chunk; removing it loses the failure
				continue
			}
			s.opsDropped = true
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
