package fuzz

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/raft"
	"github.com/raftcheck/raftcheck/workloads"
	"github.com/stretchr/testify/require"
)

// seed is one named input of a seed corpus: the fuzz function's arguments in order.
type seed struct {
	name string
	args []any
}

// corpusLine renders one argument in the `go test fuzz v1` format.
func corpusLine(v any) string {
	switch v := v.(type) {
	case []byte:
		return fmt.Sprintf("[]byte(%q)", v)
	case uint8:
		return fmt.Sprintf("byte(%q)", v)
	case uint64:
		return fmt.Sprintf("uint64(%d)", v)
	}
	panic(fmt.Sprintf("corpusLine: unsupported type %T", v))
}

// seedCorpora returns every target's seed inputs.
func seedCorpora(t testing.TB) map[string][]seed {
	return map[string][]seed{
		"FuzzWireDecode": wireSeeds(t),
		"FuzzWALRecover": walSeeds(t),
		"FuzzScenario":   scenarioSeeds(),
	}
}

// TestWriteSeedCorpora writes the seed corpora to testdata/fuzz/<Target>/seed-* when
// RAFTCHECK_WRITE_FUZZ_SEEDS=1. Inputs the fuzzer found (other names) are left alone.
func TestWriteSeedCorpora(t *testing.T) {
	if os.Getenv("RAFTCHECK_WRITE_FUZZ_SEEDS") != "1" {
		t.Skip("set RAFTCHECK_WRITE_FUZZ_SEEDS=1 to rewrite the seed corpora")
	}
	for target, seeds := range seedCorpora(t) {
		dir := filepath.Join("testdata", "fuzz", target)
		require.NoError(t, os.MkdirAll(dir, 0o755))
		for _, s := range seeds {
			lines := []string{"go test fuzz v1"}
			for _, a := range s.args {
				lines = append(lines, corpusLine(a))
			}
			body := strings.Join(lines, "\n") + "\n"
			require.NoError(t, os.WriteFile(filepath.Join(dir, "seed-"+s.name), []byte(body), 0o644))
		}
	}
}

// TestSeedCorporaWritten: every generated seed is in testdata, unchanged (rewrite them with
// RAFTCHECK_WRITE_FUZZ_SEEDS=1 when an encoding changes on purpose).
func TestSeedCorporaWritten(t *testing.T) {
	for target, seeds := range seedCorpora(t) {
		for _, s := range seeds {
			t.Run(target+"/"+s.name, func(t *testing.T) {
				b, err := os.ReadFile(filepath.Join("testdata", "fuzz", target, "seed-"+s.name))
				require.NoError(t, err)
				lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
				require.Equal(t, len(s.args)+1, len(lines), "lines of %s", s.name)
				require.Equal(t, "go test fuzz v1", lines[0])
				for i, a := range s.args {
					require.Equal(t, corpusLine(a), lines[i+1], "argument %d", i)
				}
			})
		}
	}
}

// wireSeeds are valid encodings of every kind FuzzWireDecode decodes.
func wireSeeds(t testing.TB) []seed {
	var out []seed
	for _, m := range sampleWireMessages() {
		out = append(out, seed{"msg-" + m.Type.String(), []any{raft.AppendMessage(nil, m)}})
	}
	out = append(out, seed{"confchange", []any{raft.EncodeConfChange(raft.ConfChange{Type: raft.AddLearner, Node: 4})}})
	cmds := []workloads.Command{
		{Client: 1, Seq: 1, Op: workloads.Op{Kind: workloads.Get, Key: "k0"}},
		{Client: 2, Seq: 7, Op: workloads.Op{Kind: workloads.Put, Key: "k1", Value: "42"}},
		{Client: 3, Seq: 2, Op: workloads.Op{Kind: workloads.Append, Key: "k2", Value: "17"}},
		{Client: 4, Seq: 9, Op: workloads.Op{Kind: workloads.CAS, Key: "k3", Expect: "1", Value: "2"}},
	}
	kv, err := workloads.NewKV(workloads.KVOptions{})
	require.NoError(t, err)
	for i, c := range cmds {
		b, err := workloads.EncodeCommand(nil, c)
		require.NoError(t, err)
		out = append(out, seed{"cmd-" + c.Op.Kind.String(), []any{b}})
		_, err = kv.Apply(uint64(i+1), b)
		require.NoError(t, err)
	}
	replies := map[string]workloads.Reply{"get": {Value: "1 2", Found: true},
		"cas": {Swapped: true, Value: "1", Found: true}, "stale": {Status: workloads.StatusStale}}
	for _, name := range []string{"get", "cas", "stale"} {
		b, err := workloads.EncodeReply(nil, replies[name])
		require.NoError(t, err)
		out = append(out, seed{"reply-" + name, []any{b}})
	}
	return append(out, seed{"kv-snapshot", []any{kv.Snapshot()}})
}

