// Package checker verifies a Raft cluster from the outside: safety invariants over what
// the nodes are observed doing (Invariants), linearizability of the client history
// (CheckLinearizability, Porcupine with a timeout), an append-workload checker that needs
// no search (CheckAppends) and liveness after the heal point (CheckLiveness).
//
// It never imports a Raft implementation. The cluster reports plain facts — node N saved
// these entries, synced, committed up to c, applied this entry, became leader of term T,
// crashed, recovered this state — and Invariants keeps a shadow of every node's log (each
// entry with a running chain hash of the log up to it), a global table (index, term) →
// chain hash, a committed oracle (index → the committed entry, the lowest term in which its
// commitment was observed, whether a client was told it succeeded) and the leader of every
// term. Every observation is checked on arrival, in time proportional to the entries in it,
// so a violation carries the simulated time at which it happened.
//
// Per Ready of node n, report in this order (t is simulated ns):
//
//	inv, err := checker.NewInvariants(5, checker.Options{})
//	inv.SnapshotInstalled(t, n, checker.SnapshotObs{Index: i, Term: tm}) // Ready.Snapshot, once restored
//	inv.EntriesSaved(t, n, ents)             // Ready.Entries as []checker.EntryObs
//	inv.HardStateSaved(t, n, hs)             // Ready.HardState, when not empty
//	inv.BatchSaved(t, n)                     // always: the batch's term is now known
//	inv.ConfAppended(t, n, index, term)      // each configuration entry among them
//	inv.CommitQuorum(t, n, commit, configs)  // a leader advanced its commit index
//	inv.LeaderMatches(t, n, term, matches)   // a leader's matchIndex per follower (optional)
//	inv.Synced(t, n)                         // after the fsync, when the host made one
//	inv.VoteGranted(t, n, term, candidate)   // each vote the batch's messages grant, once sent
//	inv.ElectionQuorum(t, n, term, conf)     // when the role turned to leader: the configuration
//	inv.BecameLeader(t, n, term)             // it was elected in, then the new leader itself
//	inv.Applied(t, n, e)                     // each committed entry, in order, once applied
//	inv.Acked(t, checker.EntryObs{Index: i, Term: tm, Digest: d}) // a write answered OK
//
// and, as they happen: inv.Compacted(t, n, index) after a local snapshot,
// inv.SyncInterrupted(t, n) when a crash strikes the batch's last sync before the host acted
// on it, inv.Crashed(t, n), then inv.Restarted(t, n, checker.Recovery{...}) or
// inv.RefusedStart(t, n, reason). After the heal phase:
//
//	inv.CheckHealed(t, liveVoters)
//	res := checker.CheckLinearizability(model, history, 10*time.Second)
//	if v, bad := res.Violation(t); bad {
//		fmt.Println(v)
//	}
//	for _, v := range inv.Violations() {
//		fmt.Println(v) // log-matching at 12ns nodes [1 0]: node 1 saved (index 3, …
//	}
package checker
