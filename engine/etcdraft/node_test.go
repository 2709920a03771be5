package etcdraft

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/engine"
	"github.com/raftcheck/raftcheck/simnet"
	pb "go.etcd.io/raft/v3/raftpb"
	"google.golang.org/protobuf/proto"
)

var three = []int{0, 1, 2}

func isDropped(err error) bool { return errors.Is(err, engine.ErrDropped) }

func TestDescriptor(t *testing.T) {
	d := Descriptor()
	if d.Name != "etcd" {
		t.Errorf("Name = %q; want %q", d.Name, "etcd")
	}
	if !strings.HasPrefix(d.Version, "v3.") {
		t.Errorf("Version = %q; want a v3 module version", d.Version)
	}
	if want := (engine.Semantics{ConfOnApply: true, LazyApply: true, RepeatReads: true, MixedProtocol: engine.MixGuarded, QuietBelowTermWithoutChecks: true, AsyncWrites: true}); d.Semantics != want {
		t.Errorf("Semantics = %+v; want %+v", d.Semantics, want)
	}
	if d.New == nil || len(d.Mutants) < 5 {
		t.Fatalf("New set %t, %d mutants; want a factory and at least 5 mutants", d.New != nil, len(d.Mutants))
	}
	for _, m := range d.Mutants {
		if got, ok := d.Lookup(m.Name); !ok || got.Help == "" || !strings.HasPrefix(m.Name, "etcd-") {
			t.Errorf("mutant %q: Lookup = %+v, %t; want an etcd- name with help", m.Name, got, ok)
		}
	}
}

func TestEveryMutantBuilds(t *testing.T) {
	for _, m := range Descriptor().Mutants {
		t.Run(m.Name, func(t *testing.T) {
			h := newHarness(t, 7, 3, 3, m.Name)
			if l := h.elect(); l < 0 {
				t.Fatalf("no leader with mutant %s", m.Name)
			}
		})
	}
}

func TestUnknownMutant(t *testing.T) {
	h := newHarness(t, 1, 1, 1)
	cfg := h.cfgs[0]
	cfg.Mutants = []string{"etcd-no-such-bug"}
	if _, _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "etcd-no-such-bug") {
		t.Fatalf("New with an unknown mutant: err = %v; want an error naming it", err)
	}
}

func TestBadConfig(t *testing.T) {
	h := newHarness(t, 1, 1, 1)
	for name, mutate := range map[string]func(*engine.Config){
		"no disk":          func(c *engine.Config) { c.Disk = nil },
		"no rand":          func(c *engine.Config) { c.Rand = nil },
		"election too low": func(c *engine.Config) { c.ElectionTicks = c.HeartbeatTicks },
	} {
		cfg := h.cfgs[0]
		mutate(&cfg)
		if _, _, err := New(cfg); err == nil {
			t.Errorf("%s: New succeeded; want an error", name)
		}
	}
}

// TestBootstrap: founders start from identical logs, and the bootstrap configuration is no
// membership change for the host.
func TestBootstrap(t *testing.T) {
	h := newHarness(t, 1, 3, 3)
	h.round()
	var first []checker.EntryObs
	for i := range 3 {
		r := h.batches[slices.IndexFunc(h.batches, func(r batchRec) bool { return r.node == i })]
		o := r.b.Observed
		if len(o.Saved) != 3 || o.Confs != nil {
			t.Fatalf("node %d first batch saved %v, confs %v; want 3 entries, no conf changes", i, o.Saved, o.Confs)
		}
		if want := (checker.HardState{Term: 1, Commit: 3}); o.HardState == nil || *o.HardState != want {
			t.Errorf("node %d first hard state = %v; want %+v", i, o.HardState, want)
		}
		if first == nil {
			first = o.Saved
		} else if !slices.Equal(o.Saved, first) {
			t.Errorf("node %d saved %v; node 0 saved %v", i, o.Saved, first)
		}
		for _, c := range r.b.Apply {
			if c.Member != nil || c.Command != nil {
				t.Errorf("node %d applied bootstrap entry %d as %+v; want no command, no member change", i, c.Index, c)
			}
		}
	}
}

