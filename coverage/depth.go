package coverage

// The measures of the depth family: how far into a kind of trouble a run went.
const (
	measureElections   = iota // leaders elected
	measureMaxTerm            // the highest term any node reached
	measureStepDowns          // leaders that stopped leading (stepped down or crashed)
	measureTruncations        // saves that overwrote entries
	measureRestarts           // node restarts
	measureDivergent          // the most up nodes whose logs diverged from the leader's at once
	measures
)

// depth is the per-run state of the depth family.
type depth struct {
	count   [measures]uint64 // the counting measures
	reached [measures]uint8  // levels emitted so far, per measure
}

// level is the depth bucket of v >= 1: 1, 2-3, 4-7, 8-15, 16-31, 32+.
func level(v uint64) uint8 {
	l := uint8(0)
	for v > 1 && l < uint8(len(levelDim.values)-1) {
		v >>= 1
		l++
	}
	return l
}

// deepen records that measure m reached value v, emitting every level up to v's not
// emitted yet (reaching 8 elections also reaches 1, 2-3 and 4-7).
func (t *Tracker) deepen(m int, v uint64) {
	if v == 0 {
		return
	}
	for l := level(v); t.depth.reached[m] <= l; t.depth.reached[m]++ {
		t.emit(mk(famDepth, uint8(m), t.depth.reached[m]))
	}
}

// count adds one to counting measure m.
func (t *Tracker) count(m int) {
	t.depth.count[m]++
	t.deepen(m, t.depth.count[m])
}
