package simnet

import (
	"fmt"
	"strconv"
)

// TraceKind classifies a trace event. Kinds below TraceUser belong to simnet; TraceUser and
// above are free for the layers built on simnet (raft role changes, client operations, ...).
type TraceKind uint16

// The kinds simnet emits, with the meaning of the a, b, c fields of each.
const (
	TraceSend       TraceKind = iota + 1 // a=from b=to c=len
	TraceDeliver                         // a=from b=to c=len
	TraceDrop                            // a=from b=to c=DropReason
	TraceDuplicate                       // a=from b=to c=len
	TraceWrite                           // a=node<<32|file b=offset c=len (file = inode number)
	TraceTruncate                        // a=node<<32|file b=size
	TraceSync                            // a=node b=file c=durable size
	TraceDirOp                           // a=node b=DirOp c=file
	TraceSyncDir                         // a=node b=unsynced directory ops made durable
	TraceDiskCrash                       // a=node b=CrashMode c=unsynced ops at the crash
	TraceStart                           // a=node b=epoch
	TraceCrash                           // a=node b=epoch
	TracePause                           // a=node
	TraceResume                          // a=node
	TraceTick                            // a=node b=tick number in this epoch
	TraceTimer                           // a=node b=timer arg
	TraceFault                           // a=node b=Fault c=detail (see Fault)
	TraceLink                            // a=from b=to c=1 cut, 0 restored
	TraceClock                           // a=node b=clock rate in parts per million
	TraceLinkConfig                      // a=from b=to (MaxUint64 both: the default) c=config hash
	TraceComment                         // a line for humans only (Comment): not in the hash
	TraceHold                            // a=from b=to c=len: a message held back on a held link
	TraceRelease                         // a=from b=to c=messages released (SetHold, ReleaseHeld)
	traceKindEnd
)

// TraceUser is the first kind free for users of simnet.
const TraceUser TraceKind = 100

var traceKindNames = [traceKindEnd]string{
	"?", "send", "deliver", "drop", "duplicate", "write", "truncate", "sync", "dirop",
	"syncdir", "diskcrash", "start", "crash", "pause", "resume", "tick", "timer", "fault",
	"link", "clock", "linkconfig", "comment", "hold", "release",
}

// String returns the kind's name; user kinds without a registered name print as "user+N".
func (k TraceKind) String() string {
	if k < traceKindEnd {
		return traceKindNames[k]
	}
	if k >= TraceUser {
		return "user+" + strconv.Itoa(int(k-TraceUser))
	}
	return "kind" + strconv.Itoa(int(k))
}

// TraceLinesMax bounds the recorded text lines; past it recording stops with a final
// "trace truncated" line (the hash goes on).
const TraceLinesMax = 1 << 20

// FNV-1a 64 parameters.
const (
	fnvOffset uint64 = 14695981039346656037
	fnvPrime  uint64 = 1099511628211
)

// Trace is the run's record. Every event is folded into a running hash (TraceHashVersion
// says which) over its fields (kind, time, a, b, c), so two runs of the same seed and config
// have the same Hash. Text lines for humans are recorded only after Record(true);
// when off, an event costs the hash fold and nothing else.
type Trace struct {
	k         *Kernel
	hash      uint64
	count     uint64
	record    bool
	truncated bool
	lines     []string
	names     map[TraceKind]string
}

func newTrace(k *Kernel) *Trace {
	return &Trace{k: k, hash: traceHashStart}
}

// Event folds one event at the current time into the hash. It does not allocate unless
// recording is on.
func (t *Trace) Event(kind TraceKind, a, b, c uint64) {
	t.hash = t.fold(kind, a, b, c)
	t.count++
	if t.record {
		t.addLine(kind, a, b, c, "")
	}
}

// Note is Event plus a free-form detail string, which is folded into the hash too (length
// first, then the bytes).
func (t *Trace) Note(kind TraceKind, a, b, c uint64, detail string) { note(t, kind, a, b, c, detail) }

