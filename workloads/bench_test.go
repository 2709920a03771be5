package workloads

import (
	"math/rand/v2"
	"testing"
)

// benchCommands encodes n commands from 8 clients with increasing seqs, so every one of
// them executes, on 64 keys.
func benchCommands(b *testing.B, workload string, n int) [][]byte {
	cfg := GeneratorConfig{Workload: workload, Keys: 64, KeyDist: KeyDistUniform, Clients: 8, RatePerSec: 1}
	if workload == WorkloadKV {
		cfg.ReadFraction = 0 // all puts
	}
	g, err := NewGenerator(cfg, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		b.Fatal(err)
	}
	out := make([][]byte, n)
	for i := range out {
		c := Command{Client: uint64(i%8 + 1), Seq: uint64(i/8 + 1), Op: g.Next()}
		if out[i], err = EncodeCommand(nil, c); err != nil {
			b.Fatal(err)
		}
	}
	return out
}

// BenchmarkApply measures KV.Apply (decode, session check, execute) per command. The KV
// is rebuilt, off the clock, every 4096 commands, so append lists stay at most 64
// elements long (about 60 on average at the end of a round).
func BenchmarkApply(b *testing.B) {
	for _, w := range []struct{ name, workload string }{{"put", WorkloadKV}, {"append", WorkloadAppend}} {
		b.Run(w.name, func(b *testing.B) {
			cmds := benchCommands(b, w.workload, 4096)
			kv, _ := NewKV(KVOptions{})
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				j := i % len(cmds)
				if j == 0 && i > 0 {
					b.StopTimer()
					kv, _ = NewKV(KVOptions{})
					b.StartTimer()
				}
				if _, err := kv.Apply(uint64(j+1), cmds[j]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSnapshot measures Snapshot of a KV holding 1000 keys and 8 sessions.
func BenchmarkSnapshot(b *testing.B) {
	kv, _ := NewKV(KVOptions{})
	for i := range 1000 {
		c := Command{Client: uint64(i%8 + 1), Seq: uint64(i/8 + 1),
			Op: Op{Kind: Put, Key: "key" + string(rune('a'+i%26)) + string(rune('a'+i/26)), Value: "some value"}}
		data, err := EncodeCommand(nil, c)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := kv.Apply(uint64(i+1), data); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		_ = kv.Snapshot()
	}
}
