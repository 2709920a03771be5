package checker

import (
	"testing"
)

// synced5 has node 0 save and sync entries 1..5 of term 1 and hard state (term 1, vote 1,
// commit 2) at time 10, then crash at 20.
func synced5(t *testing.T) *Invariants {
	inv := newInv(t, 3)
	inv.EntriesSaved(10, 0, run(1, 1, 1, 1, 1, 1))
	inv.HardStateSaved(10, 0, HardState{Term: 1, Vote: 1, Commit: 2})
	inv.Synced(10, 0)
	inv.Crashed(20, 0)
	return inv
}

func TestRestart(t *testing.T) {
	hs := HardState{Term: 1, Vote: 1, Commit: 2}
	tests := []struct {
		name  string
		setup func(*testing.T) *Invariants
		rec   Recovery
		want  []want
	}{
		{
			name:  "all synced state back",
			setup: synced5,
			rec:   Recovery{HardState: hs, Entries: run(1, 1, 1, 1, 1, 1)},
		},
		{
			name:  "synced entries lost",
			setup: synced5,
			rec:   Recovery{HardState: hs, Entries: run(1, 1, 1, 1)},
			want: []want{{KindSilentLoss, 30, []int{0}, []string{
				"node 0 restarted without refusing, but its recovered log ends at index 3 (snapshot 0) while it had synced through " +
					ent(5, 1) + ": entries 4..5 lost"}}},
		},
		{
			name:  "synced entry changed",
			setup: synced5,
			rec:   Recovery{HardState: hs, Entries: []EntryObs{e(1, 1), {Index: 2, Term: 1, Digest: 9}, e(3, 1), e(4, 1), e(5, 1)}},
			want: []want{{KindCorruptionUndetected, 30, []int{0}, []string{
				"node 0 restarted without refusing, but its recovered log has " + fmtEntry(2, 1, 9) +
					" where it had synced " + ent(2, 1) + " (synced through index 5)"}}},
		},
		{
			name:  "synced hard state lost",
			setup: synced5,
			rec:   Recovery{HardState: HardState{Term: 0, Commit: 1}, Entries: run(1, 1, 1, 1, 1, 1)},
			want: []want{{KindSilentLoss, 30, []int{0}, []string{
				"recovered hard state (term 0, vote 0, commit 1) lost synced state: term 0 is below the synced term 1; commit index 1 is below the synced commit index 2"}}},
		},
		{
			name:  "commit beyond the recovered log",
			setup: synced5,
			rec:   Recovery{HardState: HardState{Term: 1, Vote: 1, Commit: 7}, Entries: run(1, 1, 1, 1, 1, 1)},
			want: []want{{KindSilentLoss, 30, []int{0}, []string{
				"commit index 7 is beyond the recovered log, which ends at index 5"}}},
		},
		{
			name: "unsynced entries may be lost",
			setup: func(t *testing.T) *Invariants {
				inv := newInv(t, 3)
				inv.EntriesSaved(10, 0, run(1, 1, 1))
				inv.Synced(10, 0)
				inv.EntriesSaved(11, 0, run(3, 1, 1, 1))
				inv.EntriesSaved(12, 0, run(2, 2)) // replaces 2..5 without a sync
				inv.Crashed(20, 0)
				return inv
			},
			rec: Recovery{Entries: run(1, 1)}, // only index 1 is common to every state since the sync
		},
		{
			name: "unsynced entry nobody saved",
			setup: func(t *testing.T) *Invariants {
				inv := newInv(t, 3)
				inv.EntriesSaved(10, 0, run(1, 1, 1))
				inv.Synced(10, 0)
				inv.Crashed(20, 0)
				return inv
			},
			rec: Recovery{Entries: []EntryObs{e(1, 1), e(2, 1), {Index: 3, Term: 1, Digest: 4}}},
			want: []want{{KindCorruptionUndetected, 30, []int{0}, []string{
				"node 0 restarted without refusing, with entry " + fmtEntry(3, 1, 4) + " that no node ever saved"}}},
		},
		{
			name: "recovered from the durable snapshot",
			setup: func(t *testing.T) *Invariants {
				inv := newInv(t, 3)
				inv.EntriesSaved(10, 0, run(1, 1, 1, 1, 1, 1))
				inv.HardStateSaved(10, 0, HardState{Term: 1, Commit: 5})
				inv.Synced(10, 0)
				inv.Compacted(11, 0, 4)
				inv.Crashed(20, 0)
				return inv
			},
			rec: Recovery{HardState: HardState{Term: 1, Commit: 5}, SnapIndex: 4, SnapTerm: 1, Applied: 4, Entries: run(5, 1)},
		},
		{
			name:  "wiped storage is a new member",
			setup: synced5,
			rec:   Recovery{Wiped: true},
		},
		{
			name: "snapshot nobody held",
			setup: func(t *testing.T) *Invariants {
				inv := newInv(t, 3)
				inv.Crashed(20, 0)
				return inv
			},
			rec: Recovery{SnapIndex: 3, SnapTerm: 2, Applied: 3, HardState: HardState{Term: 2, Commit: 3}},
			want: []want{{KindCorruptionUndetected, 30, []int{0}, []string{
				"node 0 restarted from a snapshot at (index 3, term 2) that matches no entry any node saved"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := tt.setup(t)
			inv.Restarted(30, 0, tt.rec)
			wantExactly(t, inv.Violations(), tt.want...)
		})
	}
}

// TestRefusedStart: refusing to start on detected corruption is correct; the node stays
// down until it is restarted (here from a wiped disk).
func TestRefusedStart(t *testing.T) {
	inv := synced5(t)
	inv.RefusedStart(30, 0, "wal: checksum mismatch in segment 0 at offset 4096")
	inv.Restarted(40, 0, Recovery{Wiped: true})
	inv.EntriesSaved(41, 0, run(1, 1, 1))
	wantNone(t, inv)
}

// TestDivergenceSurvivesRestart: a diverged log that comes back unchanged after a restart
// is not reported again.
func TestDivergenceSurvivesRestart(t *testing.T) {
	inv := newInv(t, 2)
	inv.EntriesSaved(10, 0, run(1, 1, 1, 1))
	inv.EntriesSaved(20, 1, run(1, 1, 2, 1))
	inv.Synced(20, 1)
	inv.Crashed(21, 1)
	inv.Restarted(22, 1, Recovery{Entries: run(1, 1, 2, 1)})
	got := inv.Violations()
	wantExactly(t, got, want{KindLogMatching, 20, []int{1, 0}, []string{"first difference at index 2"}})
}
