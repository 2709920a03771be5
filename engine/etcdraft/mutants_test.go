package etcdraft

import (
	"slices"
	"strings"
	"testing"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/engine"
	"github.com/raftcheck/raftcheck/simnet"
)

// lastWAL is the name of node i's newest WAL segment.
func lastWAL(t *testing.T, h *harness, i int) string {
	t.Helper()
	names, err := h.disks[i].List()
	if err != nil {
		t.Fatal(err)
	}
	var last string
	for _, n := range names {
		if strings.HasPrefix(n, "wal-") {
			last = n
		}
	}
	if last == "" {
		t.Fatalf("node %d has no WAL segment among %v", i, names)
	}
	return last
}

// proposeOnce proposes on the leader and returns its next batch.
func proposeOnce(t *testing.T, h *harness, l int) engine.Batch {
	t.Helper()
	if err := h.engs[l].Propose([]byte("x")); err != nil {
		t.Fatal(err)
	}
	b, ok, err := h.engs[l].Ready()
	if err != nil || !ok || len(b.Observed.Saved) != 1 || len(b.Messages) == 0 {
		t.Fatalf("Ready after Propose = %+v, %t, %v; want the entry saved and appends to send", b, ok, err)
	}
	return b
}

func TestMutantSendBeforeSync(t *testing.T) {
	for _, mutant := range []bool{false, true} {
		var mutants []string
		if mutant {
			mutants = []string{mutantSendBeforeSync}
		}
		h := newHarness(t, 13, 3, 3, mutants...)
		l := h.elect()
		b := proposeOnce(t, h, l)
		data, _, err := h.disks[l].Unsynced(lastWAL(t, h, l))
		if err != nil {
			t.Fatal(err)
		}
		if b.Observed.Synced == mutant || data != mutant {
			t.Fatalf("mutant %t: batch synced %t, WAL unsynced %t; want %t, %t", mutant, b.Observed.Synced, data, !mutant, mutant)
		}
		h.engs[l].Advance()
		if !mutant {
			continue
		}
		h.engs[l].Tick() // the owed sync
		b, ok, err := h.engs[l].Ready()
		if data, _, _ := h.disks[l].Unsynced(lastWAL(t, h, l)); err != nil || !ok || !b.Observed.Synced || data {
			t.Errorf("after a tick: Ready = synced %t, %t, %v, WAL unsynced %t; want a synced batch and a synced WAL", b.Observed.Synced, ok, err, data)
		}
	}
}

func TestMutantDropHardState(t *testing.T) {
	h := newHarness(t, 14, 3, 3, mutantDropHardState)
	l := h.elect()
	h.propose(three, "a")
	f := (l + 1) % 3
	saved := h.lastHardState(f)
	h.crash(f, simnet.KeepUnsynced)
	if rec := h.start(f); rec.HardState != (checker.HardState{}) || saved.Term == 0 {
		t.Fatalf("recovered hard state %+v after saving %+v; want it forgotten", rec.HardState, saved)
	}
}

func TestMutantApplyBeforePersist(t *testing.T) {
	h := newHarness(t, 15, 3, 3, mutantApplyBeforePersist)
	e := h.engs[0]
	b, ok, err := e.Ready()
	if err != nil || !ok || len(b.Apply) != 3 || len(b.Observed.Saved) != 0 || b.Observed.HardState != nil {
		t.Fatalf("first Ready = apply %d, saved %v, hard state %v, %t, %v; want 3 applied, nothing saved", len(b.Apply), b.Observed.Saved, b.Observed.HardState, ok, err)
	}
	e.Advance()
	for range 3 * h.cfgs[0].ElectionTicks {
		if b, ok, err = e.Ready(); ok || err != nil {
			break
		}
		e.Tick()
	}
	want := checker.HardState{Term: 1, Commit: 3}
	if !ok || len(b.Observed.Saved) != 3 || b.Observed.Saved[0].Index != 1 || b.Observed.HardState == nil || *b.Observed.HardState != want {
		t.Fatalf("next Ready saved %v, hard state %v (ok %t, %v); want the bootstrap entries 1..3 and %+v", b.Observed.Saved, b.Observed.HardState, ok, err, want)
	}
}

func TestMutantAppliedFromCommit(t *testing.T) {
	h := newHarness(t, 16, 3, 3, mutantAppliedFromCommit)
	l := h.elect()
	h.propose(three, "a", "b", "c")
	f := (l + 1) % 3
	h.crash(f, simnet.KeepUnsynced)
	h.start(f)
	h.propose(three, "d")
	if want := cmdsOf("d"); !equalCmds(h.sms[f].cmds, want) || h.sms[f].gaps != 1 {
		t.Fatalf("restarted node applied %q with %d gaps; want only %q after one gap", h.sms[f].cmds, h.sms[f].gaps, want)
	}
}

func TestMutantSkipRestore(t *testing.T) {
	h := newHarness(t, 9, 3, 3, mutantSkipRestore)
	f := lagBehindSnapshot(t, h)
	h.propose(three, "f")
	installed := slices.ContainsFunc(h.batches, func(r batchRec) bool {
		return r.node == f && r.b.Observed.Snapshot != nil && r.b.Snapshot == nil
	})
	if !installed || len(h.sms[f].restore) != 0 || h.sms[f].gaps == 0 {
		t.Fatalf("snapshot installed but not handed over %t, restored %v, gaps %d; want true, none, some", installed, h.sms[f].restore, h.sms[f].gaps)
	}
}

// catchesUp says whether follower f applies a new command within 300 rounds, once the
// leader's first snapshot to it is lost.
func catchesUp(t *testing.T, mutants ...string) bool {
	h := newHarness(t, 9, 3, 3, mutants...)
	f := lagBehindSnapshot(t, h)
	h.dropSnap = true
	if err := h.engs[h.leader()].Propose([]byte("f")); err != nil {
		t.Fatal(err)
	}
	caught := h.runUntil(300, func() bool { return h.allApplied([]int{f}, cmdsOf("f")) })
	if h.dropSnap {
		t.Fatalf("the leader sent follower %d no snapshot", f)
	}
	return caught
}

func TestMutantNoReportSnapshot(t *testing.T) {
	if !catchesUp(t) {
		t.Fatalf("a follower whose snapshot was lost did not catch up")
	}
	if catchesUp(t, mutantNoReportSnapshot) {
		t.Fatalf("with %s, a follower whose snapshot was lost caught up; want it stuck", mutantNoReportSnapshot)
	}
}

func TestMutantStaleSnapshotConf(t *testing.T) {
	h := newHarness(t, 10, 4, 3, mutantStaleSnapshotConf)
	addLearner(t, h)
	h.runUntil(100, func() bool { return h.sms[3].applied > 0 })
	if h.sms[3].applied != 0 {
		t.Fatalf("learner applied through %d; want nothing (the stored snapshot predates it)", h.sms[3].applied)
	}
	if sent := snapshotsTo(h, 3); len(sent) < 2 {
		t.Fatalf("%d snapshots sent to the learner; want it sent again and again", len(sent))
	}
}
