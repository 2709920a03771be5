package checker

// syncUndo is what a node's latest Synced changed, so that SyncInterrupted can take it back.
type syncUndo struct {
	valid        bool
	required     mark
	synced       HardState
	syncedBallot ballot
}

// SyncInterrupted observes that node crashes while its host still waits for the last sync of
// its latest batch, reported Synced when the engine returned the batch: the crash struck that
// sync in flight (a power failure during the fsync), so what it carried may be lost, wholly
// or torn, and nobody was told it was durable (the host acts on a batch only once its wait is
// over). Report it just before the Crashed of that crash. The latest Synced is void: a restart
// must recover at least what the node had synced before it. Without a Synced since the
// node's last restart there is nothing to take back.
func (c *Invariants) SyncInterrupted(t int64, node int) {
	n := c.live(node, "SyncInterrupted")
	u := n.undo
	if !u.valid {
		return
	}
	n.required, n.synced, n.syncedBallot = u.required, u.synced, u.syncedBallot
	n.undo = syncUndo{}
}
