package workloads

import (
	"fmt"
	"os"
	"testing"

	"pgregory.net/rapid"
)

// rounds is how many times each property runs rapid.Check (rapid's default of 100 cases
// each): 1 by default, 100 with RAFTCHECK_LONG=1.
func rounds() int {
	if os.Getenv("RAFTCHECK_LONG") == "1" {
		return 100
	}
	return 1
}

// delivery is one log entry of a generated run: a command (client, seq), or a no-op when
// client is 0; snapAfter restores the KV under test from its own snapshot after the entry.
type delivery struct {
	client, seq uint64
	snapAfter   bool
}

// scenario is a generated run: per client its ops (seq i+1 is ops[i]) and the log, in
// which commands arrive in any order, repeated (retries, duplicates) or never.
type scenario struct {
	ops map[uint64][]Op
	log []delivery
}

func drawOp(t *rapid.T, client uint64, seq int) Op {
	key := rapid.SampledFrom([]string{"a", "b"}).Draw(t, "key")
	switch rapid.IntRange(0, 3).Draw(t, "kind") {
	case 0:
		return Op{Kind: Get, Key: key}
	case 1:
		return Op{Kind: Put, Key: key, Value: rapid.SampledFrom([]string{"", "p", "q"}).Draw(t, "value")}
	case 2: // a unique element, so a double execution shows in the list
		return Op{Kind: Append, Key: key, Value: fmt.Sprint(client*100 + uint64(seq))}
	}
	return Op{Kind: CAS, Key: key, Expect: rapid.SampledFrom([]string{"", "p", "q"}).Draw(t, "expect"),
		Value: rapid.SampledFrom([]string{"p", "q", "r"}).Draw(t, "new")}
}

func drawScenario(t *rapid.T, clientsMax int) scenario {
	s := scenario{ops: map[uint64][]Op{}}
	clients := rapid.IntRange(1, clientsMax).Draw(t, "clients")
	for c := uint64(1); c <= uint64(clients); c++ {
		n := rapid.IntRange(1, 5).Draw(t, "ops")
		for i := range n {
			s.ops[c] = append(s.ops[c], drawOp(t, c, i+1))
		}
	}
	n := rapid.IntRange(0, 40).Draw(t, "entries")
	for range n {
		d := delivery{snapAfter: rapid.IntRange(0, 9).Draw(t, "snap") == 0}
		if rapid.IntRange(0, 9).Draw(t, "noop") > 0 {
			d.client = uint64(rapid.IntRange(1, clients).Draw(t, "client"))
			d.seq = uint64(rapid.IntRange(1, len(s.ops[d.client])).Draw(t, "seq"))
		}
		s.log = append(s.log, d)
	}
	return s
}

// refKV is the reference: a plain map with unbounded sessions, written independently of KV.
type refKV struct {
	data  map[string]string
	last  map[uint64]uint64
	reply map[uint64]Reply
}

func (m *refKV) apply(c Command) (executed bool, r Reply) {
	switch last := m.last[c.Client]; {
	case c.Seq == last:
		return false, m.reply[c.Client]
	case c.Seq < last:
		return false, Reply{Status: StatusStale}
	}
	cur, found := m.data[c.Op.Key]
	switch c.Op.Kind {
	case Get:
		r = Reply{Value: cur, Found: found}
	case Put:
		m.data[c.Op.Key] = c.Op.Value
	case Append:
		if cur == "" {
			m.data[c.Op.Key] = c.Op.Value
		} else {
			m.data[c.Op.Key] = cur + " " + c.Op.Value
		}
	case CAS:
		r = Reply{Value: cur, Found: found, Swapped: cur == c.Op.Expect}
		if r.Swapped {
			m.data[c.Op.Key] = c.Op.Value
		}
	}
	m.last[c.Client], m.reply[c.Client] = c.Seq, r
	return true, r
}

// run applies the scenario's log to a KV that is replaced by a restored copy of itself at
// every snapAfter, and calls check with each result.
func run(t *rapid.T, s scenario, opts KVOptions, check func(i int, c Command, a Applied)) *KV {
	kv, err := NewKV(opts)
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range s.log {
		var data []byte
		var c Command
		if d.client != 0 {
			c = Command{Client: d.client, Seq: d.seq, Op: s.ops[d.client][d.seq-1]}
			if data, err = EncodeCommand(nil, c); err != nil {
				t.Fatal(err)
			}
		}
		a, err := kv.Apply(uint64(i+1), data)
		if err != nil {
			t.Fatalf("entry %d: %v", i+1, err)
		}
		check(i, c, a)
		if d.snapAfter {
			kv = restoredCopy(t, kv, opts)
		}
	}
	return kv
}

