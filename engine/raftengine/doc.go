// Package raftengine puts raftcheck's own raft package, with its write-ahead log raft/wal,
// behind engine.Engine, using only their public APIs. Its planted bugs (Descriptor().Mutants)
// reach raft through raft.Config.Mutations and the WAL through wal.Options.
//
//	eng, rec, err := raftengine.New(engine.Config{ID: 0, Voters: []int{0, 1, 2}, Disk: disk, Rand: stream,
//		ElectionTicks: 10, HeartbeatTicks: 1})
package raftengine
