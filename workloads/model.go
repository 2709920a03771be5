package workloads

import (
	"fmt"
	"hash/fnv"
	"strconv"

	"github.com/anishathalye/porcupine"
)

// Workload names, for GeneratorConfig.Workload and Model.
const (
	// WorkloadKV: get, put and cas on a small keyspace; checked for linearizability per key.
	WorkloadKV = "kv"
	// WorkloadAppend: appends of unique elements to per-key lists and reads of whole lists;
	// checked for linearizability per key (a lost, duplicated or reordered element fails).
	WorkloadAppend = "append"
)

// Names returns the workload names, sorted.
func Names() []string { return []string{WorkloadAppend, WorkloadKV} }

// Model returns the Porcupine model of a workload, for histories converted by Operations.
// Both models have the KV's exact semantics for all four op kinds and are partitioned by
// key, so the per-partition state is one key's value; they differ only in how they describe
// operations and states (the append model shows values as lists, reads as "read").
func Model(workload string) (porcupine.Model, error) {
	switch workload {
	case WorkloadKV:
		return newModel(false), nil
	case WorkloadAppend:
		return newModel(true), nil
	}
	return porcupine.Model{}, fmt.Errorf("workloads: workload %q: want %q or %q", workload, WorkloadKV, WorkloadAppend)
}

// keyState is the per-partition model state: one key's value. Key is carried for the
// visualisation only ("" until the first step) and is ignored by equality.
type keyState struct {
	Key   string
	Value string
	Found bool
}

func newModel(lists bool) porcupine.Model {
	return porcupine.Model{
		Partition:      partitionOps,
		PartitionEvent: partitionEvents,
		Init:           func() any { return keyState{} },
		Step:           step,
		Equal: func(a, b any) bool {
			x, y := a.(keyState), b.(keyState)
			return x.Value == y.Value && x.Found == y.Found
		},
		Hash: func(s any) uint64 {
			st := s.(keyState)
			h := fnv.New64a()
			h.Write([]byte(st.Value))
			if st.Found {
				h.Write([]byte{1})
			}
			return h.Sum64()
		},
		DescribeOperation: func(in, out any) string {
			return describeOp(in.(Op), out.(Reply), lists)
		},
		DescribeState: func(s any) string { return describeState(s.(keyState), lists) },
	}
}

// step is the sequential specification: the KV's execute on one key. An output with
// StatusUnknown is accepted whatever the state, and the op's effect is applied.
func step(state, input, output any) (bool, any) {
	s, okS := state.(keyState)
	o, okI := input.(Op)
	r, okO := output.(Reply)
	if !okS || !okI || !okO {
		panic(fmt.Sprintf("workloads: model step on %T, %T, %T: want keyState, Op, Reply (convert with Operations)", state, input, output))
	}
	unknown := r.Status == StatusUnknown
	next := keyState{Key: o.Key, Value: s.Value, Found: s.Found}
	switch o.Kind {
	case Get:
		return unknown || (r.Value == s.Value && r.Found == s.Found), next
	case Put:
		next.Value, next.Found = o.Value, true
		return true, next
	case Append:
		next.Value, next.Found = appendElement(s.Value, o.Value), true
		return true, next
	case CAS:
		swapped := s.Value == o.Expect
		if swapped {
			next.Value, next.Found = o.Value, true
		}
		return unknown || (r.Swapped == swapped && r.Value == s.Value && r.Found == s.Found), next
	}
	return false, next
}

// partitionOps splits a history by key, partitions in order of each key's first op.
func partitionOps(history []porcupine.Operation) [][]porcupine.Operation {
	index := make(map[string]int)
	var parts [][]porcupine.Operation
	for _, op := range history {
		key := op.Input.(Op).Key
		i, ok := index[key]
		if !ok {
			i = len(parts)
			index[key] = i
			parts = append(parts, nil)
		}
		parts[i] = append(parts[i], op)
	}
	return parts
}

// partitionEvents splits an event history by key: a call event carries the Op, and its
// return event (same Id) goes to the same partition.
func partitionEvents(history []porcupine.Event) [][]porcupine.Event {
	index := make(map[string]int)
	partOf := make(map[int]int) // event Id → partition
	parts := 0
	for _, ev := range history {
		if ev.Kind != porcupine.CallEvent {
			continue
		}
		key := ev.Value.(Op).Key
		i, ok := index[key]
		if !ok {
			i, parts = parts, parts+1
			index[key] = i
		}
		partOf[ev.Id] = i
	}
	out := make([][]porcupine.Event, parts)
	for _, ev := range history {
		i, ok := partOf[ev.Id]
		if !ok {
			panic(fmt.Sprintf("workloads: return event %d has no call event", ev.Id))
		}
		out[i] = append(out[i], ev)
	}
	return out
}

// describeOp renders an operation for the visualisation, e.g. "put(x, 3) → ok",
// "cas(x, 3→4) → fail (was 5)", "read(x) → [1 2]", "append(x, 7) → ?".
func describeOp(o Op, r Reply, lists bool) string {
	var call string
	switch o.Kind {
	case Get:
		call = "get(" + show(o.Key) + ")"
		if lists {
			call = "read(" + show(o.Key) + ")"
		}
	case Put, Append:
		call = o.Kind.String() + "(" + show(o.Key) + ", " + show(o.Value) + ")"
	case CAS:
		call = "cas(" + show(o.Key) + ", " + show(o.Expect) + "→" + show(o.Value) + ")"
	default:
		call = o.String()
	}
	return call + " → " + describeReply(o, r, lists)
}

// describeReply renders the result part of describeOp.
func describeReply(o Op, r Reply, lists bool) string {
	if r.Status != StatusOK {
		if r.Status == StatusUnknown {
			return "?"
		}
		return r.Status.String()
	}
	switch o.Kind {
	case Get:
		return showValue(r.Value, r.Found, lists)
	case CAS:
		if r.Swapped {
			return "ok"
		}
		return "fail (was " + showValue(r.Value, r.Found, lists) + ")"
	}
	return "ok"
}

func describeState(s keyState, lists bool) string {
	if s.Key == "" {
		return "(initial)"
	}
	return show(s.Key) + "=" + showValue(s.Value, s.Found, lists)
}

func showValue(v string, found, lists bool) string {
	switch {
	case !found:
		return "nil"
	case lists:
		return describeList(v)
	}
	return show(v)
}

// show prints a key or value bare when it is a simple word (letters, digits, _ . -) and
// quoted otherwise.
func show(s string) string {
	if s == "" {
		return `""`
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		simple := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-'
		if !simple {
			return strconv.Quote(s)
		}
	}
	return s
}
