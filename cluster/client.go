package cluster

import (
	"math/rand/v2"
	"strconv"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/engine"
	"github.com/raftcheck/raftcheck/simnet"
	"github.com/raftcheck/raftcheck/workloads"
)

// clientBase is the first network id of clients; servers use ids below nemesis.MaxNodeIDs.
const clientBase = 1000

// Timer kinds a client schedules on the kernel; the low 32 bits of the event argument carry the
// attempt number so that a timer outlived by its attempt is ignored.
const (
	clientThink   = 1 // take the next operation
	clientTimeout = 2 // no answer to this attempt in time: retry elsewhere
	clientRetry   = 3 // a node said it does not lead: retry after a short pause
)

// client is one simulated client process: one operation outstanding at a time, sent to the node
// it believes leads, retried with the same session sequence number until answered. It records
// invoke and complete in simulated time.
type client struct {
	w       clientWorld
	k       *simnet.Kernel
	net     *simnet.Network
	gen     *workloads.GeneratorConfig // think times
	cfg     *Config
	idx     int
	id      simnet.NodeID
	session uint64
	rnd     *rand.Rand

	seq     uint64
	cur     int    // index in r.history of the outstanding operation, or -1
	req     []byte // the outstanding request as sent, resent verbatim on retry
	attempt uint32 // bumps on every send
	tries   int    // sends of the outstanding operation
	guess   int    // the node believed to lead, or engine.NoHint
	note    []byte // the buffer trace lines are built in
}

// clientWorld is what a client asks of its run: whether the load phase goes on, the next
// operation, which node to try, and the history it records into. The run implements it.
type clientWorld interface {
	healing() bool
	nextOp(client int) (workloads.Op, bool)
	contact(guess int, rnd *rand.Rand) int // guess if it is a member, else a random member
	invoke(op workloads.HistoryOp) int     // records an invocation; its index in the history
	complete(i int, reply workloads.Reply, at int64, out workloads.Outcome) workloads.HistoryOp
	violate(v checker.Violation)
}

func newClient(r *run, idx int) *client {
	return &client{
		w: r, k: r.k, net: r.net, gen: &r.gencfg, cfg: &r.cfg,
		idx: idx, id: simnet.NodeID(clientBase + idx), session: uint64(idx) + 1,
		rnd: r.k.Stream("client/" + strconv.Itoa(idx)), cur: -1, guess: engine.NoHint,
	}
}

// trace records a client event in the run's trace.
func (c *client) trace(detail []byte) {
	c.k.Trace().NoteBytes(traceClient, uint64(c.idx), c.seq, 0, detail)
	c.note = detail[:0]
}

// start schedules the client's first operation after a think time.
func (c *client) start() { c.think() }

func (c *client) think() {
	d := simnet.Time(c.gen.ThinkNanos(c.rnd))
	c.k.Schedule(c.k.Now()+d, c, clientThink<<32)
}

// OnEvent handles the client's timers.
func (c *client) OnEvent(now simnet.Time, arg uint64) {
	kind, attempt := arg>>32, uint32(arg)
	switch kind {
	case clientThink:
		if !c.w.healing() {
			c.begin(now)
		}
	case clientTimeout, clientRetry:
		if c.cur >= 0 && attempt == c.attempt {
			c.retry(now, kind == clientTimeout)
		}
	}
}

// begin invokes the next operation from the run's generator.
func (c *client) begin(now simnet.Time) {
	op, ok := c.w.nextOp(c.idx)
	if !ok {
		return // its explicit operations are used up: the client is done
	}
	c.seq++
	read := op.Kind == workloads.Get && c.cfg.ReadIndex
	kind := wireWrite
	if read {
		kind = wireRead
	}
	req, err := workloads.EncodeCommand([]byte{kind}, workloads.Command{Client: c.session, Seq: c.seq, Op: op})
	if err != nil {
		panic("cluster: generator produced an unencodable op " + op.String() + ": " + err.Error())
	}
	c.req, c.tries = req, 0
	c.cur = c.w.invoke(workloads.HistoryOp{Client: c.idx, Op: op, Call: int64(now)})
	c.trace(op.Append(append(c.note, "invoke "...)))
	c.send()
}

// send transmits the outstanding request to the node believed to lead (or a random member).
func (c *client) send() {
	to := c.w.contact(c.guess, c.rnd)
	c.attempt++
	c.tries++
	_ = c.net.Send(c.id, simnet.NodeID(to), c.req) // an unknown endpoint cannot happen: members are attached
	c.k.Schedule(c.k.Now()+simnet.Time(c.cfg.ClientTimeout), c, clientTimeout<<32|uint64(c.attempt))
}

// retry resends after a timeout or a redirect; during the load phase an operation is given up
// after maxTries sends, as a Jepsen client would, and recorded as indeterminate.
func (c *client) retry(now simnet.Time, timedOut bool) {
	if timedOut {
		c.guess = engine.NoHint
	}
	if !c.w.healing() && c.tries >= maxTries {
		c.finish(now, workloads.Reply{Status: workloads.StatusUnknown}, c.abandonOutcome())
		return
	}
	c.send()
}

// maxTries bounds the sends of one operation during the load phase.
const maxTries = 8

// abandonOutcome is the outcome of an operation given up: a write, sent at least once since
// begin sends at once, may have been proposed.
func (c *client) abandonOutcome() workloads.Outcome {
	if c.req[0] == wireWrite {
		return workloads.OutcomeUnknown
	}
	return workloads.OutcomeFail
}

// Receive handles a node's answer.
func (c *client) Receive(from simnet.NodeID, msg []byte) {
	a, err := decodeAnswer(msg)
	if err != nil {
		c.w.violate(checker.Violation{Kind: KindWire, Time: int64(c.k.Now()), Nodes: []int{int(c.id), int(from)}, Detail: err.Error()})
		return
	}
	if c.cur < 0 || a.Session != c.session || a.Seq != c.seq {
		return // an answer to an operation already finished
	}
	now := c.k.Now()
	if a.Status == answerNotLeader {
		c.guess = a.Hint
		c.attempt++ // the outstanding timeout no longer applies
		pause := simnet.Time(c.cfg.Tick) + simnet.Time(c.rnd.Int64N(int64(c.cfg.Tick)))
		c.k.Schedule(now+pause, c, clientRetry<<32|uint64(c.attempt))
		return
	}
	c.guess = int(from)
	c.finish(now, a.Reply, a.Reply.Outcome())
}

// finish records the outstanding operation's completion and schedules the next one.
func (c *client) finish(now simnet.Time, reply workloads.Reply, out workloads.Outcome) {
	h := c.w.complete(c.cur, reply, int64(now), out)
	c.trace(h.Append(append(c.note, "complete "...)))
	c.cur = -1
	c.attempt++
	c.think()
}