func TestElectAndReplicate(t *testing.T) {
	h := newHarness(t, 2, 3, 3)
	l := h.elect()
	h.propose(three, "a", "b", "c", "d", "e")
	want := cmdsOf("a", "b", "c", "d", "e")
	var applied [][]checker.EntryObs
	for i := range 3 {
		if !equalCmds(h.sms[i].cmds, want) || h.sms[i].gaps != 0 || h.sms[i].members != nil {
			t.Errorf("node %d applied %q (gaps %d, members %v); want %q", i, h.sms[i].cmds, h.sms[i].gaps, h.sms[i].members, want)
		}
		var mine []checker.EntryObs
		for _, r := range h.batches {
			if r.node == i {
				for _, c := range r.b.Apply {
					mine = append(mine, checker.EntryObs{Index: c.Index, Term: c.Term, Digest: c.Digest})
				}
			}
		}
		applied = append(applied, mine)
		st := h.engs[i].Status()
		if st.Leader != l || !slices.Equal(st.Voters, three) || len(st.Learners) != 0 {
			t.Errorf("node %d status %+v; want leader %d, voters %v", i, st, l, three)
		}
	}
	for i := 1; i < 3; i++ {
		if !slices.Equal(applied[i], applied[0]) {
			t.Errorf("node %d applied %v; node 0 applied %v", i, applied[i], applied[0])
		}
	}
	if m := h.engs[l].Status().Matches; len(m) != 3 || m[0].Index != m[1].Index || m[1].Index != m[2].Index {
		t.Errorf("leader matches %v; want 3 members matching the same index", m)
	}
}

func TestFollowerRefuses(t *testing.T) {
	h := newHarness(t, 3, 3, 3)
	l := h.elect()
	f := (l + 1) % 3
	var nl *engine.NotLeader
	if err := h.engs[f].Propose([]byte("x")); !errors.As(err, &nl) || nl.Hint != l || !errors.Is(err, engine.ErrNotLeader) {
		t.Errorf("follower Propose: err = %v; want NotLeader with hint %d", err, l)
	}
	if err := h.engs[f].ReadIndex([]byte("r")); !errors.As(err, &nl) || nl.Hint != l {
		t.Errorf("follower ReadIndex: err = %v; want NotLeader with hint %d", err, l)
	}
	if err := h.engs[f].ChangeMembership(engine.MemberChange{Op: engine.AddLearner, Node: 3}); !errors.As(err, &nl) {
		t.Errorf("follower ChangeMembership: err = %v; want NotLeader", err)
	}
}

func TestReadIndex(t *testing.T) {
	h := newHarness(t, 4, 3, 3)
	l := h.elect()
	h.propose(three, "a")
	commit := h.engs[l].Status().Commit
	if err := h.engs[l].ReadIndex([]byte("read-1")); err != nil {
		t.Fatalf("leader ReadIndex: %v", err)
	}
	var got []engine.ReadReady
	h.runUntil(50, func() bool {
		for _, r := range h.batches {
			if r.node == l {
				got = append(got[:0], r.b.Reads...)
				if len(got) > 0 {
					return true
				}
			}
		}
		return false
	})
	if len(got) != 1 || string(got[0].Ctx) != "read-1" || got[0].Index != commit {
		t.Fatalf("reads %+v; want one read-1 at index %d", got, commit)
	}
}

func TestStepErrors(t *testing.T) {
	h := newHarness(t, 5, 3, 3)
	h.elect()
	if err := h.engs[0].Step([]byte{0xff}); err == nil || isDropped(err) {
		t.Errorf("Step(undecodable) = %v; want an error", err)
	}
	var toOther []byte
	for _, r := range h.batches {
		for _, m := range r.b.Messages {
			if m.To == 1 && toOther == nil {
				toOther = m.Data
			}
		}
	}
	if err := h.engs[0].Step(toOther); err == nil || !strings.Contains(err.Error(), "misaddressed") {
		t.Errorf("Step(message for node 1) on node 0 = %v; want a misaddressed error", err)
	}
}

