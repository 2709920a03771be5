package workloads

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"slices"
)

// Snapshot returns the KV's complete state, deterministically: two KVs that applied the
// same entries return the same bytes. Layout (see the codec notes for varints and strings):
//
//	0x31 applied expiredThrough
//	nKeys     then per key, in increasing byte order:   key value
//	nSessions then per session, by increasing client:  client lastSeq flags status value
//
// where the last three fields are the cached reply. KVOptions are not included.
func (kv *KV) Snapshot() []byte {
	keys := make([]string, 0, len(kv.data))
	size := 32
	for k, v := range kv.data {
		keys = append(keys, k)
		size += len(k) + len(v) + 6
	}
	slices.Sort(keys)
	clients := make([]uint64, 0, len(kv.sessions))
	for c, s := range kv.sessions {
		clients = append(clients, c)
		size += len(s.reply.Value) + 26
	}
	slices.Sort(clients)

	b := make([]byte, 0, size)
	b = append(b, snapshotTag)
	b = binary.AppendUvarint(b, kv.applied)
	b = binary.AppendUvarint(b, kv.expiredThrough)
	b = binary.AppendUvarint(b, uint64(len(keys)))
	for _, k := range keys {
		b = appendString(b, k)
		b = appendString(b, kv.data[k])
	}
	b = binary.AppendUvarint(b, uint64(len(clients)))
	for _, c := range clients {
		s := kv.sessions[c]
		b = binary.AppendUvarint(b, c)
		b = binary.AppendUvarint(b, s.lastSeq)
		b = appendReply(b, s.reply)
	}
	return b
}

// Digest returns the FNV-1a 64-bit hash of Snapshot(): replicas at the same AppliedIndex
// must have equal digests.
func (kv *KV) Digest() uint64 {
	h := fnv.New64a()
	h.Write(kv.Snapshot()) // never fails
	return h.Sum64()
}

// Restore replaces the KV's state with a snapshot taken by Snapshot. The snapshot is
// validated completely first (tag, lengths and counts within bounds, keys and clients
// strictly increasing, sessions above the watermark and within this KV's MaxSessions, no
// trailing bytes); on error, which wraps ErrMalformed, the KV is unchanged.
func (kv *KV) Restore(snap []byte) error {
	r := reader{b: snap, what: "snapshot"}
	r.tag(snapshotTag)
	applied := r.uvarint()
	expired := r.uvarint()
	data := restoreData(&r)
	sessions := restoreSessions(&r, expired, kv.maxSessions)
	if err := r.done(); err != nil {
		return err
	}
	if kv.restoreNoSessions {
		sessions = map[uint64]session{}
	}
	kv.data, kv.sessions = data, sessions
	kv.applied, kv.expiredThrough = applied, expired
	return nil
}

func restoreData(r *reader) map[string]string {
	n := r.count(MaxKeys, 3)
	data := make(map[string]string, n)
	prev := ""
	for i := range n {
		k := r.string(MaxKeyBytes)
		v := r.string(MaxValueBytes)
		if r.err != nil {
			return nil
		}
		if len(k) == 0 || (i > 0 && k <= prev) {
			r.fail("key %d %q: keys must be non-empty and strictly increasing (previous %q)", i, k, prev)
			return nil
		}
		data[k], prev = v, k
	}
	return data
}

func restoreSessions(r *reader, expired uint64, maxSessions int) map[uint64]session {
	n := r.count(maxSessions, 5)
	sessions := make(map[uint64]session, n)
	prev := expired
	for i := range n {
		c := r.uvarint()
		seq := r.uvarint()
		rep := r.reply()
		if r.err != nil {
			return nil
		}
		if c <= prev || seq == 0 {
			r.fail("session %d: client %d seq %d: clients must increase from watermark %d and seq be >= 1", i, c, seq, expired)
			return nil
		}
		sessions[c], prev = session{lastSeq: seq, reply: rep}, c
	}
	return sessions
}

// String summarises the KV: applied index, keys, sessions and the eviction watermark.
func (kv *KV) String() string {
	return fmt.Sprintf("kv{applied %d, %d keys, %d sessions, expired through %d}",
		kv.applied, len(kv.data), len(kv.sessions), kv.expiredThrough)
}
