package workloads

import (
	"fmt"
	"math"
	"strconv"

	"github.com/anishathalye/porcupine"
)

// Outcome is what a client knows about whether its operation took effect.
type Outcome uint8

const (
	// OutcomeOK: the client received the op's reply (Reply.Status StatusOK).
	OutcomeOK Outcome = iota + 1
	// OutcomeFail: the op definitely did not take effect (e.g. a StatusLimit reply, or it was
	// never proposed). Such ops are left out of linearizability checking.
	OutcomeFail
	// OutcomeUnknown: indeterminate — the client timed out, crashed, or was answered
	// StatusStale or StatusSessionExpired; the op may or may not have taken effect.
	OutcomeUnknown
)

var outcomeNames = [...]string{OutcomeOK: "ok", OutcomeFail: "fail", OutcomeUnknown: "unknown"}

// String returns "ok", "fail" or "unknown".
func (o Outcome) String() string {
	if o >= OutcomeOK && o <= OutcomeUnknown {
		return outcomeNames[o]
	}
	return "Outcome(" + strconv.Itoa(int(o)) + ")"
}

// HistoryOp is one client operation as the client saw it, in simulated time. Call is when
// the client first invoked the op; Return is when it received the reply (for OutcomeOK) or
// gave up (otherwise). Retries of the op with the same (client id, seq) belong to the same
// HistoryOp: they do not start a new one.
type HistoryOp struct {
	Client  int // the client process, 0-based: Porcupine's ClientId (a lane in the visualisation)
	Op      Op
	Reply   Reply // meaningful for OutcomeOK only
	Call    int64 // simulated nanoseconds
	Return  int64 // simulated nanoseconds; ignored for OutcomeUnknown
	Outcome Outcome
}

// String prints the op for reports: `c2 [1500,2700] put "k1" "7" → ok`.
func (h HistoryOp) String() string { return string(h.Append(nil)) }

// Append appends the op as String prints it to b.
func (h HistoryOp) Append(b []byte) []byte {
	res := h.Outcome.String()
	if h.Outcome == OutcomeOK {
		res = describeReply(h.Op, h.Reply, false)
	}
	b = append(b, 'c')
	b = strconv.AppendInt(b, int64(h.Client), 10)
	b = append(b, " ["...)
	b = strconv.AppendInt(b, h.Call, 10)
	b = append(b, ',')
	b = strconv.AppendInt(b, h.Return, 10)
	b = append(b, "] "...)
	b = h.Op.Append(b)
	b = append(b, " → "...)
	return append(b, res...)
}

// Operations converts a history for Porcupine, for either workload's Model. Each kept op
// has Input Op and Output Reply. OutcomeOK ops keep their times and reply; OutcomeUnknown
// ops get Return = math.MaxInt64 and Output Reply{Status: StatusUnknown}, which the models
// accept whatever the state (the op may then be linearized anywhere after its call,
// including after every other op, i.e. never taking visible effect); OutcomeFail ops are
// dropped. The result keeps history order. Malformed entries (invalid op or outcome,
// negative client or call, Return before Call, an OutcomeOK reply whose Status is not
// StatusOK) are errors naming the entry.
func Operations(history []HistoryOp) ([]porcupine.Operation, error) {
	out := make([]porcupine.Operation, 0, len(history))
	for i, h := range history {
		if err := h.validate(); err != nil {
			return nil, fmt.Errorf("workloads: history op %d (%s): %w", i, h, err)
		}
		switch h.Outcome {
		case OutcomeOK:
			out = append(out, porcupine.Operation{ClientId: h.Client, Input: h.Op, Call: h.Call, Output: h.Reply, Return: h.Return})
		case OutcomeUnknown:
			out = append(out, porcupine.Operation{ClientId: h.Client, Input: h.Op, Call: h.Call,
				Output: Reply{Status: StatusUnknown}, Return: math.MaxInt64})
		}
	}
	return out, nil
}

func (h HistoryOp) validate() error {
	if err := h.Op.Validate(); err != nil {
		return err
	}
	switch {
	case h.Outcome < OutcomeOK || h.Outcome > OutcomeUnknown:
		return fmt.Errorf("HistoryOp.Outcome = %d: unknown", h.Outcome)
	case h.Client < 0:
		return fmt.Errorf("HistoryOp.Client = %d: must be >= 0", h.Client)
	case h.Call < 0 || h.Call == math.MaxInt64:
		return fmt.Errorf("HistoryOp.Call = %d: must be in [0, MaxInt64)", h.Call)
	case h.Outcome == OutcomeOK && h.Return < h.Call:
		return fmt.Errorf("HistoryOp.Return = %d: before Call %d", h.Return, h.Call)
	case h.Outcome == OutcomeOK && h.Reply.Status != StatusOK:
		return fmt.Errorf("HistoryOp.Outcome ok with Reply.Status %s: classify with Reply.Outcome", h.Reply.Status)
	}
	return nil
}
