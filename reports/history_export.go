package reports

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/raftcheck/raftcheck/workloads"
)

// keyword is an EDN keyword (written :name) or, in JSON, the string "name".
type keyword string

// historyEvent is one event of a history in Jepsen's form: an invocation or a completion.
// value is a tree of nil, string, int, keyword and []any.
type historyEvent struct {
	Type    keyword `json:"type"`
	F       keyword `json:"f"`
	Value   any     `json:"value"`
	Process int     `json:"process"`
	Time    int64   `json:"time"`
	Index   int     `json:"index"`
	Client  int     `json:"client"`
	Error   keyword `json:"error,omitempty"`
}

// Event types.
const (
	evInvoke keyword = "invoke"
	evOK     keyword = "ok"
	evFail   keyword = "fail"
	evInfo   keyword = "info"
)

// WriteHistoryJSON writes a run's client history as JSON lines, one event per line, with the
// fields and values of WriteHistoryEDN (keywords become strings):
//
//	{"type":"invoke","f":"write","value":["k1","7"],"process":3,"time":1500000,"index":0,"client":3}
func WriteHistoryJSON(w io.Writer, workload string, history []workloads.HistoryOp) error {
	bw := bufio.NewWriter(w)
	for _, ev := range historyEvents(workload, history) {
		b, err := json.Marshal(ev)
		if err != nil {
			return fmt.Errorf("reports: history event %d: %w", ev.Index, err)
		}
		bw.Write(b)
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// WriteHistoryEDN writes a run's client history in Jepsen's EDN form, one map per line (see
// the package documentation for the encoding):
//
//	{:type :invoke, :f :write, :value ["k1" "7"], :process 3, :time 1500000, :index 0, :client 3}
func WriteHistoryEDN(w io.Writer, workload string, history []workloads.HistoryOp) error {
	bw := bufio.NewWriter(w)
	for _, ev := range historyEvents(workload, history) {
		bw.WriteString("{:type ")
		writeEDN(bw, ev.Type)
		bw.WriteString(", :f ")
		writeEDN(bw, ev.F)
		bw.WriteString(", :value ")
		writeEDN(bw, ev.Value)
		fmt.Fprintf(bw, ", :process %d, :time %d, :index %d, :client %d", ev.Process, ev.Time, ev.Index, ev.Client)
		if ev.Error != "" {
			bw.WriteString(", :error ")
			writeEDN(bw, ev.Error)
		}
		bw.WriteString("}\n")
	}
	return bw.Flush()
}

// historyEvents turns a history into Jepsen events: for each operation an invocation at its
// call and a completion at its return, all in time order (a completion before an invocation
// at the same instant; an operation's own invocation always first), numbered from 0.
func historyEvents(workload string, history []workloads.HistoryOp) []historyEvent {
	procs := processes(history)
	type timed struct {
		ev    historyEvent
		phase int // at equal times: completions (0) before invocations (1)
		op    int
	}
	evs := make([]timed, 0, 2*len(history))
	for i, h := range history {
		f, invoke, done := encodeOp(workload, h)
		typ, errKw := completionType(h)
		if typ != evOK {
			done = invoke // Knossos requires a failed op's completion to carry its invocation's value
		}
		at, phase := h.Return, 0
		if at <= h.Call { // no time passed: keep the completion after its invocation
			at, phase = h.Call, 2
		}
		evs = append(evs,
			timed{historyEvent{Type: evInvoke, F: f, Value: invoke, Process: procs[i], Time: h.Call, Client: h.Client}, 1, i},
			timed{historyEvent{Type: typ, F: f, Value: done, Process: procs[i], Time: at, Client: h.Client, Error: errKw}, phase, i})
	}
	slices.SortStableFunc(evs, func(a, b timed) int {
		return cmp.Or(cmp.Compare(a.ev.Time, b.ev.Time), cmp.Compare(a.phase, b.phase), cmp.Compare(a.op, b.op))
	})
	out := make([]historyEvent, len(evs))
	for i, e := range evs {
		out[i] = e.ev
		out[i].Index = i
	}
	return out
}

// processes numbers each operation's process as Jepsen does: a client's process is its id
// until one of its operations ends indeterminate (:info); the client then goes on as a fresh
// process, id + clients (Knossos and Elle hold that a process whose operation may still be
// in flight never invokes another).
func processes(history []workloads.HistoryOp) []int {
	clients := 0
	for _, h := range history {
		clients = max(clients, h.Client+1)
	}
	order := make([]int, len(history))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(history[a].Call, history[b].Call) })
	gen := make(map[int]int)
	out := make([]int, len(history))
	for _, i := range order {
		h := history[i]
		out[i] = h.Client + gen[h.Client]*clients
		if typ, _ := completionType(h); typ == evInfo {
			gen[h.Client]++
		}
	}
	return out
}

