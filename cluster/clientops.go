package cluster

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/raftcheck/raftcheck/workloads"
)

// ClientOps are the operations each client issues, in order: ClientOps[i] is client i's. A
// run given them (Options.Ops) takes each client's next operation from its own list instead
// of drawing it from the run's workload generator, and a client whose list is used up stops.
// Fixed operations make a client's work independent of every fault and of the other clients:
// the shrinker drops faults without changing what any client asks, and drops single
// operations as it drops faults. A repro file carries them as text lines (OpLine).
type ClientOps [][]workloads.Op

// IssuedOps are the operations each client of the run invoked, in order: replayed as
// Options.Ops, they give the same run.
func (r *Result) IssuedOps() ClientOps {
	ops := make(ClientOps, r.Config.Clients)
	for _, h := range r.History {
		ops[h.Client] = append(ops[h.Client], h.Op)
	}
	return ops
}

// Len is the number of operations over all clients.
func (c ClientOps) Len() int {
	n := 0
	for _, ops := range c {
		n += len(ops)
	}
	return n
}

// Lines renders c for a repro file, a list of OpLine texts per client.
func (c ClientOps) Lines() [][]string {
	out := make([][]string, len(c))
	for i, ops := range c {
		out[i] = make([]string, len(ops))
		for j, op := range ops {
			out[i][j] = OpLine(op)
		}
	}
	return out
}

// ParseClientOps reads the lines Lines wrote; an error names the client and the line.
func ParseClientOps(lines [][]string) (ClientOps, error) {
	out := make(ClientOps, len(lines))
	for i, ops := range lines {
		out[i] = make([]workloads.Op, len(ops))
		for j, line := range ops {
			op, err := ParseOpLine(line)
			if err != nil {
				return nil, fmt.Errorf("ops of client %d, line %d: %w", i, j+1, err)
			}
			out[i][j] = op
		}
	}
	return out, nil
}

// OpLine renders op as a line a person can edit: the kind, the key and the arguments
// separated by spaces (a CAS gives the expected value, then the new one), each quoted only if
// it must be (empty, or holding a space, a quote or an unprintable byte): `put k1 7`,
// `cas k1 "" 8`, `get k1`, `append k3 12`.
func OpLine(op workloads.Op) string {
	fields := []string{op.Kind.String(), token(op.Key)}
	switch op.Kind {
	case workloads.Put, workloads.Append:
		fields = append(fields, token(op.Value))
	case workloads.CAS:
		fields = append(fields, token(op.Expect), token(op.Value))
	}
	return strings.Join(fields, " ")
}

// token quotes s when it would not read back as one bare word.
func token(s string) string {
	for _, c := range []byte(s) {
		if c <= ' ' || c >= 0x7f || c == '"' || c == '\\' {
			return strconv.Quote(s)
		}
	}
	if s == "" {
		return `""`
	}
	return s
}

// ParseOpLine reads a line OpLine wrote and validates the operation.
func ParseOpLine(line string) (workloads.Op, error) {
	w, err := words(line)
	if err != nil {
		return workloads.Op{}, fmt.Errorf("op %q: %w", line, err)
	}
	if len(w) == 0 {
		return workloads.Op{}, fmt.Errorf("op %q: empty", line)
	}
	var op workloads.Op
	for k := workloads.Get; k <= workloads.CAS; k++ {
		if k.String() == w[0] {
			op.Kind = k
		}
	}
	args := map[workloads.OpKind]int{workloads.Get: 1, workloads.Put: 2, workloads.Append: 2, workloads.CAS: 3}[op.Kind]
	switch {
	case op.Kind == 0:
		return workloads.Op{}, fmt.Errorf("op %q: unknown kind %q (want get, put, append or cas)", line, w[0])
	case len(w)-1 != args:
		return workloads.Op{}, fmt.Errorf("op %q: %s takes %d words after it, not %d", line, w[0], args, len(w)-1)
	}
	op.Key = w[1]
	switch op.Kind {
	case workloads.Put, workloads.Append:
		op.Value = w[2]
	case workloads.CAS:
		op.Expect, op.Value = w[2], w[3]
	}
	if err := op.Validate(); err != nil {
		return workloads.Op{}, fmt.Errorf("op %q: %w", line, err)
	}
	return op, nil
}

// words splits line at spaces into bare and Go-quoted words.
func words(line string) ([]string, error) {
	var out []string
	for rest := strings.TrimLeft(line, " "); rest != ""; rest = strings.TrimLeft(rest, " ") {
		if rest[0] != '"' {
			w, after, _ := strings.Cut(rest, " ")
			out, rest = append(out, w), after
			continue
		}
		q, err := strconv.QuotedPrefix(rest)
		if err != nil {
			return nil, fmt.Errorf("bad quoted word at %s", rest)
		}
		w, _ := strconv.Unquote(q) // QuotedPrefix returned a valid quoted string
		out, rest = append(out, w), rest[len(q):]
		if rest != "" && rest[0] != ' ' {
			return nil, fmt.Errorf("no space after the quoted word %s", q)
		}
	}
	return out, nil
}
