package checker_test

import (
	"fmt"

	"github.com/raftcheck/raftcheck/checker"
)

// Two nodes both hold entry (3, 2) with the same data, but their logs differ at index 2:
// only the chain hash can tell.
func ExampleInvariants() {
	inv, err := checker.NewInvariants(3, checker.Options{})
	if err != nil {
		panic(err)
	}
	inv.HardStateSaved(10, 0, checker.HardState{Term: 2, Vote: 1})
	inv.BecameLeader(10, 0, 2)
	inv.EntriesSaved(11, 0, []checker.EntryObs{{Index: 1, Term: 1, Digest: 0xa}, {Index: 2, Term: 1, Digest: 0xb}, {Index: 3, Term: 2, Digest: 0xc}})
	inv.Synced(11, 0)
	inv.EntriesSaved(12, 1, []checker.EntryObs{{Index: 1, Term: 1, Digest: 0xa}, {Index: 2, Term: 2, Digest: 0xd}, {Index: 3, Term: 2, Digest: 0xc}})
	inv.Synced(12, 1)
	for _, v := range inv.Violations() {
		fmt.Println(v)
	}
	// Output:
	// log-matching at 12ns nodes [1 0]: node 1 saved (index 3, term 2, digest 000000000000000c), which node 0 also holds, but their logs differ below it: first difference at index 2: node 1 has (index 2, term 2, digest 000000000000000d), node 0 has (index 2, term 1, digest 000000000000000b)
}

// An acknowledged write must be applied on every live voter once the faults are healed.
func ExampleInvariants_CheckHealed() {
	inv, _ := checker.NewInvariants(2, checker.Options{})
	w := checker.EntryObs{Index: 1, Term: 1, Digest: 0x77}
	for node := range 2 {
		inv.EntriesSaved(5, node, []checker.EntryObs{w})
		inv.Synced(5, node)
	}
	inv.HardStateSaved(6, 0, checker.HardState{Term: 1, Commit: 1})
	inv.Applied(6, 0, w)
	inv.Acked(7, w)
	inv.CheckHealed(1_000_000_000, []int{0, 1})
	fmt.Println(inv.Violations()[0])
	// Output:
	// durability at 1s nodes [1]: after heal node 1 has applied through index 0 only: 1 acknowledged writes are not applied, the first (index 1, term 1, digest 0000000000000077) (acked at 7ns)
}
