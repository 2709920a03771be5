package wal

import (
	"testing"

	"github.com/raftcheck/raftcheck/raft"
	"github.com/stretchr/testify/require"
)

// benchSave measures Save of batch entries of 100 bytes with sync on an in-memory FS. The
// FS is replaced (untimed) every 8192 saves to bound memory.
func benchSave(b *testing.B, batch int) {
	opts := Options{SegmentBytes: 4 << 20}
	data := make([]byte, 100)
	ents := make([]raft.Entry, batch)
	var w *WAL
	next := uint64(1)
	b.SetBytes(int64(batch * len(data)))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if i%8192 == 0 {
			b.StopTimer()
			w, _ = mustOpen(b, newMemFS(), opts)
			next = 1
			b.StartTimer()
		}
		for j := range ents {
			ents[j] = raft.Entry{Term: 1, Index: next, Data: data}
			next++
		}
		if err := w.Save(raft.HardState{Term: 1, Commit: next - 1}, ents, true); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "entries/s")
}

func BenchmarkSaveSync1x100B(b *testing.B)  { benchSave(b, 1) }
func BenchmarkSaveSync64x100B(b *testing.B) { benchSave(b, 64) }

// BenchmarkRecover10MB measures Open of a 10 MB log of 100-byte entries in 4 MB segments.
func BenchmarkRecover10MB(b *testing.B) {
	m := newMemFS()
	opts := Options{SegmentBytes: 4 << 20}
	w, _ := mustOpen(b, m, opts)
	data := make([]byte, 100)
	ents := make([]raft.Entry, 64)
	next := uint64(1)
	for total(m) < 10<<20 {
		for j := range ents {
			ents[j] = raft.Entry{Term: 1, Index: next, Data: data}
			next++
		}
		require.NoError(b, w.Save(raft.HardState{Term: 1, Commit: next - 1}, ents, true))
	}
	b.SetBytes(total(m))
	b.ReportAllocs()
	for b.Loop() {
		_, rec, err := Open(m, opts)
		if err != nil || uint64(len(rec.Entries)) != next-1 {
			b.Fatalf("got %d entries, %v; want %d", len(rec.Entries), err, next-1)
		}
	}
	b.ReportMetric(float64(next-1), "entries")
}

func total(m *memFS) int64 {
	n := int64(0)
	for _, f := range m.files {
		n += int64(len(f))
	}
	return n
}
