package raftengine

import (
	"fmt"
	"strings"

	"github.com/raftcheck/raftcheck/engine"
	"github.com/raftcheck/raftcheck/raft"
)

// mutant is a planted bug of this engine: a raft.Mutations field, or a fault of the adapter.
type mutant struct {
	engine.Mutant
	raft  string // the raft.Mutations field it sets, if any
	apply func(*mutants)
}

// mutants is the parsed set of a node's planted bugs, by the layer that plants them.
type mutants struct {
	raft           raft.Mutations
	walTruncate    bool // raft/wal: truncate at a checksum failure inside durable data
	walTornCorrupt bool // raft/wal: a torn tail is reported as corruption
	walNoDirSync   bool // raft/wal: a new segment's name is never synced
	sendBeforeSync bool // adapter: messages leave before the WAL sync
}

func m(name, help, field string) mutant {
	return mutant{Mutant: engine.Mutant{Name: name, Help: help}, raft: field}
}

// catalogue lists this engine's planted bugs, in the order of the issue that listed them.
var catalogue = []mutant{
	m("vote-without-log-check", "grant votes without the §5.4.1 log up-to-date check", "VoteWithoutLogCheck"),
	m("commit-prior-term", "commit an earlier-term entry by counting replicas (Figure 8)", "CommitPriorTermByCount"),
	m("commit-to-last-index", "follower sets commit to min(leaderCommit, lastIndex) instead of the last new entry", "CommitToLastIndex"),
	m("truncate-on-stale-append", "truncate the log on a stale or duplicated AppendEntries even when entries match", "TruncateOnStaleAppend"),
	m("append-without-prev-check", "append without the prevLogIndex/prevLogTerm check (log += values)", "AppendWithoutPrevCheck"),
	m("vote-not-persisted", "votedFor is not persisted", "VoteNotPersisted"),
	{Mutant: engine.Mutant{Name: "send-before-sync", Help: "acknowledge and send before the WAL sync"},
		apply: func(m *mutants) { m.sendBeforeSync = true }},
	m("progress-regress", "matchIndex/nextIndex moved backwards by a reordered reply", "ProgressRegress"),
	m("count-stale-votes", "count votes from older terms and duplicate votes", "CountStaleVotes"),
	m("no-step-down", "a leader does not step down on seeing a higher term", "NoStepDownOnHigherTerm"),
	m("unsafe-local-reads", "reads served from local state without the ReadIndex quorum check", "UnsafeLocalReads"),
	m("snapshot-regress", "snapshot install regresses the snapshot index and discards a matching log suffix", "SnapshotRegress"),
	m("conf-change-early", "membership change without first committing an entry of the leader's term", "ConfChangeWithoutTermCommit"),
	m("read-before-term-commit", "a new leader answers ReadIndex before committing an entry of its term (its commit index may lag)", "ReadBeforeTermCommit"),
	m("stale-term-append", "a follower accepts an AppendEntries of an earlier term from a deposed leader", "AcceptStaleAppend"),
	m("joint-commit-new-only", "while joint, commit on a majority of the new configuration alone (thesis §4.3 needs both)", "JointCommitIncomingOnly"),
	m("joint-elect-new-only", "while joint, win an election on a majority of the new configuration alone", "JointElectIncomingOnly"),
	m("joint-never-leave", "never append the entry that leaves the joint configuration", "JointNoLeave"),
	m("stale-append-unanswered", "answer a deposed leader's AppendEntries only when running CheckQuorum or PreVote oneself (etcd's rule): in a mixed cluster a node whose term ran ahead never rejoins", "StaleAppendUnansweredByOwnSettings"),
	{Mutant: engine.Mutant{Name: "wal-truncate-on-corruption", Help: "WAL recovery truncates at a checksum failure inside durable data (silent loss)"},
		apply: func(m *mutants) { m.walTruncate = true }},
	{Mutant: engine.Mutant{Name: "wal-torn-tail-as-corruption", Help: "WAL recovery reports a crash's torn tail as corruption: the node refuses to start after an ordinary crash"},
		apply: func(m *mutants) { m.walTornCorrupt = true }},
	{Mutant: engine.Mutant{Name: "wal-segment-no-dir-sync", Help: "WAL rotation never syncs a new segment's name: a power failure loses the segment and the synced entries in it"},
		apply: func(m *mutants) { m.walNoDirSync = true }},
}

// parseMutants plants the named bugs; a name this engine does not know is an error.
func parseMutants(names []string) (mutants, error) {
	var out mutants
	for _, name := range names {
		mu, ok := lookup(name)
		if !ok {
			return mutants{}, fmt.Errorf("raftengine: unknown mutant %q (known: %s)", name, strings.Join(catalogueNames(), ", "))
		}
		if mu.raft != "" {
			if err := out.raft.Set(mu.raft); err != nil {
				panic(fmt.Sprintf("raftengine: mutant %s names raft mutation %s: %v", mu.Name, mu.raft, err))
			}
		}
		if mu.apply != nil {
			mu.apply(&out)
		}
	}
	return out, nil
}

func lookup(name string) (mutant, bool) {
	for _, mu := range catalogue {
		if mu.Name == name {
			return mu, true
		}
	}
	return mutant{}, false
}

func catalogueNames() []string {
	out := make([]string, len(catalogue))
	for i, mu := range catalogue {
		out[i] = mu.Name
	}
	return out
}
