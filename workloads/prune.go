package workloads

import "strings"

// Unobserved returns the indexes (in history) of the writes whose outcome is unknown and whose
// effect no other operation could have observed. Such an op can always be linearized last —
// its return is unknown, so it may take effect after everything else — where it changes
// nothing any client saw; so dropping it before a linearizability check changes no verdict,
// while keeping it makes the search try every place for it (an append's unknown elements
// multiply the list states Porcupine must explore).
//
// A write of value v (values are unique in a run) is observed when some completed op on the
// same key returned v (a get or a cas reports the value it saw; an append read lists its
// elements) or some cas, whatever its outcome, expected v (whether it swapped depends on v).
func Unobserved(history []HistoryOp) []int {
	obs := observations(history)
	var out []int
	for i, h := range history {
		if h.Outcome == OutcomeUnknown && h.Op.Kind != Get && !obs.seen(h.Op.Key, h.Op.Value) {
			out = append(out, i)
		}
	}
	return out
}

// ForLinearizability returns the history a linearizability check needs, equivalent for the
// verdict and much cheaper to search:
//   - unknown writes nothing observed are dropped (see Unobserved);
//   - an unknown put or append whose value a completed op returned took effect before that
//     op's linearization point, so it is recorded as completed (its output is not checked by
//     the models) at the earliest return of an op that returned its value. Any linearization
//     of the original places it there or earlier, so both histories are linearizable or
//     neither is.
func ForLinearizability(history []HistoryOp) []HistoryOp {
	obs := observations(history)
	out := make([]HistoryOp, 0, len(history))
	for _, h := range history {
		if h.Outcome == OutcomeUnknown && h.Op.Kind != Get {
			if !obs.seen(h.Op.Key, h.Op.Value) {
				continue
			}
			if at, ok := obs.returned[obsKey{h.Op.Key, h.Op.Value}]; ok && h.Op.Kind != CAS && at >= h.Call {
				h.Outcome, h.Reply, h.Return = OutcomeOK, Reply{Status: StatusOK}, at
			}
		}
		out = append(out, h)
	}
	return out
}

type obsKey struct{ key, value string }

// observed records, per key, the values some op depended on (cas expectations) and the
// earliest return of a completed op that returned each value.
type observed struct {
	expected map[obsKey]bool
	returned map[obsKey]int64
}

func (o observed) seen(key, value string) bool {
	k := obsKey{key, value}
	_, ret := o.returned[k]
	return ret || o.expected[k]
}

func observations(history []HistoryOp) observed {
	o := observed{expected: map[obsKey]bool{}, returned: map[obsKey]int64{}}
	note := func(key, v string, at int64) {
		k := obsKey{key, v}
		if prev, ok := o.returned[k]; !ok || at < prev {
			o.returned[k] = at
		}
	}
	for _, h := range history {
		if h.Op.Kind == CAS {
			o.expected[obsKey{h.Op.Key, h.Op.Expect}] = true
		}
		if h.Outcome != OutcomeOK || !h.Reply.Found {
			continue
		}
		note(h.Op.Key, h.Reply.Value, h.Return)
		for _, elem := range strings.Fields(h.Reply.Value) { // an append read lists its elements
			note(h.Op.Key, elem, h.Return)
		}
	}
	return o
}
