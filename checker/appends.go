package checker

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// OpStatus is how a client operation ended. The zero value is StatusUnknown: an operation
// nobody classified is treated as indeterminate.
type OpStatus uint8

const (
	// StatusUnknown: indeterminate (timeout, crash): it may or may not have taken effect.
	StatusUnknown OpStatus = iota
	// StatusOK: acknowledged as done.
	StatusOK
	// StatusFailed: definitely did not take effect.
	StatusFailed
)

// AppendOp is one append of Value to a key's list, invoked at Call and answered at Return
// (simulated ns; for StatusUnknown, the time the client gave up).
type AppendOp struct {
	Value        int
	Call, Return int64
	Status       OpStatus
}

// ReadOp is one completed read of a key's whole list.
type ReadOp struct {
	Values       []int
	Call, Return int64
}

// AppendKey is the history of one key of the append workload. Appended values must be
// unique within the key.
type AppendKey struct {
	Key     string
	Appends []AppendOp
	Reads   []ReadOp
}

// appendShown bounds the values listed in one append-anomaly detail.
const appendShown = 8

// CheckAppends checks an append-workload history key by key, without search: every read
// is duplicate-free (duplicate); every read value was appended, by an append not known to
// have failed and invoked before the read returned (phantom); all reads of a key are
// prefixes of its longest read (divergent); every append acknowledged before a read was
// invoked is in that read (lost); an acknowledged append is never ordered after an append
// invoked after it completed (reordered); a read invoked after another returned is at least
// as long (stale).
//
// Together these are exactly linearizability of the key's history (values being unique):
// the longest read fixes the order of the appends it shows, each read's place in that order
// is fixed by its length, acknowledged appends no read shows come after every read, and
// unknown ones may be left out; what remains is that this order respects real time between
// every pair of operations, and each rule above is one kind of pair. So the check decides
// what a Porcupine search would, in O(n log n) where the search can take exponential time
// on long stretches of concurrent appends. Each kind of anomaly gives at most one
// KindAppendAnomaly violation per key, listing the values involved; violations are sorted
// by the time the first read exposing them returned. A malformed history (duplicate
// appended value, Return before Call) is an error.
func CheckAppends(keys []AppendKey) ([]Violation, error) {
	var out []Violation
	for i := range keys {
		if err := validateAppendKey(i, &keys[i]); err != nil {
			return nil, err
		}
		k := newAppendCheck(&keys[i])
		out = append(out, k.run()...)
	}
	slices.SortStableFunc(out, func(a, b Violation) int { return cmp.Compare(a.Time, b.Time) })
	return out, nil
}

func validateAppendKey(i int, k *AppendKey) error {
	seen := make(map[int]bool, len(k.Appends))
	for j, a := range k.Appends {
		if seen[a.Value] {
			return fmt.Errorf("checker: AppendKey[%d] (key %q).Appends[%d].Value = %d: appended twice", i, k.Key, j, a.Value)
		}
		seen[a.Value] = true
		if a.Return < a.Call {
			return fmt.Errorf("checker: AppendKey[%d] (key %q).Appends[%d].Return = %d: before Call %d", i, k.Key, j, a.Return, a.Call)
		}
	}
	for j, r := range k.Reads {
		if r.Return < r.Call {
			return fmt.Errorf("checker: AppendKey[%d] (key %q).Reads[%d].Return = %d: before Call %d", i, k.Key, j, r.Return, r.Call)
		}
	}
	return nil
}

// anomaly accumulates the instances of one kind of anomaly in one key.
type anomaly struct {
	name  string
	first int64 // earliest exposure
	items []string
	count int
}

func (a *anomaly) add(at int64, item string) {
	if a.count == 0 || at < a.first {
		a.first = at
	}
	if len(a.items) < appendShown {
		a.items = append(a.items, item)
	}
	a.count++
}

// appendCheck checks one key.
type appendCheck struct {
	k        *AppendKey
	byValue  map[int]int // value -> index in k.Appends; lookups only
	canon    []int       // the longest read
	pos      map[int]int // value -> first position in canon; lookups only
	isPrefix []bool      // per read: a prefix of canon
	anoms    [6]anomaly  // duplicate, phantom, divergent, lost, reordered, stale
}

func newAppendCheck(k *AppendKey) *appendCheck {
	a := &appendCheck{k: k, byValue: make(map[int]int, len(k.Appends)), pos: map[int]int{}}
	for i, op := range k.Appends {
		a.byValue[op.Value] = i
	}
	for i, name := range []string{"duplicate", "phantom", "divergent", "lost", "reordered", "stale"} {
		a.anoms[i].name = name
	}
	return a
}

