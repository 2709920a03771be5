package checker

import (
	"fmt"
	"time"
)

// Violation kinds. Every Violation carries exactly one of these in Kind.
const (
	// KindElectionSafety: two nodes became leader of the same term.
	KindElectionSafety = "election-safety"
	// KindLogMatching: two logs hold an entry with the same (index, term) but differ at or
	// below that index.
	KindLogMatching = "log-matching"
	// KindLeaderCompleteness: a leader of term T lacks an entry committed in a term < T.
	KindLeaderCompleteness = "leader-completeness"
	// KindStateMachineSafety: two nodes committed or applied different entries at one index.
	KindStateMachineSafety = "state-machine-safety"
	// KindDurability: an acknowledged write was not committed, was lost by a later leader, or
	// was not applied on a live voter after the heal phase.
	KindDurability = "durability"
	// KindCommitRegress: a node's commit index went down within one life.
	KindCommitRegress = "commit-regress"
	// KindCommitBeyondLog: a node's commit index passed the end of its log.
	KindCommitBeyondLog = "commit-beyond-log"
	// KindCommittedTruncated: a node replaced or removed an entry at or below its own commit index.
	KindCommittedTruncated = "committed-truncated"
	// KindApplyRegress: a node applied an index at or below one it had already applied, or
	// restored a snapshot older than its applied index.
	KindApplyRegress = "apply-regress"
	// KindApplyGap: a node applied an index more than one past its applied index.
	KindApplyGap = "apply-gap"
	// KindApplyUncommitted: a node applied an index above its own commit index.
	KindApplyUncommitted = "apply-uncommitted"
	// KindTermRegress: a node's current term went down within one life.
	KindTermRegress = "term-regress"
	// KindDoubleVote: a node voted for two candidates in one term.
	KindDoubleVote = "double-vote"
	// KindElectionQuorum: a node became leader without votes, granted to it in its term, from
	// a majority of its configuration's voters (§5.2; of both voter sets while the
	// configuration is joint), or without having saved its own vote in the term (Figure 2).
	KindElectionQuorum = "election-quorum"
	// KindStaleLeader: a node went on believing it led a term below another live member's
	// for longer than a few election timeouts after the two could talk (after the heal, or
	// during the load phase once a leader of the higher term reached it over a calm link;
	// Figure 2: a server that sees a higher term adopts it and becomes a follower).
	KindStaleLeader = "stale-leader"
	// KindCommitRule: a leader advanced its commit index to an entry of an earlier term
	// (§5.4.2, Figure 8: entries of earlier terms are committed only indirectly).
	KindCommitRule = "commit-rule"
	// KindCommitQuorum: a leader advanced its commit index to an entry that a majority of its
	// voters did not hold.
	KindCommitQuorum = "commit-quorum"
	// KindMatchIndex: a leader's matchIndex for a follower went down within its term, or
	// claimed an entry the follower does not hold (Figure 2: matchIndex is the highest entry
	// known to be replicated on the server, and increases monotonically).
	KindMatchIndex = "match-index"
	// KindMembershipRule: a log held two uncommitted configuration changes, or a leader
	// appended one before committing an entry of its term (thesis §4.1; the single-server
	// change bug reported on raft-dev in 2015).
	KindMembershipRule = "membership-rule"
	// KindLogGap: a node persisted entries that leave a hole in its log.
	KindLogGap = "log-gap"
	// KindSilentLoss: a node restarted without state it had synced, and did not refuse to start.
	KindSilentLoss = "silent-loss"
	// KindCorruptionUndetected: a node restarted with entries that differ from what it had
	// synced, or that no node ever persisted, and did not refuse to start.
	KindCorruptionUndetected = "corruption-undetected"
	// KindLinearizability: the client history has no linearization (Porcupine said Illegal).
	KindLinearizability = "linearizability"
	// KindAppendAnomaly: an append-workload history shows a lost, duplicated, phantom,
	// divergent or reordered append.
	KindAppendAnomaly = "append-anomaly"
	// KindLiveness: after the heal point the cluster did not elect a leader, finish client
	// operations or catch nodes up within the bound.
	KindLiveness = "liveness"
	// KindAckedOverwritten: a follower replaced or removed an entry it had acknowledged to the
	// leader of its current term (Figure 2, AppendEntries rule 1: it took a deposed leader's
	// late message for the current leader's; or §7: it discarded the entries after a snapshot
	// that matched its log).
	KindAckedOverwritten = "acked-overwritten"
	// KindTermAppend: a node in term T saved entries that differ from what the leader of T
	// holds at their indexes (it took an earlier term's message for its leader's).
	KindTermAppend = "term-append"
	// KindStaleRead: a linearizable read was served from a state machine that had not applied
	// an entry already committed somewhere when the read arrived (thesis §6.4: a read index
	// is at least every commit index in the cluster at the time of the request).
	KindStaleRead = "stale-read"
	// KindReplicaDivergence: two nodes' state machines differ at the same applied index.
	KindReplicaDivergence = "replica-divergence"
	// KindCheckerBound: an observation exceeded a bound of the checker itself
	// (Options.IndexMax); the checker ignored the part beyond the bound.
	KindCheckerBound = "checker-bound"
)

// Violation is one broken property, found at simulated time Time (nanoseconds since the
// run started). Nodes lists the node ids involved, the node whose observation exposed it
// first; it is empty for client-history properties. Detail says what was seen and what was
// expected, with indexes, terms and digests.
type Violation struct {
	Kind   string
	Time   int64
	Nodes  []int
	Detail string
}

// String renders v on one line: kind, time, nodes and detail.
func (v Violation) String() string {
	return fmt.Sprintf("%s at %v nodes %v: %s", v.Kind, time.Duration(v.Time), v.Nodes, v.Detail)
}

// DefaultMaxViolations is the number of violations an Invariants keeps when
// Options.MaxViolations is zero.
const DefaultMaxViolations = 100

// recorder keeps violations in detection order up to a cap and counts the rest.
type recorder struct {
	max     int
	list    []Violation
	dropped int
	seen    map[seenKey]bool // de-duplication of reports that would repeat; lookups only
}

// seenKey names one reported fact so that it is reported once.
type seenKey struct {
	kind  string
	node  int
	index uint64
}

func newRecorder(maxViolations int) recorder {
	return recorder{max: maxViolations, seen: map[seenKey]bool{}}
}

// add records v, or counts it when the cap is reached.
func (r *recorder) add(v Violation) {
	if len(r.list) >= r.max {
		r.dropped++
		return
	}
	r.list = append(r.list, v)
}

// once reports whether key is new, marking it seen.
func (r *recorder) once(key seenKey) bool {
	if r.seen[key] {
		return false
	}
	r.seen[key] = true
	return true
}

// fmtEntry renders one log position.
func fmtEntry(index, term, digest uint64) string {
	return fmt.Sprintf("(index %d, term %d, digest %016x)", index, term, digest)
}

// fmtTime renders a simulated time.
func fmtTime(t int64) string {
	return time.Duration(t).String()
}