func TestRestartRecovers(t *testing.T) {
	h := newHarness(t, 6, 3, 3)
	l := h.elect()
	h.propose(three, "a", "b", "c")
	f := (l + 1) % 3
	wantHS := h.lastHardState(f)
	wantSnap, wantLog := h.savedLog(f)
	h.crash(f, simnet.KeepUnsynced)
	rec := h.start(f)
	if rec.HardState != wantHS || rec.SnapIndex != wantSnap || !slices.Equal(rec.Entries, wantLog) {
		t.Fatalf("recovered %+v; want hard state %+v, snapshot %d, entries %v", rec, wantHS, wantSnap, wantLog)
	}
	h.propose(three, "d")
	if want := cmdsOf("a", "b", "c", "d"); !equalCmds(h.sms[f].cmds, want) || h.sms[f].gaps != 0 {
		t.Errorf("restarted node applied %q (gaps %d); want %q", h.sms[f].cmds, h.sms[f].gaps, want)
	}
	// Votes and terms are synced: a crash that loses unsynced writes keeps them.
	hs := h.lastHardState(l)
	h.crash(l, simnet.LoseUnsynced)
	if rec := h.start(l); rec.HardState.Term != hs.Term || rec.HardState.Vote != hs.Vote {
		t.Errorf("leader recovered hard state %+v; want term %d, vote %d", rec.HardState, hs.Term, hs.Vote)
	}
}

func TestCompactRestart(t *testing.T) {
	h := newHarness(t, 8, 3, 3)
	l := h.elect()
	h.propose(three, "a", "b", "c")
	f := (l + 2) % 3
	index, image := h.sms[f].image()
	if err := h.engs[f].Compact(index, image); err != nil {
		t.Fatalf("Compact(%d): %v", index, err)
	}
	if err := h.engs[f].Compact(index, image); !isDropped(err) {
		t.Errorf("Compact(%d) again = %v; want ErrDropped", index, err)
	}
	_, log := h.savedLog(f)
	term, after := log[index-1].Term, log[index:]
	h.crash(f, simnet.KeepUnsynced)
	rec := h.start(f)
	if rec.SnapIndex != index || rec.SnapTerm != term || rec.Applied != index || !slices.Equal(rec.Entries, after) {
		t.Fatalf("recovered %+v; want snapshot (%d, %d) applied %d and entries %v", rec, index, term, index, after)
	}
	b, ok, err := h.engs[f].Ready()
	if err != nil || !ok || b.Snapshot == nil || b.Snapshot.Index != index || string(b.Snapshot.Data) != string(image) {
		t.Fatalf("first Ready after restart = %+v, %t, %v; want the snapshot at %d with the image", b.Snapshot, ok, err, index)
	}
	h.sms[f].load(b.Snapshot)
	for _, c := range b.Apply {
		h.sms[f].apply(c)
	}
	h.engs[f].Advance()
	h.propose(three, "d")
	if want := cmdsOf("a", "b", "c", "d"); !equalCmds(h.sms[f].cmds, want) || h.sms[f].gaps != 0 {
		t.Errorf("restarted node applied %q (gaps %d); want %q", h.sms[f].cmds, h.sms[f].gaps, want)
	}
}

// lagBehindSnapshot crashes a follower, commits more and compacts the leader, so that the
// follower, restarted, needs a snapshot. It returns the follower.
func lagBehindSnapshot(t *testing.T, h *harness) int {
	t.Helper()
	l := h.elect()
	h.propose(three, "a", "b")
	f := (l + 1) % 3
	h.crash(f, simnet.KeepUnsynced)
	h.propose(three, "c", "d", "e")
	index, image := h.sms[l].image()
	if err := h.engs[l].Compact(index, image); err != nil {
		t.Fatalf("leader Compact(%d): %v", index, err)
	}
	h.start(f)
	return f
}

