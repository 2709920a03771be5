package cluster

import (
	"errors"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/engine"
	"github.com/raftcheck/raftcheck/simnet"
	"github.com/raftcheck/raftcheck/workloads"
)

// retirement drops the keys the workload generator retired from the replicated KV, through
// the log (workloads.EncodeRetire), so that the state, its snapshots and every snapshot sent
// stay the size of the live keyspace however long a run lasts. Without it a long append run
// carries every list it ever wrote: seed 3 holds megabytes an hour in, sent in 4 KiB chunks
// to every node that falls behind, and its cost per simulated second grew with its length.
//
// Dropping a key is sound once no client operation on it can be answered or take effect
// after the drop, because then no operation of the history observes the key after it and the
// checks (linearizability per key, the list-append check, state-machine agreement between
// replicas) see what they would have seen without it. The generator never hands out an
// operation on a retired key again; retirement proposes the drop only when
//
//   - no operation on the key is outstanding: each has its final outcome in the history, and
//     no client sends it again; and
//   - for every client that invoked an operation on the key, the current leader has applied
//     a command of that client's session with a sequence number at least that operation's.
//     Applied entries are committed, so every replica applies that command before the drop,
//     after which its session rejects the older command as stale (workloads.KV): whatever
//     became of a write given up as indeterminate, it took effect before the drop or never.
//
// The most recently retired retireKept keys are left alone: the state stays bounded all the
// same, and a run too short to retire more (the standard 30 s scenario retires about 70)
// runs exactly as it did before retirement existed.
//
// A key the leader's state does not hold at that point never will, and needs no drop. A
// drop that is lost (a leader change) is proposed again; a drop applied twice is harmless.
// Runs with explicit operations (Options.Ops) retire nothing.
type retirement struct {
	keys  []string               // retired by the generator, not yet dropped, oldest first
	state map[string]*retiringOp // by key, for every key with operations; lookups only
}

// retiringOp is what retirement knows of one key's operations.
type retiringOp struct {
	open     int      // operations invoked and not yet finished
	need     []uint64 // by client: the highest sequence number of its operations on the key
	proposed int64    // when a drop was last proposed (simulated ns), -1 never
}

// Bounds of retirement.
const (
	retireHeld      = 1 << 12                  // retired keys waiting to be dropped
	retireKept      = 128                      // the newest retired keys, never dropped
	retireScan      = 64                       // waiting keys looked at in one round
	retirePerRound  = 8                        // drops proposed in one round
	retireRepropose = int64(2 * simnet.Second) // a drop not applied by then is proposed again
)

// invoked notes an operation of client (with sequence number seq) on key.
func (t *retirement) invoked(key string, client int, seq uint64, clients int) {
	if t.state == nil {
		t.state = map[string]*retiringOp{}
	}
	s := t.state[key]
	if s == nil {
		s = &retiringOp{need: make([]uint64, clients), proposed: -1}
		t.state[key] = s
	}
	s.open++
	s.need[client] = max(s.need[client], seq)
}

// finished notes that an operation on key has its final outcome.
func (t *retirement) finished(key string) {
	s := t.state[key]
	if s == nil || s.open <= 0 {
		panic("cluster: retirement: operation on " + key + " finished without being invoked")
	}
	s.open--
}

// stepRetirement takes the keys the generator retired since the last round and, on the current
// leader, proposes the drops that are due.
func (r *run) stepRetirement() {
	t := &r.retire
	if r.opts.Ops != nil {
		return
	}
	for _, key := range r.gen.TakeRetired() {
		if len(t.keys) < retireHeld {
			t.keys = append(t.keys, key)
		}
	}
	if len(t.keys) <= retireKept {
		return
	}
	l := r.leader()
	if l == nil {
		return
	}
	kept, proposed, eligible := t.keys[:0], 0, min(len(t.keys)-retireKept, retireScan)
	for i, key := range t.keys {
		if i >= eligible || proposed >= retirePerRound {
			kept = append(kept, key)
			continue
		}
		switch t.due(key, l.h.kv, r.now()) {
		case retireDone:
			delete(t.state, key)
			continue
		case retirePropose:
			r.proposeRetire(l, key)
			t.state[key].proposed = r.now()
			proposed++
		}
		kept = append(kept, key)
	}
	t.keys = kept
	if proposed > 0 {
		l.h.drive()
	}
}

// What a waiting key needs.
const (
	retireWait    = iota // an operation on it may still take effect or be answered
	retirePropose        // propose its drop
	retireDone           // the leader's state does not hold it, and never will
	retirePending        // a drop was proposed lately
)

// due says what key needs, judged by the leader's state machine kv at simulated time now.
func (t *retirement) due(key string, kv *workloads.KV, now int64) int {
	s := t.state[key]
	if s == nil {
		return retireDone // never used
	}
	if s.open > 0 {
		return retireWait
	}
	for c, seq := range s.need {
		if seq > 0 && kv.LastSeq(uint64(c)+1) < seq {
			return retireWait
		}
	}
	switch {
	case !kv.Read(key).Found:
		return retireDone
	case s.proposed >= 0 && now-s.proposed < retireRepropose:
		return retirePending
	}
	return retirePropose
}

// proposeRetire proposes the drop of key to leader l; a refusal is retried in a later round.
func (r *run) proposeRetire(l *node, key string) {
	cmd, err := workloads.EncodeRetire(nil, key)
	if err != nil {
		panic("cluster: retirement: generator key " + key + ": " + err.Error())
	}
	err = l.h.eng.Propose(cmd)
	if err != nil && !errors.Is(err, engine.ErrDropped) && !errors.Is(err, engine.ErrNotLeader) {
		r.violate(checker.Violation{Kind: KindEngine, Time: r.now(), Nodes: []int{l.id},
			Detail: "proposing the drop of retired key " + key + ": " + err.Error()})
	}
}
