// Package etcdraft puts go.etcd.io/raft/v3, unmodified, behind engine.Engine: a RawNode driven
// through etcd's Ready contract with synchronous storage, persisted by raftcheck's raft/wal on
// the node's simulated disk.
//
// Mapping: engine node i is etcd raft id i+1. A message crosses the network as etcd's
// protobuf encoding. The WAL stores each etcd entry marshalled in the data of a raft.Entry of
// the same index and term, the HardState field by field, and a snapshot with etcd's whole
// ConfState ahead of the state machine's image. Founders bootstrap with RawNode.Bootstrap
// (entries marked as such, which never reach the host as membership changes); a joining node
// starts empty and learns its configuration from the leader. Configurations take effect when
// applied (Semantics.ConfOnApply) and the host promotes learners.
//
// Determinism: etcd draws its election jitter from a process-global source that reads
// crypto/rand.Reader. Every call into etcd that can draw goes through one process-wide gate
// that points crypto/rand.Reader at the calling node's own stream for the duration of the
// call (see entropy.go), so a run is a pure function of its seed even with parallel
// simulations.
//
// A host's loop, for every node:
//
//	desc := etcdraft.Descriptor()
//	eng, rec, err := desc.New(engine.Config{ID: id, Voters: founders, Disk: disk, Rand: stream,
//		ElectionTicks: 10, HeartbeatTicks: 1, Image: image})
//	// on every tick (eng.Tick), message (eng.Step) or client request (eng.Propose, eng.ReadIndex):
//	for {
//		b, ok, err := eng.Ready() // persisted (and synced where etcd requires) before it returns
//		if err != nil || !ok {
//			break
//		}
//		observe(b.Observed)
//		send(b.Messages) // report snapshot messages' outcomes with eng.Report
//		restore(b.Snapshot)
//		apply(b.Apply)
//		serve(b.Reads)
//		eng.Advance()
//	}
//
// Descriptor lists the planted bugs (mutants) a run can switch on by name.
package etcdraft