func (a *appendCheck) run() []Violation {
	a.checkReads()
	a.checkPrefixes()
	a.checkLost()
	a.checkOrder()
	a.checkMonotonic()
	var out []Violation
	for _, an := range a.anoms {
		if an.count == 0 {
			continue
		}
		detail := fmt.Sprintf("key %q: %s: %d: %s", a.k.Key, an.name, an.count, strings.Join(an.items, "; "))
		if an.count > len(an.items) {
			detail += fmt.Sprintf("; and %d more", an.count-len(an.items))
		}
		out = append(out, Violation{Kind: KindAppendAnomaly, Time: an.first, Detail: detail})
	}
	return out
}

// checkReads finds duplicates within a read and phantom values.
func (a *appendCheck) checkReads() {
	phantom := map[int]bool{} // lookups only
	seen := map[int]int{}
	for ri, r := range a.k.Reads {
		clear(seen)
		dup := false
		for p, v := range r.Values {
			if q, ok := seen[v]; ok && !dup {
				dup = true
				a.anoms[0].add(r.Return, fmt.Sprintf("read %d %s returned value %d twice (positions %d and %d)",
					ri, fmtSpan(r.Call, r.Return), v, q, p))
			}
			seen[v] = p
			if why := a.phantomWhy(v, r); why != "" && !phantom[v] {
				phantom[v] = true
				a.anoms[1].add(r.Return, fmt.Sprintf("read %d %s returned value %d, %s", ri, fmtSpan(r.Call, r.Return), v, why))
			}
		}
	}
}

// phantomWhy says why value v may not appear in read r, or "".
func (a *appendCheck) phantomWhy(v int, r ReadOp) string {
	i, ok := a.byValue[v]
	if !ok {
		return "which was never appended"
	}
	op := a.k.Appends[i]
	switch {
	case op.Status == StatusFailed:
		return fmt.Sprintf("whose append %s failed", fmtSpan(op.Call, op.Return))
	case r.Return < op.Call:
		return fmt.Sprintf("whose append was only invoked at %s", fmtTime(op.Call))
	}
	return ""
}

// checkPrefixes picks the longest read as the key's order and reports reads that are not
// prefixes of it.
func (a *appendCheck) checkPrefixes() {
	longest := -1
	for i, r := range a.k.Reads {
		if longest < 0 || len(r.Values) > len(a.k.Reads[longest].Values) {
			longest = i
		}
	}
	a.isPrefix = make([]bool, len(a.k.Reads))
	if longest < 0 {
		return
	}
	a.canon = a.k.Reads[longest].Values
	for p, v := range a.canon {
		if _, ok := a.pos[v]; !ok {
			a.pos[v] = p
		}
	}
	for ri, r := range a.k.Reads {
		p := 0
		for p < len(r.Values) && r.Values[p] == a.canon[p] {
			p++
		}
		if a.isPrefix[ri] = p == len(r.Values); a.isPrefix[ri] {
			continue
		}
		a.anoms[2].add(r.Return, fmt.Sprintf("read %d %s has %d at position %d where read %d %s has %d",
			ri, fmtSpan(r.Call, r.Return), r.Values[p], p, longest,
			fmtSpan(a.k.Reads[longest].Call, a.k.Reads[longest].Return), a.canon[p]))
	}
}

// checkLost reports appends acknowledged before a read was invoked and missing from it,
// once per value, at the first such read (by invocation).
func (a *appendCheck) checkLost() {
	acked := make([]int, 0, len(a.k.Appends))
	for i, op := range a.k.Appends {
		if op.Status == StatusOK {
			acked = append(acked, i)
		}
	}
	slices.SortStableFunc(acked, func(x, y int) int { return cmp.Compare(a.k.Appends[x].Return, a.k.Appends[y].Return) })
	reads := make([]int, len(a.k.Reads))
	for i := range reads {
		reads[i] = i
	}
	slices.SortStableFunc(reads, func(x, y int) int { return cmp.Compare(a.k.Reads[x].Call, a.k.Reads[y].Call) })
	reported := make([]bool, len(a.k.Appends))
	done := 0 // acked[:done] completed before the current read was invoked
	for _, ri := range reads {
		r := a.k.Reads[ri]
		for done < len(acked) && a.k.Appends[acked[done]].Return < r.Call {
			done++
		}
		has := a.membership(ri)
		for _, ai := range acked[:done] {
			op := a.k.Appends[ai]
			if reported[ai] || has(op.Value) {
				continue
			}
			reported[ai] = true
			a.anoms[3].add(r.Return, fmt.Sprintf("append of %d acknowledged at %s is missing from read %d %s (%d values)",
				op.Value, fmtTime(op.Return), ri, fmtSpan(r.Call, r.Return), len(r.Values)))
		}
	}
}

