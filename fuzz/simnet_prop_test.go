package fuzz

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"
	"testing"

	"github.com/raftcheck/raftcheck/simnet"
	"pgregory.net/rapid"
)

// These properties pin simnet's delivery semantics, which every cluster run relies on:
// what each link configuration promises, partitions, and pause/resume.

// sent is one message a test sent: a unique sequence number carried as the payload.
type sent struct {
	seq      uint64
	from, to simnet.NodeID
	at       simnet.Time
}

// delivery is one message a receiver got.
type delivery struct {
	seq      uint64
	from, to simnet.NodeID
	at       simnet.Time
}

// recorder is a network endpoint (or a process's host) that records what it receives.
type recorder struct {
	id  simnet.NodeID
	k   *simnet.Kernel
	got *[]delivery
	bad *[]string
}

func (r recorder) Receive(from simnet.NodeID, msg []byte) {
	seq, n := binary.Uvarint(msg)
	if n <= 0 || n != len(msg) {
		*r.bad = append(*r.bad, fmt.Sprintf("node %d got a message that was never sent: %x", r.id, msg))
		return
	}
	*r.got = append(*r.got, delivery{seq: seq, from: from, to: r.id, at: r.k.Now()})
}

func (r recorder) Tick() {}

// netWorld is a kernel, a network and n recording endpoints.
type netWorld struct {
	k    *simnet.Kernel
	net  *simnet.Network
	n    int
	sent []sent
	got  []delivery
	bad  []string
}

