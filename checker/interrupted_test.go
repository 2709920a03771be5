package checker

import "testing"

// TestSyncInterrupted: a crash that strikes a batch's last sync in flight voids that batch's
// Synced (its entries and hard state may be lost, wholly or torn), but not the syncs before it.
func TestSyncInterrupted(t *testing.T) {
	hs1 := HardState{Term: 1, Vote: 1, Commit: 2}
	hs2 := HardState{Term: 2, Vote: 2, Commit: 2}
	// Node 0 syncs entries 1..3 with hs1, then saves 4..5 and hs2 and syncs them; the crash
	// comes at 20.
	setup := func(t *testing.T, interrupted bool) *Invariants {
		inv := newInv(t, 3)
		inv.EntriesSaved(10, 0, run(1, 1, 1, 1))
		inv.HardStateSaved(10, 0, hs1)
		inv.Synced(10, 0)
		inv.EntriesSaved(15, 0, run(4, 2, 2))
		inv.HardStateSaved(15, 0, hs2)
		inv.Synced(15, 0)
		if interrupted {
			inv.SyncInterrupted(20, 0)
		}
		inv.Crashed(20, 0)
		return inv
	}
	tests := []struct {
		name        string
		interrupted bool
		rec         Recovery
		want        []want
	}{
		{"in flight: the last batch lost", true, Recovery{HardState: hs1, Entries: run(1, 1, 1, 1)}, nil},
		{"in flight: the last batch torn", true, Recovery{HardState: hs1, Entries: run(1, 1, 1, 1, 2)}, nil},
		{"in flight: the last batch kept", true, Recovery{HardState: hs2, Entries: run(1, 1, 1, 1, 2, 2)}, nil},
		{"in flight: an earlier sync lost", true, Recovery{HardState: hs1, Entries: run(1, 1, 1)}, []want{{KindSilentLoss, 30, []int{0}, []string{
			"its recovered log ends at index 2 (snapshot 0) while it had synced through " + ent(3, 1)}}}},
		{"returned: the last batch lost", false, Recovery{HardState: hs1, Entries: run(1, 1, 1, 1)}, []want{
			{KindSilentLoss, 30, []int{0}, []string{"term 1 is below the synced term 2"}},
			{KindSilentLoss, 30, []int{0}, []string{
				"its recovered log ends at index 3 (snapshot 0) while it had synced through " + ent(5, 2)}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv := setup(t, tt.interrupted)
			inv.Restarted(30, 0, tt.rec)
			wantExactly(t, inv.Violations(), tt.want...)
		})
	}
}