// membership returns a membership test for the values of read ri.
func (a *appendCheck) membership(ri int) func(int) bool {
	r := a.k.Reads[ri]
	if a.isPrefix[ri] {
		return func(v int) bool {
			p, ok := a.pos[v]
			return ok && p < len(r.Values)
		}
	}
	set := make(map[int]bool, len(r.Values))
	for _, v := range r.Values {
		set[v] = true
	}
	return func(v int) bool { return set[v] }
}

// checkOrder reports acknowledged appends that the key's order places after an append
// invoked only after they completed; an acknowledged append no read shows is placed after
// every shown one.
func (a *appendCheck) checkOrder() {
	exposed := a.exposure()
	var maxCall int64 = math.MinInt64
	maxAt := -1 // position of the append with the latest invocation so far
	for q, v := range a.canon {
		i, ok := a.byValue[v]
		if !ok {
			continue
		}
		op := a.k.Appends[i]
		if op.Status == StatusOK && maxAt >= 0 && op.Return < maxCall {
			x := a.canon[maxAt]
			a.anoms[4].add(exposed[q], fmt.Sprintf("%d (appended %s) is ordered at position %d, after %d at position %d, whose append was invoked later, at %s",
				v, fmtSpan(op.Call, op.Return), q, x, maxAt, fmtTime(maxCall)))
		}
		if op.Call > maxCall {
			maxCall, maxAt = op.Call, q
		}
	}
	a.checkUnshown(maxCall, maxAt, exposed)
}

// checkUnshown reports acknowledged appends that no read shows although an append invoked
// after they completed is shown: they would have to come both after every read and before
// that append.
func (a *appendCheck) checkUnshown(maxCall int64, maxAt int, exposed []int64) {
	if maxAt < 0 {
		return
	}
	for _, op := range a.k.Appends {
		if _, shown := a.pos[op.Value]; shown || op.Status != StatusOK || op.Return >= maxCall {
			continue
		}
		a.anoms[4].add(exposed[maxAt], fmt.Sprintf("%d (appended %s) is in no read, but %d at position %d, whose append was invoked later, at %s, is",
			op.Value, fmtSpan(op.Call, op.Return), a.canon[maxAt], maxAt, fmtTime(maxCall)))
	}
}

// checkMonotonic reports a read that returned fewer values than a read which completed
// before it was invoked: the later read went back in time.
func (a *appendCheck) checkMonotonic() {
	byReturn := make([]int, 0, len(a.k.Reads))
	for ri := range a.k.Reads {
		if a.isPrefix[ri] {
			byReturn = append(byReturn, ri)
		}
	}
	byCall := slices.Clone(byReturn)
	slices.SortStableFunc(byReturn, func(x, y int) int { return cmp.Compare(a.k.Reads[x].Return, a.k.Reads[y].Return) })
	slices.SortStableFunc(byCall, func(x, y int) int { return cmp.Compare(a.k.Reads[x].Call, a.k.Reads[y].Call) })
	done, longest := 0, -1 // longest: the longest read among byReturn[:done]
	for _, ri := range byCall {
		r := a.k.Reads[ri]
		for ; done < len(byReturn) && a.k.Reads[byReturn[done]].Return < r.Call; done++ {
			if q := byReturn[done]; longest < 0 || len(a.k.Reads[q].Values) > len(a.k.Reads[longest].Values) {
				longest = q
			}
		}
		if longest >= 0 && len(a.k.Reads[longest].Values) > len(r.Values) {
			prev := a.k.Reads[longest]
			a.anoms[5].add(r.Return, fmt.Sprintf("read %d %s returned %d values after read %d %s had returned %d",
				ri, fmtSpan(r.Call, r.Return), len(r.Values), longest, fmtSpan(prev.Call, prev.Return), len(prev.Values)))
		}
	}
}

// exposure returns, per position of the key's order, the earliest return time of a
// prefix read that includes the position.
func (a *appendCheck) exposure() []int64 {
	best := make([]int64, len(a.canon)+1)
	for i := range best {
		best[i] = math.MaxInt64
	}
	for ri, r := range a.k.Reads {
		if a.isPrefix[ri] {
			best[len(r.Values)] = min(best[len(r.Values)], r.Return)
		}
	}
	out := make([]int64, len(a.canon))
	run := best[len(a.canon)]
	for q := len(a.canon) - 1; q >= 0; q-- {
		out[q] = run
		run = min(run, best[q])
	}
	return out
}

// fmtSpan renders an operation's [Call, Return] interval.
func fmtSpan(call, ret int64) string {
	return fmt.Sprintf("[%s, %s]", fmtTime(call), fmtTime(ret))
}
