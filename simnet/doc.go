// Package simnet is raftcheck's deterministic simulated world: a virtual clock and event
// queue (Kernel), random streams derived from one seed, a network of message-passing
// endpoints (Network), per-node disks with a volatile layer and crash modes (Disk),
// processes that start, crash, restart, pause and drift (Process), and a trace whose hash
// pins a run's behaviour (Trace).
//
// Everything runs on the caller's goroutine inside Kernel.Run; a run is a pure function of
// the seed and the configuration.
//
//	k := simnet.NewKernel(seed)
//	d, err := simnet.NewDisk(k, 0, simnet.DiskConfig{})
//	...
//	if err := d.Append("wal", rec); err != nil { ... }
//	if err := d.Sync("wal"); err != nil { ... }        // data durable
//	if err := d.SyncDir(); err != nil { ... }          // the name "wal" durable
//	d.Crash(simnet.TornSectors, k.Stream("nemesis"))   // power loss
//	err = k.Run(simnet.Limits{MaxEvents: 1e7, MaxTime: 10 * simnet.Minute})
package simnet