// completionType is the type of an operation's completion: :ok, :fail (it did not take
// effect; a compare-and-set that found another value is a :fail with :error :mismatch) or
// :info (indeterminate).
func completionType(h workloads.HistoryOp) (keyword, keyword) {
	switch h.Outcome {
	case workloads.OutcomeOK:
		if h.Op.Kind == workloads.CAS && !h.Reply.Swapped {
			return evFail, "mismatch"
		}
		return evOK, ""
	case workloads.OutcomeFail:
		return evFail, ""
	}
	return evInfo, ""
}

// encodeOp returns an operation's :f, the :value of its invocation and that of its :ok
// completion, in the workload's encoding.
func encodeOp(workload string, h workloads.HistoryOp) (keyword, any, any) {
	op, found := h.Op, h.Outcome == workloads.OutcomeOK && h.Reply.Found
	if workload == workloads.WorkloadAppend && (op.Kind == workloads.Append || op.Kind == workloads.Get) {
		// Elle's list-append: a transaction of one micro-operation.
		if op.Kind == workloads.Append {
			mop := []any{keyword("append"), op.Key, element(op.Value)}
			return "txn", []any{mop}, []any{mop}
		}
		var read any
		if found {
			read = listValue(h.Reply.Value)
		}
		return "txn", []any{[]any{keyword("r"), op.Key, nil}}, []any{[]any{keyword("r"), op.Key, read}}
	}
	// Knossos' register per key: [key value].
	switch op.Kind {
	case workloads.Get:
		var read any
		if found {
			read = h.Reply.Value
		}
		return "read", []any{op.Key, nil}, []any{op.Key, read}
	case workloads.Put:
		v := []any{op.Key, op.Value}
		return "write", v, v
	case workloads.CAS:
		v := []any{op.Key, []any{orNil(op.Expect), op.Value}}
		return "cas", v, v
	}
	v := []any{op.Key, element(op.Value)}
	return keyword(op.Kind.String()), v, v
}

// orNil is nil for "" (a missing key's value, as a CAS expects it), else s.
func orNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// element is an appended element as an integer; a value that is not one stays a string.
func element(s string) any {
	if n, err := workloads.ParseList(s); err == nil && len(n) == 1 {
		return n[0]
	}
	return s
}

// listValue is a read list as a vector of integers; a value that is not in the list encoding
// (which a faulty implementation could return) stays a string, for the checker to reject.
func listValue(s string) any {
	elems, err := workloads.ParseList(s)
	if err != nil {
		return s
	}
	out := make([]any, len(elems))
	for i, e := range elems {
		out[i] = e
	}
	return out
}

// writeEDN writes v (nil, string, int, keyword or []any) in EDN.
func writeEDN(w *bufio.Writer, v any) {
	switch v := v.(type) {
	case nil:
		w.WriteString("nil")
	case keyword:
		w.WriteByte(':')
		w.WriteString(string(v))
	case string:
		writeEDNString(w, v)
	case int:
		w.WriteString(strconv.Itoa(v))
	case []any:
		w.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				w.WriteByte(' ')
			}
			writeEDN(w, e)
		}
		w.WriteByte(']')
	default:
		panic(fmt.Sprintf("reports: no EDN form for %T", v))
	}
}

// writeEDNString writes s as an EDN string: quotes, backslashes and control characters
// escaped, invalid UTF-8 replaced by U+FFFD (as encoding/json does).
func writeEDNString(w *bufio.Writer, s string) {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f || (r == utf8.RuneError && size == 1):
			if r == utf8.RuneError {
				r = 0xfffd
			}
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	w.WriteString(b.String())
}