func TestSnapshotToLaggingFollower(t *testing.T) {
	h := newHarness(t, 9, 3, 3)
	f := lagBehindSnapshot(t, h)
	h.propose(three, "f")
	if want := cmdsOf("a", "b", "c", "d", "e", "f"); !equalCmds(h.sms[f].cmds, want) || h.sms[f].gaps != 0 {
		t.Fatalf("lagging follower applied %q (gaps %d); want %q", h.sms[f].cmds, h.sms[f].gaps, want)
	}
	var snaps []checker.SnapshotObs
	for _, r := range h.batches {
		if r.node == f && r.b.Observed.Snapshot != nil {
			snaps = append(snaps, *r.b.Observed.Snapshot)
		}
	}
	if len(snaps) != 1 || snaps[0].KeepSuffix || len(h.sms[f].restore) != 1 || h.sms[f].restore[0] != snaps[0].Index {
		t.Errorf("follower installed %+v, restored %v; want one snapshot, restored, log replaced", snaps, h.sms[f].restore)
	}
}

// addLearner adds node 3 as a learner through the leader, after compacting the leader's log
// so that the learner needs a snapshot, and runs until the leader's configuration lists it.
func addLearner(t *testing.T, h *harness) int {
	t.Helper()
	l := h.elect()
	h.propose(three, "a", "b")
	index, image := h.sms[l].image()
	if err := h.engs[l].Compact(index, image); err != nil {
		t.Fatalf("leader Compact(%d): %v", index, err)
	}
	change(t, h, engine.MemberChange{Op: engine.AddLearner, Node: 3})
	if !h.runUntil(100, func() bool { return slices.Equal(h.engs[l].Status().Learners, []int{3}) }) {
		t.Fatalf("leader's learners %v; want [3]", h.engs[l].Status().Learners)
	}
	return l
}

// snapshotsTo returns the indexes of the snapshots sent to node to.
func snapshotsTo(h *harness, to int) []uint64 {
	var out []uint64
	for _, r := range h.batches {
		for _, m := range r.b.Messages {
			if m.To == to && m.Snapshot {
				var msg pb.Message
				if err := proto.Unmarshal(m.Data, &msg); err != nil {
					h.t.Fatal(err)
				}
				out = append(out, msg.GetSnapshot().GetMetadata().GetIndex())
			}
		}
	}
	return out
}

// change proposes c on the leader until it is taken.
func change(t *testing.T, h *harness, c engine.MemberChange) {
	t.Helper()
	var err error
	if !h.runUntil(100, func() bool {
		err = h.engs[h.leader()].ChangeMembership(c)
		return err == nil
	}) {
		t.Fatalf("ChangeMembership(%+v): %v", c, err)
	}
}

func TestLearnerAddPromote(t *testing.T) {
	h := newHarness(t, 10, 4, 3)
	l := addLearner(t, h)
	all := []int{0, 1, 2, 3}
	h.propose(all, "c")
	if want := cmdsOf("a", "b", "c"); !equalCmds(h.sms[3].cmds, want) {
		t.Fatalf("learner applied %q; want %q", h.sms[3].cmds, want)
	}
	// The stored snapshot predates the learner: the leader sent one taken on demand, after it.
	stored, _ := h.engs[l].(*node).store.MemoryStorage.Snapshot()
	if sent := snapshotsTo(h, 3); len(sent) != 1 || sent[0] <= stored.GetMetadata().GetIndex() || !slices.Equal(h.sms[3].restore, sent) {
		t.Fatalf("snapshots sent to the learner at %v, restored %v; want one, newer than the stored one at %d", sent, h.sms[3].restore, stored.GetMetadata().GetIndex())
	}
	change(t, h, engine.MemberChange{Op: engine.PromoteVoter, Node: 3})
	if !h.runUntil(100, func() bool { return slices.Equal(h.engs[l].Status().Voters, all) }) {
		t.Fatalf("leader's voters %v; want %v", h.engs[l].Status().Voters, all)
	}
	h.propose(all, "d")
	want := []engine.MemberChange{{Op: engine.AddLearner, Node: 3}, {Op: engine.PromoteVoter, Node: 3}}
	for i := range 3 {
		if !slices.Equal(h.sms[i].members, want) {
			t.Errorf("node %d applied member changes %v; want %v", i, h.sms[i].members, want)
		}
	}
	if st := h.engs[3].Status(); !slices.Equal(st.Voters, all) || len(st.Learners) != 0 || st.Leader != l {
		t.Errorf("new voter's status %+v; want voters %v, leader %d", st, all, l)
	}
	if !equalCmds(h.sms[3].cmds, cmdsOf("a", "b", "c", "d")) {
		t.Errorf("new voter applied %q; want a, b, c, d", h.sms[3].cmds)
	}
}

