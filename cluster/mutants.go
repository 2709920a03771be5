package cluster

import (
	"fmt"
	"strings"

	"github.com/raftcheck/raftcheck/raft"
)

// Mutant is a planted bug, switched on by name in Config.Mutants, used to measure how fast the
// framework finds bugs. Each is named after the real mistake it plants.
type Mutant struct {
	Name  string
	Help  string
	raft  string // the raft.Mutations field it sets, if any
	apply func(*mutants)
}

// mutants is the parsed set of a run's planted bugs, by the layer that plants them.
type mutants struct {
	raft           raft.Mutations
	walTruncate    bool // raft/wal: truncate at a checksum failure inside durable data
	sendBeforeSync bool // host: messages leave before the WAL sync
	noDedup        bool // workloads: no client-session deduplication
}

// Mutants is the catalogue, in the order of the issue that lists them.
var Mutants = []Mutant{
	{Name: "vote-without-log-check", raft: "VoteWithoutLogCheck", Help: "grant votes without the §5.4.1 log up-to-date check"},
	{Name: "commit-prior-term", raft: "CommitPriorTermByCount", Help: "commit an earlier-term entry by counting replicas (Figure 8)"},
	{Name: "commit-to-last-index", raft: "CommitToLastIndex", Help: "follower sets commit to min(leaderCommit, lastIndex) instead of the last new entry"},
	{Name: "truncate-on-stale-append", raft: "TruncateOnStaleAppend", Help: "truncate the log on a stale or duplicated AppendEntries even when entries match"},
	{Name: "append-without-prev-check", raft: "AppendWithoutPrevCheck", Help: "append without the prevLogIndex/prevLogTerm check (log += values)"},
	{Name: "vote-not-persisted", raft: "VoteNotPersisted", Help: "votedFor is not persisted"},
	{Name: "send-before-sync", apply: func(m *mutants) { m.sendBeforeSync = true }, Help: "acknowledge and send before the WAL sync"},
	{Name: "progress-regress", raft: "ProgressRegress", Help: "matchIndex/nextIndex moved backwards by a reordered reply"},
	{Name: "count-stale-votes", raft: "CountStaleVotes", Help: "count votes from older terms and duplicate votes"},
	{Name: "no-step-down", raft: "NoStepDownOnHigherTerm", Help: "a leader does not step down on seeing a higher term"},
	{Name: "unsafe-local-reads", raft: "UnsafeLocalReads", Help: "reads served from local state without the ReadIndex quorum check"},
	{Name: "no-session-dedup", apply: func(m *mutants) { m.noDedup = true }, Help: "a retried client command is applied twice (no session dedup)"},
	{Name: "snapshot-regress", raft: "SnapshotRegress", Help: "snapshot install regresses the snapshot index and discards a matching log suffix"},
	{Name: "conf-change-early", raft: "ConfChangeWithoutTermCommit", Help: "membership change without first committing an entry of the leader's term"},
	{Name: "wal-truncate-on-corruption", apply: func(m *mutants) { m.walTruncate = true }, Help: "WAL recovery truncates at a checksum failure inside durable data (silent loss)"},
}

// MutantNames lists the catalogue's names in order.
func MutantNames() []string {
	out := make([]string, len(Mutants))
	for i, m := range Mutants {
		out[i] = m.Name
	}
	return out
}

// ValidateMutants reports the first unknown mutant name.
func ValidateMutants(names []string) error {
	_, err := parseMutants(names)
	return err
}

func parseMutants(names []string) (mutants, error) {
	var m mutants
	for _, name := range names {
		mu, ok := lookupMutant(name)
		if !ok {
			return mutants{}, fmt.Errorf("cluster: unknown mutant %q (known: %s)", name, strings.Join(MutantNames(), ", "))
		}
		if mu.raft != "" {
			if err := m.raft.Set(mu.raft); err != nil {
				panic(fmt.Sprintf("cluster: mutant %s names raft mutation %s: %v", mu.Name, mu.raft, err))
			}
		}
		if mu.apply != nil {
			mu.apply(&m)
		}
	}
	return m, nil
}

func lookupMutant(name string) (Mutant, bool) {
	for _, m := range Mutants {
		if m.Name == name {
			return m, true
		}
	}
	return Mutant{}, false
}
