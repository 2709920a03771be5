package cluster

import "github.com/raftcheck/raftcheck/workloads"

// retryReads asks the engine again, with the original context, for the index of every read
// that has waited Config.ReadRetry without one, the way etcd's server retries a ReadIndex
// whose answer is slow (engine.Semantics.RepeatReads). A read the engine now refuses is
// refused to its client, with a leader hint, as on arrival.
func (h *host) retryReads() {
	every := int64(h.n.spec.cfg.ReadRetry)
	if every == 0 || len(h.reads) == 0 {
		return
	}
	now := h.n.now()
	kept := h.reads[:0]
	for _, p := range h.reads {
		if p.index != 0 || now-p.asked < every {
			kept = append(kept, p)
			continue
		}
		p.asked = now
		if err := h.eng.ReadIndex(h.readCtx(p.session, p.seq)); err != nil {
			h.reject(p.client, workloads.Command{Client: p.session, Seq: p.seq}, err)
			continue
		}
		kept = append(kept, p)
	}
	clear(h.reads[len(kept):])
	h.reads = kept
}