// sampleWireMessages is one message of each shape the cluster sends, with every field its
// type uses set.
func sampleWireMessages() []raft.Message {
	cc := raft.EncodeConfChange(raft.ConfChange{Type: raft.AddVoter, Node: 3})
	ents := []raft.Entry{{Term: 2, Index: 6, Data: []byte("put x")}, {Term: 2, Index: 7, Type: raft.EntryConfChange, Data: cc}, {Term: 3, Index: 8}}
	return []raft.Message{
		{Type: raft.MsgPreVote, From: 1, To: 2, Term: 4, LogTerm: 3, Index: 8, Force: true},
		{Type: raft.MsgVoteResp, From: 2, To: 1, Term: 4, Reject: true},
		{Type: raft.MsgApp, From: 1, To: 3, Term: 3, LogTerm: 2, Index: 5, Commit: 5, Entries: ents},
		{Type: raft.MsgAppResp, From: 3, To: 1, Term: 3, Index: 5, Reject: true, RejectHint: 4, LogTerm: 2},
		{Type: raft.MsgHeartbeat, From: 1, To: 2, Term: 3, Commit: 8, Round: 12},
		{Type: raft.MsgSnap, From: 1, To: 3, Term: 3, Snap: raft.SnapshotMeta{Index: 8, Term: 3,
			Conf: raft.ConfState{Voters: []uint64{1, 2, 3}, Learners: []uint64{4}}},
			SnapSize: 10, SnapCRC: 0xdeadbeef, SnapOffset: 4, SnapData: []byte("chunk"), SnapDone: true},
		{Type: raft.MsgSnapResp, From: 3, To: 1, Term: 3, Index: 8, LogTerm: 3, SnapOffset: 10, SnapDone: true, Commit: 8},
		{Type: raft.MsgProp, From: 2, To: 1, Entries: []raft.Entry{{Data: []byte("cmd")}}},
		{Type: raft.MsgReadIndexResp, From: 1, To: 2, Term: 3, Index: 8, Context: []byte("read-1")},
		{Type: raft.MsgTransferLeader, From: 2, To: 1, Index: 3},
	}
}

// walSeeds are FuzzWALRecover inputs: clean WALs, crashes of every mode over an unsynced
// tail, and each kind of damage, aimed at files and offsets of the WAL each build writes.
func walSeeds(t testing.TB) []seed {
	const noCrash, tail = 7, 8
	var out []seed
	for i, mode := range []string{"lose-unsynced", "keep-unsynced", "keep-prefix", "torn-sectors", "random-sectors"} {
		out = append(out, seed{"crash-" + mode, []any{uint8(2 + i), uint8(tail | i), []byte{}}})
	}
	out = append(out, seed{"clean", []any{uint8(1), uint8(noCrash), []byte{}}})
	// mut returns one 5-byte mutation of file (index into the sorted names) at off.
	mut := func(op byte, file, off int, val byte) []byte {
		return []byte{op, byte(file), byte(off >> 8), byte(off), val}
	}
	const xor, set, truncate, garbage, zero = 0, 1, 2, 3, 4
	for _, c := range []struct {
		name  string
		build uint8
		muts  func(l walLayout) []byte
	}{
		{"flip-snapshot", 9, func(l walLayout) []byte { return mut(xor, l.snap, 30, 0x80) }},
		{"flip-sealed-segment", 10, func(l walLayout) []byte { return mut(xor, l.first, 40, 0x10) }},
		{"set-sealed-segment", 11, func(l walLayout) []byte { return mut(set, l.first, 70, 0) }},
		{"flip-final-commit", 12, func(l walLayout) []byte { return mut(xor, l.last, l.end-10, 0x04) }},
		{"flip-before-final-commit", 13, func(l walLayout) []byte { return mut(xor, l.last, l.end-30, 0x01) }},
		{"flip-final-commit-and-before", 14, func(l walLayout) []byte {
			return append(mut(xor, l.last, l.end-10, 0x04), mut(xor, l.last, l.end-40, 0x02)...)
		}},
		{"garbage-after-last-segment", 15, func(l walLayout) []byte { return mut(garbage, l.last, 0, 77) }},
		{"truncate-final-commit", 16, func(l walLayout) []byte { return mut(truncate, l.last, l.end-5, 0) }},
		{"truncate-last-segment", 17, func(l walLayout) []byte { return mut(truncate, l.last, l.end-60, 0) }},
		{"zero-sealed-sector", 10, func(l walLayout) []byte { return mut(zero, l.first, 0, 0) }},
		{"zero-only-segment", 18, func(l walLayout) []byte { return mut(zero, l.first, 0, 0) }},
	} {
		out = append(out, seed{c.name, []any{c.build, uint8(noCrash), c.muts(layoutOf(t, c.build))}})
	}
	return out
}

