package workloads

import (
	"bytes"
	"math"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Shorthands for hand-made histories.
func okOp(client int, call, ret int64, op Op, r Reply) HistoryOp {
	return HistoryOp{Client: client, Op: op, Reply: r, Call: call, Return: ret, Outcome: OutcomeOK}
}

func unknownOp(client int, call int64, op Op) HistoryOp {
	return HistoryOp{Client: client, Op: op, Call: call, Return: call + 1, Outcome: OutcomeUnknown}
}

func put(k, v string) Op      { return Op{Kind: Put, Key: k, Value: v} }
func get(k string) Op         { return Op{Kind: Get, Key: k} }
func cas(k, e, v string) Op   { return Op{Kind: CAS, Key: k, Expect: e, Value: v} }
func appendOp(k, v string) Op { return Op{Kind: Append, Key: k, Value: v} }
func val(v string) Reply      { return Reply{Value: v, Found: true} }
func casReply(was string, swapped bool) Reply {
	return Reply{Value: was, Found: was != "", Swapped: swapped}
}

func checkHistory(t *testing.T, workload string, h []HistoryOp) porcupine.CheckResult {
	t.Helper()
	model, err := Model(workload)
	require.NoError(t, err)
	ops, err := Operations(h)
	require.NoError(t, err)
	res, _ := porcupine.CheckOperationsVerbose(model, ops, 10*time.Second)
	return res
}

func TestKVModel(t *testing.T) {
	tests := []struct {
		name string
		h    []HistoryOp
		want porcupine.CheckResult
	}{
		{"concurrent read sees write", []HistoryOp{
			okOp(0, 0, 10, put("x", "1"), Reply{}),
			okOp(1, 5, 15, get("x"), val("1")),
			okOp(1, 20, 30, get("x"), val("1")),
		}, porcupine.Ok},
		{"concurrent read misses write", []HistoryOp{
			okOp(0, 0, 10, put("x", "1"), Reply{}),
			okOp(1, 5, 15, get("x"), Reply{}),
		}, porcupine.Ok},
		{"stale read after write completed", []HistoryOp{
			okOp(0, 0, 10, put("x", "1"), Reply{}),
			okOp(1, 20, 30, get("x"), Reply{}),
		}, porcupine.Illegal},
		{"read of a value never written", []HistoryOp{
			okOp(0, 0, 10, put("x", "1"), Reply{}),
			okOp(1, 5, 30, get("x"), val("2")),
		}, porcupine.Illegal},
		{"cas success then read", []HistoryOp{
			okOp(0, 0, 10, put("x", "3"), Reply{}),
			okOp(1, 20, 30, cas("x", "3", "4"), casReply("3", true)),
			okOp(0, 40, 50, get("x"), val("4")),
		}, porcupine.Ok},
		{"cas reported failure although it should match", []HistoryOp{
			okOp(0, 0, 10, put("x", "3"), Reply{}),
			okOp(1, 20, 30, cas("x", "3", "4"), casReply("3", false)),
		}, porcupine.Illegal},
		{"cas failure with the value seen", []HistoryOp{
			okOp(0, 0, 10, put("x", "5"), Reply{}),
			okOp(1, 20, 30, cas("x", "3", "4"), casReply("5", false)),
			okOp(0, 40, 50, get("x"), val("5")),
		}, porcupine.Ok},
		{"two cas from the same value both succeed", []HistoryOp{
			okOp(0, 0, 10, put("x", "3"), Reply{}),
			okOp(1, 20, 30, cas("x", "3", "4"), casReply("3", true)),
			okOp(2, 20, 30, cas("x", "3", "5"), casReply("3", true)),
		}, porcupine.Illegal},
		{"indeterminate write took effect", []HistoryOp{
			unknownOp(0, 0, put("x", "1")),
			okOp(1, 20, 30, get("x"), val("1")),
		}, porcupine.Ok},
		{"indeterminate write did not take effect", []HistoryOp{
			unknownOp(0, 0, put("x", "1")),
			okOp(1, 20, 30, get("x"), Reply{}),
		}, porcupine.Ok},
		{"indeterminate write seen then unseen", []HistoryOp{
			unknownOp(0, 0, put("x", "1")),
			okOp(1, 20, 30, get("x"), val("1")),
			okOp(1, 40, 50, get("x"), Reply{}),
		}, porcupine.Illegal},
		{"indeterminate cas took effect", []HistoryOp{
			okOp(0, 0, 10, put("x", "3"), Reply{}),
			unknownOp(1, 20, cas("x", "3", "4")),
			okOp(0, 40, 50, get("x"), val("4")),
		}, porcupine.Ok},
		{"definitely failed write is dropped", []HistoryOp{
			{Client: 0, Op: put("x", "1"), Call: 0, Return: 10, Outcome: OutcomeFail},
			okOp(1, 20, 30, get("x"), val("1")),
		}, porcupine.Illegal},
		{"violation on one key among two", []HistoryOp{
			okOp(0, 0, 10, put("x", "1"), Reply{}),
			okOp(1, 0, 10, put("y", "2"), Reply{}),
			okOp(0, 20, 30, get("x"), val("1")),
			okOp(1, 20, 30, get("y"), Reply{}),
		}, porcupine.Illegal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, checkHistory(t, WorkloadKV, tt.h))
		})
	}
}

