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
	seen := map[string]map[string]bool{} // key → values observed
	note := func(key, v string) {
		if seen[key] == nil {
			seen[key] = map[string]bool{}
		}
		seen[key][v] = true
	}
	for _, h := range history {
		if h.Op.Kind == CAS {
			note(h.Op.Key, h.Op.Expect)
		}
		if h.Outcome != OutcomeOK || !h.Reply.Found {
			continue
		}
		note(h.Op.Key, h.Reply.Value)
		for _, elem := range strings.Fields(h.Reply.Value) { // an append read lists its elements
			note(h.Op.Key, elem)
		}
	}
	var out []int
	for i, h := range history {
		if h.Outcome == OutcomeUnknown && h.Op.Kind != Get && !seen[h.Op.Key][h.Op.Value] {
			out = append(out, i)
		}
	}
	return out
}
