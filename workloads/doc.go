// Package workloads is the application side of a raftcheck run: the replicated key-value
// state machine with client sessions (KV), the operation generators of the workloads, the
// byte encodings of commands, replies and snapshots, and the Porcupine models that check
// the recorded histories.
//
// Workloads: "kv" (get/put/cas on a small keyspace) and "append" (appends of unique
// elements to per-key lists, reads of whole lists; a list is stored as a space-separated
// string, see ParseList). Both are checked for linearizability per key.
//
// The three sides of a run use it like this. Clients (one Generator per run):
//
//	gen, err := workloads.NewGenerator(workloads.DefaultGeneratorConfig("append"), clientStream)
//	op := gen.Next()                                   // the client's next op
//	cmd := workloads.Command{Client: sessionID, Seq: seq, Op: op}
//	data, err := workloads.EncodeCommand(nil, cmd)     // propose data; retry with the same bytes
//	h := workloads.HistoryOp{Client: proc, Op: op, Call: now}
//	// … on the reply: h.Reply, h.Return, h.Outcome = reply, now, reply.Outcome()
//	// … on giving up:  h.Return, h.Outcome = now, workloads.OutcomeUnknown
//
// Each node (its own KV, rebuilt from its own log and snapshots):
//
//	kv, err := workloads.NewKV(workloads.KVOptions{})
//	for _, e := range committed {                      // every committed entry, in order
//		a, err := kv.Apply(e.Index, e.Data)            // no-ops/conf changes: nil data
//		if err != nil { /* record a violation */ }
//		if !a.NoOp { /* answer the pending request (a.Client, a.Seq) with a.Reply */ }
//	}
//	reply := kv.Read(key)                              // ReadIndex read, once applied >= read index
//	snap := kv.Snapshot()                              // for raft's Compact; kv.Restore(snap) on install
//
// The checker:
//
//	ops, err := workloads.Operations(history)
//	model, err := workloads.Model("append")
//	res, info := porcupine.CheckOperationsVerbose(model, ops, timeout)
//	if res == porcupine.Illegal { porcupine.Visualize(model, info, w) }
package workloads
