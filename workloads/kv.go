package workloads

import (
	"errors"
	"fmt"
)

// Bounds of the KV.
const (
	// MaxKeys is the most keys a KV holds; a Put, Append or CAS that would create one more
	// is refused with StatusLimit.
	MaxKeys = 1 << 16
	// DefaultMaxSessions is the session bound when KVOptions.MaxSessions is 0.
	DefaultMaxSessions = 1024
	// MaxSessionsLimit is the largest KVOptions.MaxSessions accepted.
	MaxSessionsLimit = 1 << 16
)

// ErrIndexOrder is returned by Apply when the entry index is not AppliedIndex()+1: the log
// was applied out of order or with a gap (a state-machine-safety violation by the caller or
// by Raft). The KV is left unchanged.
var ErrIndexOrder = errors.New("workloads: apply index out of order")

// KVOptions configures a KV. The zero value is the correct, production configuration.
type KVOptions struct {
	// MaxSessions bounds the client sessions kept (0 = DefaultMaxSessions). See KV.
	MaxSessions int
	// NoDedup is mutant 12, "a retried client command applied twice": every command is
	// executed, whatever its session says. Never set outside mutation testing.
	NoDedup bool
	// RestoreWithoutSessions is a planted bug: Restore keeps the snapshot's data but not its
	// client sessions, so a replica that caught up by snapshot applies a retried command
	// that the others deduplicated, and diverges. Never set outside mutation testing.
	RestoreWithoutSessions bool
}

// KV is the replicated key-value state machine: each node builds its own from the
// committed log (nothing is shared between nodes).
//
// Client sessions give exactly-once execution (Raft dissertation §6.3). Per client the KV
// keeps the last executed Seq and its reply. A command with a higher Seq is executed; the
// same Seq (a retry) is answered from the cache and not executed again; a lower Seq (a
// delayed duplicate) is answered StatusStale and not executed.
//
// Sessions are bounded by MaxSessions. The KV keeps the sessions of the highest client ids:
// when a new client arrives and the table is full, the session with the lowest client id
// (possibly the newcomer's) is evicted and the eviction watermark rises to that id. A
// client at or below the watermark that has no session is answered StatusSessionExpired and
// nothing is executed, so an evicted session can never lead to a silent double execution.
// Clients should therefore take increasing ids over a run (a client that is answered
// StatusSessionExpired continues under a fresh, higher id). A run's clients are far fewer
// than DefaultMaxSessions, so eviction does not happen in practice.
type KV struct {
	data              map[string]string
	sessions          map[uint64]session
	maxSessions       int
	noDedup           bool
	restoreNoSessions bool // planted bug RestoreWithoutSessions
	// Invariant: every key in sessions is > expiredThrough.
	expiredThrough uint64
	applied        uint64
}

type session struct {
	lastSeq uint64
	reply   Reply
}

// Applied is the result of applying one log entry.
type Applied struct {
	Index  uint64
	NoOp   bool   // the entry carried no command: only AppliedIndex advanced
	Client uint64 // the command's session id and sequence number (zero for a no-op)
	Seq    uint64
	// Executed says the op ran now. False with Reply.Status StatusOK means the reply came
	// from the session cache (a retry of the last executed Seq).
	Executed bool
	Reply    Reply
	// Retired is the key a retire command dropped (see EncodeRetire); empty otherwise.
	Retired string
}

// NewKV returns an empty KV at applied index 0.
func NewKV(opts KVOptions) (*KV, error) {
	if opts.MaxSessions < 0 || opts.MaxSessions > MaxSessionsLimit {
		return nil, fmt.Errorf("workloads: KVOptions.MaxSessions = %d: must be in [0,%d]", opts.MaxSessions, MaxSessionsLimit)
	}
	kv := &KV{noDedup: opts.NoDedup, maxSessions: opts.MaxSessions, restoreNoSessions: opts.RestoreWithoutSessions}
	if kv.maxSessions == 0 {
		kv.maxSessions = DefaultMaxSessions
	}
	kv.reset()
	return kv, nil
}

func (kv *KV) reset() {
	kv.data = make(map[string]string)
	kv.sessions = make(map[uint64]session)
	kv.expiredThrough = 0
	kv.applied = 0
}

// AppliedIndex returns the index of the last entry applied (or restored from a snapshot).
func (kv *KV) AppliedIndex() uint64 { return kv.applied }

