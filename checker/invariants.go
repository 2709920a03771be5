package checker

import (
	"fmt"
	"slices"
)

// EntryObs is one log entry as observed: its position and a 64-bit digest of its data (the
// cluster computes it, FNV-64 of type and data).
type EntryObs struct {
	Index, Term, Digest uint64
}

// HardState is a node's durable Raft state: current term, the candidate voted for in that
// term (0 = none; any other value is only compared for equality, so Raft ids work as they
// are) and commit index.
type HardState struct {
	Term, Vote, Commit uint64
}

// Options configures an Invariants.
type Options struct {
	// MaxViolations is how many violations are kept; later ones are only counted (Dropped).
	// Zero means DefaultMaxViolations.
	MaxViolations int
	// IndexMax is the highest log index the checker tracks; observations above it are
	// reported once as KindCheckerBound and ignored. Zero means DefaultIndexMax.
	IndexMax uint64
	// ConfOnApply holds the nodes to the apply-time rule of configuration changes (a
	// configuration takes effect when applied, as in etcd raft) instead of the append-time
	// rule of the thesis (§4.1). See ConfAppended.
	ConfOnApply bool
}

// DefaultIndexMax is the highest log index tracked when Options.IndexMax is zero.
const DefaultIndexMax = 1 << 24

// nodesMax bounds the number of nodes an Invariants accepts.
const nodesMax = 1 << 12

// walkMax bounds the backward walks that locate the first differing index for a report.
const walkMax = 1 << 16

// ballot is a vote a node made: for vote, in term, reported at time at.
type ballot struct {
	term, vote uint64
	at         int64
}

// mark is a position in a node's log and the chain hash of the log up to it.
type mark struct {
	index, chain uint64
}

// leaderRec is the first node seen leading a term.
type leaderRec struct {
	node int
	at   int64
}

// nodeState is the checker's shadow of one node.
type nodeState struct {
	up      bool
	log     shadowLog // kept while the node is down, to compare with what it recovers
	hs      HardState // as last reported in this life
	commit  uint64    // Invariant (correct nodes): applied <= commit
	applied uint64
	// synced is the hard state last known durable; it survives crashes.
	synced HardState
	// ballot is the latest vote made in this life, or the synced vote after a restart;
	// syncedBallot is the latest vote known durable.
	ballot, syncedBallot ballot
	// granted is the last vote the node sent out, whatever it persisted; it survives crashes.
	granted ballot
	// leaderTerm is the term this node became leader in during this life (0: never).
	leaderTerm uint64
	// confs are the indexes of the configuration entries in this life's log, ascending.
	confs []uint64
	// matches is this node's matchIndex per follower while it leads leaderTerm.
	matches []uint64 // by node; nil while not leading
	// acked is how far a leader last knew this node's log to match its own.
	acked ack
	// required is the synced log position that every state the disk may hold after a
	// crash still contains.
	required mark
	// written is what the latest EntriesSaved wrote, for BatchSaved.
	written written
	// dropped is the suffix (from index dropped.from) the batch's snapshot discarded, which
	// the batch may write again as it was (termappend.go).
	dropped dropped
	// cut is the batch's snapshot that removed acknowledged entries, for BatchSaved.
	cut *cut
	// undo is what the latest Synced changed, for SyncInterrupted.
	undo syncUndo
	// divergedAt is the lowest index of a reported log-matching divergence still in the
	// log (0 = none); further log-matching reports for this node are suppressed.
	divergedAt uint64
}

