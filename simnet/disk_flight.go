package simnet

// syncFlight is the disk's last Sync or SyncDir while it is not yet durable. A sync is in flight
// from its call until the caller issues another operation that changes the disk (it then
// saw the sync return) or until Settle; a host that waits out TakeLatency's cost opens the
// sync to crashes: a crash while the host waits resolves the synced data as unsynced (the
// crash's mode decides what of it survives), as a power failure during the fsync would.
// Earlier syncs have returned, so they are durable, and nothing was issued after this one.
type syncFlight struct {
	pending bool
	open    bool   // a host is waiting for the sync's latency (TakeLatency handed it out)
	dir     bool   // a SyncDir; otherwise a Sync of ino
	ino     *inode // the file synced
}

// Settle makes the sync in flight, if any, durable: a host calls it once it has waited the
// cost TakeLatency handed out, before acting on the durability it got.
func (d *Disk) Settle() {
	f := d.flight
	if !f.pending {
		return
	}
	d.flight = syncFlight{}
	if f.dir {
		clear(d.durDir)
		for name, ino := range d.dir {
			d.durDir[name] = ino
		}
		clear(d.dirOps)
		d.dirOps = d.dirOps[:0]
		return
	}
	ino := f.ino
	ino.durable = replay(ino.durable, ino.ops, ino.payload, len(ino.ops))
	ino.ops = ino.ops[:0]
	ino.payload = ino.payload[:0]
}

// InFlight reports whether a sync is in flight and whether a crash now would strike it.
func (d *Disk) InFlight() (pending, open bool) {
	return d.flight.pending, d.flight.open
}

// launch puts a sync in flight, after settling the one before it.
func (d *Disk) launch(f syncFlight) {
	d.Settle()
	f.pending = true
	d.flight = f
}

// openFlight exposes the sync in flight to crashes while a host waits for it.
func (d *Disk) openFlight() {
	if d.flight.pending {
		d.flight.open = true
	}
}

// crashFlight resolves the sync in flight before a crash: one nobody waits for has returned
// and is durable; one a host waits for stays unsynced, for the crash to resolve.
func (d *Disk) crashFlight() {
	if !d.flight.open {
		d.Settle()
	}
	d.flight = syncFlight{}
}