func TestAppendModel(t *testing.T) {
	both := []HistoryOp{
		okOp(0, 0, 10, appendOp("x", "1"), Reply{}),
		okOp(1, 0, 10, appendOp("x", "2"), Reply{}),
	}
	with := func(ops ...HistoryOp) []HistoryOp { return append(append([]HistoryOp(nil), both...), ops...) }
	tests := []struct {
		name string
		h    []HistoryOp
		want porcupine.CheckResult
	}{
		{"order 1 2", with(okOp(2, 20, 30, get("x"), val("1 2"))), porcupine.Ok},
		{"order 2 1", with(okOp(2, 20, 30, get("x"), val("2 1"))), porcupine.Ok},
		{"lost element", with(okOp(2, 20, 30, get("x"), val("1"))), porcupine.Illegal},
		{"duplicated element", with(okOp(2, 20, 30, get("x"), val("1 1 2"))), porcupine.Illegal},
		{"reads disagree on order", with(
			okOp(2, 20, 30, get("x"), val("1 2")),
			okOp(2, 40, 50, get("x"), val("2 1"))), porcupine.Illegal},
		{"concurrent read sees a prefix", []HistoryOp{
			okOp(0, 0, 10, appendOp("x", "1"), Reply{}),
			okOp(0, 20, 40, appendOp("x", "2"), Reply{}),
			okOp(1, 25, 35, get("x"), val("1")),
		}, porcupine.Ok},
		{"indeterminate append took effect", []HistoryOp{
			okOp(0, 0, 10, appendOp("x", "1"), Reply{}),
			unknownOp(1, 5, appendOp("x", "3")),
			okOp(0, 20, 30, get("x"), val("1 3")),
		}, porcupine.Ok},
		{"indeterminate append did not take effect", []HistoryOp{
			okOp(0, 0, 10, appendOp("x", "1"), Reply{}),
			unknownOp(1, 5, appendOp("x", "3")),
			okOp(0, 20, 30, get("x"), val("1")),
		}, porcupine.Ok},
		{"indeterminate append seen before it was called", []HistoryOp{
			okOp(0, 0, 10, get("x"), val("3")),
			unknownOp(1, 20, appendOp("x", "3")),
		}, porcupine.Illegal},
		{"lists are per key", []HistoryOp{
			okOp(0, 0, 10, appendOp("x", "1"), Reply{}),
			okOp(1, 0, 10, appendOp("y", "2"), Reply{}),
			okOp(0, 20, 30, get("x"), val("1")),
			okOp(1, 20, 30, get("y"), val("2")),
		}, porcupine.Ok},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, checkHistory(t, WorkloadAppend, tt.h))
		})
	}
}

// The NoDedup mutant, seen through the append model: a retried append applied twice shows
// as a duplicated element, which the model rejects.
func TestAppendModelCatchesDoubleApply(t *testing.T) {
	kv := newKV(t, KVOptions{NoDedup: true})
	c := Command{Client: 1, Seq: 1, Op: appendOp("x", "1")}
	apply(t, kv, c)
	apply(t, kv, c) // the client's retry
	read := apply(t, kv, Command{Client: 2, Seq: 1, Op: get("x")})
	h := []HistoryOp{
		okOp(0, 0, 10, c.Op, Reply{}),
		okOp(1, 20, 30, get("x"), read.Reply),
	}
	assert.Equal(t, porcupine.Illegal, checkHistory(t, WorkloadAppend, h))
}

func TestModelPartitionsByKey(t *testing.T) {
	model, err := Model(WorkloadKV)
	require.NoError(t, err)
	ops, err := Operations([]HistoryOp{
		okOp(0, 0, 10, put("y", "1"), Reply{}),
		okOp(1, 0, 10, put("x", "2"), Reply{}),
		okOp(0, 20, 30, get("y"), val("1")),
		unknownOp(1, 20, put("x", "3")),
	})
	require.NoError(t, err)
	parts := model.Partition(ops)
	require.Len(t, parts, 2)
	assert.Equal(t, []porcupine.Operation{ops[0], ops[2]}, parts[0], "y first: first key seen")
	assert.Equal(t, []porcupine.Operation{ops[1], ops[3]}, parts[1])

	events := []porcupine.Event{
		{Kind: porcupine.CallEvent, Value: put("x", "1"), Id: 0},
		{Kind: porcupine.CallEvent, Value: get("y"), Id: 1},
		{Kind: porcupine.ReturnEvent, Value: Reply{}, Id: 1},
		{Kind: porcupine.ReturnEvent, Value: Reply{}, Id: 0},
	}
	eparts := model.PartitionEvent(events)
	require.Len(t, eparts, 2)
	assert.Equal(t, []porcupine.Event{events[0], events[3]}, eparts[0])
	assert.Equal(t, []porcupine.Event{events[1], events[2]}, eparts[1])
	assert.True(t, porcupine.CheckEvents(model, events))
}