// walLayout locates the files of the WAL buildWAL(build, false) writes, as indexes into the
// sorted file list: the snapshot file (0 if none), the first and the last segment, and the
// end of the last segment's durable data (where its final sync commit ends).
type walLayout struct{ snap, first, last, end int }

func layoutOf(t testing.TB, build uint8) walLayout {
	h, err := buildWAL(build, false)
	require.NoError(t, err)
	names, err := h.disk.List()
	require.NoError(t, err)
	var l walLayout
	l.first = -1
	for i, n := range names {
		switch {
		case strings.HasPrefix(n, "snap-"):
			l.snap = i
		case strings.HasPrefix(n, "wal-"):
			if l.first < 0 {
				l.first = i
			}
			l.last = i
		}
	}
	b, err := h.disk.Durable(names[l.last])
	require.NoError(t, err)
	l.end = len(b)
	return l
}

// scenarioSeeds are FuzzScenario inputs: a quiet run of each workload and runs with each
// family of faults (see scenarioFromBytes for the byte layout).
func scenarioSeeds() []seed {
	// config bytes: nodes, duration, flags, clients, rate, read fraction, compaction
	quiet := []byte{0, 0, 2 | 4, 3, 80, 30, 2}
	with := func(cfg []byte, faults ...[]byte) []byte {
		b := append([]byte(nil), cfg...)
		for _, f := range faults {
			b = append(b, f...)
		}
		return b
	}
	kind := func(k nemesis.Kind) byte { return byte(slices.Index(stableKinds, k)) }
	// fault bytes: kind, at/256 of the duration, for (100 ms steps - 1), node mask, param, flags
	crashLeader := []byte{kind(nemesis.Crash), 40, 9, 0, 2, 1}
	partition := []byte{kind(nemesis.Partition), 90, 14, 0, 0, 0}
	lossy := []byte{kind(nemesis.Loss), 10, 20, 0, 20, 0}
	dup := []byte{kind(nemesis.Duplicate), 60, 20, 0, 30, 0}
	reorder := []byte{kind(nemesis.Reorder), 30, 25, 0, 40, 0}
	pause := []byte{kind(nemesis.Pause), 120, 8, 0b101, 0, 0}
	corrupt := []byte{kind(nemesis.Corrupt), 150, 10, 0b10, 0, 0}
	slow := []byte{kind(nemesis.SlowDisk), 20, 30, 0b11, 15, 0}
	full := []byte{kind(nemesis.DiskFull), 100, 10, 0b1, 0, 0}
	drift := []byte{kind(nemesis.Drift), 0, 31, 0b111, 60, 0}
	add := []byte{kind(nemesis.Add), 50, 0, 0, 0, 0}
	remove := []byte{kind(nemesis.Remove), 170, 0, 0, 0, 1}
	replace := []byte{kind(nemesis.Replace), 80, 0, 0b100, 0, 0}
	churn := []byte{kind(nemesis.Churn), 60, 20, 0, 20, 0}
	return []seed{
		{"quiet-kv", []any{uint64(1), quiet}},
		{"quiet-append-5-nodes", []any{uint64(2), with([]byte{2, 3, 1 | 2 | 4 | 8, 5, 150, 50, 1})}},
		{"crash-partition", []any{uint64(3), with([]byte{0, 4, 2 | 4, 4, 100, 30, 3}, crashLeader, partition)}},
		{"lossy-network", []any{uint64(4), with([]byte{1, 5, 1 | 2, 4, 120, 40, 1}, lossy, dup, reorder)}},
		{"pause-drift", []any{uint64(5), with([]byte{2, 4, 4, 3, 90, 20, 2}, pause, drift)}},
		{"disk-faults", []any{uint64(6), with([]byte{2, 6, 2, 4, 100, 30, 1}, corrupt, slow, full)}},
		{"membership", []any{uint64(7), with([]byte{0, 6, 1 | 2 | 4, 3, 80, 30, 1}, add, remove, replace)}},
		{"fixed-tuning", []any{uint64(9), with([]byte{1, 4, 2 | 4 | 16, 4, 120, 40, 0}, crashLeader, lossy)}},
		{"leader-churn", []any{uint64(10), with([]byte{2, 5, 2 | 4, 4, 100, 30, 2}, churn)}},
		{"everything", []any{uint64(8), with([]byte{2, 6, 1 | 2 | 4 | 8, 6, 200, 40, 0},
			crashLeader, partition, lossy, dup, pause, corrupt, add, remove)}},
	}
}
