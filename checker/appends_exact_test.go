package checker

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/anishathalye/porcupine"
	"pgregory.net/rapid"

	"github.com/raftcheck/raftcheck/workloads"
)

// TestAppendsDecideLinearizability checks CheckAppends against a Porcupine search on random
// small histories: no anomaly exactly when the history is linearizable.
func TestAppendsDecideLinearizability(t *testing.T) {
	model, err := workloads.Model(workloads.WorkloadAppend)
	if err != nil {
		t.Fatal(err)
	}
	linearizable := 0
	rapid.Check(t, func(rt *rapid.T) {
		key, history := drawAppendHistory(rt)
		ops, err := workloads.Operations(history)
		if err != nil {
			rt.Fatalf("history does not convert: %v", err)
		}
		want := porcupine.CheckOperations(model, ops)
		vs, err := CheckAppends([]AppendKey{key})
		if err != nil {
			rt.Fatalf("CheckAppends: %v", err)
		}
		if got := len(vs) == 0; got != want {
			rt.Fatalf("CheckAppends says linearizable=%v (%v), Porcupine says %v; history:\n%s", got, vs, want, describe(history))
		}
		if want {
			linearizable++
		}
	})
	if linearizable == 0 {
		t.Fatal("no linearizable history was drawn: the generator is too wild to test anything")
	}
}

// drawAppendHistory draws appends and reads on one key with distinct times, each read
// returning a random sequence of appended values (often, but not always, a plausible one).
func drawAppendHistory(t *rapid.T) (AppendKey, []workloads.HistoryOp) {
	nApp := rapid.IntRange(1, 4).Draw(t, "appends")
	nRead := rapid.IntRange(0, 4).Draw(t, "reads")
	slots := rapid.Permutation(seq(2*(nApp+nRead))).Draw(t, "times")
	span := func(i int) (int64, int64) {
		a, b := int64(slots[2*i]), int64(slots[2*i+1])
		return min(a, b), max(a, b)
	}
	key := AppendKey{Key: "k"}
	var history []workloads.HistoryOp
	for i := range nApp {
		call, ret := span(i)
		st := rapid.SampledFrom([]OpStatus{StatusOK, StatusOK, StatusUnknown, StatusFailed}).Draw(t, "status")
		key.Appends = append(key.Appends, AppendOp{Value: i + 1, Call: call, Return: ret, Status: st})
		h := workloads.HistoryOp{Client: i, Op: workloads.Op{Kind: workloads.Append, Key: "k", Value: strconv.Itoa(i + 1)},
			Call: call, Return: ret, Outcome: map[OpStatus]workloads.Outcome{StatusOK: workloads.OutcomeOK,
				StatusUnknown: workloads.OutcomeUnknown, StatusFailed: workloads.OutcomeFail}[st]}
		if st == StatusOK {
			h.Reply = workloads.Reply{Status: workloads.StatusOK}
		}
		history = append(history, h)
	}
	order := rapid.Permutation(seq(nApp)).Draw(t, "order")
	for j := range nRead {
		call, ret := span(nApp + j)
		n := rapid.IntRange(0, nApp).Draw(t, "len")
		vals := make([]int, n)
		for k := range n {
			vals[k] = order[k] + 1
		}
		if rapid.IntRange(0, 4).Draw(t, "scramble") == 0 && n > 1 {
			vals[0], vals[n-1] = vals[n-1], vals[0]
		}
		key.Reads = append(key.Reads, ReadOp{Values: vals, Call: call, Return: ret})
		history = append(history, workloads.HistoryOp{Client: nApp + j, Op: workloads.Op{Kind: workloads.Get, Key: "k"},
			Reply: workloads.Reply{Status: workloads.StatusOK, Found: n > 0, Value: workloads.FormatList(vals)},
			Call:  call, Return: ret, Outcome: workloads.OutcomeOK})
	}
	return key, history
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func describe(history []workloads.HistoryOp) string {
	s := ""
	for _, h := range history {
		s += fmt.Sprintf("  %s\n", h)
	}
	return s
}
