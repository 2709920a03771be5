package checker

import (
	"math/rand/v2"
	"os"
	"slices"
	"testing"
)

// This file drives Invariants from a small Raft that is correct by construction (votes by
// the up-to-date rule, commitment by a synced majority in the leader's term, conflict
// truncation, snapshots, compaction, crashes that lose unsynced data, restarts from synced
// state) and checks that it never reports anything: the false-positive guard the
// hand-made good sequences cannot give on their own.

type mDurable struct {
	hs                  HardState
	snapIndex, snapTerm uint64
	log                 []EntryObs
}

type mNode struct {
	up                  bool
	hs                  HardState
	snapIndex, snapTerm uint64
	log                 []EntryObs // entries after the snapshot
	applied             uint64
	durable             mDurable
}

func (n *mNode) last() uint64 { return n.snapIndex + uint64(len(n.log)) }

func (n *mNode) termAt(i uint64) (uint64, bool) {
	switch {
	case i == n.snapIndex:
		return n.snapTerm, true
	case i < n.snapIndex || i > n.last():
		return 0, false
	}
	return n.log[i-n.snapIndex-1].Term, true
}

func (n *mNode) lastTerm() uint64 { t, _ := n.termAt(n.last()); return t }

type mCluster struct {
	t      *testing.T
	r      *rand.Rand
	inv    *Invariants
	nodes  []mNode
	leader int
	now    int64
	stats  *mStats
	mutant string // a planted bug, "" for none
}

// mStats counts what the generated runs exercised, so that the test can insist on it.
type mStats struct {
	elections, truncations, snapshots, keptSuffixes, compactions, crashes, acks int
}

func newMCluster(t *testing.T, seed uint64, n int, stats *mStats) *mCluster {
	m := &mCluster{t: t, stats: stats, r: rand.New(rand.NewPCG(seed, 7)), inv: newInv(t, n), nodes: make([]mNode, n), leader: -1}
	for i := range m.nodes {
		m.nodes[i].up = true
	}
	return m
}

func (m *mCluster) saveHS(i int, hs HardState) {
	if m.nodes[i].hs != hs {
		m.nodes[i].hs = hs
		m.inv.HardStateSaved(m.now, i, hs)
	}
}

func (m *mCluster) sync(i int) {
	n := &m.nodes[i]
	n.durable = mDurable{hs: n.hs, snapIndex: n.snapIndex, snapTerm: n.snapTerm, log: slices.Clone(n.log)}
	m.inv.Synced(m.now, i)
}

// elect makes the most up-to-date up node leader of a new term if a majority votes.
func (m *mCluster) elect() {
	var term uint64
	cand := -1
	for i := range m.nodes {
		n := &m.nodes[i]
		term = max(term, n.hs.Term, n.durable.hs.Term)
		if n.up && (cand < 0 || n.lastTerm() > m.nodes[cand].lastTerm() ||
			(n.lastTerm() == m.nodes[cand].lastTerm() && n.last() > m.nodes[cand].last())) {
			cand = i
		}
	}
	var voters []int
	for i := range m.nodes {
		if m.nodes[i].up {
			voters = append(voters, i)
		}
	}
	if m.mutant == "vote-without-log-check" && len(voters) > 0 {
		cand = voters[m.r.IntN(len(voters))]
	}
	if cand < 0 || len(voters) <= len(m.nodes)/2 {
		return
	}
	term++
	for _, v := range voters {
		m.saveHS(v, HardState{Term: term, Vote: uint64(cand) + 1, Commit: m.nodes[v].hs.Commit})
		m.sync(v)
	}
	m.leader = cand
	m.stats.elections++
	m.inv.BecameLeader(m.now, cand, term)
	m.propose(1)
	m.sync(cand)
}

func (m *mCluster) propose(k int) {
	n := &m.nodes[m.leader]
	first := n.last() + 1
	ents := make([]EntryObs, k)
	for j := range ents {
		ents[j] = EntryObs{Index: first + uint64(j), Term: n.hs.Term, Digest: m.r.Uint64()}
	}
	n.log = append(n.log, ents...)
	m.inv.EntriesSaved(m.now, m.leader, ents)
}

