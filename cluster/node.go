package cluster

import (
	"errors"
	"fmt"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/engine"
	"github.com/raftcheck/raftcheck/simnet"
	"github.com/raftcheck/raftcheck/workloads"
)

// node is a server slot: its disk and process outlive crashes; its host (one life) does not.
// It reaches its run only through w.
type node struct {
	w          nodeWorld
	spec       *nodeSpec
	k          *simnet.Kernel
	net        *simnet.Network
	inv        *checker.Invariants
	buf        []byte // encoding scratch, reused for every datagram
	id         int
	disk       *simnet.Disk
	proc       *simnet.Process
	h          *host                  // the current life; nil while down
	joining    bool                   // added by a membership change: boots with no founding voters
	started    bool                   // has booted once: later boots are restarts
	corrupt    bool                   // refused to start: its durable data is damaged
	damaged    bool                   // the nemesis flipped a bit in its durable data
	removed    bool                   // removed from the configuration and shut down for good
	holds      int                    // faults (crash) keeping it down; the supervisor restarts it at 0
	armed      *armedCrash            // a crash waiting for its next sync (crashsync.go)
	paused     int                    // pause faults holding it
	holding    int                    // hold faults keeping back what it sends
	snapFail   int                    // snapshot-fail faults failing the snapshot transfers it starts
	diskFaults int                    // slow-disk and disk-full faults in effect on it
	troubledAt int64                  // when a snapshot-fail, slow-disk or disk-full fault on it last started or ended (or the disk work it slowed completed)
	diskDoneAt int64                  // when the disk work its host last waited for completes
	deafUntil  int64                  // the end of its last disk wait longer than a tick: it answered nothing during it
	view       nodeView               // its persistent Raft state as observed, for the report
	startedAt  int64                  // when its current life began (simulated ns)
	term       uint64                 // its current term as last observed
	termAt     int64                  // when it entered term (simulated ns)
	terms      []termChange           // its latest term changes, oldest first (at most maxTermChanges)
	protocol   engine.Protocol        // the protocol settings of its current life
	ledAt      int64                  // when it last became leader (simulated ns)
	reads      map[uint64]readArrival // by client session: its latest read's first arrival
}

// nodeWorld is what a node tells its run: what it found wrong, what it did, and what became
// of it. The run implements it.
type nodeWorld interface {
	violate(v checker.Violation)
	mark(m Mark)
	bootFailed(n *node, err error)
	failStop(n *node, err error)
	enginePanic(n *node, method string, v any, frames string)
	noteLeader(id int, term uint64)
	memberApplied(by int, index uint64, c engine.MemberChange)
	jointApplied(by int, index uint64, j engine.JointChange)
	restored(node int, index uint64)
	sample(s NodeState)
	ackedWrite(n *node)
	observed(node int, o *engine.Observations)
	recovered(node int, rec engine.Recovery)
	diskWait(n *node, lat simnet.Time)
}

// nodeSpec is what every node of a run is built from.
type nodeSpec struct {
	cfg               Config
	eng               *engine.Descriptor
	founders          []int
	mutants           []string // planted in the engine
	noDedup           bool     // host mutant: no client-session deduplication
	restoreNoSessions bool     // host mutant: a restore forgets the client sessions
	readAtHanded      bool     // host mutant: reads served once handed their index, not applied
	readCtxSession    bool     // host mutant: a read's ReadIndex context names its session only
}

func (n *node) now() int64 { return int64(n.k.Now()) }

// stepError records an engine's refusal of a message or request that is not expected.
func (n *node) stepError(from int, err error) {
	n.w.violate(checker.Violation{Kind: KindEngine, Time: n.now(), Nodes: []int{n.id, from}, Detail: err.Error()})
}

// wireViolation records an undecodable datagram: nodes and clients only send well-formed ones.
func (n *node) wireViolation(from int, err error) {
	n.w.violate(checker.Violation{Kind: KindWire, Time: n.now(), Nodes: []int{n.id, from}, Detail: err.Error()})
}

// boot is the process's boot function: a fresh life recovered from the disk.
func (n *node) boot() simnet.Host {
	h, err := n.newHost()
	if err != nil {
		n.w.bootFailed(n, err)
		return idleHost{}
	}
	n.h = h
	return h
}

