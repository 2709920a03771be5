// Package fuzz holds raftcheck's cross-package fuzz targets (Go native fuzzing) and
// property tests (pgregory.net/rapid). It may import every package of the module and has no
// non-test code: everything lives in its _test.go files.
//
// # Fuzz targets
//
// FuzzWireDecode feeds arbitrary bytes to every decoder whose input crosses a wire or a disk
// between packages: raft.DecodeMessage, raft.DecodeConfChange, workloads.DecodeCommand,
// workloads.DecodeReply and workloads.KV.Restore. None may panic; errors wrap the package's
// ErrMalformed; a decoded raft message re-encodes (raft.AppendMessage) to bytes that decode to
// an equal message (go-cmp) and re-encode identically; the workloads encodings are canonical,
// so they re-encode to the input itself. (The cluster's client wire is not exported and is not
// covered.)
//
// FuzzWALRecover writes a real WAL with wal.Save and wal.SaveSnapshot on a simnet.Disk, with
// small segments so that it spans several files, crashes the disk in one of simnet's crash
// modes over an unsynced tail, damages the files as the input says (xor or set a byte,
// truncate, append garbage, zero a sector, add a segment file of arbitrary bytes) and recovers
// with wal.Open. An error must be a *wal.CorruptionError naming a file, and only after real
// damage; a recovered state must be one the WAL passed through at or after its last sync,
// with every entry and the HardState present as a checksum-valid record in the files (the
// record format is re-derived from raft/wal's doc.go, not taken from its code); reopening must
// give the same state. Damage the WAL cannot tell from a torn tail is held only to the weaker
// checks: its last segment's final sync commit damaged together with bytes before it (as its
// doc.go says), and a sealed segment truncated at a record boundary (a gap that
// TestWALDetectsTruncatedSealedSegment reports).
//
// FuzzScenario decodes bytes into a small valid cluster.Config (3–5 nodes, 2–8 s, kv or
// append, clients, rate, read share, ReadIndex, forwarding, compaction, swarm or fixed tuning)
// and an explicit schedule of up to 8 faults of any nemesis.Kind (each passing
// nemesis.Fault.Validate), runs cluster.Run on the correct build and requires no violation and
// a history that is not checker.Illegal. A failure prints the repro JSON
// (cluster.NewRepro(res, true).Marshal()) for `raftcheck replay`. One run takes 10–50 ms.
//
// Inputs found failing because of a bug elsewhere are kept in testdata/found with a note
// (README.md there), so that the suite stays green until the bug is fixed.
//
// Seed corpora live in testdata/fuzz/<Target>/seed-*; TestWriteSeedCorpora rewrites them
// (RAFTCHECK_WRITE_FUZZ_SEEDS=1) and TestSeedCorporaWritten keeps them in step with the code
// that generates them. TestWALSeedOutcomes and TestScenarioSeedsRun pin what the seeds do.
// `go test ./fuzz/` runs every seed as a regular test. To fuzz one target:
//
//	go test -run '^$' -fuzz '^FuzzWALRecover$' -fuzztime 5m ./fuzz/
//
// and `make fuzz` runs every Fuzz target of the module for FUZZTIME each, one after the
// other (scripts/fuzz-all.sh). An input the fuzzer finds failing is written to
// testdata/fuzz/<Target>/ and replays with `go test -run '<Target>/<name>' ./fuzz/`.
//
// # Property tests
//
// TestRaftClusterProperties is a rapid state-machine test of 3–5 nodes of package raft in
// memory, without the simulator. Its actions (t.Repeat) tick one node or all, run a node's
// host loop, deliver, duplicate, drop or reorder a pending message (messages travel encoded),
// flush a round of messages, propose, ask for a ReadIndex read, compact a node's log
// (raft.Node.Compact with a snapshot of a trivial state machine: the list of applied entries),
// crash a node (idle, after taking a Ready but before persisting it, or after persisting it
// but before sending; a HardState saved without sync may be lost) and restart it from what it
// persisted, partition and heal, and transfer leadership. The host loop honours raft.Ready
// exactly: persist, send, restore and apply, Advance. After every action it checks election
// safety, log matching, leader completeness, state-machine safety, commit and applied never
// regressing within a life, and that a ReadIndex answer is at least every commit index reached
// before the request. TestRaftClusterCatchesMutants runs the same test in a child process with
// one raft.Mutations bug on (RAFTCHECK_RAFT_MUTANT=<field>) and requires rapid to report a
// broken invariant: VoteWithoutLogCheck, CommitToLastIndex, AppendWithoutPrevCheck,
// UnsafeLocalReads, CountStaleVotes, SnapshotRegress and VoteNotPersisted by default, and
// CommitPriorTermByCount and TruncateOnStaleAppend with RAFTCHECK_LONG=1.
//
// TestNetworkLinkSemantics, TestNetworkPartitionsCutExactly and TestProcessPauseHoldsMessages
// pin simnet's delivery semantics: per link configuration, nothing invented, at most once
// without duplication and at most twice with it, at least once without loss, FIFO and exact
// latency with a fixed latency; partitions, one-way partitions and blocks cut exactly the
// directions the test's own model says (and Network.Connected agrees), Heal reopens them; a
// paused process gets nothing, and on Resume everything that arrived meanwhile, in order.
//
// The WAL-against-a-model property test lives in raft/wal (rapid_test.go) and the KV
// session-deduplication property test in workloads (session_prop_test.go); they are not
// repeated here.
//
// Rapid's settings are process-wide flags, set in TestMain: 200 cases per property (10000
// with RAFTCHECK_LONG=1, as make soak sets), 300 actions per state-machine case on average,
// no fail files; a -rapid.* flag on the command line wins. A failure prints the -rapid.seed
// that replays it:
//
//	go test -run TestRaftClusterProperties ./fuzz/ -rapid.seed=1234 -rapid.checks=1
//	RAFTCHECK_RAFT_MUTANT=VoteWithoutLogCheck go test -run TestRaftClusterProperties ./fuzz/
package fuzz
