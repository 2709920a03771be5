package reports

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/raftcheck/raftcheck/cluster"
	"github.com/raftcheck/raftcheck/workloads"
)

func TestOpsOf(t *testing.T) {
	get := workloads.Op{Kind: workloads.Get, Key: "k1"}
	cas := workloads.Op{Kind: workloads.CAS, Key: "k2", Expect: "1", Value: "2"}
	put := workloads.Op{Kind: workloads.Put, Key: "k3", Value: "3"}
	hist := []workloads.HistoryOp{
		{Client: 1, Op: get, Reply: workloads.Reply{Value: "9", Found: true}, Call: 10, Return: 20, Outcome: workloads.OutcomeOK},
		{Client: 2, Op: get, Call: 10, Return: 20, Outcome: workloads.OutcomeOK},
		{Client: 3, Op: cas, Reply: workloads.Reply{Swapped: true}, Call: 10, Return: 20, Outcome: workloads.OutcomeOK},
		{Client: 4, Op: cas, Reply: workloads.Reply{Value: "7", Found: true}, Call: 10, Return: 20, Outcome: workloads.OutcomeOK},
		{Client: 5, Op: put, Call: 10, Return: 20, Outcome: workloads.OutcomeFail},
		{Client: 6, Op: put, Call: 10, Return: 5, Outcome: workloads.OutcomeUnknown},
		{Client: 7, Op: put, Call: 10, Return: 20, Outcome: 0}, // nobody classified it
	}
	want := []op{
		{1, 10, 20, "ok", `get "k1"`, `"9"`},
		{2, 10, 20, "ok", `get "k1"`, "(not found)"},
		{3, 10, 20, "ok", `cas "k2" "1" "2"`, "(swapped)"},
		{4, 10, 20, "ok", `cas "k2" "1" "2"`, `(not swapped: saw "7")`},
		{5, 10, 20, "fail", `put "k3" "3"`, ""},
		{6, 10, 5, "unknown", `put "k3" "3"`, ""},
		{7, 10, 20, "unknown", `put "k3" "3"`, ""},
	}
	got := opsOf(&cluster.Result{History: hist})
	assert.Equal(t, want, got)
	assert.Equal(t, "client 4: cas \"k2\" \"1\" \"2\" → ok (not swapped: saw \"7\")\ncalled 0.000s, returned 0.000s (0.01µs)", got[3].title())
	assert.Equal(t, "client 6: put \"k3\" \"3\" → unknown\ncalled 0.000s, never answered", got[5].title(),
		"an op whose return precedes its call was never answered")
}