func TestModelDescriptions(t *testing.T) {
	kvm, err := Model(WorkloadKV)
	require.NoError(t, err)
	am, err := Model(WorkloadAppend)
	require.NoError(t, err)
	tests := []struct {
		model porcupine.Model
		op    Op
		out   Reply
		want  string
	}{
		{kvm, put("x", "3"), Reply{}, "put(x, 3) → ok"},
		{kvm, get("x"), val("3"), "get(x) → 3"},
		{kvm, get("x"), Reply{}, "get(x) → nil"},
		{kvm, get("x"), val(""), `get(x) → ""`},
		{kvm, get("x"), Reply{Status: StatusUnknown}, "get(x) → ?"},
		{kvm, cas("x", "3", "4"), casReply("3", true), "cas(x, 3→4) → ok"},
		{kvm, cas("x", "3", "4"), casReply("5", false), "cas(x, 3→4) → fail (was 5)"},
		{kvm, cas("x", "3", "4"), Reply{}, "cas(x, 3→4) → fail (was nil)"},
		{kvm, put("a key", "x y"), Reply{Status: StatusUnknown}, `put("a key", "x y") → ?`},
		{am, appendOp("x", "7"), Reply{}, "append(x, 7) → ok"},
		{am, get("x"), val("1 2 3"), "read(x) → [1 2 3]"},
		{am, get("x"), Reply{}, "read(x) → nil"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.model.DescribeOperation(tt.op, tt.out))
		})
	}
	assert.Equal(t, "(initial)", kvm.DescribeState(kvm.Init()))
	_, s := kvm.Step(kvm.Init(), put("x", "4"), Reply{})
	assert.Equal(t, "x=4", kvm.DescribeState(s))
	_, s = am.Step(am.Init(), appendOp("x", "4"), Reply{})
	_, s = am.Step(s, appendOp("x", "5"), Reply{})
	assert.Equal(t, "x=[4 5]", am.DescribeState(s))
}

func TestModelVisualizes(t *testing.T) {
	model, err := Model(WorkloadAppend)
	require.NoError(t, err)
	ops, err := Operations([]HistoryOp{
		okOp(0, 0, 10, appendOp("x", "1"), Reply{}),
		okOp(1, 20, 30, get("x"), Reply{}),
	})
	require.NoError(t, err)
	res, info := porcupine.CheckOperationsVerbose(model, ops, 10*time.Second)
	require.Equal(t, porcupine.Illegal, res)
	var buf bytes.Buffer
	require.NoError(t, porcupine.Visualize(model, info, &buf))
	assert.Contains(t, buf.String(), "append(x, 1) → ok")
	assert.Contains(t, buf.String(), "read(x) → nil")
}

func TestModelLookup(t *testing.T) {
	for _, w := range Names() {
		_, err := Model(w)
		assert.NoError(t, err, w)
	}
	_, err := Model("bank")
	assert.ErrorContains(t, err, `workload "bank"`)
}

func TestOperations(t *testing.T) {
	h := []HistoryOp{
		okOp(0, 5, 10, put("x", "1"), Reply{}),
		{Client: 1, Op: put("x", "2"), Call: 6, Return: 8, Outcome: OutcomeFail},
		unknownOp(2, 7, get("x")),
	}
	ops, err := Operations(h)
	require.NoError(t, err)
	want := []porcupine.Operation{
		{ClientId: 0, Input: put("x", "1"), Call: 5, Output: Reply{}, Return: 10},
		{ClientId: 2, Input: get("x"), Call: 7, Output: Reply{Status: StatusUnknown}, Return: math.MaxInt64},
	}
	assert.Equal(t, want, ops)

	bad := []struct {
		name string
		h    HistoryOp
		want string
	}{
		{"no outcome", HistoryOp{Op: get("x")}, "HistoryOp.Outcome = 0"},
		{"negative client", HistoryOp{Client: -1, Op: get("x"), Outcome: OutcomeOK}, "HistoryOp.Client = -1"},
		{"return before call", okOp(0, 10, 5, get("x"), Reply{}), "HistoryOp.Return = 5"},
		{"ok with stale reply", okOp(0, 0, 5, get("x"), Reply{Status: StatusStale}), "Reply.Status stale"},
		{"invalid op", okOp(0, 0, 5, Op{Kind: Get}, Reply{}), "key length 0"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Operations([]HistoryOp{tt.h})
			assert.ErrorContains(t, err, tt.want)
		})
	}
	assert.Equal(t, `c2 [7,8] get "x" → unknown`, h[2].String())
	assert.Equal(t, `c0 [5,10] put "x" "1" → ok`, h[0].String())
}
