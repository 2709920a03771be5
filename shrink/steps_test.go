package shrink

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/engine"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/simnet"
	"github.com/raftcheck/raftcheck/workloads"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFitRollKeepsTheBootSettings(t *testing.T) {
	cfg := cluster.DefaultConfig()
	cfg.Protocol = engine.Protocol{PreVote: true}
	cfg.Roll = cluster.Roll{PreVote: true, CheckQuorum: true, To: false, At: simnet.Duration(5 * time.Second),
		Every: simnet.Duration(time.Second), Nodes: 3}

	cut := cfg
	cut.Duration = simnet.Duration(6500 * time.Millisecond)
	got := fitRoll(cut)
	assert.Equal(t, 2, got.Roll.Nodes, "the part of the roll that fits")
	assert.Equal(t, cfg.Protocol, got.Protocol)

	cut.Duration = simnet.Duration(4 * time.Second)
	got = fitRoll(cut)
	assert.True(t, got.Roll.IsZero(), "no node is reached before the end")
	assert.Equal(t, engine.Protocol{PreVote: true, CheckQuorum: true}, got.Protocol,
		"the nodes boot with the settings the roll started from")

	got = withoutRoll(cfg)
	assert.True(t, got.Roll.IsZero())
	assert.Equal(t, engine.Protocol{PreVote: true, CheckQuorum: true}, got.Protocol)
	cfg.Roll.To, cfg.Roll.PreVote = true, false
	assert.Equal(t, engine.Protocol{PreVote: true, CheckQuorum: false}, withoutRoll(cfg).Protocol,
		"a roll turning CheckQuorum on started from it off; PreVote is not rolled")
}

// TestCutBeforeARollReplays: a run cut before its roll starts is the same run up to the cut,
// as the cut at the violation needs (dropping the roll alone changes the run from boot).
func TestCutBeforeARollReplays(t *testing.T) {
	cfg := cluster.DefaultConfig()
	cfg.Duration = simnet.Duration(10 * time.Second)
	var res *cluster.Result
	for seed := uint64(1); seed <= 40 && res == nil; seed++ {
		r, err := cluster.Run(seed, cfg, ours(nil))
		require.NoError(t, err)
		if r.Config.Roll.At >= simnet.Duration(4*time.Second) && withoutRoll(r.Config).Protocol != r.Config.Protocol {
			res = r
		}
	}
	require.NotNil(t, res, "a seed in [1, 40] draws a roll from 4s on that sets the boot protocol")
	cut := res.Config
	cut.Duration = simnet.Duration(3 * time.Second)
	var sched nemesis.Schedule
	for _, f := range res.Schedule {
		if f.At < cut.Duration {
			sched = append(sched, f)
		}
	}
	run := func(cfg cluster.Config) *cluster.Result {
		s := slices.Clone(sched)
		o := ours(&s)
		o.Ops = res.IssuedOps()
		r, err := cluster.Run(res.Seed, cfg, o)
		require.NoError(t, err)
		return r
	}
	full, fit := run(res.Config), run(fitRoll(cut))
	require.True(t, fitRoll(cut).Roll.IsZero())
	upTo := func(r *cluster.Result) []string {
		var out []string
		for _, h := range r.History {
			if h.Return > 0 && h.Return < int64(cut.Duration) {
				out = append(out, fmt.Sprintf("%d %d %s", h.Call, h.Return, h))
			}
		}
		return out
	}
	assert.Equal(t, upTo(full), upTo(fit), "the operations completed before the cut")
	bare := cut
	bare.Roll = cluster.Roll{}
	assert.NotEqual(t, upTo(full), upTo(run(bare)), "without the roll's boot settings the run differs")
}

// newShrinker is a shrinker that adopted res, as Run does after its first run.
func newShrinker(t *testing.T, res *cluster.Result, maxRuns int) *shrinker {
	t.Helper()
	require.NotEmpty(t, res.Violations)
	s := &shrinker{seed: res.Seed, kind: res.Violations[0].Kind, maxRuns: maxRuns, opts: ours(nil),
		cfg: res.Config, first: res.Config, sched: slices.Clone(res.Schedule), best: res, ops: res.IssuedOps()}
	s.spare = make(cluster.ClientOps, len(s.ops))
	return s
}

