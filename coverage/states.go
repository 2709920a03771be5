package coverage

// emitStates records the state feature of node id; when id leads or the leader changed,
// of every up node (they are stated relative to the leader), and the quorum feature.
func (t *Tracker) emitStates(id int) {
	if t.leader != id && t.leader == t.stated {
		t.emitState(id)
		return
	}
	t.stated = t.leader
	divergent := uint64(0)
	for i := range t.nodes {
		if t.emitState(i) == logDivergent {
			divergent++
		}
	}
	t.deepen(measureDivergent, divergent)
	if t.leader >= 0 {
		t.emitQuorum()
	}
}

// emitState records the state of an up node relative to the leader (or, with none, to the
// most up-to-date log), skipping a repeat of the node's last state. It returns the node's
// log relation (logNoLeader for a node that is down).
func (t *Tracker) emitState(id int) uint8 {
	n := &t.nodes[id]
	if !n.up {
		return logNoLeader
	}
	var k key
	rel := t.logRel(id)
	if t.leader < 0 {
		k = mk(famLeaderless, n.role, rel, t.phase())
	} else {
		ld := &t.nodes[t.leader]
		k = mk(famState, n.role, termRel(n.term, ld.term), rel, lag(ld.commit, n.commit), t.phase())
	}
	if k != n.lastKey {
		n.lastKey = k
		t.emit(k)
	}
	return rel
}

// logRel is how node id's log stands to the leader's; with no leader, to the most
// up-to-date log of an up node (never ahead of it, then), or no-leader when id is down.
func (t *Tracker) logRel(id int) uint8 {
	ref := t.leader
	if ref < 0 {
		ref = t.bestLog()
	}
	if ref < 0 {
		return logNoLeader
	}
	return t.nodes[id].log.relate(&t.nodes[ref].log)
}

// bestLog is the up node with the most up-to-date log (the lowest id among equals), -1 if
// none is up.
func (t *Tracker) bestLog() int {
	best := -1
	for i := range t.nodes {
		if t.nodes[i].up && (best < 0 || t.nodes[best].log.upToDate(&t.nodes[i].log) > 0) {
			best = i
		}
	}
	return best
}

// emitQuorum records how many members hold the leader's whole log and how many nodes lead.
func (t *Tracker) emitQuorum() {
	ld := &t.nodes[t.leader]
	equal, members, leaders := 0, 0, 0
	for i := range t.nodes {
		n := &t.nodes[i]
		if !n.booted || n.role == roleLearner {
			continue
		}
		members++
		if n.up && n.log.relate(&ld.log) == logEqual {
			equal++
		}
		if n.up && n.role == roleLeader {
			leaders++
		}
	}
	share := uint8(1) // minority
	switch {
	case equal <= 1:
		share = 0
	case equal == members:
		share = 3
	case 2*equal > members:
		share = 2
	}
	k := mk(famQuorum, share, bucket(uint64(leaders), 2), t.phase())
	if k != t.quorum {
		t.quorum = k
		t.emit(k)
	}
}

func termRel(term, leader uint64) uint8 {
	switch {
	case term < leader:
		return 0
	case term == leader:
		return 1
	}
	return 2
}

// lag buckets how far a node's commit index trails the leader's: 0, 1-4, 5-32, 33+, or
// ahead (a new leader has not yet learned the commit index its predecessor reached).
func lag(leader, node uint64) uint8 {
	if node > leader {
		return 4
	}
	return bucket(leader-node, 1, 5, 33)
}