// Apply applies the committed entry at index, which must be AppliedIndex()+1. Apply must be
// called for every committed entry in order; an entry without a command (a leader's no-op,
// a configuration change) is applied with empty data and only advances the index.
//
// A retire command (EncodeRetire) drops its key and reports it in Applied.Retired.
//
// Data that does not decode as a Command or a retire command is consumed like a no-op (the index advances, the
// state does not change, so replicas stay in agreement) and reported as an error wrapping
// ErrMalformed, for the caller to record as a violation. An index out of order returns an
// error wrapping ErrIndexOrder and changes nothing.
func (kv *KV) Apply(index uint64, data []byte) (Applied, error) {
	if index != kv.applied+1 {
		return Applied{}, fmt.Errorf("%w: index %d, applied %d", ErrIndexOrder, index, kv.applied)
	}
	kv.applied = index
	if len(data) == 0 {
		return Applied{Index: index, NoOp: true}, nil
	}
	if isRetire(data) {
		return kv.applyRetire(index, data)
	}
	c, err := DecodeCommand(data)
	if err != nil {
		return Applied{Index: index, NoOp: true}, fmt.Errorf("workloads: entry %d: %w", index, err)
	}
	return kv.applyCommand(index, c), nil
}

func (kv *KV) applyCommand(index uint64, c Command) Applied {
	a := Applied{Index: index, Client: c.Client, Seq: c.Seq}
	if kv.noDedup { // mutant 12: no session check at all
		a.Executed, a.Reply = true, kv.execute(c.Op)
		if s, ok := kv.sessions[c.Client]; ok && c.Seq > s.lastSeq {
			kv.sessions[c.Client] = session{lastSeq: c.Seq, reply: a.Reply}
		}
		return a
	}
	s, ok := kv.sessions[c.Client]
	if !ok && !kv.openSession(c.Client) {
		a.Reply = Reply{Status: StatusSessionExpired}
		return a
	}
	switch {
	case c.Seq == s.lastSeq:
		a.Reply = s.reply
		return a
	case c.Seq < s.lastSeq:
		a.Reply = Reply{Status: StatusStale}
		return a
	}
	a.Executed, a.Reply = true, kv.execute(c.Op)
	kv.sessions[c.Client] = session{lastSeq: c.Seq, reply: a.Reply}
	return a
}

// openSession makes room for client's session, evicting the lowest client id if the table
// is full. It reports false if client itself is at or below the eviction watermark.
func (kv *KV) openSession(client uint64) bool {
	if client <= kv.expiredThrough {
		return false
	}
	if len(kv.sessions) < kv.maxSessions {
		return true
	}
	lowest := client
	for id := range kv.sessions { // the minimum does not depend on iteration order
		lowest = min(lowest, id)
	}
	kv.expiredThrough = lowest
	if lowest == client {
		return false
	}
	delete(kv.sessions, lowest)
	return true
}

// execute runs a valid op against the data and returns its reply.
func (kv *KV) execute(o Op) Reply {
	cur, found := kv.data[o.Key]
	switch o.Kind {
	case Get:
		return Reply{Value: cur, Found: found}
	case Put:
		if !kv.set(o.Key, o.Value, found) {
			return Reply{Status: StatusLimit}
		}
		return Reply{}
	case Append:
		next := appendElement(cur, o.Value)
		if len(next) > MaxValueBytes || !kv.set(o.Key, next, found) {
			return Reply{Status: StatusLimit}
		}
		return Reply{}
	case CAS:
		if cur != o.Expect {
			return Reply{Value: cur, Found: found}
		}
		if !kv.set(o.Key, o.Value, found) {
			return Reply{Status: StatusLimit}
		}
		return Reply{Value: cur, Found: found, Swapped: true}
	}
	panic(fmt.Sprintf("workloads: execute of unvalidated op kind %d", o.Kind))
}

// set stores value at key unless that would create a key beyond MaxKeys.
func (kv *KV) set(key, value string, exists bool) bool {
	if !exists && len(kv.data) >= MaxKeys {
		return false
	}
	kv.data[key] = value
	return true
}

// Read returns the key's value as a Get would, without a session and without touching the
// log: the read path of ReadIndex (serve it once AppliedIndex() >= the read index).
func (kv *KV) Read(key string) Reply {
	v, ok := kv.data[key]
	return Reply{Value: v, Found: ok}
}

// Len returns the number of keys held.
func (kv *KV) Len() int { return len(kv.data) }

// Sessions returns the number of client sessions held.
func (kv *KV) Sessions() int { return len(kv.sessions) }

// LastSeq returns the highest sequence number executed in client's session, 0 if it has none.
func (kv *KV) LastSeq(client uint64) uint64 { return kv.sessions[client].lastSeq }
