package raftengine

import (
	"github.com/raftcheck/raftcheck/engine"
	"github.com/raftcheck/raftcheck/raft"
)

// Name is this engine's name on the command line and in repro files.
const Name = "raftcheck"

// Version names the behaviour of our raft and its WAL as repro files record it. Bump it when a
// change to either makes recorded runs replay differently.
const Version = "v1"

// Descriptor describes our raft behind the Engine: configurations take effect when appended
// (thesis §4.1) and the leader promotes a caught-up learner itself.
func Descriptor() *engine.Descriptor {
	d := &engine.Descriptor{Name: Name, Version: Version, New: New, Describe: describe,
		Semantics: engine.Semantics{ConfOnApply: false, PromotesLearners: true, LazyApply: true, RepeatReads: true, MixedProtocol: engine.MixAny}}
	for _, mu := range catalogue {
		d.Mutants = append(d.Mutants, mu.Mutant)
	}
	return d
}

// describe renders one of our raft's messages for a trace.
func describe(msg []byte) string {
	m, err := raft.DecodeMessage(msg)
	if err != nil {
		return "undecodable message: " + err.Error()
	}
	return m.String()
}
