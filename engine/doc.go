// Package engine is the published seam between raftcheck's simulated host and a Raft
// implementation: the Engine a node's host drives through the Ready contract, the Config and
// Factory that build one on a node's simulated disk, the Batch it returns, the Observations the
// checkers judge, and the Descriptor that names an engine, its version, its declared Semantics
// and its planted bugs.
//
// A host's loop, for every node:
//
//	eng, rec, err := desc.New(engine.Config{ID: id, Voters: founders, Disk: disk, Rand: stream, ...})
//	// on every tick, message (eng.Step) or client request (eng.Propose, eng.ReadIndex):
//	for {
//		b, ok, err := eng.Ready() // persisted (and synced where required) before it returns
//		if err != nil || !ok {
//			break
//		}
//		observe(b.Observed) // the checkers
//		send(b.Messages)    // only now: what was acknowledged is durable
//		restore(b.Snapshot)
//		apply(b.Apply)
//		serve(b.Reads)
//		eng.Advance()
//		report(deliveries) // eng.Report: peers unreachable, snapshots sent or failed
//	}
//
// Our raft package is behind it in engine/raftengine and go.etcd.io/raft/v3 in engine/etcdraft;
// engine/builtin lists both by name. A Raft author plugs in an implementation by writing an
// Engine and a Descriptor and handing it to cluster.Run, or to enginetest.Run from a go test
// (see the Example in enginetest).
package engine
