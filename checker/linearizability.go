package checker

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"
)

// Outcome is the verdict of a linearizability check. The zero value is Unknown, so a
// result nobody filled in is never mistaken for OK.
type Outcome uint8

const (
	// Unknown: no verdict (the check timed out or could not run). Never counted as OK.
	Unknown Outcome = iota
	// OK: the history is linearizable.
	OK
	// Illegal: the history is not linearizable.
	Illegal
)

// String returns "unknown", "ok" or "illegal".
func (o Outcome) String() string {
	switch o {
	case OK:
		return "ok"
	case Illegal:
		return "illegal"
	default:
		return "unknown"
	}
}

// LinResult is the result of CheckLinearizability.
type LinResult struct {
	Outcome Outcome
	// Info is Porcupine's record of the search, for porcupine.Visualize; set when Outcome is
	// Illegal and HasInfo is true.
	Info    porcupine.LinearizationInfo
	HasInfo bool
	// Detail says, for Illegal, which partitions (keys) failed and which operations could
	// not be linearized; for Unknown, why there is no verdict.
	Detail string
	// Err is set when the check could not run (bad timeout or model); Outcome is Unknown.
	Err error
}

// linPartitionsShown bounds the partitions and operations named in LinResult.Detail.
const linPartitionsShown, linOpsShown = 3, 3

// CheckLinearizability checks ops against model with Porcupine, giving up after timeout
// (which must be positive). A fast pass decides; only an Illegal history is checked again
// in verbose mode, with the same timeout, to keep the LinearizationInfo for the report.
func CheckLinearizability(model porcupine.Model, ops []porcupine.Operation, timeout time.Duration) LinResult {
	if timeout <= 0 {
		return LinResult{Err: fmt.Errorf("checker: CheckLinearizability timeout = %v: must be > 0", timeout)}
	}
	if model.Init == nil || (model.Step == nil && model.StepContext == nil) {
		return LinResult{Err: fmt.Errorf("checker: CheckLinearizability model: Init and Step (or StepContext) must be set")}
	}
	switch porcupine.CheckOperationsTimeout(model, ops, timeout) {
	case porcupine.Ok:
		return LinResult{Outcome: OK}
	case porcupine.Unknown:
		return LinResult{Outcome: Unknown,
			Detail: fmt.Sprintf("no verdict within %v on %d operations", timeout, len(ops))}
	}
	res, info := porcupine.CheckOperationsVerbose(model, ops, timeout)
	if res != porcupine.Illegal {
		return LinResult{Outcome: Illegal,
			Detail: fmt.Sprintf("not linearizable (%d operations); the verbose pass for the visualisation gave no verdict within %v",
				len(ops), timeout)}
	}
	return LinResult{Outcome: Illegal, Info: info, HasInfo: true, Detail: illegalDetail(model, ops, info)}
}

// Violation converts an Illegal result into a linearizability violation found at time t.
func (r LinResult) Violation(t int64) (Violation, bool) {
	if r.Outcome != Illegal {
		return Violation{}, false
	}
	return Violation{Kind: KindLinearizability, Time: t, Detail: "client history is not linearizable: " + r.Detail}, true
}

// illegalDetail names the partitions that Porcupine could not fully linearize and the
// earliest operations left out of their longest partial linearization.
func illegalDetail(model porcupine.Model, ops []porcupine.Operation, info porcupine.LinearizationInfo) string {
	parts := [][]porcupine.Operation{ops}
	if model.Partition != nil {
		parts = model.Partition(ops)
	}
	partials := info.PartialLinearizations()
	if len(partials) != len(parts) {
		return fmt.Sprintf("not linearizable (%d operations, %d partitions)", len(ops), len(partials))
	}
	var out []string
	for p, part := range parts {
		best := longestPartial(partials[p])
		if len(best) >= len(part) {
			continue
		}
		out = append(out, fmt.Sprintf("partition %d of %d (%d ops): at most %d linearize; not linearized: %s",
			p, len(parts), len(part), len(best), describeLeftOut(model, part, best)))
		if len(out) == linPartitionsShown {
			break
		}
	}
	if len(out) == 0 {
		return fmt.Sprintf("not linearizable (%d operations)", len(ops))
	}
	return strings.Join(out, "; ")
}

// longestPartial picks the longest partial linearization, the lexicographically smallest
// among equals, so that the choice does not depend on Porcupine's map order.
func longestPartial(partials [][]int) []int {
	var best []int
	for _, p := range partials {
		if len(p) > len(best) || (len(p) == len(best) && slices.Compare(p, best) < 0) {
			best = p
		}
	}
	return best
}

// describeLeftOut renders the earliest-invoked operations of part missing from best.
func describeLeftOut(model porcupine.Model, part []porcupine.Operation, best []int) string {
	left := LeftOut(part, best)
	var out []string
	for _, id := range left[:min(len(left), linOpsShown)] {
		op := part[id]
		desc := fmt.Sprintf("%v -> %v", op.Input, op.Output)
		if model.DescribeOperation != nil {
			desc = model.DescribeOperation(op.Input, op.Output)
		}
		out = append(out, fmt.Sprintf("%s [client %d, %s]", desc, op.ClientId, span(op)))
	}
	if len(left) > linOpsShown {
		out = append(out, fmt.Sprintf("and %d more", len(left)-linOpsShown))
	}
	return strings.Join(out, ", ")
}

// LeftOut lists the operations of partition part (by index) that are missing from best, the
// longest linearizable prefix Porcupine found, earliest call first.
func LeftOut(part []porcupine.Operation, best []int) []int {
	in := make([]bool, len(part))
	for _, id := range best {
		if id >= 0 && id < len(part) {
			in[id] = true
		}
	}
	var left []int
	for id := range part {
		if !in[id] {
			left = append(left, id)
		}
	}
	slices.SortStableFunc(left, func(a, b int) int { return cmp.Compare(part[a].Call, part[b].Call) })
	return left
}

// span renders an operation's call and return times; an operation never answered (its
// Return is math.MaxInt64, open to the end of the history) says so.
func span(op porcupine.Operation) string {
	if op.Return == math.MaxInt64 {
		return fmt.Sprintf("%v..never answered", time.Duration(op.Call))
	}
	return fmt.Sprintf("%v..%v", time.Duration(op.Call), time.Duration(op.Return))
}
