package reports

import (
	"fmt"
	"math"
	"strconv"

	"github.com/raftcheck/raftcheck/cluster"
)

// Outcomes of a client operation, as workloads.Outcome prints them.
const (
	outcomeOK      = "ok"
	outcomeFail    = "fail"
	outcomeUnknown = "unknown"
)

// op is one client operation as the report shows it. It is converted from Result.History by
// opsOf: the report reads the history through its fields and methods only, since reports
// imports no package below cluster but checker (DESIGN.md).
type op struct {
	client    int
	call, ret int64  // simulated ns; ret is when the client gave up for fail and unknown
	outcome   string // outcomeOK, outcomeFail or outcomeUnknown
	desc      string // the op in its text form: `put "k1" "7"`
	reply     string // what an acknowledged op returned, "" if nothing to say
}

// opsOf converts a run's history. An outcome the report does not know counts as unknown.
func opsOf(res *cluster.Result) []op {
	out := make([]op, len(res.History))
	for i, h := range res.History {
		o := op{client: h.Client, call: h.Call, ret: h.Return, outcome: h.Outcome.String(), desc: h.Op.String()}
		switch o.outcome {
		case outcomeOK:
			o.reply = replyText(h.Op.Kind.String(), h.Reply.Value, h.Reply.Found, h.Reply.Swapped)
		case outcomeFail:
		default:
			o.outcome = outcomeUnknown
		}
		out[i] = o
	}
	return out
}

// replyText renders what an acknowledged op of kind returned: a get its value, a cas whether
// it swapped; writes return nothing worth showing.
func replyText(kind, value string, found, swapped bool) string {
	switch kind {
	case "get":
		if !found {
			return "(not found)"
		}
		return strconv.Quote(value)
	case "cas":
		if swapped {
			return "(swapped)"
		}
		return "(not swapped: saw " + strconv.Quote(value) + ")"
	}
	return ""
}

// neverAnswered is what the report prints for the return of an operation nobody answered.
const neverAnswered = "never answered"

// answered reports whether the op has a return time: a reply, or the client giving up.
func (o op) answered() bool { return o.ret >= o.call && o.ret != math.MaxInt64 }

// end is the op's return time, or after everything for an op never answered.
func (o op) end() int64 {
	if !o.answered() {
		return math.MaxInt64
	}
	return o.ret
}

// returnText says when the op returned ("0.400s", "gave up 0.900s") or that it never did.
func (o op) returnText() string {
	switch {
	case !o.answered():
		return neverAnswered
	case o.outcome == outcomeOK:
		return fmtSeconds(o.ret)
	}
	return o.returnVerb() + " " + fmtSeconds(o.ret)
}

// latencyText is the op's latency, or "-" if it was never answered.
func (o op) latencyText() string {
	if !o.answered() {
		return "-"
	}
	return fmtLatency(o.ret - o.call)
}

// returnVerb says what happened at ret: a reply, or the client giving up.
func (o op) returnVerb() string {
	if o.outcome == outcomeUnknown {
		return "gave up"
	}
	return "returned"
}

// title describes the op for a tooltip.
func (o op) title() string {
	s := fmt.Sprintf("client %d: %s → %s", o.client, o.desc, o.outcome)
	if o.reply != "" {
		s += " " + o.reply
	}
	if !o.answered() {
		return s + fmt.Sprintf("\ncalled %s, %s", fmtSeconds(o.call), neverAnswered)
	}
	return s + fmt.Sprintf("\ncalled %s, %s %s (%s)", fmtSeconds(o.call), o.returnVerb(), fmtSeconds(o.ret), fmtLatency(o.ret-o.call))
}
