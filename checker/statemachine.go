package checker

// ReadServed observes that node answered a linearizable read from its state machine at
// applied index, for a read that arrived when the highest index committed anywhere was
// committedAtArrival (CommitMax then). Checks that applied >= committedAtArrival: a read must
// see every entry committed before it arrived, whatever value it happened to return, so a
// stale read is caught even when no client ever notices it.
func (c *Invariants) ReadServed(t int64, node int, committedAtArrival, applied uint64) {
	c.live(node, "ReadServed")
	if applied < committedAtArrival {
		c.report(KindStaleRead, t, []int{node},
			"node %d served a read at applied index %d, but index %d was already committed when the read arrived",
			node, applied, committedAtArrival)
	}
}

// digestRec is the first state-machine digest reported at an applied index.
type digestRec struct {
	digest uint64
	node   int
	t      int64
}

// digestsMax bounds the applied indexes whose digests are remembered; later ones are
// compared only if already known.
const digestsMax = 1 << 16

// StateDigest observes the digest of node's state machine at applied index (at a compaction,
// say, or at the end of a run). Checks that every node reporting the same index reports the
// same digest: replicas that applied the same log hold the same state, so a difference is a
// divergence even if no client reads the key where it lies.
func (c *Invariants) StateDigest(t int64, node int, index, digest uint64) {
	c.live(node, "StateDigest")
	if index == 0 {
		return
	}
	if c.digests == nil {
		c.digests = map[uint64]digestRec{}
	}
	first, ok := c.digests[index]
	switch {
	case !ok && len(c.digests) < digestsMax:
		c.digests[index] = digestRec{digest: digest, node: node, t: t}
	case ok && first.digest != digest:
		c.report(KindReplicaDivergence, t, []int{node, first.node},
			"node %d's state machine at applied index %d has digest %016x, but node %d's had %016x at the same index (at %s)",
			node, index, digest, first.node, first.digest, fmtTime(first.t))
	}
}