// Invariants is the online safety checker. The cluster reports what every node does, in
// the order it happens, through the observation methods; each observation is checked
// immediately against the checker's shadow state, in time proportional to the entries in
// it. Nodes are numbered 0..nodes-1 and start up with empty logs.
//
// Observation methods panic when called against the documented protocol (node id out of
// range, an observation on a crashed node, a restart of a running node): those are bugs of
// the caller, not of the Raft under test.
type Invariants struct {
	nodes       []nodeState
	tab         table
	leaders     map[uint64]leaderRec // by term; lookups only
	rec         recorder
	indexMax    uint64
	ackMax      uint64 // highest acknowledged index
	confOnApply bool
	digests     map[uint64]digestRec // state-machine digests by applied index (StateDigest)
	// grants are the votes granted, by term, in the order observed (ElectionQuorum).
	grants map[uint64][]grant
}

// NewInvariants returns a checker for nodes nodes, numbered 0..nodes-1.
func NewInvariants(nodes int, opts Options) (*Invariants, error) {
	if nodes <= 0 || nodes > nodesMax {
		return nil, fmt.Errorf("checker: nodes = %d: must be in [1, %d]", nodes, nodesMax)
	}
	if opts.MaxViolations < 0 {
		return nil, fmt.Errorf("checker: Options.MaxViolations = %d: must be >= 0", opts.MaxViolations)
	}
	if opts.MaxViolations == 0 {
		opts.MaxViolations = DefaultMaxViolations
	}
	if opts.IndexMax == 0 {
		opts.IndexMax = DefaultIndexMax
	}
	c := &Invariants{
		nodes:       make([]nodeState, nodes),
		leaders:     map[uint64]leaderRec{},
		grants:      map[uint64][]grant{},
		rec:         newRecorder(opts.MaxViolations),
		indexMax:    opts.IndexMax,
		confOnApply: opts.ConfOnApply,
	}
	for i := range c.nodes {
		c.nodes[i] = nodeState{up: true, log: newShadowLog()}
	}
	c.tab.grow(0)
	return c, nil
}

// Violations returns a copy of the violations found so far, in detection order (at most
// Options.MaxViolations of them).
func (c *Invariants) Violations() []Violation {
	out := slices.Clone(c.rec.list)
	for i := range out {
		out[i].Nodes = slices.Clone(out[i].Nodes)
	}
	return out
}

// Dropped is the number of violations found beyond Options.MaxViolations and not kept.
func (c *Invariants) Dropped() int {
	return c.rec.dropped
}

// CommitMax is the highest index any node has been seen committing.
func (c *Invariants) CommitMax() uint64 {
	for i := c.tab.top(); i > 0; i-- {
		if c.tab.oc(i).known {
			return i
		}
	}
	return 0
}

// report records one violation.
func (c *Invariants) report(kind string, t int64, nodes []int, format string, args ...any) {
	c.rec.add(Violation{Kind: kind, Time: t, Nodes: nodes, Detail: fmt.Sprintf(format, args...)})
}

// node returns the state of node id, panicking on an id outside 0..nodes-1.
func (c *Invariants) node(id int, op string) *nodeState {
	if id < 0 || id >= len(c.nodes) {
		panic(fmt.Sprintf("checker: %s: node %d outside [0, %d)", op, id, len(c.nodes)))
	}
	return &c.nodes[id]
}

// live returns the state of a running node, panicking if it is down.
func (c *Invariants) live(id int, op string) *nodeState {
	n := c.node(id, op)
	if !n.up {
		panic(fmt.Sprintf("checker: %s: node %d is down (crashed or refused to start)", op, id))
	}
	return n
}

// inBound reports whether index i is within Options.IndexMax, reporting the first breach
// (node < 0: not a node's observation).
func (c *Invariants) inBound(t int64, node int, i uint64) bool {
	if i <= c.indexMax {
		return true
	}
	if c.rec.once(seenKey{kind: KindCheckerBound}) {
		who, nodes := fmt.Sprintf("node %d", node), []int{node}
		if node < 0 {
			who, nodes = "an acknowledged write", nil
		}
		c.report(KindCheckerBound, t, nodes,
			"%s reported log index %d beyond Options.IndexMax %d; entries above the bound are not checked",
			who, i, c.indexMax)
	}
	return false
}
