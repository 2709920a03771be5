package checker

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/raftcheck/raftcheck/workloads"
)

// oneKeyHistory is a linearizable kv history of n operations, all on one key, from clients
// concurrent clients: gets, puts and compare-and-sets with overlapping intervals around
// linearization points 1 ms apart, a fraction unknown of them indeterminate (the client gave
// up; a write of those took effect or not, at random).
func oneKeyHistory(n, clients int, unknown float64, seed uint64) []workloads.HistoryOp {
	r := rand.New(rand.NewPCG(seed, 0))
	const gap = int64(time.Millisecond)
	width := int64(clients) * gap / 2 // an op spans up to ±width around its point; a client's ops never overlap
	var value string
	found := false
	out := make([]workloads.HistoryOp, 0, n)
	for i := range n {
		point := width + int64(i+1)*gap
		h := workloads.HistoryOp{Client: i % clients, Call: point - r.Int64N(width), Return: point + r.Int64N(width), Outcome: workloads.OutcomeOK}
		switch u := r.Float64(); {
		case u < 0.5:
			h.Op = workloads.Op{Kind: workloads.Get, Key: "k"}
			h.Reply = workloads.Reply{Value: value, Found: found}
		case u < 0.9:
			h.Op = workloads.Op{Kind: workloads.Put, Key: "k", Value: strconv.Itoa(i)}
		default:
			h.Op = workloads.Op{Kind: workloads.CAS, Key: "k", Expect: value, Value: strconv.Itoa(i)}
			if r.IntN(3) == 0 {
				h.Op.Expect = "x" // a CAS that finds another value
			}
			h.Reply = workloads.Reply{Value: value, Found: found, Swapped: h.Op.Expect == value}
		}
		takes := h.Op.Kind == workloads.Put || (h.Op.Kind == workloads.CAS && h.Reply.Swapped)
		if r.Float64() < unknown {
			h.Outcome, h.Reply = workloads.OutcomeUnknown, workloads.Reply{}
			takes = takes && r.IntN(2) == 0
		}
		if takes {
			value, found = h.Op.Value, true
		}
		out = append(out, h)
	}
	return out
}

// BenchmarkPorcupineOneKey checks a 10,000-operation kv history on a single key with 10% of
// its operations indeterminate, the hardest shape for the search (no partitioning helps), the
// way a run checks it (pruned, then Porcupine). Issue target: ≤ 1 s per check, never Unknown.
func BenchmarkPorcupineOneKey(b *testing.B) {
	model, err := workloads.Model(workloads.WorkloadKV)
	if err != nil {
		b.Fatal(err)
	}
	hist := oneKeyHistory(10_000, 8, 0.1, 1)
	for b.Loop() {
		ops, err := workloads.Operations(workloads.ForLinearizability(hist))
		if err != nil {
			b.Fatal(err)
		}
		res := CheckLinearizability(model, ops, 30*time.Second)
		if res.Outcome != OK {
			b.Fatalf("outcome %v (%s): the history is linearizable by construction", res.Outcome, res.Detail)
		}
	}
}
