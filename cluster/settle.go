package cluster

import "github.com/raftcheck/raftcheck/engine"

// settle ends a batch's wait for its disk: the batch's last sync lands (a crash during the
// wait struck it in flight, simnet.Disk.Settle), and only now do its votes leave, so the
// checkers learn of them here: a crash while the host waited sent no vote to anyone. The
// checkers learn of the batch's sync when the engine returns the batch; a crash during the
// wait tells them that its last sync was cut short (r.crash, checker.SyncInterrupted).
func (h *host) settle(o *engine.Observations) {
	h.n.disk.Settle()
	inv, t, id := h.n.inv, h.n.now(), h.n.id
	for _, v := range o.Votes {
		inv.VoteGranted(t, id, v.Term, v.Candidate)
	}
}
