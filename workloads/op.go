package workloads

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// OpKind says what an Op does to its key.
type OpKind uint8

const (
	// Get reads the key's value.
	Get OpKind = iota + 1
	// Put sets the key's value.
	Put
	// Append adds Value as one element to the space-separated list stored at the key (see
	// ParseList): the list "1 2" becomes "1 2 3" after Append 3; a missing or empty value is
	// the empty list.
	Append
	// CAS (compare-and-set) sets the key to Value if its current value equals Expect. A
	// missing key's current value is the empty string, so CAS with Expect "" creates a key.
	CAS
)

// Bounds on the sizes the KV accepts and the codecs decode.
const (
	// MaxKeyBytes is the longest key; keys are never empty.
	MaxKeyBytes = 256
	// MaxValueBytes is the longest value (a Put's value, a CAS's Value and Expect, a stored
	// value and a reply's value). An Append whose result would be longer is refused with
	// StatusLimit.
	MaxValueBytes = 1 << 20
	// MaxElementDigits is the longest Append element: a canonical decimal integer of at most
	// this many digits always fits an int.
	MaxElementDigits = 18
)

// ErrMalformed is wrapped by every error about bytes or text that do not decode: commands,
// replies, snapshots, ops and lists.
var ErrMalformed = errors.New("workloads: malformed")

var kindNames = [...]string{Get: "get", Put: "put", Append: "append", CAS: "cas"}

// String returns the op kind's lowercase name ("get", "put", "append", "cas").
func (k OpKind) String() string {
	if k.valid() {
		return kindNames[k]
	}
	return "OpKind(" + strconv.Itoa(int(k)) + ")"
}

func (k OpKind) valid() bool { return k >= Get && k <= CAS }

// Op is one client operation on one key. Fields an op kind does not use must be empty.
type Op struct {
	Kind   OpKind
	Key    string
	Value  string // Put: the new value; Append: the element; CAS: the new value
	Expect string // CAS only: the value the key must hold for the swap to happen
}

// Validate reports whether the op is well formed: a known kind, a key of 1..MaxKeyBytes
// bytes, values within MaxValueBytes, an Append element in canonical decimal (see
// ParseList), and unused fields empty.
func (o Op) Validate() error {
	if !o.Kind.valid() {
		return fmt.Errorf("%w op: Kind = %d: unknown", ErrMalformed, o.Kind)
	}
	if len(o.Key) == 0 || len(o.Key) > MaxKeyBytes {
		return fmt.Errorf("%w op: key length %d: must be in [1,%d]", ErrMalformed, len(o.Key), MaxKeyBytes)
	}
	if len(o.Value) > MaxValueBytes || len(o.Expect) > MaxValueBytes {
		return fmt.Errorf("%w op: value lengths %d, %d: must be <= %d", ErrMalformed, len(o.Value), len(o.Expect), MaxValueBytes)
	}
	if o.Kind != CAS && o.Expect != "" {
		return fmt.Errorf("%w op: %s with Expect %q: only cas has Expect", ErrMalformed, o.Kind, o.Expect)
	}
	switch o.Kind {
	case Get:
		if o.Value != "" {
			return fmt.Errorf("%w op: get with Value %q: get has no value", ErrMalformed, o.Value)
		}
	case Append:
		if !validElement(o.Value) {
			return fmt.Errorf("%w op: append element %q: must be a canonical decimal of at most %d digits", ErrMalformed, o.Value, MaxElementDigits)
		}
	}
	return nil
}

// String prints the op in the form ParseOp reads back: the kind, then the key and the
// arguments as Go-quoted strings, e.g. `put "k1" "7"`, `cas "k1" "7" "8"` (expect, then new
// value), `get "k1"`.
func (o Op) String() string { return string(o.Append(nil)) }

// Append appends the op as String prints it to b.
func (o Op) Append(b []byte) []byte {
	b = append(b, o.Kind.String()...)
	b = append(b, ' ')
	b = strconv.AppendQuote(b, o.Key)
	switch o.Kind {
	case Put, Append:
		b = append(b, ' ')
		b = strconv.AppendQuote(b, o.Value)
	case CAS:
		b = append(b, ' ')
		b = strconv.AppendQuote(b, o.Expect)
		b = append(b, ' ')
		b = strconv.AppendQuote(b, o.Value)
	}
	return b
}

