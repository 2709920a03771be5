package raft

import (
	"strings"
)

// Commands and helpers that print the state of the scripted cluster.

func cmdStatus(e *env, a scriptArgs) error {
	ids, err := e.idsOrAll(a.pos)
	if err != nil {
		return err
	}
	for _, id := range ids {
		h := e.node(id)
		if h.down {
			e.printf("%d: down\n", id)
			continue
		}
		s := h.n.Status()
		e.printf("%d: %s term=%d vote=%d commit=%d lead=%d applied=%d last=%d snap=%d voters=%v learners=%v",
			id, s.Role, s.HardState.Term, s.HardState.Vote, s.HardState.Commit, s.Lead, s.Applied,
			s.LastIndex, s.SnapshotIndex, s.Conf.Voters, s.Conf.Learners)
		if s.Conf.Joint() {
			e.printf(" outgoing=%v", s.Conf.VotersOutgoing)
		}
		if s.LeadTransferee != None {
			e.printf(" transferee=%d", s.LeadTransferee)
		}
		e.printf("\n")
		for _, p := range s.Progress {
			role := "voter"
			if p.Learner {
				role = "learner"
			}
			e.printf("  %d: %s match=%d next=%d %s", p.ID, role, p.Match, p.Next, p.State)
			if pr := h.n.progress(p.ID); p.State == ProgressSnapshot && pr != nil {
				e.printf(" snap=%d/%d acked=%d sent=%d", pr.snap.term, pr.snap.index, pr.snap.acked, pr.snap.sent)
			}
			e.printf("\n")
		}
	}
	return nil
}

func cmdLog(e *env, a scriptArgs) error {
	ids, err := e.idsOrAll(a.pos)
	if err != nil {
		return err
	}
	for _, id := range ids {
		h := e.node(id)
		if h.down {
			e.printf("%d: down (durable last index %d)\n", id, h.durableLast())
			continue
		}
		l := &h.n.log
		e.printf("%d: snapshot=%d/%d commit=%d applied=%d last=%d\n", id, l.snapTerm, l.snapIndex,
			l.committed, l.applied, l.lastIndex())
		for _, en := range l.ents {
			e.printf("  %s\n", en)
		}
	}
	return nil
}

func cmdRaftState(e *env, _ scriptArgs) error {
	for _, h := range e.nodes {
		if h.down {
			e.printf("%d: down\n", h.id)
			continue
		}
		n := h.n
		e.printf("%d: %s term=%d lead=%d commit=%d last=%d voters=%v", h.id, n.role, n.term,
			n.lead, n.log.committed, n.log.lastIndex(), n.conf.Voters)
		if n.conf.Joint() {
			e.printf(" outgoing=%v", n.conf.VotersOutgoing)
		}
		e.printf("\n")
	}
	return nil
}

func cmdSM(e *env, a scriptArgs) error {
	ids, err := e.idsOrAll(a.pos)
	if err != nil {
		return err
	}
	for _, id := range ids {
		h := e.node(id)
		var data []string
		for _, en := range h.sm {
			data = append(data, en.data)
		}
		e.printf("%d: applied=%d [%s]\n", id, h.smApplied, strings.Join(data, " "))
	}
	return nil
}

func (e *env) printReady(id uint64, rd *Ready) {
	sync := ""
	if rd.MustSync {
		sync = " (sync)"
	}
	e.printf("> %d handling Ready%s\n", id, sync)
	if rd.SoftState != nil {
		e.printf("  soft: %s lead=%d\n", rd.SoftState.Role, rd.SoftState.Lead)
	}
	if !rd.HardState.IsEmpty() {
		hs := rd.HardState
		e.printf("  hard: term=%d vote=%d commit=%d\n", hs.Term, hs.Vote, hs.Commit)
	}
	if s := rd.Snapshot; s != nil {
		e.printf("  snapshot: %d/%d voters=%v learners=%v bytes=%d\n", s.Meta.Term, s.Meta.Index,
			s.Meta.Conf.Voters, s.Meta.Conf.Learners, len(s.Data))
	}
	for _, en := range rd.Entries {
		e.printf("  persist: %s\n", en)
	}
	for _, en := range rd.CommittedEntries {
		e.printf("  apply: %s\n", en)
	}
	for _, m := range rd.Messages {
		e.printf("  send: %s\n", m)
	}
	for _, r := range rd.ReadStates {
		e.printf("  read: index=%d ctx=%q\n", r.Index, r.Ctx)
	}
}