// replicate brings up follower f to the leader's synced log (by entries or a snapshot).
func (m *mCluster) replicate(f int) {
	l, n := &m.nodes[m.leader], &m.nodes[f]
	src := l.durable // only synced entries are sent
	if !n.up || f == m.leader || n.hs.Term > l.hs.Term {
		return
	}
	if n.hs.Term < l.hs.Term {
		m.saveHS(f, HardState{Term: l.hs.Term, Commit: n.hs.Commit})
	}
	srcLast := src.snapIndex + uint64(len(src.log))
	// Entries up to the follower's commit index match the leader's; compare above it, and
	// send a snapshot when the leader no longer holds the entries to compare.
	conflict := max(n.hs.Commit, n.snapIndex) + 1
	for ; conflict > src.snapIndex && conflict <= srcLast; conflict++ {
		if t, ok := n.termAt(conflict); !ok || t != src.log[conflict-src.snapIndex-1].Term {
			break
		}
	}
	switch {
	case conflict > srcLast:
	case conflict <= src.snapIndex:
		t, ok := n.termAt(src.snapIndex)
		keep := ok && t == src.snapTerm
		m.stats.snapshots++
		if keep {
			m.stats.keptSuffixes++
		}
		m.inv.SnapshotInstalled(m.now, f, SnapshotObs{Index: src.snapIndex, Term: src.snapTerm, KeepSuffix: keep})
		if keep {
			n.log = slices.Clone(n.log[src.snapIndex-n.snapIndex:])
		} else {
			n.log = nil
		}
		n.snapIndex, n.snapTerm, n.applied = src.snapIndex, src.snapTerm, src.snapIndex
		m.saveHS(f, HardState{Term: n.hs.Term, Vote: n.hs.Vote, Commit: max(n.hs.Commit, src.snapIndex)})
		m.sync(f)
		m.replicate(f)
		return
	default:
		ents := slices.Clone(src.log[conflict-src.snapIndex-1:])
		if conflict <= n.last() {
			m.stats.truncations++
		}
		n.log = append(n.log[:conflict-n.snapIndex-1], ents...)
		m.inv.EntriesSaved(m.now, f, ents)
	}
	m.saveHS(f, HardState{Term: n.hs.Term, Vote: n.hs.Vote, Commit: max(n.hs.Commit, min(l.hs.Commit, srcLast))})
	m.sync(f)
}

// commit advances the leader's commit to the highest index of its term synced on a majority.
func (m *mCluster) commit() {
	l := &m.nodes[m.leader]
	for k := l.last(); k > l.hs.Commit; k-- {
		if t, _ := l.termAt(k); t != l.hs.Term {
			return
		}
		count := 0
		for i := range m.nodes {
			if m.nodes[i].hs.Term == l.hs.Term && durableTerm(&m.nodes[i].durable, k) == l.hs.Term {
				count++
			}
		}
		if count > len(m.nodes)/2 || (m.mutant == "commit-without-majority" && count > 0) {
			old := l.hs.Commit
			m.saveHS(m.leader, HardState{Term: l.hs.Term, Vote: l.hs.Vote, Commit: k})
			m.apply(m.leader)
			for i := max(old, l.snapIndex) + 1; i <= k; i++ {
				m.inv.Acked(m.now, l.log[i-l.snapIndex-1])
				m.stats.acks++
			}
			return
		}
	}
}

// durableTerm is the term of the synced entry at index k, 0 if there is none.
func durableTerm(d *mDurable, k uint64) uint64 {
	if k <= d.snapIndex || k > d.snapIndex+uint64(len(d.log)) {
		return 0
	}
	return d.log[k-d.snapIndex-1].Term
}

func (m *mCluster) apply(i int) {
	n := &m.nodes[i]
	for ; n.applied < n.hs.Commit; n.applied++ {
		m.inv.Applied(m.now, i, n.log[n.applied-n.snapIndex])
	}
}

func (m *mCluster) crash(i int) {
	m.nodes[i].up = false
	m.inv.Crashed(m.now, i)
	m.stats.crashes++
	if m.leader == i {
		m.leader = -1
	}
}

func (m *mCluster) restart(i int) {
	n := &m.nodes[i]
	d := n.durable
	if m.r.IntN(3) == 0 {
		// Every write since the last sync happened to reach the disk before the crash.
		d = mDurable{hs: n.hs, snapIndex: n.snapIndex, snapTerm: n.snapTerm, log: slices.Clone(n.log)}
	}
	if m.mutant == "lose-synced-entry" && len(d.log) > 0 {
		d.log = d.log[:len(d.log)-1]
	}
	if m.mutant == "forget-vote" {
		d.hs.Vote = 0
	}
	*n = mNode{up: true, hs: d.hs, snapIndex: d.snapIndex, snapTerm: d.snapTerm, log: slices.Clone(d.log),
		applied: d.snapIndex, durable: d}
	m.inv.Restarted(m.now, i, Recovery{HardState: d.hs, SnapIndex: d.snapIndex, SnapTerm: d.snapTerm,
		Entries: slices.Clone(d.log), Applied: d.snapIndex})
}

