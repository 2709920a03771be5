package cluster

import (
	"fmt"
	"sort"
	"time"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/workloads"
)

// finish runs the end-of-run checks and fills the Result.
func (r *run) finish() {
	now := r.now()
	r.res.Stats.Ended = now
	pending := r.closePending(now)
	if r.healed && !r.aborted { // a run ended early (an engine panic, a bound) had no heal to apply everything in
		r.inv.CheckHealed(now, r.liveVoters())
	}
	for _, n := range r.nodes { // replicas at the same applied index must agree
		if n.h != nil && !n.h.dead {
			r.inv.StateDigest(now, n.id, n.h.kv.AppliedIndex(), n.h.kv.Digest())
		}
	}
	r.res.TraceHash = r.k.Trace().Hash() // before the checks that depend on wall-clock timeouts
	if r.opts.RecordTrace {
		r.res.Trace = r.k.Trace().Lines()
	}
	vs := append(r.inv.Violations(), r.extra...)
	vs = append(vs, r.liveness(now, pending)...)
	vs = append(vs, r.checkHistory(now)...)
	sort.SliceStable(vs, func(i, j int) bool { return vs[i].Time < vs[j].Time })
	r.res.Violations = vs
	r.res.History = r.history
	r.fillStats()
}

// closePending marks the operations still outstanding at the end as indeterminate.
func (r *run) closePending(now int64) []checker.PendingOp {
	var out []checker.PendingOp
	for _, c := range r.clients {
		if c.cur < 0 {
			continue
		}
		h := &r.history[c.cur]
		out = append(out, checker.PendingOp{Client: c.idx, Call: h.Call, Desc: h.Op.String()})
		h.Outcome, h.Reply, h.Return = c.abandonOutcome(), workloads.Reply{Status: workloads.StatusUnknown}, now
		c.cur = -1
	}
	return out
}

func (r *run) liveness(now int64, pending []checker.PendingOp) []checker.Violation {
	in := checker.LivenessInput{
		HealTime: r.res.Stats.HealedAt, Bound: int64(r.cfg.HealTime),
		LeaderElected: r.res.Stats.LeaderAfterHeal >= 0, LeaderAt: r.res.Stats.LeaderAfterHeal,
		Pending: pending, Lagging: r.lagging(), Joint: r.jointLeft(), StaleLeaders: r.staleLeaders(now),
	}
	if !r.healed || r.aborted { // the run ended early (a bound, an engine panic): liveness cannot be judged
		return nil
	}
	vs, err := checker.CheckLiveness(in)
	if err != nil {
		panic(fmt.Sprintf("cluster: liveness input %+v: %v", in, err))
	}
	return vs
}

// checkHistory decides linearizability. The kv workload is searched with Porcupine. The
// append workload is decided exactly by checker.CheckAppends (every read returns the whole
// list, which fixes the order; see its doc), which Porcupine's search cannot always finish on
// long stretches of concurrent appends; Porcupine then runs only on an illegal history, to
// keep its visualisation for the report.
func (r *run) checkHistory(now int64) []checker.Violation {
	if r.cfg.Workload == workloads.WorkloadAppend {
		return r.checkAppends(now)
	}
	lin := r.porcupine(r.opts.LinTimeout)
	r.res.Lin, r.res.Linearizable, r.res.LinDetail = lin, lin.Outcome, lin.Detail
	if v, ok := lin.Violation(now); ok {
		return []checker.Violation{v}
	}
	return nil
}

func (r *run) checkAppends(now int64) []checker.Violation {
	vs, err := checker.CheckAppends(appendKeys(r.history))
	if err != nil {
		panic(fmt.Sprintf("cluster: append history: %v", err))
	}
	r.res.Linearizable, r.res.LinDetail = checker.OK, "decided by the exact list-append check"
	if len(vs) == 0 {
		return nil
	}
	r.res.Linearizable, r.res.LinDetail = checker.Illegal, fmt.Sprintf("%d append anomalies", len(vs))
	r.res.Lin = r.porcupine(min(r.opts.LinTimeout, 10*time.Second))
	if r.res.Lin.Outcome == checker.Illegal {
		r.res.LinDetail += "; Porcupine: " + r.res.Lin.Detail
	}
	return vs
}

// porcupine runs the linearizability search on the run's history.
func (r *run) porcupine(timeout time.Duration) checker.LinResult {
	model, err := workloads.Model(r.cfg.Workload)
	if err != nil {
		panic(fmt.Sprintf("cluster: workload %q has no model: %v", r.cfg.Workload, err))
	}
	ops, err := workloads.Operations(workloads.ForLinearizability(r.history))
	if err != nil {
		panic(fmt.Sprintf("cluster: history does not convert: %v", err))
	}
	return checker.CheckLinearizability(model, ops, timeout)
}

// appendKeys converts an append-workload history for checker.CheckAppends.
func appendKeys(history []workloads.HistoryOp) []checker.AppendKey {
	index := map[string]int{}
	var keys []checker.AppendKey
	for _, h := range history {
		i, ok := index[h.Op.Key]
		if !ok {
			i = len(keys)
			index[h.Op.Key] = i
			keys = append(keys, checker.AppendKey{Key: h.Op.Key})
		}
		k := &keys[i]
		switch h.Op.Kind {
		case workloads.Append:
			var v int
			fmt.Sscan(h.Op.Value, &v)
			k.Appends = append(k.Appends, checker.AppendOp{Value: v, Call: h.Call, Return: h.Return, Status: opStatus(h.Outcome)})
		case workloads.Get:
			if h.Outcome != workloads.OutcomeOK {
				continue
			}
			vals, err := workloads.ParseList(h.Reply.Value)
			if err != nil {
				vals = []int{-1} // an unparsable read shows up as a phantom element
			}
			k.Reads = append(k.Reads, checker.ReadOp{Values: vals, Call: h.Call, Return: h.Return})
		}
	}
	return keys
}

func opStatus(o workloads.Outcome) checker.OpStatus {
	switch o {
	case workloads.OutcomeOK:
		return checker.StatusOK
	case workloads.OutcomeFail:
		return checker.StatusFailed
	}
	return checker.StatusUnknown
}

func (r *run) fillStats() {
	s := &r.res.Stats
	for _, h := range r.history {
		switch h.Outcome {
		case workloads.OutcomeOK:
			s.OpsOK++
		case workloads.OutcomeFail:
			s.OpsFailed++
		default:
			s.OpsIndeterminate++
		}
	}
	ns := r.net.Stats()
	s.Messages, s.Delivered, s.Dropped = ns.Sent, ns.Delivered, ns.Dropped.Total()
	s.Events = r.k.Events()
	s.SimSeconds = float64(r.k.Now()) / 1e9
}
