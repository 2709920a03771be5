package raft

import (
	"fmt"
	"slices"
)

// readRequest is one ReadIndex request waiting at the leader.
type readRequest struct {
	from uint64 // None for a local request
	ctx  []byte
	// index is the commit index when the request's confirmation round started; round is
	// that round (0 while waiting for one to start).
	index uint64
	round uint64
}

// readQueue holds a leader's pending ReadIndex requests in arrival order. Rounds are
// numbered within the term; a heartbeat carries the latest round, and a voter's answer
// to it confirms that this node was still the leader after every request of that round
// arrived (thesis §6.4).
type readQueue struct {
	reqs []readRequest
	// round is the last confirmation round started in this term.
	round uint64
}

func (q *readQueue) reset() {
	clear(q.reqs)
	q.reqs = q.reqs[:0]
	q.round = 0
}

// leaderRead queues a ReadIndex request at the leader (thesis §6.4).
func (n *Node) leaderRead(from uint64, ctx []byte) error {
	if len(n.reads.reqs) >= n.cfg.MaxPendingReads {
		return fmt.Errorf("%w: %d reads pending, limit %d", ErrReadIndexDropped,
			len(n.reads.reqs), n.cfg.MaxPendingReads)
	}
	n.reads.reqs = append(n.reads.reqs, readRequest{from: from, ctx: ctx})
	return nil
}

// startReadRound gives the requests that wait for a round the current commit index and a
// new round, and sends heartbeats for it. Until the leader has committed an entry of its
// own term its commit index may lag behind what earlier leaders committed, so requests
// wait for that first.
func (n *Node) startReadRound() {
	if len(n.reads.reqs) == 0 || n.reads.reqs[len(n.reads.reqs)-1].round != 0 {
		return
	}
	if n.log.mustTerm(n.log.committed) != n.term && !n.cfg.Mutations.ReadBeforeTermCommit {
		return
	}
	n.reads.round++
	for i := range n.reads.reqs {
		if r := &n.reads.reqs[i]; r.round == 0 {
			r.index, r.round = n.log.committed, n.reads.round
		}
	}
	if len(n.conf.Voters) == 1 && !n.conf.Joint() && n.isVoter(n.id) {
		n.releaseReads() // no one else to ask
		return
	}
	n.bcastHeartbeat()
}

// releaseReads answers every request whose round a quorum of voters has confirmed.
func (n *Node) releaseReads() {
	confirmed := n.confirmedRound()
	k := 0
	for k < len(n.reads.reqs) {
		r := n.reads.reqs[k]
		if r.round == 0 || r.round > confirmed {
			break
		}
		if r.from == None {
			n.readStates = append(n.readStates, ReadState{Index: r.index, Ctx: r.ctx})
		} else {
			n.send(Message{To: r.from, Type: MsgReadIndexResp, Index: r.index, Context: r.ctx})
		}
		k++
	}
	if k > 0 {
		n.reads.reqs = slices.Delete(n.reads.reqs, 0, k)
	}
}

// confirmedRound returns the highest round acknowledged by a majority of voters.
func (n *Node) confirmedRound() uint64 {
	return n.quorumValue(n.reads.round, func(pr *progress) uint64 { return pr.roundAck })
}
