package checker

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// PendingOp is a client operation still unanswered when the run ended.
type PendingOp struct {
	Client int
	Call   int64  // simulated ns
	Desc   string // e.g. "put(k3, 17)"
}

// LaggingNode is a live voter that never caught up after the heal point.
type LaggingNode struct {
	Node    int
	Applied uint64 // its applied index at the end
	Want    uint64 // the index it should have reached (the highest committed index)
}

// LivenessInput is what happened after the heal point (all faults lifted at HealTime).
type LivenessInput struct {
	HealTime int64
	// Bound is how long after HealTime the cluster has to elect a leader, answer every
	// client operation and catch every live voter up (simulated ns, > 0).
	Bound int64
	// LeaderElected says a leader existed at some time in [HealTime, end]; LeaderAt is the
	// first time one did (>= HealTime; HealTime itself if a leader survived the heal).
	LeaderElected bool
	LeaderAt      int64
	// Pending lists the client operations still unanswered at the end of the run.
	Pending []PendingOp
	// Lagging lists the live voters that never caught up.
	Lagging []LaggingNode
	// Joint is the committed configuration at the end if it is still joint (nil
	// otherwise): a joint configuration change must complete once faults heal (thesis
	// §4.3: the leader leaves the joint configuration as soon as its entry is committed).
	Joint *Conf
	// StaleLeaders are the live members still leading a lower term than another live
	// member's at the end, both since long enough after the heal to have heard of each other.
	StaleLeaders []StaleLeader
}

// StaleLeader is a node that led Term at the end of a run (At, simulated ns) while Other was
// in OtherTerm > Term, the two connected since Since (the heal, or the later of the leader's
// election and the other node's term change).
type StaleLeader struct {
	Node      int
	Term      uint64
	Other     int
	OtherTerm uint64
	Since, At int64
}

// StaleLeaderViolation is the violation of a leader that went on leading s.Term although it
// had been connected to s.Other, in the higher s.OtherTerm, since s.Since: a server steps down
// on seeing a higher term (Figure 2, "All Servers").
func StaleLeaderViolation(s StaleLeader) Violation {
	return Violation{Kind: KindStaleLeader, Time: s.At, Nodes: []int{s.Node, s.Other},
		Detail: fmt.Sprintf("node %d still led term %d at %s, although node %d had been in term %d and reachable since %s, %s before: a leader that hears of a higher term steps down (Figure 2)",
			s.Node, s.Term, fmtTime(s.At), s.Other, s.OtherTerm, fmtTime(s.Since), fmtTime(s.At-s.Since))}
}

// pendingShown bounds the operations listed in a liveness detail.
const pendingShown = 5

// CheckLiveness turns what happened after the heal point into liveness violations: no
// leader within the bound (time: the deadline), a leader only after it (time: its
// election), operations still pending (time: the deadline) and nodes that never caught up
// (time: the deadline). Bad input is an error naming the field.
func CheckLiveness(in LivenessInput) ([]Violation, error) {
	if in.Bound <= 0 {
		return nil, fmt.Errorf("checker: LivenessInput.Bound = %d: must be > 0", in.Bound)
	}
	if in.LeaderElected && in.LeaderAt < in.HealTime {
		return nil, fmt.Errorf("checker: LivenessInput.LeaderAt = %d: before HealTime %d", in.LeaderAt, in.HealTime)
	}
	deadline := in.HealTime + in.Bound
	var out []Violation
	switch {
	case !in.LeaderElected:
		out = append(out, Violation{Kind: KindLiveness, Time: deadline,
			Detail: fmt.Sprintf("no leader was elected after the heal at %s (bound %s)", fmtTime(in.HealTime), fmtTime(in.Bound))})
	case in.LeaderAt > deadline:
		out = append(out, Violation{Kind: KindLiveness, Time: in.LeaderAt,
			Detail: fmt.Sprintf("the first leader after the heal at %s was elected at %s, %s after it (bound %s)",
				fmtTime(in.HealTime), fmtTime(in.LeaderAt), fmtTime(in.LeaderAt-in.HealTime), fmtTime(in.Bound))})
	}
	if len(in.Pending) > 0 {
		out = append(out, Violation{Kind: KindLiveness, Time: deadline, Detail: pendingDetail(in)})
	}
	if len(in.Lagging) > 0 {
		out = append(out, laggingViolation(in, deadline))
	}
	for _, s := range in.StaleLeaders {
		out = append(out, StaleLeaderViolation(s))
	}
	if in.Joint != nil {
		out = append(out, Violation{Kind: KindLiveness, Time: deadline, Nodes: in.Joint.Outgoing,
			Detail: fmt.Sprintf("the configuration change never completed: still joint (%s) %s after the heal at %s",
				fmtConfig(*in.Joint), fmtTime(in.Bound), fmtTime(in.HealTime))})
	}
	return out, nil
}

func pendingDetail(in LivenessInput) string {
	ops := slices.Clone(in.Pending)
	slices.SortStableFunc(ops, func(a, b PendingOp) int {
		if a.Call != b.Call {
			return cmp.Compare(a.Call, b.Call)
		}
		return a.Client - b.Client
	})
	var items []string
	for _, op := range ops[:min(len(ops), pendingShown)] {
		items = append(items, fmt.Sprintf("client %d %s invoked at %s", op.Client, op.Desc, fmtTime(op.Call)))
	}
	if len(ops) > pendingShown {
		items = append(items, fmt.Sprintf("and %d more", len(ops)-pendingShown))
	}
	return fmt.Sprintf("%d client operations still pending %s after the heal at %s: %s",
		len(ops), fmtTime(in.Bound), fmtTime(in.HealTime), strings.Join(items, "; "))
}

func laggingViolation(in LivenessInput, deadline int64) Violation {
	lag := slices.Clone(in.Lagging)
	slices.SortStableFunc(lag, func(a, b LaggingNode) int { return a.Node - b.Node })
	nodes := make([]int, len(lag))
	items := make([]string, len(lag))
	for i, l := range lag {
		nodes[i] = l.Node
		items[i] = fmt.Sprintf("node %d applied %d of %d", l.Node, l.Applied, l.Want)
	}
	return Violation{Kind: KindLiveness, Time: deadline, Nodes: nodes,
		Detail: fmt.Sprintf("%d nodes never caught up within %s after the heal at %s: %s",
			len(lag), fmtTime(in.Bound), fmtTime(in.HealTime), strings.Join(items, "; "))}
}
