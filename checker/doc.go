// Package checker verifies a Raft cluster from the outside: safety invariants over what
// the nodes are observed doing, linearizability of the client history (Porcupine), an
// append-workload checker that needs no search, and liveness after the heal point.
//
// It never imports a Raft implementation. The cluster reports plain facts — node N saved
// these entries, synced, committed up to c, applied this entry, became leader of term T,
// crashed, recovered this state — and Invariants keeps a shadow of every node's log (each
// entry with a running chain hash of the log up to it), a global table (index, term) →
// chain hash, a committed oracle (index → the committed entry, the term its commitment was
// first observed in, whether a client was told it succeeded) and the leader of every term.
// Every observation is checked on arrival in time proportional to the entries in it, so a
// violation is reported at the simulated time it happened.
//
// Usage, from the cluster's host loop (t is simulated ns):
//
//	inv, err := checker.NewInvariants(5, checker.Options{})
//	// for each Ready of node 2, in this order:
//	inv.EntriesSaved(t, 2, ents)           // Ready.Entries, as []checker.EntryObs
//	inv.HardStateSaved(t, 2, hs)           // Ready.HardState, if not empty
//	inv.Synced(t, 2)                       // after the fsync, if the Ready needed one
//	if becameLeader {
//		inv.BecameLeader(t, 2, term)
//	}
//	inv.Applied(t, 2, e)                   // per committed entry applied
//	inv.Acked(t, checker.EntryObs{Index: i, Term: tm, Digest: d}) // write answered OK
//	// faults:
//	inv.Crashed(t, 2)
//	inv.Restarted(t, 2, checker.Recovery{HardState: hs, Entries: recovered})
//	// end of run:
//	inv.CheckHealed(t, liveVoters)
//	res := checker.CheckLinearizability(model, history, 10*time.Second)
//	if v, bad := res.Violation(t); bad {
//		fmt.Println(v)
//	}
//	for _, v := range inv.Violations() {
//		fmt.Println(v) // log-matching at 1.2s nodes [2 0]: node 2 saved (index 5, …
//	}
package checker
