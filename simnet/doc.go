// Package simnet is raftcheck's deterministic simulated world: a virtual clock and event
// queue (Kernel), random streams derived from one seed (Kernel.Stream), a network of
// message-passing endpoints with latency, loss, duplication and partitions (Network),
// per-node disks with a volatile layer, crash modes and faults at rest (Disk), processes
// that start, crash, restart, pause and drift (Process), and a trace whose hash pins a
// run's behaviour (Trace).
//
// Everything runs on the caller's goroutine inside Kernel.Run or Kernel.RunUntil, in
// (time, sequence) order, so a run is a pure function of the seed and the configuration:
// the same seed gives the same Trace().Hash() on any machine and any GOMAXPROCS.
//
// A run, in short:
//
//	k := simnet.NewKernel(seed)
//	net, err := simnet.NewNetwork(k, simnet.LinkConfig{
//		Latency: simnet.ExponentialLatency(simnet.Millisecond, 2*simnet.Millisecond, 50*simnet.Millisecond),
//		Loss:    0.01,
//	})
//	for i := range 3 {
//		id := simnet.NodeID(i)
//		disk, err := simnet.NewDisk(k, id, simnet.DiskConfig{})
//		var p *simnet.Process
//		p, err = simnet.NewProcess(k, net, id,
//			simnet.ProcessConfig{TickInterval: 10 * simnet.Millisecond, ClockRate: 1, Disk: disk},
//			func() simnet.Host { return newNode(p, disk) }) // recovers from disk; sends with p.Send
//		err = p.Start()
//	}
//	nemesis := k.Stream("nemesis")
//	k.After(2*simnet.Second, func() {
//		net.Partition([]simnet.NodeID{0}, []simnet.NodeID{1, 2})
//		procs[1].PowerFail(simnet.TornSectors, nemesis)
//	})
//	k.After(5*simnet.Second, func() { net.Heal(); procs[1].Start() })
//	err = k.RunUntil(10*simnet.Second, simnet.Limits{MaxEvents: 10_000_000, MaxTime: 10 * simnet.Second})
//	fmt.Printf("seed %d: trace hash %#x\n", seed, k.Trace().Hash())
//
// Ownership: Network.Send copies the message, and a delivered message is valid only during
// Receive. Disk.ReadFile returns a fresh copy. A Host that waits for its disk takes
// Disk.TakeLatency() and continues with Process.After.
//
// Durability: a write is volatile until Sync(name); a create, rename or remove is volatile
// until SyncDir(). A new file needs both, Sync for its data and SyncDir for its name, to
// survive a LoseUnsynced crash. See CrashMode for what each crash keeps.
package simnet
