package etcdraft

import (
	"slices"

	"github.com/raftcheck/raftcheck/engine"
	etcd "go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"
)

// observe adds to o the Ready's facts beyond what was saved: role and term changes, the term
// the node became leader in, the votes it granted, the configuration a leader committed
// under and a leader's match indexes. It runs before the Ready's configuration changes are
// applied.
func (e *node) observe(o *engine.Observations) {
	rd := &e.rd
	wasLeader := e.leader
	changed := rd.SoftState != nil
	if hs := rd.HardState; !etcd.IsEmptyHardState(hs) && hs.GetTerm() != e.term {
		e.term, changed = hs.GetTerm(), true
	}
	if rd.SoftState != nil {
		e.state = rd.SoftState.RaftState
		e.leader = e.state == etcd.StateLeader
	}
	if changed {
		o.Role = roleOf(e.state)
	}
	o.Term = e.term
	if e.leader && !wasLeader {
		o.Leader = e.term
		elected := e.conf()
		o.Elected = &elected
	}
	for _, m := range rd.Messages {
		if m.GetType() == pb.MsgVoteResp && !m.GetReject() {
			o.Votes = append(o.Votes, engine.Vote{Term: m.GetTerm(), Candidate: m.GetTo()})
		}
	}
	e.trackPendingConf(e.leader && !wasLeader)
	if o.HardState != nil {
		// etcd configures on apply: a leader's commit index moved under the configuration in
		// force now, or one in force since the last HardState (confsSince).
		if wasLeader && e.leader && o.HardState.Commit > e.commit {
			o.Quorums = append(slices.Clone(e.confsSince), e.conf())
		}
		e.commit, e.confsSince = o.HardState.Commit, e.confsSince[:0]
	}
	if e.leader {
		e.matches = e.progress(e.matches[:0])
		o.Matches = e.matches // read by the host before the next Ready
	}
}

// conf returns the configuration in force (the last one applied), both voter sets while
// joint, sorted.
func (e *node) conf() engine.Conf {
	cs := e.store.confs.current()
	c := engine.Conf{Voters: nodes(cs.GetVoters()), Outgoing: nodes(cs.GetVotersOutgoing())}
	slices.Sort(c.Voters)
	slices.Sort(c.Outgoing)
	return c
}

// trackPendingConf follows etcd's pendingConfIndex through a leader's new entries: on
// election, the index before the first entry of its term (the log's end when it was
// elected); then every configuration change of its term.
func (e *node) trackPendingConf(elected bool) {
	e.confProposed = false
	if !e.leader {
		return
	}
	if elected {
		e.pendingConf = 0
	}
	for _, ent := range e.rd.Entries {
		if ent.GetTerm() != e.term {
			continue
		}
		if elected {
			e.pendingConf, elected = ent.GetIndex()-1, false
		}
		if ent.GetType() != pb.EntryNormal {
			e.pendingConf = max(e.pendingConf, ent.GetIndex())
		}
	}
}

func roleOf(s etcd.StateType) engine.Role {
	switch s {
	case etcd.StateLeader:
		return engine.Leader
	case etcd.StateCandidate:
		return engine.Candidate
	case etcd.StatePreCandidate:
		return engine.PreCandidate
	}
	return engine.Follower
}