// NoteBytes is Note with the detail in a byte slice, which it does not keep: a caller that
// builds details in one buffer pays no allocation unless recording is on.
func (t *Trace) NoteBytes(kind TraceKind, a, b, c uint64, detail []byte) {
	note(t, kind, a, b, c, detail)
}

func note[T string | []byte](t *Trace, kind TraceKind, a, b, c uint64, detail T) {
	t.hash = mixBytes(t.fold(kind, a, b, c), detail)
	t.count++
	if t.record {
		t.addLine(kind, a, b, c, string(detail))
	}
}

// fold returns the hash with an event's kind, the current time and a, b, c folded in.
func (t *Trace) fold(kind TraceKind, a, b, c uint64) uint64 {
	h := mixWord(t.hash, uint64(kind))
	h = mixWord(h, uint64(t.k.now))
	h = mixWord(h, a)
	h = mixWord(h, b)
	return mixWord(h, c)
}

// Hash returns the running hash of every event so far.
func (t *Trace) Hash() uint64 { return t.hash }

// Count returns the number of events folded so far.
func (t *Trace) Count() uint64 { return t.count }

// Comment records a text line for humans, when recording, without folding it into the hash:
// for what restates state the hash already covers, such as a Raft implementation's own log.
func (t *Trace) Comment(text string) {
	if t.record {
		t.addLine(TraceComment, 0, 0, 0, text)
	}
}

// Recording reports whether text lines are being recorded.
func (t *Trace) Recording() bool { return t.record }

// Record turns text recording on or off. Lines recorded so far are kept.
func (t *Trace) Record(enable bool) { t.record = enable }

// Lines returns the recorded text lines, one per event:
// "<seconds>.<nanoseconds> <kind> <a> <b> <c>[ <detail>]".
func (t *Trace) Lines() []string { return t.lines }

// NameKind gives a user kind (>= TraceUser) a name for the text lines.
func (t *Trace) NameKind(kind TraceKind, name string) error {
	if kind < TraceUser {
		return fmt.Errorf("simnet: NameKind(%d, %q): kind must be >= TraceUser (%d)", kind, name, TraceUser)
	}
	if t.names == nil {
		t.names = map[TraceKind]string{}
	}
	t.names[kind] = name
	return nil
}

func (t *Trace) addLine(kind TraceKind, a, b, c uint64, detail string) {
	if len(t.lines) >= TraceLinesMax {
		if !t.truncated {
			t.truncated = true
			t.lines = append(t.lines, "trace truncated")
		}
		return
	}
	name, ok := t.names[kind]
	if !ok {
		name = kind.String()
	}
	now := int64(t.k.now)
	line := fmt.Sprintf("%d.%09d %s %d %d %d", now/1e9, now%1e9, name, a, b, c)
	switch kind {
	case TraceWrite:
		line = fmt.Sprintf("%d.%09d write node=%d file=%d offset=%d len=%d", now/1e9, now%1e9, a>>32, a&(1<<32-1), b, c)
	case TraceTruncate:
		line = fmt.Sprintf("%d.%09d truncate node=%d file=%d size=%d", now/1e9, now%1e9, a>>32, a&(1<<32-1), b)
	case TraceComment:
		line = fmt.Sprintf("%d.%09d #", now/1e9, now%1e9)
	}
	if detail != "" {
		line += " " + detail
	}
	t.lines = append(t.lines, line)
}

// fnvUint64 folds the 8 little-endian bytes of v into the FNV-1a 64 hash h.
func fnvUint64(h, v uint64) uint64 {
	h = (h ^ (v & 0xff)) * fnvPrime
	h = (h ^ (v >> 8 & 0xff)) * fnvPrime
	h = (h ^ (v >> 16 & 0xff)) * fnvPrime
	h = (h ^ (v >> 24 & 0xff)) * fnvPrime
	h = (h ^ (v >> 32 & 0xff)) * fnvPrime
	h = (h ^ (v >> 40 & 0xff)) * fnvPrime
	h = (h ^ (v >> 48 & 0xff)) * fnvPrime
	return (h ^ (v >> 56)) * fnvPrime
}

// fnvString folds the bytes of s into h.
func fnvString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * fnvPrime
	}
	return h
}
