package etcdraft

import (
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/raftcheck/raftcheck/engine"
	pb "go.etcd.io/raft/v3/raftpb"
)

// asyncWrites turns asynchronous storage writes on.
func asyncWrites(c *engine.Config) { c.AsyncWrites = true }

// msgType decodes an outbound message's type.
func msgType(t *testing.T, m engine.Outbound) pb.MessageType {
	t.Helper()
	var msg pb.Message
	if err := proto.Unmarshal(m.Data, &msg); err != nil {
		t.Fatal(err)
	}
	return msg.GetType()
}

// stepInbox steps every message queued for node i, without handling its batches.
func stepInbox(t *testing.T, h *harness, i int) {
	t.Helper()
	msgs := h.inbox[i]
	h.inbox[i] = nil
	for _, m := range msgs {
		if err := h.engs[i].Step(m); err != nil && !isDropped(err) {
			t.Fatalf("node %d: Step: %v", i, err)
		}
	}
}

// TestAsyncWritesContract: with asynchronous storage writes a leader's appends leave in a
// batch that saves nothing; the next batch saves and syncs its entry and sends nothing (its
// own acknowledgement is local). A follower's acknowledgement leaves only in the batch that
// synced the entry it acknowledges. The cluster then replicates and applies as usual.
func TestAsyncWritesContract(t *testing.T) {
	h := newHarnessWith(t, 2, 3, 3, asyncWrites)
	l := h.elect()
	e := h.engs[l]
	if err := e.Propose([]byte("x")); err != nil {
		t.Fatal(err)
	}
	out, ok, err := e.Ready()
	if err != nil || !ok || len(out.Messages) != 2 || len(out.Observed.Saved) != 0 || out.Observed.Synced {
		t.Fatalf("leader's first Ready = %d messages, saved %v, synced %t (%t, %v); want 2 appends, nothing saved", len(out.Messages), out.Observed.Saved, out.Observed.Synced, ok, err)
	}
	h.send(l, out.Messages)
	e.Advance()
	w, ok, err := e.Ready()
	if err != nil || !ok || len(w.Observed.Saved) != 1 || !w.Observed.Synced || len(w.Messages) != 0 {
		t.Fatalf("leader's next Ready = saved %v, synced %t, %d messages (%t, %v); want the entry saved and synced, nothing sent", w.Observed.Saved, w.Observed.Synced, len(w.Messages), ok, err)
	}
	e.Advance()
	f := (l + 1) % 3
	stepInbox(t, h, f)
	acked := false
	for range 4 {
		b, ok, err := h.engs[f].Ready()
		if err != nil || !ok {
			break
		}
		for _, m := range b.Messages {
			if msgType(t, m) == pb.MsgAppResp {
				acked = true
				if !b.Observed.Synced || len(b.Observed.Saved) != 1 {
					t.Fatalf("follower acknowledged in a batch saving %v, synced %t; want the entry saved and synced", b.Observed.Saved, b.Observed.Synced)
				}
			}
		}
		h.engs[f].Advance()
	}
	if !acked {
		t.Fatalf("follower %d never acknowledged the append", f)
	}
	h.propose(three, "a", "b", "c")
	for i := range 3 {
		if h.sms[i].gaps != 0 {
			t.Errorf("node %d applied with %d gaps", i, h.sms[i].gaps)
		}
	}
}

// TestAsyncWritesDeterministic: the scenario of TestDeterministicInParallel (an election, a
// partition, a crash losing unsynced writes) with asynchronous writes gives the same run
// twice, and another seed another run.
func TestAsyncWritesDeterministic(t *testing.T) {
	a, b := scenarioWith(t, 42, asyncWrites), scenarioWith(t, 42, asyncWrites)
	if a != b {
		t.Errorf("the same seed hashed %#x and %#x", a, b)
	}
	if c := scenarioWith(t, 43, asyncWrites); c == a {
		t.Errorf("seeds 42 and 43 both hashed %#x", a)
	}
}

// TestMutantAsyncAckBeforeSync: with asynchronous writes the follower's acknowledgement
// leaves in a batch whose write is not synced, the WAL holding it unsynced, and the sync
// comes with the next tick; with synchronous writes the mutant plants nothing.
func TestMutantAsyncAckBeforeSync(t *testing.T) {
	for _, mutant := range []bool{false, true} {
		var mutants []string
		if mutant {
			mutants = []string{mutantAsyncAckBeforeSync}
		}
		h := newHarnessWith(t, 13, 3, 3, asyncWrites, mutants...)
		l := h.elect()
		if err := h.engs[l].Propose([]byte("x")); err != nil {
			t.Fatal(err)
		}
		h.drain(l)
		f := (l + 1) % 3
		stepInbox(t, h, f)
		var ack *engine.Batch
		for range 4 {
			b, ok, err := h.engs[f].Ready()
			if err != nil || !ok {
				break
			}
			if len(b.Messages) > 0 && msgType(t, b.Messages[0]) == pb.MsgAppResp {
				ack = &b
				break
			}
			h.engs[f].Advance()
		}
		if ack == nil {
			t.Fatalf("mutant %t: follower %d never acknowledged the append", mutant, f)
		}
		data, _, err := h.disks[f].Unsynced(lastWAL(t, h, f))
		if err != nil {
			t.Fatal(err)
		}
		if ack.Observed.Synced == mutant || data != mutant {
			t.Fatalf("mutant %t: acknowledging batch synced %t, WAL unsynced %t; want %t, %t", mutant, ack.Observed.Synced, data, !mutant, mutant)
		}
		h.engs[f].Advance()
		if !mutant {
			continue
		}
		h.engs[f].Tick() // the group commit
		b, ok, err := h.engs[f].Ready()
		if data, _, _ := h.disks[f].Unsynced(lastWAL(t, h, f)); err != nil || !ok || !b.Observed.Synced || data {
			t.Errorf("after a tick: Ready = synced %t, %t, %v, WAL unsynced %t; want a synced batch and a synced WAL", b.Observed.Synced, ok, err, data)
		}
	}
	planted := func(c *engine.Config) { c.Mutants = []string{mutantAsyncAckBeforeSync} }
	if got, want := scenarioWith(t, 5, planted), scenario(t, 5); got != want {
		t.Errorf("with synchronous writes the mutant changed the run: hash %#x; want %#x", got, want)
	}
}
