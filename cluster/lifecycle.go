package cluster

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/engine"
	"github.com/raftcheck/raftcheck/simnet"
)

// supervisorEvery is how often the supervisor restarts nodes whose faults have ended and
// retries pending membership changes.
const supervisorEvery = 250 * simnet.Millisecond

type supervisor run // the run itself, seen as an event handler

func (r *run) startSupervisor() {
	r.k.Schedule(r.k.Now()+supervisorEvery, (*supervisor)(r), 0)
}

// OnEvent restarts what should be running and keeps membership work moving.
func (s *supervisor) OnEvent(now simnet.Time, _ uint64) {
	r := (*run)(s)
	for _, n := range r.nodes {
		if n.proc.State() == simnet.Down && n.holds == 0 && !n.corrupt && !n.removed {
			r.restart(n)
		}
	}
	r.members.step(r)
	r.stepRetirement()
	if !r.eng.Semantics.PromotesLearners {
		r.promoteLearners()
	}
	if r.healed {
		r.checkHealed()
	}
	r.k.Schedule(now+supervisorEvery, s, 0)
}

// crash takes a node down. mode says what its unsynced writes become (a power failure); nil
// means a process kill, which keeps them (they are in the page cache).
func (r *run) crash(n *node, mode *simnet.CrashMode, rnd *rand.Rand) {
	n.armed = nil // struck now, or overtaken by this crash
	if n.proc.State() == simnet.Down {
		return
	}
	if _, open := n.disk.InFlight(); open && n.h != nil {
		r.inv.SyncInterrupted(r.now(), n.id)
	}
	var err error
	if mode == nil {
		err = n.proc.Crash()
	} else {
		err = n.proc.PowerFail(*mode, rnd)
	}
	if err != nil {
		panic(fmt.Sprintf("cluster: crashing node %d: %v", n.id, err))
	}
	if n.h != nil {
		n.h.dead = true
		n.h = nil
		r.inv.Crashed(r.now(), n.id)
	}
	n.paused = 0
	r.mark(Mark{Kind: MarkCrash, Node: n.id})
}

// restart boots a node from its disk; boot reports a refusal through bootFailed.
func (r *run) restart(n *node) {
	if err := n.proc.Restart(); err != nil {
		panic(fmt.Sprintf("cluster: restarting node %d: %v", n.id, err))
	}
	if n.h != nil {
		r.mark(Mark{Kind: MarkStart, Node: n.id})
	}
}

// bootFailed handles a node that could not build its engine. Corruption found in durable data
// is the correct reaction to a damaged disk: the node refuses to start for good and the run
// goes on without it. Any other failure (a transient disk error) keeps it down until the
// supervisor tries again.
func (r *run) bootFailed(n *node, err error) {
	if errors.Is(err, errBroken) { // reported as a panic already
		r.k.After(0, func() { r.takeDown(n) })
		return
	}
	if errors.Is(err, engine.ErrCorrupt) {
		if !n.damaged {
			r.violate(checker.Violation{Kind: KindSpuriousCorruption, Time: r.now(), Nodes: []int{n.id},
				Detail: "node refused to start over corruption, but no fault damaged its disk: " + err.Error()})
		}
		n.corrupt = true
		r.inv.RefusedStart(r.now(), n.id, err.Error())
		r.mark(Mark{Kind: MarkRefused, Node: n.id, Detail: err.Error()})
		r.k.Trace().Note(traceRefused, uint64(n.id), 0, 0, err.Error())
	} else if !diskError(err) {
		r.violate(checker.Violation{Kind: KindRecovery, Time: r.now(), Nodes: []int{n.id},
			Detail: "node could not restart from its disk: " + err.Error()})
	}
	r.k.After(0, func() { r.takeDown(n) })
}

// takeDown stops a process that runs no host (it refused to start).
func (r *run) takeDown(n *node) {
	if n.h == nil && n.proc.State() != simnet.Down {
		if err := n.proc.Crash(); err != nil {
			panic(fmt.Sprintf("cluster: stopping node %d: %v", n.id, err))
		}
	}
}

// failStop crashes a node whose storage failed (a full disk): a node that cannot persist must
// not go on. An error that is not a disk fault is a bug in the engine and a violation.
func (r *run) failStop(n *node, err error) {
	if !diskError(err) {
		r.violate(checker.Violation{Kind: KindEngine, Time: r.now(), Nodes: []int{n.id}, Detail: err.Error()})
	}
	r.k.Trace().Note(traceFailStop, uint64(n.id), 0, 0, err.Error())
	r.k.After(0, func() { r.crash(n, nil, nil) })
	if n.h != nil {
		n.h.dead = true // nothing more from this life, even before the crash lands
	}
}

func diskError(err error) bool {
	return errors.Is(err, simnet.ErrNoSpace) || errors.Is(err, simnet.ErrIO)
}

// stepError records an engine's refusal of a message or request that is not expected.
func (r *run) stepError(node, from int, err error) {
	r.violate(checker.Violation{Kind: KindEngine, Time: r.now(), Nodes: []int{node, from}, Detail: err.Error()})
}

// wireViolation records an undecodable datagram: nodes and clients only send well-formed ones.
func (r *run) wireViolation(from, to int, err error) {
	r.violate(checker.Violation{Kind: KindWire, Time: r.now(), Nodes: []int{to, from}, Detail: err.Error()})
}

// noteLeader records a node becoming leader, for the timeline, the nemesis and liveness.
func (r *run) noteLeader(id int, term uint64) {
	r.res.Stats.Elections++
	r.mark(Mark{Kind: MarkLeader, Node: id, Term: term})
	r.k.Trace().Event(traceLeader, uint64(id), term, 0)
	r.churnLeader(id)
	r.electionReleases()
	if r.healed && r.res.Stats.LeaderAfterHeal < 0 {
		r.res.Stats.LeaderAfterHeal = r.now()
	}
}

// leader returns the up node that leads in the highest term, or nil.
func (r *run) leader() *node {
	var best *node
	var bestTerm uint64
	for _, n := range r.nodes {
		if n.h == nil || n.proc.State() != simnet.Running {
			continue
		}
		if st := n.h.eng.Status(); st.IsLeader && st.Term > bestTerm {
			best, bestTerm = n, st.Term
		}
	}
	return best
}

// enginePanic reports a panic inside node n's engine and ends the run: the engine's state is
// unknown from here on. What was observed until now is still judged (liveness is not: the
// run was cut short).
func (r *run) enginePanic(n *node, method string, v any, frames string) {
	r.violate(checker.Violation{Kind: KindPanic, Time: r.now(), Nodes: []int{n.id},
		Detail: fmt.Sprintf("node %d's engine (%s) panicked in %s: %v%s", n.id, r.eng.Name, method, v, frames)})
	if n.h != nil {
		n.h.dead = true
	}
	r.aborted = true
	r.k.Stop()
}
