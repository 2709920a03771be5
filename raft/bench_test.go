package raft

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchCluster is a minimal in-memory cluster for benchmarks: no simulator, no codec,
// no storage. Messages are handed over as structs (the receiver copies what it keeps), so
// the measurement is Raft's own CPU.
type benchCluster struct {
	nodes []*Node
	inbox [][]Message
}

func newBenchCluster(b *testing.B, size int) *benchCluster {
	b.Helper()
	var voters []uint64
	for i := range size {
		voters = append(voters, uint64(i+1))
	}
	c := &benchCluster{inbox: make([][]Message, size)}
	for _, id := range voters {
		n, err := New(Config{ID: id, Voters: voters, ElectionTick: 10, HeartbeatTick: 1,
			Rand: rand.New(rand.NewPCG(id, 1)), MaxInflightMsgs: 256, MaxEntriesPerMsg: 1024})
		if err != nil {
			b.Fatal(err)
		}
		c.nodes = append(c.nodes, n)
	}
	c.nodes[0].campaign(campaignElection)
	c.settle(b)
	if c.nodes[0].role != Leader {
		b.Fatal("no leader")
	}
	return c
}

// round handles every node's Ready (a no-op host: nothing to persist or apply) and
// delivers every message once. It reports whether anything happened.
func (c *benchCluster) round(b *testing.B) bool {
	busy := false
	for i, n := range c.nodes {
		if !n.HasReady() {
			continue
		}
		busy = true
		rd := n.Ready()
		for _, m := range rd.Messages {
			c.inbox[m.To-1] = append(c.inbox[m.To-1], m)
		}
		n.Advance()
		_ = i
	}
	for i, msgs := range c.inbox {
		if len(msgs) == 0 {
			continue
		}
		busy = true
		c.inbox[i] = msgs[:0]
		for _, m := range msgs {
			if err := c.nodes[i].Step(m); err != nil {
				b.Fatal(err)
			}
		}
	}
	return busy
}

func (c *benchCluster) settle(b *testing.B) {
	for range 10000 {
		if !c.round(b) {
			return
		}
	}
	b.Fatal("cluster did not settle")
}

// BenchmarkCommit measures Raft CPU per committed entry per node: the leader proposes
// batches of entries; every node persists (no-op), exchanges messages and applies until
// each batch is committed everywhere. Reports ns/entry/node.
func BenchmarkCommit(b *testing.B) {
	for _, size := range []int{3, 5} {
		for _, batch := range []int{64} {
			b.Run(fmt.Sprintf("nodes=%d", size), func(b *testing.B) {
				benchCommit(b, size, batch)
			})
		}
	}
}

func benchCommit(b *testing.B, size, batch int) {
	c := newBenchCluster(b, size)
	lead := c.nodes[0]
	payload := make([]byte, 64)
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; {
		k := min(batch, b.N-done)
		for range k {
			if err := lead.Propose(payload); err != nil {
				b.Fatal(err)
			}
		}
		done += k
		c.settle(b)
		if lead.log.applied-lead.log.snapIndex > 8192 {
			for _, n := range c.nodes {
				if err := n.Compact(n.log.applied, nil); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	b.StopTimer()
	for _, n := range c.nodes {
		if n.log.applied != lead.log.lastIndex() {
			b.Fatalf("node %d applied %d of %d", n.id, n.log.applied, lead.log.lastIndex())
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(size), "ns/entry/node")
}