// TestSpareOperations: a candidate's clients go on with their spare operations once those
// the best run issued are used up, and what each client asks (issued, then spare) stays the
// same sequence; without them (dropping operations) a client stops at the end of its list.
func TestSpareOperations(t *testing.T) {
	cfg, seed, res := firstFailing(t, plantedBugs)
	s := newShrinker(t, res, 10)
	all := res.IssuedOps()
	for c := range s.ops { // the best run "issued" the first half of each client's operations
		s.ops[c], s.spare[c] = all[c][:len(all[c])/2], all[c][len(all[c])/2:]
	}
	require.True(t, s.try(s.cfg, s.sched), "%v seed %d with its own schedule and operations", cfg.Mutants, seed)
	halfLen := 0
	for c := range all {
		halfLen += len(all[c]) / 2
	}
	assert.Greater(t, s.ops.Len(), halfLen, "the clients went on with their spare operations")
	for c := range all {
		assert.Equal(t, opLines(all[c]), opLines(slices.Concat(s.ops[c], s.spare[c])), "client %d asks the same", c)
	}

	s = newShrinker(t, res, 10)
	for c := range s.ops {
		s.ops[c], s.spare[c] = all[c][:len(all[c])/2], all[c][len(all[c])/2:]
	}
	half := slices.Clone(s.ops)
	if s.tryOps(s.cfg, s.sched, half, false) {
		assert.LessOrEqual(t, s.ops.Len(), half.Len(), "without spare operations no client issues more than its list")
		for c := range all {
			assert.Equal(t, opLines(all[c]), opLines(slices.Concat(s.ops[c], s.spare[c])), "client %d asks the same", c)
		}
	}
}

func opLines(ops []workloads.Op) []string {
	var out []string
	for _, op := range ops {
		out = append(out, cluster.OpLine(op))
	}
	return out
}

// TestSearchAdoptsASmallerRunElsewhere: the search replaces a failing run of many faults by
// a run of another seed with fewer faults before the violation, which still shows the kind.
func TestSearchAdoptsASmallerRunElsewhere(t *testing.T) {
	_, _, res := firstFailing(t, []string{"vote-not-persisted", "commit-to-last-index", "truncate-on-stale-append"})
	run := func() *shrinker {
		s := newShrinker(t, res, 60)
		s.search(40)
		return s
	}
	s := run()
	require.True(t, hasKind(s.best, s.kind), "kinds %v; want %s", s.best.Kinds(), s.kind)
	assert.NotEqual(t, res.Seed, s.seed, "the search moved to another seed")
	assert.Less(t, len(s.sched), len(res.Schedule), "fewer faults")
	assert.Equal(t, len(s.sched), len(s.best.Schedule))
	again := run()
	assert.Equal(t, s.seed, again.seed, "deterministic")
	assert.Equal(t, s.sched.String(), again.sched.String(), "deterministic")
}

func TestPickFaults(t *testing.T) {
	sched, err := nemesis.ParseSchedule(`
1s loss for=1s value=0.1
2s pause for=1s nodes=1
3s crash for=1s nodes=2 mode=lose
4s duplicate for=1s value=0.1
5s pause for=1s nodes=3
`)
	require.NoError(t, err)
	at := simnet.Duration(4500 * time.Millisecond)
	assert.Equal(t, sched[2:4].String(), pickFaults(sched, at, 2, 0, 7).String(), "the last two before the violation")
	assert.Equal(t, sched[3:].String(), pickFaults(sched, -1, 2, 0, 7).String(), "the last two")
	assert.Equal(t, sched[:2].String(), pickFaults(sched, simnet.Duration(time.Second), 2, 0, 7).String(), "at least k")
	for bits := range uint64(20) {
		got := pickFaults(sched, at, 3, 1, bits)
		require.Len(t, got, 3)
		assert.True(t, slices.IsSortedFunc(got, func(a, b nemesis.Fault) int { return int(a.At - b.At) }), "in schedule order")
		assert.Equal(t, got.String(), pickFaults(sched, at, 3, 1, bits).String(), "deterministic")
	}
	assert.NotEqual(t, pickFaults(sched, at, 2, 1, 1).String(), pickFaults(sched, at, 2, 1, 2).String(), "bits pick")
	assert.Equal(t, sched.String(), pickFaults(sched, at, 9, 1, 3).String(), "k above the faults: all")
}

func TestRoundProgress(t *testing.T) {
	before := Size{Faults: 5, Duration: simnet.Duration(10 * time.Second), HealTime: simnet.Duration(2 * time.Second),
		Clients: 4, Rate: 50, Ops: 300, Nodes: 5}
	after := before
	after.Ops = 290
	assert.False(t, shrunk(before, after), "operations that moved with spare ones are not progress")
	after.Faults = 4
	assert.True(t, shrunk(before, after))
	after = before
	after.Duration /= 2
	assert.True(t, shrunk(before, after))
}

// TestOperationsWaitForTheSearch: while the schedule is above searchAbove and the search
// still has runs, a round does not drop operations (no run spent) and records that it waited.
func TestOperationsWaitForTheSearch(t *testing.T) {
	_, _, res := firstFailing(t, plantedBugs)
	s := newShrinker(t, res, 50)
	s.sched = make(nemesis.Schedule, searchAbove+1)
	s.deferOps = true
	s.dropOpsNow()
	assert.Equal(t, 0, s.runs, "no run spent")
	assert.True(t, s.opsDeferred)
	s.deferOps = false
	s.sched = slices.Clone(res.Schedule)
	s.dropOpsNow()
	assert.Positive(t, s.runs, "operations dropped once they no longer wait")
}