func newNetWorld(t *rapid.T, n int, def simnet.LinkConfig) *netWorld {
	w := &netWorld{k: simnet.NewKernel(rapid.Uint64().Draw(t, "seed")), n: n}
	var err error
	if w.net, err = simnet.NewNetwork(w.k, def); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := w.net.Attach(simnet.NodeID(i), recorder{id: simnet.NodeID(i), k: w.k, got: &w.got, bad: &w.bad}); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// sendAt schedules a send from -> to at time at; the payload is the message's sequence number.
func (w *netWorld) sendAt(t *rapid.T, at simnet.Time, from, to simnet.NodeID) {
	s := sent{seq: uint64(len(w.sent)), from: from, to: to, at: at}
	w.sent = append(w.sent, s)
	w.k.After(at-w.k.Now(), func() {
		if err := w.net.Send(s.from, s.to, binary.AppendUvarint(nil, s.seq)); err != nil {
			t.Errorf("Send: %v", err)
		}
	})
}

func (w *netWorld) run(t *rapid.T, until simnet.Time) {
	if err := w.k.RunUntil(until, simnet.Limits{MaxEvents: 1 << 24, MaxTime: until}); err != nil {
		t.Fatal(err)
	}
	if len(w.bad) > 0 {
		t.Fatalf("invented messages: %v", w.bad)
	}
}

// drawLinks gives every directed link its own configuration: a fixed or a uniform latency,
// and a loss and a duplication probability that are zero half of the time.
func drawLinks(t *rapid.T, w *netWorld) map[[2]simnet.NodeID]simnet.LinkConfig {
	prob := func(label string) float64 {
		if rapid.Bool().Draw(t, label+"On") {
			return rapid.Float64Range(0, 1).Draw(t, label)
		}
		return 0
	}
	links := map[[2]simnet.NodeID]simnet.LinkConfig{}
	for from := range w.n {
		for to := range w.n {
			lo := simnet.Time(rapid.IntRange(0, 10).Draw(t, "latencyMs")) * simnet.Millisecond
			c := simnet.LinkConfig{Latency: simnet.FixedLatency(lo), Loss: prob("loss"), Duplicate: prob("dup")}
			if rapid.Bool().Draw(t, "uniform") {
				c.Latency = simnet.UniformLatency(lo, lo+simnet.Time(rapid.IntRange(1, 10).Draw(t, "spreadMs"))*simnet.Millisecond)
			}
			key := [2]simnet.NodeID{simnet.NodeID(from), simnet.NodeID(to)}
			links[key] = c
			if err := w.net.SetLink(key[0], key[1], c); err != nil {
				t.Fatal(err)
			}
		}
	}
	return links
}

// TestNetworkLinkSemantics sends random traffic over links with random configurations and
// checks each link against what its configuration promises: nothing is ever invented; without
// duplication a message arrives at most once, with it at most twice; without loss at least
// once; with a fixed latency in FIFO order and exactly that latency after the send. The
// network's counters must agree.
func TestNetworkLinkSemantics(t *testing.T) {
	var total netCoverage
	rapid.Check(t, func(t *rapid.T) {
		w := newNetWorld(t, rapid.IntRange(2, 4).Draw(t, "nodes"), simnet.LinkConfig{})
		links := drawLinks(t, w)
		for range rapid.IntRange(1, 300).Draw(t, "messages") {
			from := simnet.NodeID(rapid.IntRange(0, w.n-1).Draw(t, "from"))
			to := simnet.NodeID(rapid.IntRange(0, w.n-1).Draw(t, "to"))
			w.sendAt(t, simnet.Time(rapid.IntRange(0, 50).Draw(t, "atMs"))*simnet.Millisecond, from, to)
		}
		w.run(t, simnet.Second)
		times := map[uint64]int{}
		for _, d := range w.got {
			times[d.seq]++
		}
		for _, s := range w.sent {
			c := links[[2]simnet.NodeID{s.from, s.to}]
			n := times[s.seq]
			switch {
			case n > 2 || (n == 2 && c.Duplicate == 0):
				t.Fatalf("message %d (%d->%d, %+v) delivered %d times", s.seq, s.from, s.to, c, n)
			case n == 0 && c.Loss == 0:
				t.Fatalf("message %d (%d->%d, %+v) lost on a link without loss", s.seq, s.from, s.to, c)
			}
		}
		total.fifo += checkFIFO(t, w, links)
		checkNetStats(t, w, times)
		st := w.net.Stats()
		total.duplicated += int(st.Duplicated)
		total.lost += int(st.Dropped.Loss)
	})
	t.Logf("coverage: %+v", total)
	if total.fifo == 0 || total.duplicated == 0 || total.lost == 0 {
		t.Errorf("the generated links never exercised FIFO, duplication or loss: %+v", total)
	}
}

// netCoverage counts what the generated cases exercised, summed over all cases.
type netCoverage struct {
	fifo, duplicated, lost, cut, open, held int
}

// checkFIFO: on a link with a fixed latency, messages arrive in the order sent, each exactly
// that latency after its send, and a duplicate right after its original. It returns how many
// deliveries it checked.
func checkFIFO(t *rapid.T, w *netWorld, links map[[2]simnet.NodeID]simnet.LinkConfig) int {
	checked := 0
	last := map[[2]simnet.NodeID]sent{} // the send of the last delivery on each link
	for _, d := range w.got {
		key := [2]simnet.NodeID{d.from, d.to}
		c := links[key]
		if c.Latency.Varies() {
			continue
		}
		s := w.sent[d.seq]
		if want := s.at + c.Latency.Min; d.at != want {
			t.Fatalf("message %d on %d->%d arrived at %v; want %v (sent at %v, latency %v)", d.seq, d.from, d.to, d.at, want, s.at, c.Latency.Min)
		}
		// Sends at the same time run in the order they were scheduled, which is seq order.
		if prev, ok := last[key]; ok && cmp.Or(cmp.Compare(s.at, prev.at), cmp.Compare(s.seq, prev.seq)) < 0 {
			t.Fatalf("link %d->%d delivered message %d (sent at %v) after %d (sent at %v): not FIFO",
				d.from, d.to, s.seq, s.at, prev.seq, prev.at)
		}
		last[key] = s
		checked++
	}
	return checked
}

func checkNetStats(t *rapid.T, w *netWorld, times map[uint64]int) {
	st := w.net.Stats()
	twice := 0
	for _, n := range times {
		if n == 2 {
			twice++
		}
	}
	switch {
	case st.Sent != uint64(len(w.sent)):
		t.Fatalf("Stats.Sent = %d; want %d", st.Sent, len(w.sent))
	case st.Delivered != uint64(len(w.got)):
		t.Fatalf("Stats.Delivered = %d; want %d", st.Delivered, len(w.got))
	case st.Duplicated != uint64(twice):
		t.Fatalf("Stats.Duplicated = %d; want %d (messages delivered twice)", st.Duplicated, twice)
	case st.Delivered+st.Dropped.Total() != st.Sent+st.Duplicated:
		t.Fatalf("every copy must end delivered or dropped: %+v", st)
	case st.Dropped.Partition+st.Dropped.Queue+st.Dropped.Down != 0:
		t.Fatalf("drops other than loss on open links: %+v", st.Dropped)
	}
}

// TestNetworkPartitionsCutExactly applies random partitions, one-way partitions and blocks,
// then sends one message on every directed link: it must arrive exactly when the test's own
// model says the link is open (and Connected must agree); after Heal every link is open.
func TestNetworkPartitionsCutExactly(t *testing.T) {
	var total netCoverage
	rapid.Check(t, func(t *rapid.T) {
		w := newNetWorld(t, rapid.IntRange(2, 5).Draw(t, "nodes"), simnet.LinkConfig{Latency: simnet.FixedLatency(simnet.Millisecond)})
		cut := make([][]bool, w.n)
		for i := range cut {
			cut[i] = make([]bool, w.n)
		}
		for range rapid.IntRange(0, 4).Draw(t, "cuts") {
			applyCut(t, w, cut)
		}
		sendAll(t, w, 0)
		w.run(t, 10*simnet.Millisecond)
		checkCuts(t, w, cut)
		total.open += len(w.got)
		total.cut += len(w.sent) - len(w.got)
		w.net.Heal()
		for i := range cut {
			clear(cut[i])
		}
		w.got = nil
		sendAll(t, w, 20*simnet.Millisecond)
		w.run(t, 40*simnet.Millisecond)
		checkCuts(t, w, cut)
	})
	t.Logf("coverage: %+v", total)
	if total.cut == 0 || total.open == 0 {
		t.Errorf("the generated cuts never both cut and kept a link: %+v", total)
	}
}

// applyCut draws one cut, applies it to the network and to the model.
func applyCut(t *rapid.T, w *netWorld, cut [][]bool) {
	side := make([]int, w.n) // -1: in no group
	for i := range side {
		side[i] = rapid.IntRange(-1, 2).Draw(t, "group")
	}
	var groups [][]simnet.NodeID
	for g := range 3 {
		var members []simnet.NodeID
		for i, s := range side {
			if s == g {
				members = append(members, simnet.NodeID(i))
			}
		}
		groups = append(groups, members)
	}
	var err error
	switch kind := rapid.IntRange(0, 2).Draw(t, "cutKind"); kind {
	case 0:
		err = w.net.Partition(groups...)
		for i, a := range side {
			for j, b := range side {
				cut[i][j] = cut[i][j] || (a >= 0 && b >= 0 && a != b)
			}
		}
	case 1:
		err = w.net.PartitionOneWay(groups[0], groups[1])
		for _, a := range groups[0] {
			for _, b := range groups[1] {
				cut[a][b] = true
			}
		}
	case 2:
		from, to := rapid.IntRange(0, w.n-1).Draw(t, "from"), rapid.IntRange(0, w.n-1).Draw(t, "to")
		err = w.net.Block(simnet.NodeID(from), simnet.NodeID(to))
		cut[from][to] = true
	}
	if err != nil {
		t.Fatal(err)
	}
}

// sendAll sends one message on every directed link between distinct nodes at time at.
func sendAll(t *rapid.T, w *netWorld, at simnet.Time) {
	for from := range w.n {
		for to := range w.n {
			if from != to {
				w.sendAt(t, at, simnet.NodeID(from), simnet.NodeID(to))
			}
		}
	}
}

func checkCuts(t *rapid.T, w *netWorld, cut [][]bool) {
	arrived := map[[2]simnet.NodeID]bool{}
	for _, d := range w.got {
		arrived[[2]simnet.NodeID{d.from, d.to}] = true
	}
	for from := range w.n {
		for to := range w.n {
			if from == to {
				continue
			}
			a, b := simnet.NodeID(from), simnet.NodeID(to)
			if open := !cut[from][to]; arrived[[2]simnet.NodeID{a, b}] != open || w.net.Connected(a, b) != open {
				t.Fatalf("link %d->%d: delivered %t, Connected %t; want %t", from, to, arrived[[2]simnet.NodeID{a, b}], w.net.Connected(a, b), open)
			}
		}
	}
}

// TestProcessPauseHoldsMessages pauses a process while random traffic arrives: nothing is
// delivered to it while paused; on Resume everything that arrived meanwhile is delivered at
// once, in arrival order; messages arriving before the pause or after the resume are
// delivered on arrival.
func TestProcessPauseHoldsMessages(t *testing.T) {
	var total netCoverage
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(2, 4).Draw(t, "nodes")
		lat := simnet.Time(rapid.IntRange(0, 5).Draw(t, "latencyMs")) * simnet.Millisecond
		w := newNetWorld(t, 0, simnet.LinkConfig{Latency: simnet.FixedLatency(lat)})
		w.n = n
		procs := make([]*simnet.Process, n)
		for i := range n {
			id := simnet.NodeID(i)
			p, err := simnet.NewProcess(w.k, w.net, id, simnet.ProcessConfig{TickInterval: simnet.Second, ClockRate: 1},
				func() simnet.Host { return recorder{id: id, k: w.k, got: &w.got, bad: &w.bad} })
			if err != nil {
				t.Fatal(err)
			}
			if err := p.Start(); err != nil {
				t.Fatal(err)
			}
			procs[i] = p
		}
		pauseAt := simnet.Time(rapid.IntRange(1, 30).Draw(t, "pauseMs")) * simnet.Millisecond
		resumeAt := pauseAt + simnet.Time(rapid.IntRange(1, 30).Draw(t, "pausedMs"))*simnet.Millisecond
		w.k.After(pauseAt, func() { must(t, procs[0].Pause()) })
		w.k.After(resumeAt, func() { must(t, procs[0].Resume()) })
		for range rapid.IntRange(1, 100).Draw(t, "messages") {
			from := simnet.NodeID(rapid.IntRange(1, n-1).Draw(t, "from"))
			w.sendAt(t, simnet.Time(rapid.IntRange(0, 70).Draw(t, "atMs"))*simnet.Millisecond, from, 0)
		}
		w.run(t, 100*simnet.Millisecond)
		total.held += checkPause(t, w, lat, pauseAt, resumeAt)
	})
	t.Logf("coverage: %+v", total)
	if total.held == 0 {
		t.Errorf("no message was ever held by a pause: %+v", total)
	}
}

// checkPause: node 0's deliveries are its arrivals (send + latency, in send order), except
// that arrivals in [pauseAt, resumeAt) are all delivered at resumeAt, still in order. It
// returns how many messages the pause held.
func checkPause(t *rapid.T, w *netWorld, lat, pauseAt, resumeAt simnet.Time) int {
	held := 0
	want := slices.Clone(w.sent)
	slices.SortStableFunc(want, func(a, b sent) int { return cmp.Compare(a.at, b.at) })
	if len(w.got) != len(want) {
		t.Fatalf("got %d deliveries; want %d (no loss)", len(w.got), len(want))
	}
	for i, s := range want {
		d := w.got[i]
		at := s.at + lat
		if at >= pauseAt && at < resumeAt {
			at = resumeAt
			held++
		}
		if d.seq != s.seq || d.at != at {
			t.Fatalf("delivery %d: got message %d at %v; want message %d at %v (pause %v..%v)", i, d.seq, d.at, s.seq, at, pauseAt, resumeAt)
		}
	}
	return held
}

func must(t *rapid.T, err error) {
	if err != nil {
		t.Fatal(err)
	}
}
