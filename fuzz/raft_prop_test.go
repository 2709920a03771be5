package fuzz

import (
	"os"
	"testing"

	"github.com/raftcheck/raftcheck/raft"
	"pgregory.net/rapid"
)

// mutantEnv names a raft.Mutations field to switch on in TestRaftClusterProperties; the
// mutant test sets it in a child process that must fail.
const mutantEnv = "RAFTCHECK_RAFT_MUTANT"

// raftMachine drives a raftCluster with rapid: each action is one thing a network, a
// host or a client can do, and after every action the invariants are checked.
type raftMachine struct {
	c *raftCluster
}

func newRaftMachine(t *rapid.T, mutations raft.Mutations) *raftMachine {
	p := raftParams{
		nodes:        rapid.IntRange(3, 5).Draw(t, "nodes"),
		electionTick: rapid.IntRange(2, 5).Draw(t, "electionTick"),
		preVote:      rapid.Bool().Draw(t, "preVote"),
		checkQuorum:  rapid.Bool().Draw(t, "checkQuorum"),
		forward:      rapid.Bool().Draw(t, "forward"),
		seed:         rapid.Uint64().Draw(t, "seed"),
		mutations:    mutations,
	}
	return &raftMachine{c: newRaftCluster(p)}
}

func (m *raftMachine) upNode(t *rapid.T) *rnode {
	up := m.c.up()
	if len(up) == 0 {
		t.Skip("every node is down")
	}
	return up[rapid.IntRange(0, len(up)-1).Draw(t, "node")]
}

func (m *raftMachine) pendingIndex(t *rapid.T) int {
	if len(m.c.pending) == 0 {
		t.Skip("no message pending")
	}
	return rapid.IntRange(0, len(m.c.pending)-1).Draw(t, "msg")
}

// actions returns the machine's actions for rapid.T.Repeat, with the invariant check under
// the empty key. Rapid draws action keys (sorted) with a bias toward the first ones, so the
// keys are numbered to give the actions that make progress (delivering, ticking, proposing)
// more weight than the faults.
func (m *raftMachine) actions() map[string]func(*rapid.T) {
	acts := m.progressActions()
	for k, f := range m.faultActions() {
		acts[k] = f
	}
	acts[""] = func(t *rapid.T) {
		if err := m.c.check(); err != nil {
			t.Fatalf("%v\n%v", err, m.c)
		}
	}
	return acts
}

// progressActions are what a healthy cluster does: time passing, host loops, deliveries,
// client requests.
func (m *raftMachine) progressActions() map[string]func(*rapid.T) {
	c := m.c
	return map[string]func(*rapid.T){
		"00 Flush": func(*rapid.T) { c.flush() },
		"01 TickAll": func(*rapid.T) {
			for _, nd := range c.up() {
				c.tick(nd, 1)
				c.ready(nd)
			}
		},
		"02 Propose": func(t *rapid.T) { c.propose(m.upNode(t)) },
		"03 Deliver": func(t *rapid.T) {
			if nd := c.deliver(m.pendingIndex(t), false); nd != nil && rapid.Bool().Draw(t, "ready") {
				c.ready(nd)
			}
		},
		"04 Tick": func(t *rapid.T) {
			nd := m.upNode(t)
			c.tick(nd, rapid.IntRange(1, 2*c.p.electionTick).Draw(t, "ticks"))
			if rapid.Bool().Draw(t, "ready") {
				c.ready(nd)
			}
		},
		"05 Read":  func(t *rapid.T) { c.readIndex(m.upNode(t)) },
		"06 Ready": func(t *rapid.T) { c.ready(m.upNode(t)) },
		"09 Compact": func(t *rapid.T) {
			nd := m.upNode(t)
			if uint64(len(nd.sm)) <= nd.store.snapIndex() {
				t.Skip("nothing applied past the snapshot")
			}
			c.compact(nd, rapid.Uint64Range(nd.store.snapIndex()+1, uint64(len(nd.sm))).Draw(t, "index"))
		},
		"10 Transfer": func(t *rapid.T) {
			c.transfer(m.upNode(t), rapid.Uint64Range(1, uint64(len(c.nodes))).Draw(t, "to"))
		},
	}
}

// faultActions are what the network and the machines do to the cluster.
func (m *raftMachine) faultActions() map[string]func(*rapid.T) {
	c := m.c
	return map[string]func(*rapid.T){
		"07 Duplicate": func(t *rapid.T) {
			if nd := c.deliver(m.pendingIndex(t), true); nd != nil {
				c.ready(nd)
			}
		},
		"08 Drop": func(t *rapid.T) {
			k := m.pendingIndex(t)
			c.pending = append(c.pending[:k], c.pending[k+1:]...)
		},
		"11 Partition": func(t *rapid.T) {
			c.heal()
			if rapid.Bool().Draw(t, "cut") {
				c.partition(rapid.UintRange(1, 1<<len(c.nodes)-2).Draw(t, "side"))
			}
		},
		"12 Crash": func(t *rapid.T) {
			nd := m.upNode(t)
			c.crash(nd, crashMode(rapid.IntRange(0, 2).Draw(t, "when")), rapid.Bool().Draw(t, "keepUnsynced"))
			if rapid.Bool().Draw(t, "reboot") {
				c.restart(nd)
			}
		},
		"13 Restart": func(t *rapid.T) {
			down := c.down()
			if len(down) == 0 {
				t.Skip("no node is down")
			}
			c.restart(down[rapid.IntRange(0, len(down)-1).Draw(t, "node")])
		},
	}
}

// TestRaftClusterProperties drives 3–5 nodes of package raft through random ticks, message
// deliveries, drops, duplicates and reorderings, crashes (losing what was not persisted) and
// restarts, proposals, ReadIndex reads, compactions, partitions and leadership transfers,
// checking after every action: election safety, log matching, leader completeness,
// state-machine safety, commit and applied never regressing within a life, and that every
// ReadIndex answer is at least every commit index reached before the request.
//
// With RAFTCHECK_RAFT_MUTANT=<raft.Mutations field> the same machine runs against that
// planted bug (TestRaftClusterCatchesMutants uses this).
func TestRaftClusterProperties(t *testing.T) {
	var mutations raft.Mutations
	if name := os.Getenv(mutantEnv); name != "" {
		if err := mutations.Set(name); err != nil {
			t.Fatal(err)
		}
	}
	var total raftStats
	runs := 0
	rapid.Check(t, func(t *rapid.T) {
		m := newRaftMachine(t, mutations)
		t.Repeat(m.actions())
		total.add(m.c.stats)
		runs++
	})
	t.Logf("%d runs: %+v", runs, total)
	// Over a full budget the generated runs must reach the states the invariants are about.
	if runs >= checksDefault && (total.leaders == 0 || total.reads == 0 || total.snapshotsInstalled == 0 || total.restarts == 0) {
		t.Errorf("the generated runs never elected a leader, answered a read, installed a snapshot or restarted a node: %+v", total)
	}
}