// ParseOp reads an op printed by Op.String and validates it.
func ParseOp(s string) (Op, error) {
	name, rest, _ := strings.Cut(s, " ")
	var o Op
	for k := Get; k <= CAS; k++ {
		if kindNames[k] == name {
			o.Kind = k
		}
	}
	if o.Kind == 0 {
		return Op{}, fmt.Errorf("%w op %q: unknown kind %q", ErrMalformed, s, name)
	}
	args := map[OpKind]int{Get: 1, Put: 2, Append: 2, CAS: 3}[o.Kind]
	fields := make([]string, 0, 3)
	for i := range args {
		if i > 0 {
			if !strings.HasPrefix(rest, " ") {
				return Op{}, fmt.Errorf("%w op %q: want %d quoted arguments", ErrMalformed, s, args)
			}
			rest = rest[1:]
		}
		q, err := strconv.QuotedPrefix(rest)
		if err != nil {
			return Op{}, fmt.Errorf("%w op %q: argument %d: %v", ErrMalformed, s, i+1, err)
		}
		u, _ := strconv.Unquote(q) // QuotedPrefix returned a valid quoted string
		fields = append(fields, u)
		rest = rest[len(q):]
	}
	if rest != "" {
		return Op{}, fmt.Errorf("%w op %q: trailing %q", ErrMalformed, s, rest)
	}
	o.Key = fields[0]
	switch o.Kind {
	case Put, Append:
		o.Value = fields[1]
	case CAS:
		o.Expect, o.Value = fields[1], fields[2]
	}
	return o, o.Validate()
}

// Command is what a client proposes to the replicated log: an op tagged with the client's
// session id and the op's sequence number. A client numbers its ops 1, 2, 3, … (gaps are
// allowed, order is not: a session remembers only the highest applied Seq) and retries an
// op with the same (Client, Seq), so that the KV applies it at most once.
type Command struct {
	Client uint64 // session id, >= 1; see KV for how sessions are kept and expired
	Seq    uint64 // >= 1, increasing per Client
	Op     Op
}

// Validate reports whether the command is well formed: Client and Seq non-zero and a valid Op.
func (c Command) Validate() error {
	if c.Client == 0 || c.Seq == 0 {
		return fmt.Errorf("%w command: client %d seq %d: both must be >= 1", ErrMalformed, c.Client, c.Seq)
	}
	return c.Op.Validate()
}

// Status says how the KV answered a command.
type Status uint8

const (
	// StatusOK: the op was executed (now, or earlier and this is its cached reply).
	StatusOK Status = iota
	// StatusStale: the command's Seq is below the session's last applied Seq — a delayed
	// duplicate. It was not executed now; it may or may not have been executed before.
	StatusStale
	// StatusSessionExpired: the client has no session (it was evicted, or the client id is
	// at or below the eviction watermark). Not executed now; may have been executed before.
	StatusSessionExpired
	// StatusLimit: the op would exceed a bound (MaxValueBytes for an Append's result,
	// MaxKeys for a new key). Definitely not executed.
	StatusLimit
	// StatusUnknown is never produced by the KV: it marks the output of an indeterminate
	// operation in a history converted for Porcupine (see Operations).
	StatusUnknown
)

var statusNames = [...]string{"ok", "stale", "session-expired", "limit", "unknown"}

// String returns the status's name ("ok", "stale", "session-expired", "limit", "unknown").
func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "Status(" + strconv.Itoa(int(s)) + ")"
}

// Reply is the KV's answer to a command (or to a Read).
//
//   - Get: Value is the key's value ("" if missing), Found whether the key exists.
//   - Put, Append: no fields set (Status aside).
//   - CAS: Swapped whether the swap happened; Value and Found describe the key as it was
//     before the CAS (so a failed CAS tells what it saw).
//
// A reply with a Status other than StatusOK has no other field set.
type Reply struct {
	Value   string
	Found   bool
	Swapped bool
	Status  Status
}

// Outcome classifies a reply a client received for the history: StatusOK → OutcomeOK,
// StatusLimit → OutcomeFail (definitely not applied), StatusStale, StatusSessionExpired
// and StatusUnknown → OutcomeUnknown (the op may have been applied by an earlier copy).
func (r Reply) Outcome() Outcome {
	switch r.Status {
	case StatusOK:
		return OutcomeOK
	case StatusLimit:
		return OutcomeFail
	default:
		return OutcomeUnknown
	}
}