func TestChangeWhilePending(t *testing.T) {
	h := newHarness(t, 11, 4, 3)
	l := h.elect()
	if err := h.engs[l].ChangeMembership(engine.MemberChange{Op: engine.AddLearner, Node: 3}); err != nil {
		t.Fatalf("first change: %v", err)
	}
	if err := h.engs[l].ChangeMembership(engine.MemberChange{Op: engine.AddLearner, Node: 3}); !isDropped(err) {
		t.Errorf("second change while the first is pending = %v; want ErrDropped", err)
	}
}

func TestCorruptWAL(t *testing.T) {
	h := newHarness(t, 12, 3, 3)
	h.elect()
	h.propose(three, "a", "b")
	h.crash(0, simnet.KeepUnsynced)
	names, err := h.disks[0].List()
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(names, func(n string) bool { return strings.HasPrefix(n, "wal-") })
	if i < 0 {
		t.Fatalf("no WAL segment among %v", names)
	}
	if err := h.disks[0].FlipBit(names[i], 0, 70); err != nil {
		t.Fatal(err)
	}
	if _, _, err := New(h.cfgs[0]); !errors.Is(err, engine.ErrCorrupt) {
		t.Fatalf("New on a damaged WAL = %v; want ErrCorrupt", err)
	}
}

// TestApplyConfChangeV2: a committed ConfChangeV2 configures etcd and, when it is a single
// change, reaches the host as one; a joint change is none of the host's.
func TestApplyConfChangeV2(t *testing.T) {
	h := newHarness(t, 17, 3, 3)
	h.elect()
	e := h.engs[0].(*node)
	entry := func(index uint64, cc *pb.ConfChangeV2) *pb.Entry {
		data, err := proto.Marshal(cc)
		if err != nil {
			t.Fatal(err)
		}
		return &pb.Entry{Type: pb.EntryConfChangeV2.Enum(), Index: new(index), Term: new(uint64(9)), Data: data}
	}
	single := &pb.ConfChangeV2{Changes: []*pb.ConfChangeSingle{{Type: pb.ConfChangeAddLearnerNode.Enum(), NodeId: new(raftID(5))}}}
	if got, _ := e.applyConf(entry(100, single)); got == nil || *got != (engine.MemberChange{Op: engine.AddLearner, Node: 5}) {
		t.Errorf("applyConf(V2 add learner 5) = %v; want add-learner 5", got)
	}
	if st := e.Status(); !slices.Equal(st.Learners, []int{5}) || !slices.Equal(st.Voters, three) {
		t.Errorf("after V2 add learner: voters %v, learners %v; want %v, [5]", st.Voters, st.Learners, three)
	}
	joint := &pb.ConfChangeV2{Changes: []*pb.ConfChangeSingle{
		{Type: pb.ConfChangeAddNode.Enum(), NodeId: new(raftID(5))},
		{Type: pb.ConfChangeAddNode.Enum(), NodeId: new(raftID(6))},
	}}
	want := []engine.MemberChange{{Op: engine.PromoteVoter, Node: 5}, {Op: engine.PromoteVoter, Node: 6}}
	if got, j := e.applyConf(entry(101, joint)); got != nil || j == nil || !slices.Equal(j.Changes, want) {
		t.Errorf("applyConf(joint V2) = %+v, %+v; want the joint change %v", got, j, want)
	}
	if cs := e.store.confs.at(101); !slices.Equal(cs.GetVotersOutgoing(), []uint64{1, 2, 3}) || !slices.Equal(cs.GetVoters(), []uint64{1, 2, 3, 6, 7}) {
		t.Errorf("configuration at 101 = %v; want joint {1,2,3,6,7} && {1,2,3}", cs)
	}
	if cs := e.store.confs.at(100); len(cs.GetVotersOutgoing()) != 0 || !slices.Equal(cs.GetLearners(), []uint64{6}) {
		t.Errorf("configuration at 100 = %v; want learner 6, not joint", cs)
	}
}
