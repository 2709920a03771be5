package raft

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// Helpers for the paper tests: nodes built with a given log, and a tiny network.

func paperConfig(id uint64, opts ...func(*Config)) Config {
	cfg := Config{ID: id, ElectionTick: 10, HeartbeatTick: 1, Rand: rand.New(rand.NewPCG(id, 7))}
	for _, o := range opts {
		o(&cfg)
	}
	return cfg
}

func withPreVote(c *Config)     { c.PreVote = true }
func withCheckQuorum(c *Config) { c.CheckQuorum = true }
func withForward(c *Config)     { c.ForwardProposals = true }

// newPaperNode returns follower id of a cluster of voters, at term, whose log holds one
// entry per element of terms (index 1, 2, ...) with that term, all persisted.
func newPaperNode(t *testing.T, id uint64, voters []uint64, terms []uint64, term uint64, opts ...func(*Config)) *Node {
	t.Helper()
	n, err := New(paperConfig(id, opts...))
	if err != nil {
		t.Fatal(err)
	}
	n.members.reset(ConfState{Voters: voters})
	n.conf = n.members.current()
	for i, tm := range terms {
		n.log.ents = append(n.log.ents, Entry{Term: tm, Index: uint64(i + 1), Data: []byte{byte(i)}})
	}
	n.log.stable = n.log.lastIndex()
	n.becomeFollower(term, None)
	n.prevHard = n.hardState()
	n.checkInvariants()
	return n
}

// drain runs one Ready cycle (as if persisted and applied) and returns a copy of its
// messages (Advance recycles the Ready's own).
func drain(n *Node) []Message {
	if !n.HasReady() {
		return nil
	}
	rd := n.Ready()
	msgs := slices.Clone(rd.Messages)
	n.Advance()
	return msgs
}

// msgsOfType keeps the messages of type typ.
func msgsOfType(msgs []Message, typ MessageType) []Message {
	var out []Message
	for _, m := range msgs {
		if m.Type == typ {
			out = append(out, m)
		}
	}
	return out
}

// paperNet delivers messages among nodes through the codec until no one has more to say.
type paperNet struct {
	t     *testing.T
	nodes map[uint64]*Node
	cut   map[uint64]bool // isolated nodes: all their messages are dropped
	drop  func(m Message) bool
	// collected keeps the ReadStates each node's Readies produced during stabilize.
	collected map[uint64][]ReadState
}

func newPaperNet(t *testing.T, nodes ...*Node) *paperNet {
	pn := &paperNet{t: t, nodes: map[uint64]*Node{}, cut: map[uint64]bool{}, collected: map[uint64][]ReadState{}}
	for _, n := range nodes {
		pn.nodes[n.id] = n
	}
	return pn
}

func (pn *paperNet) ids() []uint64 {
	var ids []uint64
	for id := range pn.nodes {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// stabilize runs Ready cycles and deliveries until quiet.
func (pn *paperNet) stabilize() {
	pn.t.Helper()
	for range 1000 {
		var msgs []Message
		for _, id := range pn.ids() {
			n := pn.nodes[id]
			if !n.HasReady() {
				continue
			}
			rd := n.Ready()
			n.Advance()
			msgs = append(msgs, rd.Messages...)
			pn.collected[id] = append(pn.collected[id], rd.ReadStates...)
		}
		if len(msgs) == 0 {
			return
		}
		for _, m := range msgs {
			pn.deliver(m)
		}
	}
	pn.t.Fatal("network did not settle")
}

func (pn *paperNet) deliver(m Message) {
	to, ok := pn.nodes[m.To]
	if !ok || pn.cut[m.To] || pn.cut[m.From] || (pn.drop != nil && pn.drop(m)) {
		return
	}
	dec, err := DecodeMessage(AppendMessage(nil, m))
	if err != nil {
		pn.t.Fatalf("codec: %v", err)
	}
	_ = to.Step(dec) // refusals of forwarded requests are expected
}

// elect makes id campaign and settles the network.
func (pn *paperNet) elect(id uint64) {
	pn.nodes[id].campaign(campaignPreElection)
	pn.stabilize()
}

func termsOf(n *Node) []uint64 {
	var ts []uint64
	for _, e := range n.log.ents {
		ts = append(ts, e.Term)
	}
	return ts
}
