package cluster

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/anishathalye/porcupine"

	"github.com/raftcheck/raftcheck/checker"
	"github.com/raftcheck/raftcheck/nemesis"
	"github.com/raftcheck/raftcheck/workloads"
)

// Result is everything a run produced: enough to decide, report and replay it.
type Result struct {
	Seed uint64
	// Config is the configuration the run used: with Tuning "swarm", the drawn settings and
	// Tuning "fixed" (it replays the run by itself). Requested is the configuration as given,
	// which replays it too, with the same seed.
	Config    Config
	Requested Config
	// EngineVersion is the version of the engine the run used (Config.Engine names it).
	EngineVersion string
	// Notes say how the checks followed the engine's declared semantics (a rule checked in the
	// engine's form, or a duty the host took on), for the report.
	Notes []string
	// ExplicitSchedule says the schedule was given (Options.Schedule) rather than generated
	// from the seed: replaying needs it.
	ExplicitSchedule bool
	// ExplicitOps says the client operations were given (Options.Ops): replaying needs them.
	ExplicitOps bool
	Schedule    nemesis.Schedule
	History     []workloads.HistoryOp
	TraceHash   uint64
	Trace       []string // the human trace, when Options.RecordTrace was set

	Violations   []checker.Violation
	Linearizable checker.Outcome
	LinDetail    string
	Lin          checker.LinResult // kept for the report's Porcupine visualisation
	Timeline     []Mark            // role changes, faults and node lives, for the report
	States       []NodeState       // each node's persistent Raft state over time, for the report
	Stats        Stats
}

// Stats counts what a run did.
type Stats struct {
	Events           uint64
	SimSeconds       float64
	WallSeconds      float64 // set only when Options.Wall is given
	OpsOK            int
	OpsFailed        int
	OpsIndeterminate int
	Messages         uint64 // sent over the network, servers and clients
	Delivered        uint64
	Dropped          uint64
	FaultsApplied    int
	FaultsSkipped    int
	Elections        int   // distinct leaders observed (node, term)
	HealedAt         int64 // simulated ns when the heal phase began
	LeaderAfterHeal  int64 // simulated ns the first leader after heal was seen, -1 if none
	Ended            int64 // simulated ns the run ended
	JointChanges     int   // joint configurations entered (committed joint entries applied)
}

// Failed reports whether the run found any violation.
func (r *Result) Failed() bool { return len(r.Violations) > 0 }

// Kinds returns the distinct violation kinds, sorted.
func (r *Result) Kinds() []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range r.Violations {
		if !seen[v.Kind] {
			seen[v.Kind] = true
			out = append(out, v.Kind)
		}
	}
	sort.Strings(out)
	return out
}

// MarkKind says what a timeline mark records.
type MarkKind string

// Timeline marks.
const (
	MarkRole       MarkKind = "role"        // Node's role (Detail) or term changed
	MarkLeader     MarkKind = "leader"      // Node became leader of Term
	MarkCrash      MarkKind = "crash"       // Node went down
	MarkStart      MarkKind = "start"       // Node came up
	MarkPause      MarkKind = "pause"       // Node paused
	MarkResume     MarkKind = "resume"      // Node resumed
	MarkFaultStart MarkKind = "fault-start" // nemesis.Fault (Detail) began
	MarkFaultEnd   MarkKind = "fault-end"   // nemesis.Fault (Detail) ended
	MarkMember     MarkKind = "member"      // configuration changed (Detail)
	MarkRefused    MarkKind = "refused"     // Node refused to start (Detail)
	MarkRemoved    MarkKind = "removed"     // Node was removed from the configuration and shut down
	MarkHeal       MarkKind = "heal"        // every fault lifted
	MarkViolation  MarkKind = "violation"   // a violation was detected (Detail)
	MarkVote       MarkKind = "vote"        // Node granted its vote in Term (Detail: to whom)
)

// Mark is one point of a run's timeline.
type Mark struct {
	Time   int64    `json:"t"`
	Kind   MarkKind `json:"kind"`
	Node   int      `json:"node"` // -1 when it concerns no single node
	Term   uint64   `json:"term,omitempty"`
	Detail string   `json:"detail,omitempty"`
	Fault  int      `json:"fault,omitempty"` // fault marks: index in the schedule, plus one
	Nodes  []int    `json:"nodes,omitempty"` // fault marks: the nodes the fault struck
}

// Summary is a one-line account of the run.
func (r *Result) Summary() string {
	verdict := "ok"
	if r.Failed() {
		verdict = fmt.Sprintf("FAIL %v", r.Kinds())
	}
	s := r.Stats
	return fmt.Sprintf("seed %d: %s; linearizable %s; %d ops ok, %d failed, %d indeterminate; "+
		"%d faults (%d skipped); %d events, %.1f sim s; trace %016x",
		r.Seed, verdict, r.Linearizable, s.OpsOK, s.OpsFailed, s.OpsIndeterminate,
		s.FaultsApplied, s.FaultsSkipped, s.Events, s.SimSeconds, r.TraceHash)
}

// Model returns the Porcupine model of the run's workload, for visualising its history.
func (r *Result) Model() (porcupine.Model, error) { return workloads.Model(r.Config.Workload) }

func itoa64(v uint64) string { return strconv.FormatUint(v, 10) }

// NodeState is a sample of one node's persistent Raft state: taken when its term or vote
// changes, when it restarts, and otherwise at most every stateEvery while its log or commit
// index moves. Vote names the candidate as the engine does (both built-in engines: node+1).
type NodeState struct {
	Time      int64  `json:"t"`
	Node      int    `json:"node"`
	Term      uint64 `json:"term"`
	Vote      uint64 `json:"vote,omitempty"`
	Commit    uint64 `json:"commit"`
	LastIndex uint64 `json:"last_index"`
	LastTerm  uint64 `json:"last_term"`
}
