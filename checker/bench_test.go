package checker

import (
	"fmt"
	"testing"
)

// benchRunEntries is how many entries one Invariants sees before the benchmark starts a
// fresh one, so that memory stays bounded whatever b.N is.
const benchRunEntries = 1 << 16

// BenchmarkInvariantsPerEntry measures the online checker's cost per entry observed on one
// node: every entry is saved (in batches of batch entries, synced), committed and applied
// on each of 3 nodes, with a compaction every 4096 entries. ns/node-entry is the figure to
// watch; ns/op is per entry for the whole cluster.
func BenchmarkInvariantsPerEntry(b *testing.B) {
	for _, batch := range []int{1, 64} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			benchEntries(b, batch)
		})
	}
}

func benchEntries(b *testing.B, batch int) {
	const nodes = 3
	ents := make([]EntryObs, batch)
	var inv *Invariants
	next := uint64(benchRunEntries) // forces a fresh Invariants on the first round
	b.ReportAllocs()
	b.ResetTimer()
	done := 0
	for ; done < b.N; done += batch {
		if next+uint64(batch) > benchRunEntries {
			b.StopTimer()
			inv = newInv(b, nodes)
			for n := range nodes {
				inv.HardStateSaved(0, n, HardState{Term: 1, Vote: 1})
			}
			inv.BecameLeader(0, 0, 1)
			next = 1
			b.StartTimer()
		}
		for k := range ents {
			i := next + uint64(k)
			ents[k] = EntryObs{Index: i, Term: 1, Digest: i * 0x9e3779b97f4a7c15}
		}
		t := int64(next)
		last := next + uint64(batch) - 1
		for n := range nodes {
			inv.EntriesSaved(t, n, ents)
			inv.Synced(t, n)
			inv.HardStateSaved(t, n, HardState{Term: 1, Vote: 1, Commit: last})
			for _, e := range ents {
				inv.Applied(t, n, e)
			}
			if last%4096 < uint64(batch) {
				inv.Compacted(t, n, last)
			}
		}
		next = last + 1
	}
	b.StopTimer()
	if len(inv.Violations()) != 0 {
		b.Fatalf("got violations %s; want none", dump(inv.Violations()))
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(done*nodes), "ns/node-entry")
}