func restoredCopy(t *rapid.T, kv *KV, opts KVOptions) *KV {
	fresh, err := NewKV(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := fresh.Restore(kv.Snapshot()); err != nil {
		t.Fatalf("restore of own snapshot: %v", err)
	}
	if fresh.Digest() != kv.Digest() {
		t.Fatalf("digest after restore %x; want %x", fresh.Digest(), kv.Digest())
	}
	return fresh
}

// Exactly-once: against the reference, each command is executed iff its seq is above the
// client's last executed seq; replies (fresh, cached, stale) and the final state match; no
// (client, seq) is executed twice; snapshot/restore anywhere changes nothing.
func TestPropSessionExactlyOnce(t *testing.T) {
	for range rounds() {
		rapid.Check(t, func(t *rapid.T) {
			s := drawScenario(t, 4)
			ref := &refKV{data: map[string]string{}, last: map[uint64]uint64{}, reply: map[uint64]Reply{}}
			executed := map[[2]uint64]int{}
			var withRestores, plain []Applied
			kv := run(t, s, KVOptions{}, func(i int, c Command, a Applied) {
				withRestores = append(withRestores, a)
				if c.Client == 0 {
					if a != (Applied{Index: uint64(i + 1), NoOp: true}) {
						t.Fatalf("entry %d no-op: got %+v", i+1, a)
					}
					return
				}
				wantExec, wantReply := ref.apply(c)
				if a.Executed != wantExec || a.Reply != wantReply || a.Client != c.Client || a.Seq != c.Seq {
					t.Fatalf("entry %d %d/%d %v: got executed %v reply %+v; want %v %+v",
						i+1, c.Client, c.Seq, c.Op, a.Executed, a.Reply, wantExec, wantReply)
				}
				if a.Executed {
					executed[[2]uint64{c.Client, c.Seq}]++
				}
			})
			for cs, n := range executed {
				if n != 1 {
					t.Fatalf("client %d seq %d executed %d times", cs[0], cs[1], n)
				}
			}
			for _, k := range []string{"a", "b"} {
				v, ok := ref.data[k]
				if got := kv.Read(k); got != (Reply{Value: v, Found: ok}) {
					t.Fatalf("key %s: got %+v; want %q found %v", k, got, v, ok)
				}
			}
			// The same log without any restore ends in the same state.
			noSnap := s
			noSnap.log = append([]delivery(nil), s.log...)
			for i := range noSnap.log {
				noSnap.log[i].snapAfter = false
			}
			plainKV := run(t, noSnap, KVOptions{}, func(_ int, _ Command, a Applied) { plain = append(plain, a) })
			if plainKV.Digest() != kv.Digest() {
				t.Fatalf("digest with restores %x; without %x", kv.Digest(), plainKV.Digest())
			}
			for i := range plain {
				if plain[i] != withRestores[i] {
					t.Fatalf("entry %d: got %+v with restores; %+v without", i+1, withRestores[i], plain[i])
				}
			}
		})
	}
}

// With a tiny session table, evictions happen constantly; still no command is executed
// twice and each client's executed seqs increase, and the table never exceeds its bound.
func TestPropEvictionNeverDoubleApplies(t *testing.T) {
	for range rounds() {
		rapid.Check(t, func(t *rapid.T) {
			opts := KVOptions{MaxSessions: rapid.IntRange(1, 3).Draw(t, "maxSessions")}
			s := drawScenario(t, 6)
			executed := map[[2]uint64]bool{}
			lastExec := map[uint64]uint64{}
			kv := run(t, s, opts, func(i int, c Command, a Applied) {
				if !a.Executed {
					return
				}
				key := [2]uint64{c.Client, c.Seq}
				if executed[key] {
					t.Fatalf("entry %d: client %d seq %d executed twice", i+1, c.Client, c.Seq)
				}
				if c.Seq <= lastExec[c.Client] {
					t.Fatalf("entry %d: client %d seq %d executed after seq %d", i+1, c.Client, c.Seq, lastExec[c.Client])
				}
				executed[key], lastExec[c.Client] = true, c.Seq
			})
			if kv.Sessions() > opts.MaxSessions {
				t.Fatalf("sessions %d > MaxSessions %d", kv.Sessions(), opts.MaxSessions)
			}
		})
	}
}