// idleHost stands in for a node that refused to start: the process runs but does nothing, and
// the supervisor takes it down.
type idleHost struct{}

func (idleHost) Tick()                         {}
func (idleHost) Receive(simnet.NodeID, []byte) {}

func (n *node) newHost() (*host, error) {
	n.disk.ForgetLatency() // an earlier life that never waited for its operations leaves no debt
	cfg := engine.Config{
		ID: n.id, Disk: n.disk, Rand: n.k.Stream(fmt.Sprintf("raft/%d/%d", n.id, n.proc.Epoch())),
		ElectionTicks: n.spec.cfg.ElectionTicks, HeartbeatTicks: n.spec.cfg.HeartbeatTicks, Forward: n.spec.cfg.Forwarding,
		Mutants: n.spec.mutants, Protocol: n.spec.cfg.Roll.protocol(n.spec.cfg.Protocol, n.spec.cfg.Nodes, n.id, n.k.Now()), Image: n.image, SegmentBytes: n.spec.cfg.WALSegmentBytes,
		AsyncWrites: n.spec.cfg.AsyncWrites,
	}
	if n.k.Trace().Recording() {
		prefix := fmt.Sprintf("node %d: ", n.id)
		cfg.Log = func(line string) { n.k.Trace().Comment(prefix + line) }
	}
	if !n.joining {
		cfg.Voters = n.spec.founders
	}
	n.protocol = cfg.Protocol
	eng, rec, err := n.build(cfg)
	if err != nil {
		return nil, err
	}
	kv, err := workloads.NewKV(workloads.KVOptions{NoDedup: n.spec.noDedup, RestoreWithoutSessions: n.spec.restoreNoSessions})
	if err != nil {
		return nil, err
	}
	h := &host{n: n, kv: kv, pending: map[uint64]pendingWrite{}}
	if n.spec.cfg.ApplyDelay > 0 {
		h.lazy = &applier{h: h}
	}
	h.eng = &guarded{e: eng, fail: func(method string, v any, frames string) { n.w.enginePanic(n, method, v, frames) }}
	if n.started {
		n.inv.Restarted(n.now(), n.id, rec)
		n.restartState(rec)
	}
	n.w.recovered(n.id, rec)
	n.started = true
	n.startedAt = n.now()
	return h, nil
}

// host is one life of a node: the engine, the state machine and the clients' requests it holds,
// all in memory and rebuilt from the disk after a crash.
type host struct {
	n          *node
	eng        engine.Engine
	kv         *workloads.KV
	pending    map[uint64]pendingWrite // by client session: writes this node will answer
	reads      []pendingRead           // reads waiting for their index, in arrival order
	batch      engine.Batch
	busy       bool     // a batch waits for its disk latency before it is acted on
	deliveries []report // the last batch's delivery reports, passed on after Advance
	applied    int      // entries applied since the last compaction
	dead       bool
	// lazy is the slow state machine's queue when Config.ApplyDelay > 0 (nil: each batch is
	// applied in its own step); given is the index through which the engine has handed out
	// committed entries or a snapshot, applied or not.
	lazy  *applier
	given uint64
}

type pendingWrite struct {
	seq    uint64
	client simnet.NodeID
}

type pendingRead struct {
	session, seq uint64
	client       simnet.NodeID
	key          string
	index        uint64 // 0 until the read's index is known
	arrived      uint64 // the highest index committed anywhere when the read arrived
	asked        int64  // when the engine was last asked for its index (simulated ns)
}

// Tick advances the engine's logical clock.
func (h *host) Tick() {
	h.eng.Tick()
	h.retryReads()
	h.drive()
}

// Receive handles a datagram from a peer or a client.
func (h *host) Receive(from simnet.NodeID, msg []byte) {
	if len(msg) == 0 {
		h.n.wireViolation(int(from), errWire)
		return
	}
	switch msg[0] {
	case wireRaft:
		if err := h.eng.Step(msg[1:]); err != nil && !errors.Is(err, engine.ErrDropped) {
			h.n.stepError(int(from), err)
		}
	case wireWrite:
		h.write(from, msg[1:])
	case wireRead:
		h.read(from, msg[1:])
	default:
		h.n.wireViolation(int(from), fmt.Errorf("%w: tag %q", errWire, msg[0]))
		return
	}
	h.drive()
}

