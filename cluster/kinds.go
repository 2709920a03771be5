package cluster

import "github.com/raftcheck/raftcheck/simnet"

// Violation kinds the cluster detects itself (the checker package defines the protocol ones).
const (
	KindBound    = "bound"        // the run hit its event bound: a livelock or a runaway
	KindEngine   = "engine-error" // the Raft implementation failed in a way no fault explains
	KindRecovery = "recovery"     // a node could not restart from an undamaged disk
	// KindSpuriousCorruption: a node refused to start over corruption in durable data that no
	// fault damaged (a crash only ever tears what was not yet synced).
	KindSpuriousCorruption = "spurious-corruption"
	KindWire               = "wire"          // a datagram did not decode
	KindStateMachine       = "state-machine" // a committed command did not apply
	KindSnapshotData       = "snapshot-data" // a snapshot did not restore
)

// Trace kinds of the cluster's own events, folded into the run's trace hash.
const (
	traceLeader simnet.TraceKind = simnet.TraceUser + iota
	traceClient
	traceFault
	traceFaultEnd
	traceMember
	traceRefused
	traceFailStop
	traceViolation
	traceHeal
	traceRoll
)

func nameTraceKinds(t *simnet.Trace) {
	names := []string{"leader", "client", "nemesis", "nemesis-end", "member", "refused", "fail-stop", "violation", "heal", "roll"}
	for i, name := range names {
		if err := t.NameKind(simnet.TraceUser+simnet.TraceKind(i), name); err != nil {
			panic("cluster: naming trace kind " + name + ": " + err.Error())
		}
	}
}