func (m *mCluster) compact(i int) {
	n := &m.nodes[i]
	if n.applied <= n.snapIndex {
		return
	}
	k := n.snapIndex + 1 + m.r.Uint64N(n.applied-n.snapIndex)
	n.snapTerm, _ = n.termAt(k)
	n.log = slices.Clone(n.log[k-n.snapIndex:])
	n.snapIndex = k
	m.inv.Compacted(m.now, i, k)
	m.stats.compactions++
	// The snapshot is durable; the durable log keeps what it had above it.
	d := &n.durable
	if k >= d.snapIndex+uint64(len(d.log)) {
		d.log = nil
	} else if k > d.snapIndex {
		d.log = slices.Clone(d.log[k-d.snapIndex:])
	}
	if k > d.snapIndex {
		d.snapIndex, d.snapTerm = k, n.snapTerm
	}
}

// step performs one random action.
func (m *mCluster) step() {
	m.now += 1 + m.r.Int64N(1000)
	i := m.r.IntN(len(m.nodes))
	switch p := m.r.IntN(100); {
	case m.leader < 0 || p < 3:
		m.elect()
	case p < 30:
		m.propose(1 + m.r.IntN(4))
		if m.r.IntN(2) == 0 {
			m.sync(m.leader)
		}
	case p < 60:
		m.replicate(i)
	case p < 75:
		m.commit()
	case p < 82:
		if m.nodes[i].up {
			m.apply(i)
		}
	case p < 87:
		if m.nodes[i].up {
			m.compact(i)
		}
	case p < 93:
		if m.nodes[i].up {
			m.crash(i)
		} else {
			m.restart(i)
		}
	default:
		if !m.nodes[i].up {
			m.restart(i)
		}
	}
}

// heal restarts everyone, elects a leader, replicates, commits and applies everywhere.
func (m *mCluster) heal() {
	for i := range m.nodes {
		if !m.nodes[i].up {
			m.restart(i)
		}
	}
	m.now += 1000
	m.elect()
	m.sync(m.leader)
	for i := range m.nodes {
		m.replicate(i)
	}
	m.commit()
	for i := range m.nodes {
		m.replicate(i)
		m.apply(i)
	}
	m.inv.CheckHealed(m.now, []int{0, 1, 2, 3, 4}[:len(m.nodes)])
}

func TestCorrectRaftRunsHaveNoViolation(t *testing.T) {
	seeds, steps := uint64(300), 400
	if os.Getenv("RAFTCHECK_LONG") == "1" {
		seeds, steps = 5000, 2000
	}
	var stats mStats
	for seed := range seeds {
		m := newMCluster(t, seed, 3+2*int(seed%2), &stats)
		for range steps {
			m.step()
		}
		m.heal()
		if v := m.inv.Violations(); len(v) > 0 {
			t.Fatalf("seed %d: got violations on a correct run:%s", seed, dump(v))
		}
		if m.inv.CommitMax() == 0 {
			t.Fatalf("seed %d: nothing was committed; the generator is too weak", seed)
		}
	}
	t.Logf("exercised: %+v", stats)
	for _, c := range []struct {
		name string
		n    int
	}{{"elections", stats.elections}, {"truncations", stats.truncations}, {"snapshots", stats.snapshots},
		{"kept suffixes", stats.keptSuffixes}, {"compactions", stats.compactions}, {"crashes", stats.crashes},
		{"acks", stats.acks}} {
		if c.n < int(seeds)/10 {
			t.Errorf("the generator exercised %s only %d times; want at least %d", c.name, c.n, seeds/10)
		}
	}
}

// TestBrokenRaftRunsAreCaught plants one bug at a time in the generator and checks that
// the violation kind it must cause shows up within a few seeds.
func TestBrokenRaftRunsAreCaught(t *testing.T) {
	tests := []struct {
		mutant string
		kinds  []string // any of these
	}{
		{"vote-without-log-check", []string{KindLeaderCompleteness}},
		{"commit-without-majority", []string{KindLeaderCompleteness, KindStateMachineSafety, KindCommittedTruncated}},
		{"lose-synced-entry", []string{KindSilentLoss}},
		{"forget-vote", []string{KindSilentLoss}},
	}
	for _, tt := range tests {
		t.Run(tt.mutant, func(t *testing.T) {
			for seed := range uint64(200) {
				m := newMCluster(t, seed, 3, &mStats{})
				m.mutant = tt.mutant
				for range 400 {
					if !stepSurvives(m) || len(m.inv.Violations()) > 0 {
						break // the planted bug may leave the generator's own state unusable
					}
				}
				for _, v := range m.inv.Violations() {
					if slices.Contains(tt.kinds, v.Kind) {
						t.Logf("seed %d: %s", seed, v)
						return
					}
				}
			}
			t.Fatalf("no seed in 200 produced any of %v", tt.kinds)
		})
	}
}

// stepSurvives runs one step of a mutant cluster, reporting false if the generator itself
// broke (its bookkeeping assumes a correct Raft).
func stepSurvives(m *mCluster) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	m.step()
	return true
}
