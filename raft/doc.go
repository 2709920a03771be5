// Package raft implements the Raft consensus algorithm (Ongaro and Ousterhout, "In Search
// of an Understandable Consensus Algorithm", and Ongaro's thesis) as a pure state
// machine in the shape of etcd-io/raft's RawNode: no clock, goroutines, files or sockets.
// Time arrives as Tick, messages as Step, and everything the node wants done — persist,
// send, apply — leaves through Ready, which the host processes in a fixed order.
//
// Features: leader election with randomized timeouts, PreVote (thesis §9.6), CheckQuorum
// and leader stickiness; log replication with pipelining, flow control and fast
// backtracking; ReadIndex reads (§6.4); leadership transfer (§3.10); log compaction with
// chunked, resumable snapshot transfer (§7); single-server membership changes with
// learners and automatic promotion (§4). Planted bugs (Mutations) can be switched on by
// name to evaluate checkers.
//
// A host loop, in outline:
//
//	n, err := raft.New(raft.Config{ID: 1, Voters: []uint64{1, 2, 3},
//		ElectionTick: 10, HeartbeatTick: 1, Rand: rand.New(rand.NewPCG(seed, 1))})
//	for {
//		// on a timer: n.Tick(); on a message: n.Step(m); on a client write: n.Propose(data)
//		for n.HasReady() {
//			rd := n.Ready()
//			if rd.Snapshot != nil {
//				store.SaveSnapshot(*rd.Snapshot)
//			}
//			store.Save(rd.HardState, rd.Entries, rd.MustSync) // durable before sending
//			for _, m := range rd.Messages {
//				transport.Send(m.To, raft.AppendMessage(nil, m))
//			}
//			if rd.Snapshot != nil {
//				app.Restore(rd.Snapshot.Data)
//			}
//			for _, e := range rd.CommittedEntries {
//				app.Apply(e)
//			}
//			n.Advance()
//		}
//	}
//
// On restart, pass what storage recovered as Config.Restore; committed entries after the
// snapshot are handed out again, so the application restores the snapshot and re-applies.
package raft