func (h *host) write(from simnet.NodeID, cmd []byte) {
	c, err := workloads.DecodeCommand(cmd)
	if err != nil {
		h.n.wireViolation(int(from), err)
		return
	}
	if err := h.eng.Propose(cmd); err != nil {
		h.reject(from, c, err)
		return
	}
	h.pending[c.Client] = pendingWrite{seq: c.Seq, client: from}
}

func (h *host) read(from simnet.NodeID, cmd []byte) {
	c, err := workloads.DecodeCommand(cmd)
	if err != nil {
		h.n.wireViolation(int(from), err)
		return
	}
	arrived, current := h.n.readArrived(c.Client, c.Seq)
	if !current {
		return // a late copy of a read its client has finished: nobody waits for the answer
	}
	if err := h.eng.ReadIndex(h.readCtx(c.Client, c.Seq)); err != nil {
		h.reject(from, c, err)
		return
	}
	h.addRead(pendingRead{session: c.Client, seq: c.Seq, client: from, key: c.Op.Key, arrived: arrived, asked: h.n.now()})
}

// readArrived returns the highest index committed anywhere when read (session, seq) first
// reached this node, in any of its lives: a retry or a duplicate of the read may be answered
// by a read state of any earlier ReadIndex call for it, so the read is held to its first
// arrival. current is false for a read older than one the session has sent since.
func (n *node) readArrived(session, seq uint64) (arrived uint64, current bool) {
	first, ok := n.reads[session]
	switch {
	case ok && seq < first.seq:
		return 0, false
	case ok && seq == first.seq:
		return first.arrived, true
	}
	if n.reads == nil {
		n.reads = map[uint64]readArrival{}
	}
	n.reads[session] = readArrival{seq: seq, arrived: n.inv.CommitMax()}
	return n.reads[session].arrived, true
}

// readArrival is the first arrival of a session's latest read at a node.
type readArrival struct {
	seq     uint64
	arrived uint64 // the highest index committed anywhere then
}

// reject tells a client its request was not taken, with a leader hint when there is one.
func (h *host) reject(to simnet.NodeID, c workloads.Command, err error) {
	hint := engine.NoHint
	var nl *engine.NotLeader
	switch {
	case errors.As(err, &nl):
		hint = nl.Hint
	case errors.Is(err, engine.ErrDropped):
		hint = h.eng.Status().Leader
	default:
		h.n.stepError(int(to), err)
	}
	h.send(to, answer{Session: c.Client, Seq: c.Seq, Status: answerNotLeader, Hint: hint})
}

func (h *host) answer(to simnet.NodeID, session, seq uint64, reply workloads.Reply) {
	h.send(to, answer{Session: session, Seq: seq, Status: answerOK, Hint: engine.NoHint, Reply: reply})
}

func (h *host) send(to simnet.NodeID, a answer) {
	b, err := encodeAnswer(h.n.buf[:0], a)
	if err != nil {
		panic(fmt.Sprintf("cluster: node %d cannot encode answer %+v: %v", h.n.id, a, err))
	}
	h.n.buf = b
	_ = h.n.proc.Send(to, b) // fails only if this process is not running, and then h is dead
}

// image is the state machine of the node's current life as of its applied index, for an engine
// that makes snapshots on demand.
func (n *node) image() (uint64, []byte) {
	if n.h == nil {
		panic(fmt.Sprintf("cluster: node %d's engine asked for an image while the node is down", n.id))
	}
	return n.h.kv.AppliedIndex(), n.h.kv.Snapshot()
}

// build makes the engine of a new life; a panic in the engine's factory is reported like any
// other engine panic.
func (n *node) build(cfg engine.Config) (eng engine.Engine, rec engine.Recovery, err error) {
	defer func() {
		if v := recover(); v != nil {
			n.w.enginePanic(n, "New", v, enginePanicFrames())
			eng, err = nil, errBroken
		}
	}()
	return n.spec.eng.New(cfg)
}
